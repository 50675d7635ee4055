// What CheckOcsp keeps in an OcspResponseCache (private to the pki library).
#pragma once

#include <openssl/ocsp.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/pki/certificate_cache.h"
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

  // The responder certificates responses carry, parsed once by their
  // bytes (ocsp_der.h), and those found authorised to answer for an
  // issuer: OCSP_basic_verify's chain and issuer checks (RFC 6960
  // §4.2.2.2) passed for that (responder, issuer) pair, at times within
  // the validity of the certificates they relied on. A later response signed
  // by the same certificate still has its own signature verified and must
  // name only that issuer's certificates (ocsp_client.cc).
  CertificateCache responder_certs{64};
  struct Responder {
    X509Ptr signer, issuer;  // up-referenced
    TimePoint valid_from, valid_until;
  };
  bool Authorised(X509* signer, X509* issuer, TimePoint at);
  void RememberAuthorised(X509* signer, X509* issuer,
                          const STACK_OF(X509) * chain);
  std::vector<Responder> responders;  // under mutex; at most 64

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
