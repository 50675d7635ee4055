// Minimal DER writing (ITU-T X.690 §8, §10): definite lengths, headers,
// INTEGER contents, UTCTime/GeneralizedTime. For the bytes pki writes by
// hand: the streamed parts of a CRL (pki_revocation's crl_writer) and the
// BasicOCSPResponse re-encoded without its certs (ocsp_der.h).
#pragma once

#include <cstdint>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"

namespace openmyna::pki::der {

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kEnumerated = 0x0a;
inline constexpr std::uint8_t kUtcTime = 0x17;
inline constexpr std::uint8_t kGeneralizedTime = 0x18;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kContext0Constructed = 0xa0;

// Bytes of a definite length field for `length` (X.690 §8.1.3).
std::size_t LengthOfLength(std::uint64_t length);
void AppendLength(Bytes& out, std::uint64_t length);
// Tag + length header.
void AppendHeader(Bytes& out, std::uint8_t tag, std::uint64_t length);
// Total size of a TLV whose contents are `content_length` bytes.
std::uint64_t TlvSize(std::uint64_t content_length);

// INTEGER contents for a non-negative big-endian magnitude: leading zero
// bytes dropped, one 0x00 added when the top bit is set (X.690 §8.3.2).
Bytes IntegerContents(ByteView magnitude);
void AppendTlv(Bytes& out, std::uint8_t tag, ByteView contents);

// RFC 5280 §4.1.2.5 / §5.1.2.4: UTCTime (YYMMDDHHMMSSZ) for 1950..2049,
// GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise; whole seconds, UTC.
Bytes EncodeTime(TimePoint when);

}  // namespace openmyna::pki::der
