// `openmyna ca rollover|issue|revoke|list`: operating the sandbox CAs
// (docs/pki.md). Rules live in openmyna::pki; this file parses, calls and
// renders.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/era.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/revocation_reason.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::cli {
namespace {

std::string IsoTime(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(seconds - days);
  char buffer[32];
  std::snprintf(
      buffer, sizeof(buffer), "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
      static_cast<long>(hms.minutes().count()),
      static_cast<long>(hms.seconds().count()));
  return buffer;
}

bool ParseKind(std::string_view text, Context& context, pki::CaKind& kind) {
  if (!pki::ParseCaKind(text, kind)) {
    context.BadInput("--ca", "must be sign or auth");
    return false;
  }
  return true;
}

// ---- rollover ----
struct RolloverOptions {
  std::string ca;
};

void RunRollover(const RolloverOptions& options, Context& context) {
  pki::CaKind kind;
  if (!ParseKind(options.ca, context, kind)) return;
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) return context.Failed(sandbox.error());
  SystemClock clock;
  OpenSslRng rng;
  auto generation = sandbox->Rollover(kind, clock, rng);
  if (!generation) return context.Failed(generation.error());
  const auto& g = sandbox->current(kind);
  std::printf("%s CA generation %d (same DN, new key): %s\nbundle: %s\n",
              std::string(pki::CaKindName(kind)).c_str(), *generation,
              g.certificate_pem.c_str(), sandbox->bundle_pem(kind).c_str());
}

// ---- issue ----
struct IssueOptions {
  std::string kind, pubkey, code, prefecture, municipality, name, name_flags,
      born, dob, address, address_flags, not_after, out;
  int sex = 3;
  bool json = false;
};

// SubjectPublicKeyInfo DER from a PEM/DER public key, private key or
// certificate file.
Result<Bytes> ReadSpki(const std::string& path) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes data, ReadFileBytes(path));
  BIO* bio = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  if (key == nullptr) {
    BIO_reset(bio);
    key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  }
  if (key == nullptr) {
    BIO_reset(bio);
    if (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      key = X509_get_pubkey(cert);
      X509_free(cert);
    }
  }
  BIO_free(bio);
  if (key == nullptr) {
    const unsigned char* p = data.data();
    key = d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size()));
  }
  SecureWipe(data);
  if (key == nullptr) {
    return Fail(pki::PkiErrc::kInvalidRequest,
                path + ": no public key, private key or certificate");
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  EVP_PKEY_free(key);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

void RunIssue(const IssueOptions& o, Context& context) {
  pki::IssueRequest request;
  if (o.kind == "sign") {
    request.kind = pki::CertificateKind::kSignature;
  } else if (o.kind == "auth") {
    request.kind = pki::CertificateKind::kAuthentication;
  } else {
    return context.BadInput("--kind", "must be sign or auth");
  }
  auto spki = ReadSpki(o.pubkey);
  if (!spki) return context.BadInput("--pubkey", spki.error().message());
  request.subject_public_key_info = std::move(*spki);
  request.municipality = {o.code, o.prefecture, o.municipality};
  auto not_after = domain::ParseDate(o.not_after);
  if (!not_after)
    return context.BadInput("--not-after", not_after.error().message());
  request.not_after_date = *not_after;
  if (request.kind == pki::CertificateKind::kSignature) {
    // Surname, FULL-WIDTH space, given name (jpki.md §3.3), as `card new`.
    auto name = card::faces::CardName(o.name);
    if (!name) return context.BadInput("--name", name.error().message());
    request.personal.name = *name;
    request.personal.name_flags = o.name_flags;
    request.personal.address = o.address;
    request.personal.address_flags = o.address_flags;
    if (o.sex < 1 || o.sex > 3) return context.BadInput("--sex", "1, 2 or 3");
    request.personal.sex = static_cast<pki::SanSex>('0' + o.sex);
    if (!o.born.empty()) {
      auto born = domain::ParseDate(o.born);
      if (!born) return context.BadInput("--born", born.error().message());
      request.personal.date_of_birth = domain::JpkiDateOfBirth(*born);
    } else {
      request.personal.date_of_birth = o.dob;
    }
  }
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) return context.Failed(sandbox.error());
  auto store = sandbox->OpenStore();
  if (!store) return context.Failed(store.error());
  SystemClock clock;
  OpenSslRng rng;
  request.not_before = clock.Now();
  pki::CertificateAuthority ca(*sandbox, **store, rng);
  auto issued = ca.Issue(request);
  if (!issued) return context.Failed(issued.error());

  const unsigned char* p = issued->der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(issued->der.size()));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* pem_data = nullptr;
  const long pem_length = BIO_get_mem_data(bio, &pem_data);
  const std::string pem(pem_data, static_cast<std::size_t>(pem_length));
  BIO_free(bio);
  X509_free(cert);
  if (!o.out.empty()) {
    auto written = WriteFileAtomically(o.out, pem,
                                       std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read |
                                           std::filesystem::perms::others_read);
    if (!written) return context.Failed(written.error());
  }
  if (o.json) {
    nlohmann::ordered_json out = {
        {"serial", issued->serial.Hex()},
        {"ca", std::string(pki::CaKindName(issued->ca))},
        {"generation", issued->generation},
        {"subject_cn", issued->subject_cn},
        {"not_before", IsoTime(issued->not_before)},
        {"not_after", IsoTime(issued->not_after)}};
    if (!o.out.empty()) out["file"] = o.out;
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("serial %s  CN=%s  %s CA g%d  until %s\n",
                issued->serial.Hex().c_str(), issued->subject_cn.c_str(),
                std::string(pki::CaKindName(issued->ca)).c_str(),
                issued->generation, IsoTime(issued->not_after).c_str());
    if (o.out.empty()) std::printf("%s", pem.c_str());
  }
}

