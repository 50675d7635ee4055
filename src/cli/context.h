// State shared by every subcommand: global options and the exit code.
//
// Exit codes of `openmyna` (documented in docs/cli.md):
//   0  success; for checks, "yes" (e.g. the number is valid)
//   1  a negative answer to a check (invalid number, revoked certificate)
//   2  bad input: unknown option, malformed argument, unreadable file
//   3  the operation failed (I/O, crypto, a refused life event, ...)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"

namespace openmyna::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitNegative = 1,
  kExitBadInput = 2,
  kExitFailed = 3,
};

class Context {
 public:
  // --data DIR, else $OPENMYNA_DATA, else ~/.local/share/openmyna.
  std::filesystem::path DataDir() const;
  std::string data_dir_option;
  std::string log_level = "warn";

  void SetExitCode(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

  // Prints "openmyna: <argument>: <message>" to stderr and sets exit code 2.
  void BadInput(std::string_view argument, std::string_view message);
  // Prints "openmyna: <error message>" to stderr and sets the exit code for
  // `error` from the one table (ExitCodeFor).
  void Failed(const Error& error);

 private:
  int exit_code_ = kExitOk;
};

// "YYYY-MM-DDTHH:MM:SSZ" (UTC, RFC 3339 without fractions) -> instant: the
// --now of serve, kiosk and up.
std::optional<TimePoint> ParseUtcInstant(const std::string& text);

// The one table from library errors to exit codes: errors that describe the
// caller's input give 2, everything else 3.
int ExitCodeFor(const Error& error);

}  // namespace openmyna::cli
