// Randomness as an injected dependency. Production uses OpenSSL's DRBG;
// tests use a seeded, reproducible stream (ChaCha20 keystream from OpenSSL),
// so a failing property test can be replayed from its seed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace openmyna {

class Rng {
 public:
  virtual ~Rng() = default;
  // Fills `out` with random bytes. Aborts if the generator fails: a CA or a
  // card must never continue with bad randomness.
  virtual void Fill(std::span<std::uint8_t> out) = 0;

  std::vector<std::uint8_t> Bytes(std::size_t n);
  std::uint64_t NextU64();
  // Uniform in [0, bound), without modulo bias. bound must be > 0.
  std::uint64_t UniformBelow(std::uint64_t bound);
};

// OpenSSL RAND_bytes (the default, cryptographically secure).
class OpenSslRng final : public Rng {
 public:
  void Fill(std::span<std::uint8_t> out) override;
};

// Deterministic: ChaCha20 keystream keyed by SHA-256(seed). Same seed, same
// bytes, on every machine. Not for keys that protect anything.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(std::uint64_t seed);
  ~DeterministicRng() override;
  DeterministicRng(const DeterministicRng&) = delete;
  DeterministicRng& operator=(const DeterministicRng&) = delete;
  void Fill(std::span<std::uint8_t> out) override;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace openmyna
