#include "ocsp_request_shape.h"

namespace openmyna::pki::revocation::internal {
namespace {

// Reads a DER TLV header (X.690 §8.1.3, definite length, at most 3 length
// octets: a request is at most a few KiB) and returns its contents.
std::optional<ByteView> Take(ByteView in, std::size_t& pos, std::uint8_t tag) {
  if (pos + 2 > in.size() || in[pos] != tag) return std::nullopt;
  std::size_t length = in[pos + 1];
  std::size_t header = 2;
  if (length >= 0x80) {
    const std::size_t n = length & 0x7f;
    if (n == 0 || n > 3 || pos + 2 + n > in.size() || in[pos + 2] == 0) {
      return std::nullopt;
    }
    length = 0;
    for (std::size_t i = 0; i < n; ++i) length = length << 8 | in[pos + 2 + i];
    if (length < 0x80) return std::nullopt;  // not minimal
    header += n;
  }
  if (length > in.size() - pos - header) return std::nullopt;
  ByteView contents = in.subspan(pos + header, length);
  pos += header + length;
  return contents;
}

// The whole of `in` is one TLV with `tag`.
std::optional<ByteView> Only(ByteView in, std::uint8_t tag) {
  std::size_t pos = 0;
  auto contents = Take(in, pos, tag);
  if (!contents || pos != in.size()) return std::nullopt;
  return contents;
}

}  // namespace

std::optional<SimpleOcspRequest> ParseSimpleOcspRequest(ByteView der) {
  auto request = Only(der, 0x30);                            // OCSPRequest
  auto tbs = request ? Only(*request, 0x30) : std::nullopt;  // TBSRequest
  auto list = tbs ? Only(*tbs, 0x30) : std::nullopt;         // requestList
  auto one = list ? Only(*list, 0x30) : std::nullopt;        // one Request
  auto cert_id = one ? Only(*one, 0x30) : std::nullopt;      // reqCert
  if (!cert_id) return std::nullopt;
  std::size_t pos = 0;
  if (!Take(*cert_id, pos, 0x30) || !Take(*cert_id, pos, 0x04) ||
      !Take(*cert_id, pos, 0x04)) {
    return std::nullopt;
  }
  SimpleOcspRequest out;
  out.issuer_fields = cert_id->subspan(0, pos);
  auto serial = Take(*cert_id, pos, 0x02);
  if (!serial || pos != cert_id->size() || serial->empty()) {
    return std::nullopt;
  }
  ByteView value = *serial;
  if ((value[0] & 0x80) != 0) {
    out.serial = {};  // negative: never issued
    return out;
  }
  std::size_t zeros = 0;
  while (zeros < value.size() && value[zeros] == 0) ++zeros;
  out.serial = value.subspan(zeros);
  return out;
}

}  // namespace openmyna::pki::revocation::internal
