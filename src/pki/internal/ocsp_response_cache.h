// What CheckOcsp keeps in an OcspResponseCache (private to the pki library).
#pragma once

#include <openssl/ocsp.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/pki/ocsp_response_cache.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki {

struct OcspResponseCache::Impl {
  struct BasicDeleter {
    void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); }
  };
  // A response that verified: its BasicOCSPResponse (read only from here
  // on), the issuer it verified against, and the times at which every
  // certificate the verification relied on is valid.
  struct Entry {
    std::unique_ptr<OCSP_BASICRESP, BasicDeleter> basic;
    X509Ptr issuer;  // an up-referenced copy
    TimePoint valid_from, valid_until;
  };

  // The entry for exactly these bytes, verified against `issuer`, usable
  // at `at`; nullptr otherwise (counted as a miss).
  std::shared_ptr<const Entry> Find(ByteView der, X509* issuer, TimePoint at);
  // Keeps `basic`, decoded from these bytes and verified against `issuer`,
  // and returns it as an entry (also when it cannot be kept: a certificate
  // time that does not read).
  std::shared_ptr<const Entry> Insert(
      ByteView der, X509* issuer,
      std::unique_ptr<OCSP_BASICRESP, BasicDeleter> basic);

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::size_t capacity = 0;
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const Entry>, Hash,
                     std::equal_to<>>
      entries;
  std::atomic<std::uint64_t> hits{0}, misses{0};
};

}  // namespace openmyna::pki
