// Tests' way to run the independent tools they check against (openssl,
// pdftotext, zbarimg, sqlite3, curl …) and read what they print. Header-only,
// for tests alone (target openmyna::base_testing).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace openmyna::testing_tools {

struct ShellRun {
  int status = -1;     // the exit code; -1 when it did not run or end
  std::string output;  // standard output (and standard error if asked)
};

enum class Stderr { kLeave, kCapture };

// Runs `command` through /bin/sh and waits for it.
inline ShellRun RunShell(const std::string& command,
                         Stderr stderr_mode = Stderr::kLeave) {
  ShellRun run;
  const std::string line =
      stderr_mode == Stderr::kCapture ? command + " 2>&1" : command;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  for (std::size_t n;
       (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    run.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  run.status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace openmyna::testing_tools
