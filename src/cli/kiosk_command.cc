// `openmyna kiosk`: one convenience-store session at the sandbox's kiosk
// with the card in a PC/SC reader (docs/konbini.md), and `openmyna verify
// document FILE`: a printed document's signature and fields.
//
// The kiosk, the centre and the municipal issuers run in this process on
// the sandbox's registry (DIR/registry.db or --postgres) and CA roots; the
// documents are signed with DIR/konbini/<code>.document-key.pem (made on
// first use). Exit 0 printed / valid, 1 refused / not valid (the reason is
// printed), 2 bad input, 3 failure.
#include <openssl/evp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/domain/date.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/card_verifier.h"
#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk.h"

namespace openmyna::cli {
namespace {

using card::client::JpkiKey;
using card::client::PinStatus;
using konbini::KonbiniErrc;

struct KioskOptions {
  std::string reader;
  std::string pin_env;
  std::string municipality;
  std::string certificate;
  bool household = false;
  std::vector<std::string> members;
  bool honseki = false;
  bool head = false;
  bool individual_number = false;
  int copies = 1;
  std::string out;
  std::string now;
  bool immediate_mapping = false;
  std::string postgres;
};

// "YYYY-MM-DDTHH:MM:SSZ" as an instant.
std::optional<TimePoint> ParseInstant(const std::string& text) {
  unsigned h = 0, m = 0, s = 0;
  if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z') {
    return std::nullopt;
  }
  auto date = domain::ParseDate(text.substr(0, 10));
  if (!date || std::sscanf(text.c_str() + 11, "%2u:%2u:%2u", &h, &m, &s) != 3 ||
      h > 23 || m > 59 || s > 59) {
    return std::nullopt;
  }
  return std::chrono::sys_days(*date) + std::chrono::hours(h) +
         std::chrono::minutes(m) + std::chrono::seconds(s);
}

// The card in the reader: the 利用者証明用 key of the JPKI-AP over PC/SC.
class PcscKioskCard final : public konbini::KioskCard {
 public:
  explicit PcscKioskCard(card::client::ApduChannel& channel) : jpki_(channel) {}
  ~PcscKioskCard() override { (void)jpki_.Logout(); }

  Result<Bytes> ReadAuthenticationCertificate() override {
    OPENMYNA_RETURN_IF_ERROR(jpki_.SelectAp());
    return jpki_.ReadCertificate(JpkiKey::kAuthentication);
  }
  Status VerifyPin(std::string_view pin) override {
    OPENMYNA_ASSIGN_OR_RETURN(
        std::string normalized,
        card::client::NormalizePin(JpkiKey::kAuthentication, pin));
    OPENMYNA_ASSIGN_OR_RETURN(
        PinStatus status, jpki_.Login(JpkiKey::kAuthentication, normalized));
    if (status.state == PinStatus::State::kVerified) return Ok();
    if (status.state == PinStatus::State::kBlocked) {
      return Fail(KonbiniErrc::kRefused,
                  "暗証番号がロックされています。市区町村の窓口で解除してくだ"
                  "さい (PIN blocked)");
    }
    return Fail(KonbiniErrc::kRefused, "暗証番号が違います。残り" +
                                           std::to_string(status.tries_left) +
                                           "回 (wrong PIN)");
  }
  Result<Bytes> SignChallenge(ByteView challenge) override {
    // DigestInfo of SHA-256 (RFC 8017 §9.2 note 1) over the challenge: the
    // card pads and signs it (card-apdu.md §3.4).
    Bytes digest_info = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                         0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                         0x01, 0x05, 0x00, 0x04, 0x20};
    unsigned char hash[32];
    unsigned int size = 0;
    EVP_Digest(challenge.data(), challenge.size(), hash, &size, EVP_sha256(),
               nullptr);
    digest_info.insert(digest_info.end(), hash, hash + size);
    return jpki_.Sign(JpkiKey::kAuthentication, digest_info);
  }

 private:
  card::client::JpkiClient jpki_;
};

