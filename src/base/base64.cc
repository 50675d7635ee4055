#include "openmyna/base/base64.h"

#include <openssl/evp.h>

#include <cctype>

namespace openmyna {

std::string Base64Encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                      static_cast<int>(data.size()))));
  return out;
}

std::optional<Bytes> Base64Decode(std::string_view text) {
  std::string s;
  s.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' &&
        c != '=') {
      return std::nullopt;
    }
    s.push_back(c);
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  if (s.empty() || s.find('=') != std::string::npos) return std::nullopt;
  const std::size_t pad = (4 - s.size() % 4) % 4;
  if (pad == 3) return std::nullopt;
  s.append(pad, '=');
  Bytes out(s.size() / 4 * 3);
  const int n = EVP_DecodeBlock(
      out.data(), reinterpret_cast<const unsigned char*>(s.data()),
      static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace openmyna
