// openmyna: one binary, one subcommand per job. See docs/cli.md.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/log.h"
#include "openmyna/version.h"

int main(int argc, char** argv) {
  using namespace openmyna::cli;
  CLI::App app{
      "OpenMyna: a sandbox of Japan's My Number Card system (NOT the real "
      "JPKI).",
      "openmyna"};
  app.set_version_flag("--version",
                       std::string("openmyna ") + openmyna::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  Context context;
  app.add_option("--data", context.data_dir_option,
                 "Sandbox folder (default: $OPENMYNA_DATA, else "
                 "~/.local/share/openmyna)");
  app.add_option("--log-level", context.log_level,
                 "trace, debug, info, warn, error or off")
      ->check(
          CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  for (const RegisteredGroup& group : RegisteredGroups()) {
    group.add(app, context);
  }
  app.parse_complete_callback(
      [&context] { openmyna::log::SetLevel(context.log_level); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      return app.exit(e);  // --help, --version
    }
    std::fprintf(stderr,
                 "openmyna: %s\nRun with --help for more information.\n",
                 e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    // A library must not throw across its header; this is the last guard so
    // that a user never sees a stack trace.
    std::fprintf(stderr, "openmyna: internal error: %s\n", e.what());
    return kExitFailed;
  }
  return context.exit_code();
}
