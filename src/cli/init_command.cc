// `openmyna init [--base-url URL]`: the sandbox ceremony (docs/pki.md).
// The ceremony itself lives in openmyna::pki::Sandbox; this file parses,
// calls and renders.
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

namespace openmyna::cli {
namespace {

struct InitOptions {
  std::string base_url = std::string(pki::kDefaultBaseUrl);
};

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
}

void AddInit(CLI::App& app, Context& context) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand(
      "init",
      "Create the sandbox (the CA ceremony): a signature CA and a user-"
      "authentication CA, their OCSP responder certificates, the store. "
      "Does nothing if the sandbox exists");
  init->add_option("--base-url", options->base_url,
                   "http:// URL of `openmyna serve` written into every "
                   "certificate (default http://127.0.0.1:8390)");
  init->callback([options, &context] { RunInit(*options, context); });
}

const CommandGroup kGroup{"init", 1, &AddInit};

}  // namespace
}  // namespace openmyna::cli
