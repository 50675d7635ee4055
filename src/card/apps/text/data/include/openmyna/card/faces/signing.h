// Keys and signatures of the card-face applications (card-apdu.md §5, §6,
// §8.1, §8.4): RSA public keys as `90 <exponent> 91 <modulus>` TLVs, the
// 16-byte key IDs, the card-verifiable (CV) certificate of EF 0004, and the
// data issuer's PKCS#1 v1.5 signatures (RFC 8017 §8.2, EMSA-PKCS1-v1_5).
//
// Every cryptographic operation is OpenSSL 3 EVP. EVP_PKEY pointers are
// borrowed: the caller owns them and keeps them alive during the call.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::card::faces {

// Key ID: "NNNNNNN" 08 05 "GGG" 00 00 00 00 (card-apdu.md §8.4). Real
// production keys start with 5 and the JPKI test hierarchy with 6; the
// sandbox uses 9 so that nothing it signs can pass for a J-LIS key.
using KeyId = std::array<std::uint8_t, 16>;

// Builds a key ID from its 7-digit number and 3-digit generation group.
// Fails (kInvalidArgument) unless both are ASCII digits of those lengths.
Result<KeyId> MakeKeyId(std::string_view number7, std::string_view group3);

// The sandbox data issuers' key IDs (the production ones are 5000033 for
// the input-assist AP and 5000023 for the card-face AP [MC-data]).
inline constexpr std::string_view kSandboxTextIssuerNumber = "9000033";
inline constexpr std::string_view kSandboxFaceIssuerNumber = "9000023";

// The data issuer: the key that signs the applications' records (text EF
// 0003 DF33, EF 0007 DF52; face DF13, DF28, DF43) and their CV certificate.
// In the sandbox one key plays both roles (root and data issuer), so the CV
// certificate of EF 0004 is self-certified: issuer key ID = subject key ID.
struct DataIssuer {
  EVP_PKEY* key = nullptr;  // RSA-2048 with its private half; borrowed
  KeyId key_id{};
};

// `90 LL <exponent> 91 82 01 00 <modulus>` for an RSA-2048 public key (265
// bytes with exponent 65537). Fails (kInvalidKey) for any other key type or
// size.
Result<Bytes> EncodeRsaPublicKey(const EVP_PKEY* key);

// The public key back from that encoding (for verifiers and tests). The
// caller owns the returned key (EVP_PKEY_free). Fails (kInvalidKey) on
// malformed input.
Result<EVP_PKEY*> DecodeRsaPublicKey(ByteView encoded);

// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (RFC 8017 §8.2.1): 256
// bytes. Fails (kInvalidKey) without a private RSA-2048 key.
Result<Bytes> SignSha256(EVP_PKEY* key, ByteView message);

// PKCS#1 v1.5 type-1 padding of a DigestInfo the caller built, then the
// RSA private operation (RFC 8017 §9.2 steps 3–5 without the hashing): what
// `80 2A 00 00` does on the card (card-apdu.md §3.4 P1 = 00).
// Fails (kInvalidArgument) when the input exceeds 245 bytes.
Result<Bytes> SignDigestInfo(EVP_PKEY* key, ByteView digest_info);

// DER DigestInfo for SHA-256 (RFC 8017 §9.2 note 1) around `digest`, whose
// length is taken as given: the card-face record DF28 puts three SHA-256
// values (96 bytes) in one DigestInfo, `30 71 … 04 60 …` (card-apdu.md §6).
Bytes Sha256DigestInfo(ByteView digest);

// SHA-256 of `data`.
Bytes Sha256(ByteView data);

// The CV certificate of EF 0004 (card-apdu.md §5):
//   7F 21 82 02 33 { 5F 4E 82 01 29 <issuer key ID ‖ subject key ID ‖
//   RSA public key 90/91> ; 5F 37 82 01 00 <signature> }   = 568 bytes,
// the signature being SHA-256 PKCS#1 v1.5 by `signer` over the 297-byte
// 5F4E value (what MC-data says it covers).
Result<Bytes> EncodeCvCertificate(const KeyId& issuer_key_id,
                                  const KeyId& subject_key_id,
                                  const EVP_PKEY* subject_key,
                                  EVP_PKEY* signer);

// A CV certificate for `issuer` certifying its own key (sandbox: see
// DataIssuer).
Result<Bytes> SelfCertifiedCvCertificate(const DataIssuer& issuer);

}  // namespace openmyna::card::faces
