#include "openmyna/pki/certificate_cache.h"

#include "openmyna/pki/verifier.h"

namespace openmyna::pki {

Result<X509Ptr> CertificateCache::Parse(ByteView der) {
  const std::string_view key(reinterpret_cast<const char*>(der.data()),
                             der.size());
  {
    std::lock_guard lock(mutex_);
    auto it = parsed_.find(key);
    if (it != parsed_.end() && X509_up_ref(it->second.get()) == 1) {
      ++hits_;
      return X509Ptr(it->second.get());
    }
  }
  ++misses_;
  OPENMYNA_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(der));
  if (capacity_ == 0 || X509_up_ref(cert.get()) != 1) return cert;
  X509Ptr kept(cert.get());
  std::lock_guard lock(mutex_);
  if (parsed_.size() >= capacity_) parsed_.clear();
  parsed_.insert_or_assign(std::string(key), std::move(kept));
  return cert;
}

}  // namespace openmyna::pki
