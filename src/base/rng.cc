#include "openmyna/base/rng.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

namespace openmyna {
namespace {

[[noreturn]] void DieOnRngFailure(const char* what) {
  std::fprintf(stderr, "fatal: random generator failed: %s\n", what);
  std::abort();
}

}  // namespace

std::vector<std::uint8_t> Rng::Bytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  Fill(out);
  return out;
}

std::uint64_t Rng::NextU64() {
  std::array<std::uint8_t, 8> b{};
  Fill(b);
  std::uint64_t v = 0;
  for (auto byte : b) v = (v << 8) | byte;
  return v;
}

std::uint64_t Rng::UniformBelow(std::uint64_t bound) {
  if (bound == 0) DieOnRngFailure("UniformBelow(0)");
  // Rejection sampling: drop the top partial range so every value is equally
  // likely.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % bound;
  for (;;) {
    std::uint64_t v = NextU64();
    if (v < limit) return v % bound;
  }
}

void OpenSslRng::Fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    DieOnRngFailure("RAND_bytes");
  }
}

struct DeterministicRng::Impl {
  // One keystream shared by every thread of a test's server: the context is
  // advanced under the lock, so no two draws get the same bytes.
  std::mutex mutex;
  EVP_CIPHER_CTX* ctx = nullptr;
};

DeterministicRng::DeterministicRng(std::uint64_t seed) : impl_(new Impl) {
  std::array<std::uint8_t, 8> seed_bytes{};
  for (int i = 0; i < 8; ++i) {
    seed_bytes[static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(seed >> (56 - 8 * i));
  }
  std::array<std::uint8_t, 32> key{};
  unsigned int key_len = 0;
  if (EVP_Digest(seed_bytes.data(), seed_bytes.size(), key.data(), &key_len,
                 EVP_sha256(), nullptr) != 1) {
    DieOnRngFailure("EVP_Digest");
  }
  // ChaCha20 IV in OpenSSL: 4-byte little-endian counter + 12-byte nonce.
  std::array<std::uint8_t, 16> iv{};
  impl_->ctx = EVP_CIPHER_CTX_new();
  if (impl_->ctx == nullptr ||
      EVP_EncryptInit_ex(impl_->ctx, EVP_chacha20(), nullptr, key.data(),
                         iv.data()) != 1) {
    DieOnRngFailure("EVP_EncryptInit_ex(chacha20)");
  }
}

DeterministicRng::~DeterministicRng() {
  EVP_CIPHER_CTX_free(impl_->ctx);
  delete impl_;
}

void DeterministicRng::Fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  // The keystream is the encryption of zeros.
  std::memset(out.data(), 0, out.size());
  std::lock_guard lock(impl_->mutex);
  int written = 0;
  if (EVP_EncryptUpdate(impl_->ctx, out.data(), &written, out.data(),
                        static_cast<int>(out.size())) != 1 ||
      static_cast<std::size_t>(written) != out.size()) {
    DieOnRngFailure("EVP_EncryptUpdate(chacha20)");
  }
}

}  // namespace openmyna
