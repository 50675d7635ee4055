#include "openmyna/http/json_string.h"

namespace openmyna::http {
namespace {

// The UTF-8 sequence that starts at text[i] (RFC 3629 §4; Unicode §3.9,
// table 3-7 "Well-Formed UTF-8 Byte Sequences"): its length when it is
// well-formed, else how many bytes make up the invalid part — the lead byte
// and the continuation bytes that were right so far, at least one (the
// byte that broke the sequence starts the next one, as in nlohmann).
struct Sequence {
  std::size_t length;
  bool valid;
};

Sequence Utf8At(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong form
    if (lead == 0xED) high = 0x9F;  // no surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong form
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  std::size_t good = 1;
  while (good < length && i + good < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i + good]);
    if (byte < low || byte > high) break;
    low = 0x80;
    high = 0xBF;
    ++good;
  }
  return {good, good == length};
}

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
      const Sequence sequence = Utf8At(text, i);
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
