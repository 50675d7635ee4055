// Card certificates parsed once by their exact DER bytes. A card sends the
// same certificate with every answer, and OpenSSL 3.0's d2i_X509 sets up a
// decoder for the public key on every call (OSSL_DECODER_CTX_new_for_pkey),
// the largest single cost of reading an answer in the session-7 profile
// (docs/sign-in.md "Benchmark"); the same holds for the eligibility
// service's card path (docs/insurance.md "Benchmark"). The certificates are
// shared read-only between threads (OpenSSL locks the caches it fills in an
// X509 itself). At `capacity` certificates the cache starts afresh; 0 keeps
// none. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki {

class CertificateCache {
 public:
  explicit CertificateCache(std::size_t capacity = 4096)
      : capacity_(capacity) {}
  // ParseCertificate(der) (verifier.h), or the certificate parsed from the same
  // bytes before (a new reference); its errors.
  Result<X509Ptr> Parse(ByteView der);

  struct Stats {
    std::uint64_t hits = 0;    // answers that reused a parsed certificate
    std::uint64_t misses = 0;  // certificates parsed
  };
  Stats stats() const { return {hits_, misses_}; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::size_t capacity_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
  std::mutex mutex_;
  std::unordered_map<std::string, X509Ptr, Hash, std::equal_to<>> parsed_;
};

}  // namespace openmyna::pki
