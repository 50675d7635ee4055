// `openmyna verify cert|cms|sign-result`: relying-party checks against the
// sandbox roots (docs/pki.md; sign-result: docs/sign-in.md). Exit 0 good, 1 not
// good (the failed rule is printed), 2 bad input, 3 failure. Rules live in
// openmyna::pki.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/base64.h"
#include "openmyna/base/file_io.h"
#include "openmyna/domain/date.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::cli {
namespace {

struct CommonOptions {
  std::string at;     // YYYY-MM-DD[THH:MM:SSZ]; default: now
  std::string roots;  // PEM bundle; default: the sandbox's roots
  std::vector<std::string> crls;
  std::string ocsp;      // OCSP responder URL
  bool crl_url = false;  // fetch the CRL the certificate names
  bool json = false;
};

// "YYYY-MM-DD" (00:00:00 JST of that day) or "YYYY-MM-DDTHH:MM:SSZ".
bool ParseAt(const std::string& text, Context& context, TimePoint& out) {
  if (text.empty()) {
    out = std::chrono::system_clock::now();
    return true;
  }
  auto date = domain::ParseDate(text.substr(0, 10));
  if (!date) {
    context.BadInput("--at", date.error().message());
    return false;
  }
  TimePoint t = std::chrono::sys_days(*date);
  if (text.size() == 10) {
    out = t - domain::kJstOffset;
    return true;
  }
  unsigned h = 0, m = 0, s = 0;
  if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z' ||
      std::sscanf(text.c_str() + 11, "%2u:%2u:%2u", &h, &m, &s) != 3 ||
      h > 23 || m > 59 || s > 60) {
    context.BadInput("--at", "want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    return false;
  }
  out = t + std::chrono::hours(h) + std::chrono::minutes(m) +
        std::chrono::seconds(s);
  return true;
}

// Trusted roots: every certificate of --roots, else every generation of
// the sandbox CAs of `kinds`.
bool LoadRoots(const CommonOptions& o, Context& context,
               std::vector<pki::X509Ptr>& roots,
               std::vector<pki::CaKind> kinds = {
                   pki::CaKind::kSignature, pki::CaKind::kAuthentication}) {
  if (!o.roots.empty()) {
    auto data = ReadFileBytes(o.roots);
    if (!data) {
      context.BadInput("--roots", data.error().message());
      return false;
    }
    BIO* bio = BIO_new_mem_buf(data->data(), static_cast<int>(data->size()));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      roots.emplace_back(cert);
    }
    BIO_free(bio);
    if (roots.empty()) {
      context.BadInput("--roots", "no PEM certificate in " + o.roots);
      return false;
    }
    return true;
  }
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) {
    context.Failed(sandbox.error());
    return false;
  }
  for (pki::CaKind kind : kinds) {
    auto list = sandbox->Roots(kind);
    if (!list) {
      context.Failed(list.error());
      return false;
    }
    for (auto& r : *list) roots.push_back(std::move(r));
  }
  return true;
}

bool LoadOptions(const CommonOptions& o, Context& context,
                 pki::VerifyOptions& options) {
  if (!ParseAt(o.at, context, options.at)) return false;
  options.ocsp_url = o.ocsp;
  for (const std::string& path : o.crls) {
    auto data = ReadFileBytes(path);
    if (!data) {
      context.BadInput("--crl", data.error().message());
      return false;
    }
    options.crls.push_back(std::move(*data));
  }
  return true;
}

nlohmann::ordered_json VerdictJson(const pki::CertificateVerdict& v) {
  nlohmann::ordered_json out = {
      {"good", v.good},
      {"rule", std::string(pki::VerifyRuleName(v.rule))},
      {"detail", v.detail}};
  if (v.root_index >= 0) out["root_index"] = v.root_index;
  if (v.revocation_reason) {
    out["reason"] = std::string(pki::ReasonName(*v.revocation_reason));
  }
  return out;
}

