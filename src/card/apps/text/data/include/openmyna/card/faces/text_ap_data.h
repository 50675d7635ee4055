// Contents of the 券面事項入力補助AP (text / input-assist AP, AID
// D3 92 10 00 31 00 01 01 04 08) files, built from the holder's data by the
// issuer (card-apdu.md §5, §8). Pure functions: no card, no I/O.
//
// EF 0001 My Number      FF 10 0C <12 ASCII digits> FF FF       (17 bytes)
// EF 0002 基本4情報       FF 20 L { DF21 offsets ; DF22 name ; DF23 address ;
//                                   DF24 birth ; DF25 sex }
// EF 0003 integrity      FF 30 82 01 4B { DF31 SHA-256(EF 0001) ;
//                          DF32 SHA-256(EF 0002 from DF22 to the end) ;
//                          DF33 RSA-2048 signature }            (336 bytes)
// EF 0004 CV certificate 7F 21 82 02 33 …                        (568 bytes)
// EF 0005 AP info        FF 40 82 00 9F … + FF filler            (256 bytes)
// EF 0006 session key    A1 82 01 09 { 90 e ; 91 n }
// EF 0007 signing key    FF 50 82 02 13 { DF51 key ; DF52 signature }
// EF 0008                sixteen FF bytes
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/signing.h"

namespace openmyna::card::faces {

// EF 0001: `FF 10 0C` + 12 ASCII digits + `FF FF` (card-apdu.md §8.2).
// kInvalidNumber when `number` is not a valid individual number.
Result<Bytes> EncodeMyNumberEf(std::string_view number);

// EF 0002 (card-apdu.md §8.3): the name is normalised with CardName(); the
// offset table DF21 holds four big-endian u16 offsets, measured from the
// first byte of the file, of the DF22, DF23, DF24 and DF25 tags. Outer length
// in short form below 128, else `82 HH LL` (then every offset moves by 2).
// Fails with kInvalidName / kInvalidAddress / kInvalidDate / kInvalidLength.
Result<Bytes> EncodeBasicInfoEf(const BasicInfo& info);

// The bytes of EF 0002 that DF32 hashes: from the DF22 tag to the end of the
// object (filler excluded). kInvalidArgument when `ef0002` is not an FF 20
// object starting with DF21.
Result<Bytes> BasicInfoHashSource(ByteView ef0002);

// EF 0003: DF31 = SHA-256 of all 17 bytes of EF 0001, DF32 = SHA-256 of
// BasicInfoHashSource(EF 0002), DF33 = RSASSA-PKCS1-v1_5 SHA-256 signature
// by the data issuer over the DF31 and DF32 TLVs (70 bytes).
Result<Bytes> EncodeTextIntegrityEf(ByteView ef0001, ByteView ef0002,
                                    const DataIssuer& issuer);

// EF 0005: FF 40 82 00 9F { DF41 04 01 03 0E 01 ; DF42 10 <issuer key ID> ;
// DF43 82 00 80 <SHA-256 of the issuer's public key TLV, then 96 × FF> },
// FF filler to 256 bytes (§16 #7, #13: the DF43 contents are unknown; the
// sandbox puts a digest of its key there).
Result<Bytes> EncodeTextApInfoEf(const DataIssuer& issuer);

// EF 0006: A1 82 01 09 { 90 e ; 91 n }: the public half of the on-card key
// for SET SESSION KEY (secure messaging, §13.2; the sandbox card publishes
// the key but does not open sessions).
Result<Bytes> EncodeSessionKeyEf(const EVP_PKEY* session_key);

// EF 0007: FF 50 82 02 13 { DF51 82 01 09 <AP key> ; DF52 82 01 00
// <signature by the data issuer over the DF51 TLV> }: the public half of the
// AP's challenge-signing key (card presence proof, §6).
Result<Bytes> EncodeSignedKeyEf(const EVP_PKEY* ap_key,
                                const DataIssuer& issuer);

// EF 0008: sixteen FF bytes.
Bytes TextEf0008();

// Everything the issuer writes into the text AP.
struct TextApInput {
  std::string number;  // 12 digits
  BasicInfo info;
  const EVP_PKEY* signing_key = nullptr;  // the AP's on-card key (public)
  const EVP_PKEY* session_key = nullptr;  // SET SESSION KEY key (public)
  DataIssuer issuer;
};

struct TextApFiles {
  Bytes ef0001, ef0002, ef0003, ef0004, ef0005, ef0006, ef0007, ef0008;
};

// All eight files. Errors as the functions above.
Result<TextApFiles> BuildTextApFiles(const TextApInput& input);

}  // namespace openmyna::card::faces
