// Internal: quoting user input inside error messages, so that an error stays
// one printable line whatever the input holds.
#pragma once

#include <string>
#include <string_view>

namespace openmyna::domain::internal {

// `text` in double quotes, at most 40 bytes of it, with control characters
// and bytes >= 0x7F written as \xNN and a trailing "..." when truncated.
std::string Quote(std::string_view text);

}  // namespace openmyna::domain::internal
