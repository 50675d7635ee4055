#include "internal/ocsp_der.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "openmyna/pki/der.h"

namespace openmyna::pki::internal {
namespace {

// X.690 §8.1: one identifier octet (low tag numbers only: every tag of an
// OCSPResponse is one), definite length in at most 4 octets.
struct Tlv {
  std::uint8_t tag = 0;
  ByteView value;
  ByteView whole;
};

std::optional<Tlv> Next(ByteView& in, std::uint8_t want) {
  if (in.size() < 2 || in[0] != want) return std::nullopt;
  std::size_t length = in[1];
  std::size_t header = 2;
  if (length & 0x80) {
    const std::size_t octets = length & 0x7f;
    if (octets == 0 || octets > 4 || in.size() < 2 + octets) {
      return std::nullopt;
    }
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = length << 8 | in[2 + i];
    header += octets;
  }
  if (in.size() - header < length) return std::nullopt;
  Tlv t{want, in.subspan(header, length), in.subspan(0, header + length)};
  in = in.subspan(header + length);
  return t;
}

using der::kEnumerated, der::kOid, der::kSequence;
constexpr std::uint8_t kOctets = der::kOctetString, kBits = der::kBitString,
                       kExplicit0 = der::kContext0Constructed;
// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
constexpr std::array<std::uint8_t, 9> kOcspBasic = {
    0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};

}  // namespace

std::optional<SplitOcspResponse> SplitOcsp(ByteView der) {
  // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
  //   responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
  ByteView in = der;
  auto response = Next(in, kSequence);
  if (!response || !in.empty()) return std::nullopt;
  ByteView r = response->value;
  auto status = Next(r, kEnumerated);
  if (!status || status->value.size() != 1) return std::nullopt;
  SplitOcspResponse out;
  // ENUMERATED is encoded as an INTEGER (X.690 §8.4): two's complement,
  // so 0xfc is -4, as OpenSSL's OCSP_response_status reads it.
  out.status = static_cast<std::int8_t>(status->value[0]);
  if (r.empty()) return out;
  // ResponseBytes ::= SEQUENCE { responseType OID, response OCTET STRING }
  auto explicit0 = Next(r, kExplicit0);
  if (!explicit0 || !r.empty()) return std::nullopt;
  ByteView e = explicit0->value;
  auto bytes = Next(e, kSequence);
  if (!bytes || !e.empty()) return std::nullopt;
  ByteView b = bytes->value;
  auto type = Next(b, kOid);
  auto octets = type ? Next(b, kOctets) : std::nullopt;
  if (!octets || !b.empty()) return std::nullopt;
  if (!std::equal(type->value.begin(), type->value.end(), kOcspBasic.begin(),
                  kOcspBasic.end())) {
    return out;  // not a basic response
  }
  // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
  //   signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate
  //   OPTIONAL }
  ByteView o = octets->value;
  auto basic = Next(o, kSequence);
  if (!basic || !o.empty()) return std::nullopt;
  ByteView x = basic->value;
  auto tbs = Next(x, kSequence);
  auto algorithm = tbs ? Next(x, kSequence) : std::nullopt;
  auto signature = algorithm ? Next(x, kBits) : std::nullopt;
  if (!signature) return std::nullopt;
  if (!x.empty()) {
    auto certs = Next(x, kExplicit0);
    if (!certs || !x.empty()) return std::nullopt;
    ByteView c = certs->value;
    auto list = Next(c, kSequence);
    if (!list || !c.empty()) return std::nullopt;
    for (ByteView l = list->value; !l.empty();) {
      auto cert = Next(l, kSequence);
      if (!cert) return std::nullopt;
      out.certs.push_back(cert->whole);
    }
  }
  const std::size_t content =
      tbs->whole.size() + algorithm->whole.size() + signature->whole.size();
  der::AppendHeader(out.basic_without_certs, kSequence, content);
  for (const Tlv* t : {&*tbs, &*algorithm, &*signature}) {
    out.basic_without_certs.insert(out.basic_without_certs.end(),
                                   t->whole.begin(), t->whole.end());
  }
  return out;
}

}  // namespace openmyna::pki::internal
