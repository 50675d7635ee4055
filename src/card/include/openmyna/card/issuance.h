// Personalisation ("issuance") of a card image, used by card/perso before
// the card goes live: a blank chip, PIN values, keys generated on the chip,
// EF contents. Works on a CardImage value; save it with SaveImage (image.h).
//
// Application names are those of the application table ("jpki", "text",
// "face", "juki", "common"). Every function fails with kNotFound when the
// application or FID does not exist, kWrongObjectKind when the FID is a
// different kind of object, kErased on an erased chip.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/image.h"

namespace openmyna::card {

// A blank chip of `kind`: every application of the table with its layout,
// PINs unset (they answer as blocked until set), keys not generated, a
// fresh random 32-byte issuer key, and the MF objects that do not depend on
// the holder (5F51 = the contact ATR without TS, card-apdu.md §7.3).
CardImage NewBlankImage(CardKind kind, Rng& rng);

// Checks `value` against the PIN's rule (domain policy for the four
// passwords), then stores it and sets tries_left = max_tries.
// kInvalidPin names the rule broken; the PIN is unchanged then.
Status SetPin(CardImage& image, std::string_view app, Fid pin,
              std::string_view value);

// Generates an RSA-2048 key pair (e = 65537) inside the chip for key object
// `key` (e.g. jpki 0017 / 001A), replacing any previous one, and returns
// only the public key as DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
// Randomness: OpenSSL's DRBG (keys must be secret; no injected Rng).
Result<Bytes> GenerateKeyPair(CardImage& image, std::string_view app, Fid key);

// The public half of a generated key (DER SubjectPublicKeyInfo);
// kNotFound when the key was not generated.
Result<Bytes> PublicKeyOf(const CardImage& image, std::string_view app,
                          Fid key);

// Replaces a binary EF's contents (certificates, CA certificates, token
// info, text/face data).
Status WriteBinary(CardImage& image, std::string_view app, Fid ef,
                   Bytes contents);
// Replaces a record EF's records (record 1 first).
Status WriteRecords(CardImage& image, std::string_view app, Fid ef,
                    std::vector<Bytes> records);
// Sets an MF-level GET DATA object (card-apdu.md §7.3), e.g. 0x00F0.
Status SetMfObject(CardImage& image, std::uint16_t tag, Bytes value);

// The card's own facts, written consistently where the chip holds them
// (card-apdu.md §7.2, §7.3): common AP EF 0001 record 1 (`01 1C` + serial ‖
// municipality ‖ expiry) and the MF GET DATA objects 00F0 (municipality,
// 5 ASCII digits) and 00F2 (expiry, 8 ASCII digits YYYYMMDD).
// kInvalidArgument unless serial15 is 15 digits, municipality5 5 digits and
// expiry8 8 digits.
Status SetCardIdentity(CardImage& image, std::string_view serial15,
                       std::string_view municipality5,
                       std::string_view expiry8);

// The secret the issuer (sandbox registry) needs for the authenticated
// issuer commands of this card (issuer_auth.h). Store it as a secret.
Result<Bytes> IssuerKeyOf(const CardImage& image);

// The JPKI token-info record, EF 0006 (card-apdu.md §4.2, §16 #10): 160
// bytes, label "JPKIAPICCTOKEN2" space-padded, big-endian u32 fields.
Bytes JpkiTokenInfo();

}  // namespace openmyna::card
