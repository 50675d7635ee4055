// The card image: the whole chip state in one versioned file (docs/card.md
// "Image format"), written atomically with mode 0600.
//
// File layout: the ASCII line "OPENMYNA-CARD-IMAGE <version>\n" followed by
// a UTF-8 JSON body. Secrets (PIN values, private keys, the issuer key) are
// never stored in clear: each is sealed with AES-256-GCM under the storage
// key (StorageKey), a random 12-byte nonce per seal, and the object's path
// ("jpki/0017/key") as associated data so sealed values cannot be swapped
// between objects.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/model.h"

namespace openmyna::card {

inline constexpr int kImageFormatVersion = 1;

enum class ChipState : std::uint8_t {
  kActive,
  kErased,  // tamper: no applications, no secrets; see card.h
};

struct CardImage {
  CardKind kind = CardKind::kStandard;
  ChipState state = ChipState::kActive;
  // Reserved for the next-generation card (card-apdu.md §16 #18);
  // "rsa2048" is the only value the kernel emulates.
  std::string generation = "rsa2048";
  // 32-byte secret shared with the issuer (the sandbox registry); it opens
  // the authenticated issuer commands (issuer_auth.h).
  Bytes issuer_key;
  // MF-level GET DATA objects by tag (card-apdu.md §7.3), e.g. 0x5F51.
  std::map<std::uint16_t, Bytes> mf_objects;
  std::vector<Application> applications;

  Application* FindApplication(std::string_view name);
  const Application* FindApplication(std::string_view name) const;
  Application* FindApplicationByAid(ByteView aid);
};

// The 256-bit key that seals the image's secrets at rest. The caller owns
// the key file (conventionally `card-master.key` in the sandbox data folder,
// mode 0600); the card never writes it elsewhere.
class StorageKey {
 public:
  static constexpr std::size_t kSize = 32;
  // From raw bytes; kBadMasterKey unless exactly 32 bytes.
  static Result<StorageKey> FromBytes(ByteView bytes);
  // Reads a key file (32 raw bytes). kBadMasterKey / kIo.
  static Result<StorageKey> Load(const std::filesystem::path& path);
  // Loads the file, or creates it (0600, 32 bytes from `rng`) when absent.
  static Result<StorageKey> LoadOrCreate(const std::filesystem::path& path,
                                         Rng& rng);
  ByteView bytes() const { return key_; }
  ~StorageKey();
  StorageKey(const StorageKey&) = default;
  StorageKey& operator=(const StorageKey&) = default;

 private:
  StorageKey() = default;
  std::array<std::uint8_t, kSize> key_{};
};

// Serialises the image; every secret is sealed under `key` with fresh
// nonces from `rng`. Fails only on an OpenSSL error (kCrypto).
Result<Bytes> EncodeImage(const CardImage& image, const StorageKey& key,
                          Rng& rng);

// Parses an image. With `key`, secrets are opened (a wrong key fails with
// kBadMasterKey); with nullptr, secrets stay empty (PINs keep is_set,
// counters and keys keep whether they exist) — enough for `card show`.
// kBadImage names what is wrong (magic, version, field).
Result<CardImage> DecodeImage(ByteView file, const StorageKey* key);

// EncodeImage + WriteFileAtomically (0600). LoadImage = read + DecodeImage.
Status SaveImage(const std::filesystem::path& path, const CardImage& image,
                 const StorageKey& key, Rng& rng);
Result<CardImage> LoadImage(const std::filesystem::path& path,
                            const StorageKey* key);

// A human-readable summary for `card show`: kind, state, and for every
// application each object with its size, access rule, retry counter
// ("tries 2/3", "blocked", "not set") or key state. Never prints secrets or
// EF contents (personal data such as the individual number lives in EFs).
std::string DescribeImage(const CardImage& image);

// Erases the chip in place: every application and secret removed, state
// kErased (the card then answers as an erased chip, card.h). Idempotent.
void EraseChip(CardImage& image);

}  // namespace openmyna::card
