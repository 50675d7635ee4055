// `openmyna app sign <link> [--reader NAME] [--password-env V |
// --password-file F] [--short-apdus] [--cacert PEM]`: the card holder's app
// signing for a relying party (issue 9, item 3; docs/sign-in.md). The link
// (or the text of the QR code) is the one the authorization page shows for
// a request with scope "sign": `<issuer>/app/requests/<id>`. The app shows
// who asks and the SHA-256 of the document, logs in with the signature
// password (6–16 characters), lets the card sign the transaction's
// DigestInfo with the signature key (COMPUTE DIGITAL SIGNATURE,
// card-apdu.md), reads the signature certificate and posts both; the
// provider checks them and the browser goes back to the relying party. The
// card session is the one of `openmyna sign --card` (cli/card_session.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/app_http.h"
#include "cli/card_session.h"
#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/bytes.h"
#include "openmyna/base/errors.h"
#include "openmyna/pki/tls.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::cli {
namespace {

using card::client::JpkiKey;
using nlohmann::json;

struct AppSignOptions {
  std::string link;
  std::string cacert;  // the sandbox TLS root for https links
  CardOptions card;
};

void RunAppSign(const AppSignOptions& o, Context& context) {
  const std::string cacert =
      o.cacert.empty() ? pki::TlsFilesOf(context.DataDir()).root_pem.string()
                       : o.cacert;
  auto got = HttpsRequest(o.link, false, "", cacert);
  if (!got) return context.Failed(got.error());
  if (got->status != 200) {
    std::fprintf(stderr,
                 "openmyna app: the provider has no such request (%d): %s\n",
                 got->status, DetailOf(got->body).c_str());
    return context.SetExitCode(kExitFailed);
  }
  const json what = json::parse(got->body, nullptr, false);
  auto digest_info =
      what.is_object() && what.value("key", "") == "signature"
          ? sign_in::Base64UrlDecode(what.value("digest_info", ""))
          : std::nullopt;
  if (!digest_info || digest_info->size() != 51) {
    return context.BadInput("link",
                            "the link is not a sign request (a sign-in "
                            "request is answered by `openmyna app login`)");
  }
  std::printf(
      "%s asks you to sign a document with your My Number Card "
      "(署名用電子証明書).\n",
      what.value("client_name", "?").c_str());
  std::printf("  sign transaction: %s\n",
              what.value("sign_transaction_id", "").c_str());
  std::printf("  SHA-256 of the document: %s\n",
              ToHex(ByteView(*digest_info).subspan(19)).c_str());
  std::fflush(stdout);
  Bytes certificate, signature;
  {
    bool blocked = false;
    auto session =
        CardSession::Open(o.card, JpkiKey::kSignature, context, &blocked);
    if (!session) {
      if (blocked) {  // the relying party learns it on its redirect
        (void)HttpsRequest(o.link, true, json{{"error", "pin_blocked"}}.dump(),
                           cacert);
      }
      return;
    }
    auto cert = session->jpki().ReadCertificate(JpkiKey::kSignature);
    if (!cert) {
      (void)HttpsRequest(o.link, true,
                         json{{"error", "no_signature_certificate"}}.dump(),
                         cacert);
      return context.Failed(cert.error());
    }
    auto sig = session->jpki().Sign(JpkiKey::kSignature, *digest_info);
    if (!sig) return context.Failed(sig.error());
    certificate = std::move(*cert);
    signature = std::move(*sig);
  }  // logged out here
  const json answer = {{"certificate", sign_in::Base64UrlEncode(certificate)},
                       {"signature", sign_in::Base64UrlEncode(signature)}};
  auto posted = HttpsRequest(o.link, true, answer.dump(), cacert);
  if (!posted) return context.Failed(posted.error());
  if (posted->status != 200) {
    std::fprintf(stderr, "openmyna app: signature refused (%d): %s\n",
                 posted->status, DetailOf(posted->body).c_str());
    return context.SetExitCode(kExitNegative);
  }
  std::printf("Signed for %s. Your browser continues by itself.\n",
              what.value("client_name", "?").c_str());
}

void AddAppSign(CLI::App& app, Context& context) {
  auto options = std::make_shared<AppSignOptions>();
  // `app` is made by `app login` (sign_in_command.cc, order 61).
  CLI::App* cmd = app.get_subcommand("app");
  CLI::App* sign = cmd->add_subcommand(
      "sign",
      "Answer a signing request of a relying party with the signature key "
      "(署名用電子証明書, 6-16 character password): its link or QR text");
  sign->add_option("link", options->link,
                   "The request's link or QR text (the authorization page "
                   "shows it)")
      ->required();
  sign->add_option("--reader", options->card.reader,
                   "PC/SC reader name, or a part of one (default: first)");
  sign->add_option("--password-env,--pin-env", options->card.pin_env,
                   "Environment variable holding the signature password");
  sign->add_option("--password-file,--pin-file", options->card.pin_file,
                   "File whose first line is the signature password");
  sign->add_flag("--short-apdus", options->card.short_apdus,
                 "Read the certificate with short APDUs only");
  sign->add_option("--cacert", options->cacert,
                   "TLS root to trust (default: DIR/tls/root.pem)");
  sign->callback([options, &context] { RunAppSign(*options, context); });
}

const CommandGroup kGroup{"app-sign", 62, &AddAppSign};

}  // namespace
}  // namespace openmyna::cli
