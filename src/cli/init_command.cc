// `openmyna init [--base-url URL] [--postgres URL]`: the sandbox ceremony
// (docs/pki.md) and the first registry API credentials, one per staff role
// (docs/registry.md "Credentials"). The ceremony lives in
// openmyna::pki::Sandbox and the credentials in registry::
// EnsureStaffCredentials; this file parses, calls and renders. `openmyna up`
// runs this command, so both share this one path.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/tls.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"

namespace openmyna::cli {
namespace {

struct InitOptions {
  std::string base_url = std::string(pki::kDefaultBaseUrl);
  std::string postgres;
};

// The registry database with its schema, and the staff credentials when it
// has none: printed once here and written to DIR/credentials.txt (0600).
void InitCredentials(const InitOptions& options, Context& context,
                     const Clock& clock, Rng& rng) {
  const auto dir = context.DataDir();
  auto target = registry::RegistryDatabaseTarget(options.postgres, dir);
  if (!target) return context.Failed(target.error());
  auto store = registry::RegistryStore::Open(*target, clock);
  if (!store) return context.Failed(store.error());
  const auto file = dir / "credentials.txt";
  auto made = registry::EnsureStaffCredentials(**store, file, rng, clock);
  if (!made) return context.Failed(made.error());
  if (!made->created) {
    std::printf(
        "Registry API credentials already exist (see %s); nothing "
        "changed.\n",
        file.c_str());
    return;
  }
  std::printf(
      "Registry API credentials (HTTP Basic user:password), shown ONCE and "
      "stored only hashed; a copy is in %s (0600):\n%s",
      file.c_str(), registry::FormatCredentials(made->credentials).c_str());
}

// The sandbox TLS root and server certificate for `serve`'s HTTPS listener
// (pki/tls.h); made for older sandboxes too.
bool InitTls(Context& context, const Clock& clock, Rng& rng) {
  auto tls = pki::EnsureTlsFiles(context.DataDir(), clock, rng);
  if (!tls) {
    context.Failed(tls.error());
    return false;
  }
  if (tls->created) {
    std::printf(
        "Sandbox TLS root for HTTPS (trust it in relying parties): %s\n"
        "Server certificate for localhost, 127.0.0.1 and ::1: %s\n",
        tls->root_pem.c_str(), tls->server_chain_pem.c_str());
  }
  return true;
}

void RunInit(const InitOptions& options, Context& context) {
  SystemClock clock;
  OpenSslRng rng;
  const auto dir = context.DataDir();
  pki::SandboxOptions sandbox_options;
  sandbox_options.base_url = options.base_url;
  auto outcome = pki::Sandbox::Init(dir, sandbox_options, clock, rng);
  if (!outcome) {
    context.Failed(outcome.error());
    return;
  }
  if (!outcome->created) {
    std::printf("The sandbox in %s already exists; nothing changed.\n",
                dir.c_str());
    if (!InitTls(context, clock, rng)) return;
    InitCredentials(options, context, clock, rng);
    return;
  }
  std::printf(
      "Created the OpenMyna sandbox in %s (a sandbox: NOT the real JPKI).\n"
      "CA certificates (PEM):\n",
      dir.c_str());
  for (const auto& path : outcome->written) {
    std::printf("  %s\n", path.c_str());
  }
  std::printf("Private keys (0600) beside them in %s\n",
              outcome->sandbox.ca_dir().c_str());
  std::printf("Base URL for CRLs and OCSP (openmyna serve): %s\n",
              outcome->sandbox.base_url().c_str());
  if (!InitTls(context, clock, rng)) return;
  InitCredentials(options, context, clock, rng);
}

void AddInit(CLI::App& app, Context& context) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand(
      "init",
      "Create the sandbox (the CA ceremony): a signature CA and a user-"
      "authentication CA, their OCSP responder certificates, the store; "
      "a TLS root and server certificate for HTTPS (DIR/tls); "
      "the registry database and one API credential per staff role "
      "(clerk, hotline, kiosk, platform), shown once and kept in "
      "DIR/credentials.txt. Does nothing if they exist");
  init->add_option("--base-url", options->base_url,
                   "http:// URL of `openmyna serve` written into every "
                   "certificate (default http://127.0.0.1:8390)");
  init->add_option("--postgres", options->postgres,
                   "registry database: PostgreSQL URL (default: "
                   "DIR/registry.db, or $OPENMYNA_REGISTRY_DB)");
  init->callback([options, &context] { RunInit(*options, context); });
}

const CommandGroup kGroup{"init", 1, &AddInit};

}  // namespace
}  // namespace openmyna::cli
