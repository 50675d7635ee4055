// `openmyna sign FILE --key KEY --cert CERT [--out SIG]`: a detached CMS
// SignedData (RFC 5652) of a file, which `openssl cms -verify` and
// `openmyna verify cms` accept. Signing with a card through PC/SC is not
// offered yet (docs/pki.md).
#include <openssl/pem.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::cli {
namespace {

struct SignOptions {
  std::string file, key, cert, out;
};

void RunSign(const SignOptions& o, Context& context) {
  auto content = ReadFileBytes(o.file);
  if (!content) return context.BadInput("file", content.error().message());
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
  auto cms = pki::SignDetached(*content, key.get(), cert->get(), clock);
  if (!cms) return context.Failed(cms.error());
  const std::string out = o.out.empty() ? o.file + ".p7s" : o.out;
  auto written = WriteFileAtomically(out, ByteView(*cms),
                                     std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  if (!written) return context.Failed(written.error());
  std::printf("%s\n", out.c_str());
}

void AddSign(CLI::App& app, Context& context) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* sign = app.add_subcommand(
      "sign", "Sign a file: detached CMS SignedData (DER) with SHA-256");
  sign->add_option("file", options->file, "the file to sign")->required();
  sign->add_option("--key", options->key, "PEM private key")->required();
  sign->add_option("--cert", options->cert, "the key's certificate")
      ->required();
  sign->add_option("--out", options->out, "signature file (default FILE.p7s)");
  sign->callback([options, &context] { RunSign(*options, context); });
}

const CommandGroup kGroup{"sign", 45, &AddSign};

}  // namespace
}  // namespace openmyna::cli
