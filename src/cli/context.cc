#include "cli/context.h"

#include <chrono>
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

// "YYYY-MM-DDTHH:MM:SSZ" (UTC, RFC 3339 without fractions) -> instant.
std::optional<TimePoint> ParseUtcInstant(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (text.size() != 20 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h,
                  &mi, &s, &tail) != 7 ||
      tail != 'Z' || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{
      std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!day.ok()) return std::nullopt;
  return std::chrono::sys_days(day) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s);
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