// The verdict on `cert` under the common options (roots of `kinds` unless
// --roots; --at, --crl, --crl-url, --ocsp); nullopt when an option was bad
// or a CRL could not be fetched (reported on `context`).
std::optional<pki::CertificateVerdict> Judge(
    const CommonOptions& o, X509* cert, Context& context,
    std::vector<pki::CaKind> kinds = {pki::CaKind::kSignature,
                                      pki::CaKind::kAuthentication}) {
  std::vector<pki::X509Ptr> roots;
  if (!LoadRoots(o, context, roots, std::move(kinds))) return std::nullopt;
  pki::VerifyOptions options;
  if (!LoadOptions(o, context, options)) return std::nullopt;
  if (o.crl_url) {
    const auto urls = pki::CrlUrls(cert);
    if (urls.empty()) {
      context.BadInput("--crl-url", "the certificate names no http:// CRL");
      return std::nullopt;
    }
    auto crl = pki::FetchCrl(urls.front());
    if (!crl) {
      context.Failed(crl.error());
      return std::nullopt;
    }
    options.crls.push_back(std::move(*crl));
  }
  std::vector<X509*> borrowed;
  for (auto& r : roots) borrowed.push_back(r.get());
  return pki::VerifyCertificate(cert, borrowed, options);
}

struct CertOptions : CommonOptions {
  std::string file;
};

void RunCert(const CertOptions& o, Context& context) {
  auto data = ReadFileBytes(o.file);
  if (!data) return context.BadInput("certificate", data.error().message());
  auto cert = pki::ParseCertificate(*data);
  if (!cert) return context.BadInput("certificate", cert.error().message());
  const auto verdict = Judge(o, cert->get(), context);
  if (!verdict) return;
  if (o.json) {
    std::printf("%s\n", VerdictJson(*verdict).dump().c_str());
  } else if (verdict->good) {
    std::printf("good: %s\n", verdict->detail.c_str());
  } else {
    std::printf("not good: %s: %s\n",
                std::string(pki::VerifyRuleName(verdict->rule)).c_str(),
                verdict->detail.c_str());
  }
  context.SetExitCode(verdict->good ? kExitOk : kExitNegative);
}

struct CmsOptions : CommonOptions {
  std::string signature, content;
};

void RunCms(const CmsOptions& o, Context& context) {
  auto signature = ReadFileBytes(o.signature);
  if (!signature)
    return context.BadInput("signature", signature.error().message());
  auto content = ReadFileBytes(o.content);
  if (!content) return context.BadInput("--content", content.error().message());
  std::vector<pki::X509Ptr> roots;
  if (!LoadRoots(o, context, roots)) return;
  pki::VerifyOptions options;
  if (!LoadOptions(o, context, options)) return;
  if (o.at.empty()) options.at = TimePoint{};  // judge at the signing time
  std::vector<X509*> borrowed;
  for (auto& r : roots) borrowed.push_back(r.get());
  auto verdict = pki::VerifyDetached(*signature, *content, borrowed, options);
  if (!verdict) return context.BadInput("signature", verdict.error().message());
  if (o.json) {
    nlohmann::ordered_json out = {{"good", verdict->good},
                                  {"detail", verdict->detail},
                                  {"signer", VerdictJson(verdict->signer)}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s: %s\n", verdict->good ? "good" : "not good",
                verdict->detail.c_str());
  }
  context.SetExitCode(verdict->good ? kExitOk : kExitNegative);
}

// --- sign-result: the decrypted result of the signing API ------------------

struct SignResultOptions : CommonOptions {
  std::string result, content, hash;
};

// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2) over the hash: OpenSSL
// builds the DigestInfo itself.
bool RsaSha256Verifies(EVP_PKEY* key, ByteView hash, ByteView signature) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      key ? EVP_PKEY_CTX_new(key, nullptr) : nullptr, &EVP_PKEY_CTX_free);
  return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
         EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(),
                         hash.data(), hash.size()) == 1;
}

