// `openmyna sign FILE`: a detached CMS SignedData (RFC 5652) of a file,
// which `openssl cms -verify` and `openmyna verify cms` accept. Two ways:
//   --key KEY.pem --cert CERT      a key file (sandbox tests, servers)
//   --card [--key signature|authentication] [--reader NAME]
//                                  a My Number Card through PC/SC: the
//                                  certificate is read from the card, the
//                                  card signs (openmyna/card/client).
// PINs never come from the command line: --pin-env VAR, --pin-file F, or a
// prompt without echo when stdin is a terminal (docs/cli.md).
#include <openssl/pem.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/card_session.h"
#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/errors.h"
#include "openmyna/base/file_io.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::cli {
namespace {

using card::client::JpkiKey;

struct SignOptions {
  std::string file, key, cert, out;
  bool card = false;
  CardOptions card_options;  // --reader, --pin-env, --pin-file, --short-apdus
};

constexpr auto kSignatureFileMode =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
    std::filesystem::perms::group_read | std::filesystem::perms::others_read;

bool WriteSignature(const SignOptions& o, const Bytes& cms, Context& context) {
  const std::string out = o.out.empty() ? o.file + ".p7s" : o.out;
  auto written = WriteFileAtomically(out, ByteView(cms), kSignatureFileMode);
  if (!written) {
    context.Failed(written.error());
    return false;
  }
  std::printf("%s\n", out.c_str());
  return true;
}

void RunSignWithKeyFile(const SignOptions& o, const Bytes& content,
                        Context& context) {
  if (o.key.empty()) return context.BadInput("--key", "required (or --card)");
  if (o.cert.empty()) {
    return context.BadInput("--cert", "required with --key (or --card)");
  }
  for (const auto& [name, value] :
       {std::pair{"--reader", &o.card_options.reader},
        std::pair{"--pin-env", &o.card_options.pin_env},
        std::pair{"--pin-file", &o.card_options.pin_file}}) {
    if (!value->empty()) return context.BadInput(name, "only with --card");
  }
  auto key_text = ReadFileText(o.key);
  if (!key_text) return context.BadInput("--key", key_text.error().message());
  BIO* bio =
      BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size()));
  pki::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  SecureWipe(*key_text);
  if (!key) return context.BadInput("--key", "not a PEM private key");
  auto cert_data = ReadFileBytes(o.cert);
  if (!cert_data)
    return context.BadInput("--cert", cert_data.error().message());
  auto cert = pki::ParseCertificate(*cert_data);
  if (!cert) return context.BadInput("--cert", cert.error().message());
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    return context.BadInput("--key", "does not match the certificate");
  }
  SystemClock clock;
  auto cms = pki::SignDetached(content, key.get(), cert->get(), clock);
  if (!cms) return context.Failed(cms.error());
  WriteSignature(o, *cms, context);
}

void RunSignWithCard(const SignOptions& o, const Bytes& content,
                     Context& context) {
  if (!o.cert.empty()) {
    return context.BadInput("--cert",
                            "not with --card: the certificate is "
                            "read from the card");
  }
  auto key = card::client::ParseJpkiKey(o.key.empty() ? "signature" : o.key);
  if (!key) return context.BadInput("--key", key.error().message());
  Result<Bytes> cms = Fail(BaseErrc::kIo, "no card session");
  {
    auto session = CardSession::Open(o.card_options, *key, context);
    if (!session) return;
    card::client::JpkiClient& jpki = session->jpki();
    cms = [&]() -> Result<Bytes> {
      OPENMYNA_ASSIGN_OR_RETURN(Bytes cert_der, jpki.ReadCertificate(*key));
      OPENMYNA_ASSIGN_OR_RETURN(pki::X509Ptr cert,
                                pki::ParseCertificate(cert_der));
      SystemClock clock;
      return pki::SignDetachedExternal(
          content, cert.get(),
          [&](ByteView digest_info) { return jpki.Sign(*key, digest_info); },
          clock);
    }();
  }  // logged out here
  if (!cms) return context.Failed(cms.error());
  WriteSignature(o, *cms, context);
}

void RunSign(const SignOptions& o, Context& context) {
  auto content = ReadFileBytes(o.file);
  if (!content) return context.BadInput("file", content.error().message());
  if (o.card) return RunSignWithCard(o, *content, context);
  if (o.card_options.short_apdus)
    return context.BadInput("--short-apdus", "only with --card");
  RunSignWithKeyFile(o, *content, context);
}

void AddSign(CLI::App& app, Context& context) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* sign = app.add_subcommand(
      "sign",
      "Sign a file: detached CMS SignedData (DER), SHA-256, with a key file "
      "or with a My Number Card through PC/SC");
  sign->footer(
      "Examples:\n"
      "  openmyna sign form.pdf --key sign.key --cert sign.pem\n"
      "  OPENMYNA_PIN=ABC123 openmyna sign form.pdf --card --pin-env "
      "OPENMYNA_PIN\n"
      "  openmyna sign form.pdf --card --key authentication --reader "
      "'Virtual PCD 00 00'\n"
      "Exit: 0 signed (the signature file is printed), 2 bad input (also: no "
      "PIN source and stdin is not a terminal), 3 failed (wrong PIN: tries "
      "left are named; blocked PIN; no card).");
  sign->add_option("file", options->file, "the file to sign")->required();
  sign->add_option("--key", options->key,
                   "PEM private key; with --card: signature (default, "
                   "署名用電子証明書) or authentication (利用者証明用)");
  sign->add_option("--cert", options->cert,
                   "the key's certificate (not with --card)");
  sign->add_flag("--card", options->card,
                 "sign with a My Number Card through PC/SC; the signer "
                 "certificate is read from the card");
  sign->add_option("--reader", options->card_options.reader,
                   "PC/SC reader name, or a part of one (default: the first "
                   "reader with a card)");
  sign->add_option("--pin-env", options->card_options.pin_env,
                   "name of the environment variable holding the PIN");
  sign->add_option("--pin-file", options->card_options.pin_file,
                   "file whose first line is the PIN");
  sign->add_flag("--short-apdus", options->card_options.short_apdus,
                 "read the certificate with short APDUs only (readers "
                 "without extended-length support)");
  sign->add_option("--out", options->out, "signature file (default FILE.p7s)");
  sign->callback([options, &context] { RunSign(*options, context); });
}

const CommandGroup kGroup{"sign", 45, &AddSign};

}  // namespace
}  // namespace openmyna::cli
