#include "cli/context.h"

#include <cstdio>
#include <cstdlib>

#include "openmyna/base/errors.h"

namespace openmyna::cli {

std::filesystem::path Context::DataDir() const {
  if (!data_dir_option.empty()) return data_dir_option;
  if (const char* env = std::getenv("OPENMYNA_DATA"); env && *env) return env;
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".local/share/openmyna";
  }
  return "openmyna-data";
}

void Context::BadInput(std::string_view argument, std::string_view message) {
  std::fprintf(stderr, "openmyna: %.*s: %.*s\n",
               static_cast<int>(argument.size()), argument.data(),
               static_cast<int>(message.size()), message.data());
  exit_code_ = kExitBadInput;
}

void Context::Failed(const Error& error) {
  std::fprintf(stderr, "openmyna: %s\n", error.message().c_str());
  exit_code_ = ExitCodeFor(error);
}

int ExitCodeFor(const Error& error) {
  if (error.Is(BaseErrc::kInvalidArgument) || error.Is(BaseErrc::kNotFound)) {
    return kExitBadInput;
  }
  // Libraries mark input errors with code names starting "invalid_" or
  // "bad_" (their enum names kInvalid..., kBad...).
  const std::string_view name = error.code_name();
  if (name.starts_with("invalid_") || name.starts_with("bad_")) {
    return kExitBadInput;
  }
  return kExitFailed;
}

}  // namespace openmyna::cli