void RunSignResult(const SignResultOptions& o, Context& context) {
  auto text = ReadFileText(o.result);
  if (!text) return context.BadInput("result", text.error().message());
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  const auto field = [&](const char* name) -> std::optional<Bytes> {
    if (!doc.is_object() || !doc.value(name, nlohmann::json()).is_string()) {
      return std::nullopt;
    }
    return Base64Decode(doc[name].get<std::string>());
  };
  const auto signature = field("signature");
  const auto certificate = field("certificate");
  if (!signature || !certificate) {
    return context.BadInput("result",
                            "not a sign result: want the decrypted JSON with "
                            "\"signature\" and \"certificate\" (base64)");
  }
  Bytes hash(32);
  if (o.content.empty() == o.hash.empty()) {
    return context.BadInput("--content", "give --content FILE or --hash HEX");
  }
  if (!o.content.empty()) {
    auto content = ReadFileBytes(o.content);
    if (!content)
      return context.BadInput("--content", content.error().message());
    unsigned int size = 0;
    EVP_Digest(content->data(), content->size(), hash.data(), &size,
               EVP_sha256(), nullptr);
  } else {
    auto parsed = FromHex(o.hash);
    if (!parsed || parsed->size() != 32) {
      return context.BadInput("--hash", "want 64 hex digits (SHA-256)");
    }
    hash = *parsed;
  }
  auto cert = pki::ParseCertificate(*certificate);
  if (!cert) return context.BadInput("result", cert.error().message());
  const auto verdict =
      Judge(o, cert->get(), context, {pki::CaKind::kSignature});
  if (!verdict) return;
  const bool signed_ok =
      RsaSha256Verifies(X509_get0_pubkey(cert->get()), hash, *signature);
  const bool good = signed_ok && verdict->good;
  const std::string signature_text =
      signed_ok ? "the signature is over SHA-256 " + ToHex(hash)
                : "signature_invalid: the signature is not over SHA-256 " +
                      ToHex(hash) + " with the certificate's key";
  if (o.json) {
    nlohmann::ordered_json out = {{"good", good},
                                  {"signature_valid", signed_ok},
                                  {"sha256", ToHex(hash)},
                                  {"certificate", VerdictJson(*verdict)}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s: %s; certificate %s: %s\n", good ? "good" : "not good",
                signature_text.c_str(),
                std::string(pki::VerifyRuleName(verdict->rule)).c_str(),
                verdict->detail.c_str());
  }
  context.SetExitCode(good ? kExitOk : kExitNegative);
}

void AddCommon(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--at", o.at,
                  "judge at this time: YYYY-MM-DD (00:00 JST) or "
                  "YYYY-MM-DDTHH:MM:SSZ (default: now; cms: signing time)");
  cmd->add_option("--roots", o.roots,
                  "PEM bundle of trusted roots (default: every generation "
                  "of the sandbox CAs)");
  cmd->add_option("--crl", o.crls, "a CRL (DER or PEM) to check; repeatable");
  cmd->add_option("--ocsp", o.ocsp,
                  "ask this OCSP responder (http://...) after the chain "
                  "is good");
  cmd->add_flag("--json", o.json, "print the verdict as JSON");
}

void AddVerify(CLI::App& app, Context& context) {
  CLI::App* verify = app.add_subcommand(
      "verify",
      "Verify a certificate, a detached CMS signature or a result of the "
      "signing API: exit 0 good, 1 not good (the failed rule is printed)");
  verify->require_subcommand(1);

  auto cert_options = std::make_shared<CertOptions>();
  CLI::App* cert = verify->add_subcommand(
      "cert", "Chain (root chosen by key identifier), validity, CRLs");
  cert->add_option("file", cert_options->file, "certificate (PEM or DER)")
      ->required();
  cert->add_flag("--crl-url", cert_options->crl_url,
                 "download the CRL from the certificate's http:// "
                 "distribution point and check it");
  AddCommon(cert, *cert_options);
  cert->callback([cert_options, &context] { RunCert(*cert_options, context); });

  auto cms_options = std::make_shared<CmsOptions>();
  CLI::App* cms = verify->add_subcommand(
      "cms", "A detached CMS SignedData (openssl cms -sign accepted)");
  cms->add_option("signature", cms_options->signature, "CMS (DER or PEM)")
      ->required();
  cms->add_option("--content", cms_options->content, "the signed file")
      ->required();
  AddCommon(cms, *cms_options);
  cms->callback([cms_options, &context] { RunCms(*cms_options, context); });

  auto result_options = std::make_shared<SignResultOptions>();
  CLI::App* result = verify->add_subcommand(
      "sign-result",
      "The decrypted result of the signing API (docs/sign-in.md): the "
      "signature over the document's SHA-256, the certificate's chain to "
      "the sandbox signature CA, validity and revocation");
  result
      ->add_option("result", result_options->result,
                   "the decrypted JWE payload (JSON with signature and "
                   "certificate)")
      ->required();
  result->add_option("--content", result_options->content,
                     "the signed document");
  result->add_option("--hash", result_options->hash,
                     "or its SHA-256 (64 hex digits)");
  result->add_flag("--crl-url", result_options->crl_url,
                   "download the CRL from the certificate's http:// "
                   "distribution point and check it");
  AddCommon(result, *result_options);
  result->callback(
      [result_options, &context] { RunSignResult(*result_options, context); });
}

const CommandGroup kGroup{"verify", 40, &AddVerify};

}  // namespace
}  // namespace openmyna::cli
