#include "cli/service_settings.h"

#include <charconv>

#include "openmyna/http/errors.h"

namespace openmyna::cli {

Result<long long> WholeSetting(const http::ServiceContext& context,
                               const std::string& name, long long fallback,
                               long long low, long long high) {
  auto found = context.settings.find(name);
  if (found == context.settings.end()) return fallback;
  long long value = 0;
  const std::string& text = found->second;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return Fail(http::HttpErrc::kBadRoute,
                name + " must be a whole number from " + std::to_string(low) +
                    " to " + std::to_string(high) + ", got '" + text + "'");
  }
  return value;
}

}  // namespace openmyna::cli