void RunKiosk(const KioskOptions& o, Context& context) {
  auto certificate = domain::ParseKonbiniCertificate(o.certificate);
  if (!certificate) {
    return context.BadInput(
        "--certificate", "one of juminhyo, inkan, koseki, koseki-kojin, fuhyo");
  }
  if (o.pin_env.empty()) return context.BadInput("--pin-env", "required");
  const char* pin = std::getenv(o.pin_env.c_str());
  if (pin == nullptr) {
    return context.BadInput("--pin-env", o.pin_env + " is not set");
  }
  std::optional<OffsetClock> shifted;
  SystemClock system_clock;
  const Clock* clock = &system_clock;
  if (!o.now.empty()) {
    auto start = ParseInstant(o.now);
    if (!start) {
      return context.BadInput("--now", "expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
    }
    shifted = OffsetClock::StartingAt(*start);
    clock = &*shifted;
  }
  const auto dir = context.DataDir();
  auto sandbox = pki::Sandbox::Open(dir);
  if (!sandbox) return context.Failed(sandbox.error());
  auto roots = sandbox->Roots(pki::CaKind::kAuthentication);
  if (!roots) return context.Failed(roots.error());
  auto target = registry::RegistryDatabaseTarget(o.postgres, dir);
  if (!target) return context.Failed(target.error());
  auto store = registry::RegistryStore::Open(*target, *clock);
  if (!store) return context.Failed(store.error());
  OpenSslRng rng;
  konbini::PkiCardVerifier verifier(std::move(*roots));
  konbini::CentreOptions centre_options;
  centre_options.immediate_mapping = o.immediate_mapping;
  konbini::Centre centre(**store, *clock, rng, verifier, centre_options);
  std::map<std::string, std::string> keys;
  std::vector<std::shared_ptr<konbini::MunicipalIssuer>> issuers;
  auto municipalities = [&]() -> Result<std::vector<registry::Municipality>> {
    std::vector<registry::Municipality> list;
    OPENMYNA_RETURN_IF_ERROR(
        (*store)->Transact([&](registry::RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(list, tx.ListMunicipalities());
          return Ok();
        }));
    return list;
  }();
  if (!municipalities) return context.Failed(municipalities.error());
  for (const auto& m : *municipalities) {
    auto signer = konbini::LoadOrCreateDocumentSigner(dir, m.code);
    if (!signer) return context.Failed(signer.error());
    keys[m.code] = (*signer)->PublicKeyPem();
    auto issuer = std::make_shared<konbini::MunicipalIssuer>(
        m.code, m.code + "-1", **store, *clock, rng, *signer);
    centre.AddIssuer(m.code, issuer);
  }
  konbini::KioskChoice choice;
  choice.municipality_code = o.municipality;
  choice.request.certificate = *certificate;
  choice.request.copies = o.copies;
  choice.request.juminhyo.whole_household = o.household;
  choice.request.juminhyo.members = o.members;
  choice.request.juminhyo.honseki = o.honseki;
  choice.request.juminhyo.head_and_relationship = o.head;
  choice.request.juminhyo.individual_number = o.individual_number;

  auto channel = card::client::PcscCard::Connect(o.reader);
  if (!channel) return context.Failed(channel.error());
  Result<konbini::Printout> printed = [&] {
    PcscKioskCard card(**channel);
    konbini::Kiosk kiosk(centre, *clock, keys);
    return kiosk.Run(card, pin, choice);
  }();
  if (!printed) {
    std::fprintf(stderr, "openmyna kiosk: %s\n",
                 printed.error().message().c_str());
    return context.SetExitCode(
        printed.error().Is(KonbiniErrc::kRefused) ? 1 : kExitFailed);
  }
  for (const auto& page : printed->document.pages) {
    std::printf("--- %d/%d  %s ---\n", page.number, page.count,
                printed->request_id.c_str());
    for (const auto& line : page.lines) std::printf("%s\n", line.c_str());
  }
  std::printf("fee: %d yen\n", printed->fee_yen);
  const std::string out =
      o.out.empty() ? "konbini-" + printed->request_id + ".json" : o.out;
  nlohmann::json file = {{"jws", printed->jws},
                         {"document", konbini::ToJson(printed->document)},
                         {"fee_yen", printed->fee_yen}};
  if (auto written =
          WriteFileAtomically(out, file.dump(2) + "\n",
                              std::filesystem::perms::owner_read |
                                  std::filesystem::perms::owner_write);
      !written) {
    return context.Failed(written.error());
  }
  std::printf("document: %s\n", out.c_str());
}

void RunVerifyDocument(const std::string& file, const std::string& key,
                       Context& context) {
  auto text = ReadFileText(file);
  if (!text) return context.BadInput("file", text.error().message());
  std::string jws = *text;
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_object() && parsed.contains("jws")) {
    jws = parsed["jws"].get<std::string>();
  }
  while (!jws.empty() && (jws.back() == '\n' || jws.back() == ' ')) {
    jws.pop_back();
  }
  std::string key_path = key;
  if (key_path.empty()) {
    // The municipality named in the (not yet trusted) payload picks the key.
    const auto dot1 = jws.find('.');
    const auto dot2 = jws.find('.', dot1 + 1);
    auto payload =
        konbini::FromBase64Url(jws.substr(dot1 + 1, dot2 - dot1 - 1));
    auto j = payload ? nlohmann::json::parse(*payload, nullptr, false)
                     : nlohmann::json();
    if (!j.is_object() || !j.contains("municipality")) {
      std::printf("NOT VALID: not a konbini document\n");
      return context.SetExitCode(1);
    }
    key_path = konbini::DocumentPublicKeyPath(
                   context.DataDir(), j["municipality"].get<std::string>())
                   .string();
  }
  auto pem = ReadFileText(key_path);
  if (!pem) return context.BadInput("--key", pem.error().message());
  auto doc = konbini::VerifyDocument(jws, *pem);
  if (!doc) {
    std::printf("NOT VALID: %s\n", doc.error().message().c_str());
    return context.SetExitCode(1);
  }
  std::printf("VALID: signed by %s\n", key_path.c_str());
  std::printf("%s\n", konbini::ToJson(*doc).dump(2).c_str());
}

