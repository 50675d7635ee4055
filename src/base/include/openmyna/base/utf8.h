// UTF-8 well-formedness (RFC 3629 §4; Unicode §3.9, table 3-7 "Well-Formed
// UTF-8 Byte Sequences"): no overlong forms, no surrogates (U+D800..DFFF),
// nothing above U+10FFFF, no sequence cut short. The one check of the form
// decoder (web/form.h) and the JSON string writer (http/json_string.h).
#pragma once

#include <cstddef>
#include <string_view>

namespace openmyna {

// The sequence that starts at text[i] (i < text.size()), a byte of 0x80 or
// above: its length when it is well-formed, else how many bytes make up
// its invalid part — the lead byte and the continuation bytes that were
// right so far, at least one (the "maximal subpart" of Unicode §3.9,
// U+FFFD substitution: the byte that broke the sequence starts the next).
struct Utf8Sequence {
  std::size_t length;
  bool valid;
};
Utf8Sequence Utf8SequenceAt(std::string_view text, std::size_t i);

// True when every byte of `text` belongs to a well-formed sequence.
bool IsUtf8(std::string_view text);

}  // namespace openmyna
