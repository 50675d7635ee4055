// A JSON string written by hand (RFC 8259 §7), byte for byte as
// nlohmann::json's dump() writes a string with ensure_ascii off, for the
// bodies the services write without building a json value (the problem
// documents of message.h, the registry API's resident file).
#pragma once

#include <string>
#include <string_view>

namespace openmyna::http {

// What to do with text that is not UTF-8 (RFC 3629: an invalid byte, an
// overlong form, a surrogate, a code point above U+10FFFF or a sequence cut
// short).
enum class InvalidUtf8 {
  // Append nothing and return false (nlohmann's error_handler_t::strict
  // throws type_error 316 there instead).
  kRefuse,
  // Write U+FFFD in place of each invalid sequence, where nlohmann's
  // error_handler_t::replace does.
  kReplace,
};

// Appends `text` as a quoted JSON string: '"' and '\' escaped, \b \t \n \f
// \r short, the other controls U+0000..U+001F as \u00xx (lower-case hex);
// everything else, DEL and UTF-8 included, as it is. Returns false (and
// `out` is unchanged) only for text that is not UTF-8 under kRefuse.
bool AppendJsonString(std::string& out, std::string_view text,
                      InvalidUtf8 invalid = InvalidUtf8::kRefuse);

}  // namespace openmyna::http
