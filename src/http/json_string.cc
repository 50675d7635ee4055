#include "openmyna/http/json_string.h"

#include "openmyna/base/utf8.h"

namespace openmyna::http {
namespace {

// The escape of a byte below 0x20, '"' or '\'.
void AppendEscape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('\\');
  switch (c) {
    case '"':
    case '\\':
      out.push_back(static_cast<char>(c));
      return;
    case '\b':
      out.push_back('b');
      return;
    case '\t':
      out.push_back('t');
      return;
    case '\n':
      out.push_back('n');
      return;
    case '\f':
      out.push_back('f');
      return;
    case '\r':
      out.push_back('r');
      return;
    default:
      out += "u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
  }
}

}  // namespace

bool AppendJsonString(std::string& out, std::string_view text,
                      InvalidUtf8 invalid) {
  const std::size_t before = out.size();
  out.push_back('"');
  std::size_t copied = 0;  // text[copied, i) is still to be copied as is
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const Utf8Sequence sequence = Utf8SequenceAt(text, i);
      if (sequence.valid) {
        i += sequence.length;
        continue;
      }
      if (invalid == InvalidUtf8::kRefuse) {
        out.resize(before);
        return false;
      }
      out.append(text, copied, i - copied);
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      i += sequence.length;
      copied = i;
    } else if (c < 0x20 || c == '"' || c == '\\') {
      out.append(text, copied, i - copied);
      AppendEscape(out, c);
      copied = ++i;
    } else {
      ++i;
    }
  }
  out.append(text, copied, text.size() - copied);
  out.push_back('"');
  return true;
}

}  // namespace openmyna::http
