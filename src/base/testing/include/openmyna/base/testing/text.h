// Tests' reading of what a page or a tool printed. Header-only, for tests
// alone (target openmyna::base_testing).
#pragma once

#include <string>
#include <string_view>

namespace openmyna::testing_tools {

// What `text` holds between the first `from` and the next `to` after it
// ("" when `from` is absent; to the end when `to` is).
inline std::string Between(const std::string& text, std::string_view from,
                           std::string_view to) {
  const std::size_t a = text.find(from);
  if (a == std::string::npos) return {};
  const std::size_t b = text.find(to, a + from.size());
  return text.substr(a + from.size(), b - a - from.size());
}

}  // namespace openmyna::testing_tools