void AddKiosk(CLI::App& app, Context& context) {
  auto o = std::make_shared<KioskOptions>();
  CLI::App* kiosk = app.add_subcommand(
      "kiosk",
      "A convenience-store session with the card in a PC/SC reader: PIN, "
      "certificate, options, fee, a signed document (docs/konbini.md)");
  kiosk->add_option("--reader", o->reader,
                    "PC/SC reader name or a part of one (default: the first "
                    "reader with a card)");
  kiosk
      ->add_option("--pin-env", o->pin_env,
                   "environment variable holding the 4-digit "
                   "authentication PIN")
      ->required();
  kiosk
      ->add_option("--municipality", o->municipality,
                   "local government code of the municipality (residence "
                   "or registered domicile)")
      ->required();
  kiosk
      ->add_option("--certificate", o->certificate,
                   "juminhyo | inkan | koseki | koseki-kojin | fuhyo")
      ->required();
  kiosk->add_flag("--household", o->household, "住民票: the whole household");
  kiosk->add_option("--member", o->members,
                    "住民票: a household member's resident id (repeatable)");
  kiosk->add_flag("--honseki", o->honseki, "住民票: with 本籍・筆頭者");
  kiosk->add_flag("--head", o->head, "住民票: with 世帯主・続柄");
  kiosk->add_flag("--individual-number", o->individual_number,
                  "住民票: with the individual number (where allowed)");
  kiosk->add_option("--copies", o->copies, "copies (1-10)")
      ->check(CLI::Range(1, 10));
  kiosk->add_option("--out", o->out,
                    "where to write the signed document (JSON with the JWS; "
                    "default konbini-<request id>.json)");
  kiosk->add_option("--now", o->now,
                    "run on a clock starting at this UTC instant "
                    "(YYYY-MM-DDTHH:MM:SSZ), as `serve --now`");
  kiosk->add_flag("--immediate-mapping", o->immediate_mapping,
                  "map a certificate issued today (default: from the next "
                  "day, as municipalities state)");
  kiosk->add_option("--postgres", o->postgres,
                    "PostgreSQL URL of the registry (default: "
                    "DIR/registry.db or $OPENMYNA_REGISTRY_DB)");
  kiosk->callback([o, &context] { RunKiosk(*o, context); });

  // `openmyna verify document`, beside `verify cert|cms`.
  CLI::App* verify = nullptr;
  try {
    verify = app.get_subcommand("verify");
  } catch (const CLI::OptionNotFound&) {
    verify = app.add_subcommand("verify",
                                "Verify certificates and "
                                "documents");
  }
  auto file = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  CLI::App* document = verify->add_subcommand(
      "document",
      "Verify a konbini document (the JSON `openmyna kiosk` writes, or the "
      "JWS alone): signature and fields");
  document->add_option("file", *file, "the document")->required();
  document->add_option("--key", *key,
                       "the municipality's public key (default: "
                       "DIR/konbini/<code>.document-key.pub.pem)");
  document->callback(
      [file, key, &context] { RunVerifyDocument(*file, *key, context); });
}

const CommandGroup kGroup{"kiosk", 41, &AddKiosk};

}  // namespace
}  // namespace openmyna::cli