// ---- revoke ----
struct RevokeOptions {
  std::string serial, reason;
};

void RunRevoke(const RevokeOptions& o, Context& context) {
  auto serial = pki::Serial::FromHex(o.serial);
  if (!serial) return context.BadInput("--serial", serial.error().message());
  auto reason = pki::ParseReason(o.reason);
  if (!reason) return context.BadInput("--reason", reason.error().message());
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) return context.Failed(sandbox.error());
  auto store = sandbox->OpenStore();
  if (!store) return context.Failed(store.error());
  SystemClock clock;
  const TimePoint now = clock.Now();
  if (auto s = (*store)->Revoke(*serial, *reason, now); !s) {
    if (s.error().Is(pki::PkiErrc::kNotFound)) {
      return context.BadInput("--serial", s.error().message());
    }
    return context.Failed(s.error());
  }
  auto status = (*store)->Find(*serial);
  std::printf(
      "revoked %s: %s at %s\n", serial->Hex().c_str(),
      std::string(pki::ReasonName(*(*status)->revocation_reason)).c_str(),
      IsoTime(*(*status)->revocation_time).c_str());
}

// ---- list ----
struct ListOptions {
  std::string ca;
  bool revoked = false;
  bool json = false;
  std::size_t limit = 0;
};

void RunList(const ListOptions& o, Context& context) {
  pki::ListFilter filter;
  if (!o.ca.empty()) {
    pki::CaKind kind;
    if (!ParseKind(o.ca, context, kind)) return;
    filter.ca = kind;
  }
  filter.revoked_only = o.revoked;
  filter.limit = o.limit;
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) return context.Failed(sandbox.error());
  auto store = sandbox->OpenStore();
  if (!store) return context.Failed(store.error());
  auto records = (*store)->List(filter);
  if (!records) return context.Failed(records.error());
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& r : *records) {
    const std::string status =
        r.revocation_reason
            ? "revoked:" + std::string(pki::ReasonName(*r.revocation_reason))
            : "good";
    if (o.json) {
      nlohmann::ordered_json row = {
          {"serial", r.serial.Hex()},
          {"ca", std::string(pki::CaKindName(r.partition.ca))},
          {"generation", r.partition.generation},
          {"municipality_code", r.partition.municipality_code},
          {"subject_cn", r.subject_cn},
          {"not_before", IsoTime(r.not_before)},
          {"not_after", IsoTime(r.not_after)},
          {"status", r.revocation_reason ? "revoked" : "good"}};
      if (r.revocation_reason) {
        row["reason"] = std::string(pki::ReasonName(*r.revocation_reason));
        row["revoked_at"] = IsoTime(*r.revocation_time);
      }
      array.push_back(std::move(row));
    } else {
      std::printf("%s  %s g%d  %s  %s  until %s  %s\n", r.serial.Hex().c_str(),
                  std::string(pki::CaKindName(r.partition.ca)).c_str(),
                  r.partition.generation, r.partition.municipality_code.c_str(),
                  r.subject_cn.c_str(), IsoTime(r.not_after).c_str(),
                  status.c_str());
    }
  }
  if (o.json) std::printf("%s\n", array.dump().c_str());
}

