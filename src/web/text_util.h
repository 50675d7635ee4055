// Small text helpers shared by the web library's parsers (not public).
#pragma once

#include <cctype>
#include <string_view>

namespace openmyna::web::internal {

// Without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits `rest` at the first `separator`: returns the part before it and
// leaves `rest` after it (empty when there is none).
inline std::string_view NextPiece(std::string_view& rest, char separator) {
  const std::size_t at = rest.find(separator);
  const std::string_view piece = rest.substr(0, at);
  rest =
      at == std::string_view::npos ? std::string_view() : rest.substr(at + 1);
  return piece;
}

}  // namespace openmyna::web::internal