void AddCa(CLI::App& app, Context& context) {
  CLI::App* ca = app.add_subcommand(
      "ca", "Operate the sandbox CAs: rollover, issue, revoke, list");
  ca->require_subcommand(1);

  auto roll = std::make_shared<RolloverOptions>();
  CLI::App* rollover = ca->add_subcommand(
      "rollover", "Make the next generation of a CA (same DN, new key)");
  rollover->add_option("--ca", roll->ca, "sign or auth")->required();
  rollover->callback([roll, &context] { RunRollover(*roll, context); });

  auto iss = std::make_shared<IssueOptions>();
  CLI::App* issue = ca->add_subcommand(
      "issue", "Issue a certificate for a public key (linted, stored)");
  issue->add_option("--kind", iss->kind, "sign or auth")->required();
  issue
      ->add_option("--pubkey", iss->pubkey,
                   "PEM/DER public key (or a key or certificate holding it)")
      ->required();
  issue
      ->add_option("--code", iss->code,
                   "5-digit municipality code without check digit")
      ->required();
  issue->add_option("--prefecture", iss->prefecture, "romanised, e.g. Tokyo-to")
      ->required();
  issue
      ->add_option("--municipality", iss->municipality,
                   "romanised, e.g. Kiyose-shi")
      ->required();
  issue
      ->add_option("--not-after", iss->not_after,
                   "last valid day YYYY-MM-DD (ends 23:59:59 JST)")
      ->required();
  issue->add_option("--name", iss->name, "sign: name (UTF-8)");
  issue->add_option("--name-flags", iss->name_flags, "sign: 0/1 per character");
  issue->add_option("--sex", iss->sex, "sign: 1 male, 2 female, 3 unknown");
  issue->add_option("--born", iss->born, "sign: date of birth YYYY-MM-DD");
  issue->add_option("--dob", iss->dob, "sign: date of birth as EYYYYMMDD");
  issue->add_option("--address", iss->address, "sign: address (UTF-8)");
  issue->add_option("--address-flags", iss->address_flags,
                    "sign: 0/1 per character");
  issue->add_option("--out", iss->out, "write the certificate (PEM) here");
  issue->add_flag("--json", iss->json, "print a JSON summary");
  issue->callback([iss, &context] { RunIssue(*iss, context); });

  auto rev = std::make_shared<RevokeOptions>();
  CLI::App* revoke = ca->add_subcommand(
      "revoke",
      "Revoke a certificate (RFC 5280 reason; a hold is never "
      "lifted)");
  revoke->add_option("--serial", rev->serial, "serial number in hex")
      ->required();
  revoke
      ->add_option("--reason", rev->reason,
                   "keyCompromise, affiliationChanged, superseded, "
                   "cessationOfOperation, certificateHold, ...")
      ->required();
  revoke->callback([rev, &context] { RunRevoke(*rev, context); });

  auto lst = std::make_shared<ListOptions>();
  CLI::App* list = ca->add_subcommand("list", "List issued certificates");
  list->add_option("--ca", lst->ca, "sign or auth");
  list->add_flag("--revoked", lst->revoked, "only revoked certificates");
  list->add_option("--limit", lst->limit, "at most this many");
  list->add_flag("--json", lst->json, "print a JSON array");
  list->callback([lst, &context] { RunList(*lst, context); });
}

const CommandGroup kGroup{"ca", 30, &AddCa};

}  // namespace
}  // namespace openmyna::cli
