#include "openmyna/pki/ocsp_response_cache.h"

#include <algorithm>

#include "internal/ocsp_response_cache.h"
#include "internal/openssl_util.h"

namespace openmyna::pki {
namespace {

std::string_view AsText(ByteView der) {
  return {reinterpret_cast<const char*>(der.data()), der.size()};
}

}  // namespace

OcspResponseCache::OcspResponseCache(std::size_t capacity)
    : impl_(std::make_unique<Impl>()) {
  impl_->capacity = std::max<std::size_t>(capacity, 1);
}

OcspResponseCache::~OcspResponseCache() = default;

OcspResponseCache::Stats OcspResponseCache::stats() const {
  Stats s;
  s.hits = impl_->hits;
  s.misses = impl_->misses;
  std::lock_guard lock(impl_->mutex);
  s.entries = impl_->entries.size();
  return s;
}

std::shared_ptr<const OcspResponseCache::Impl::Entry>
OcspResponseCache::Impl::Find(ByteView der, X509* issuer, TimePoint at) {
  std::shared_ptr<const Entry> entry;
  {
    std::lock_guard lock(mutex);
    auto it = entries.find(AsText(der));
    if (it != entries.end()) entry = it->second;
  }
  if (!entry || X509_cmp(entry->issuer.get(), issuer) != 0 ||
      at < entry->valid_from || at > entry->valid_until) {
    ++misses;
    return nullptr;
  }
  ++hits;
  return entry;
}

std::shared_ptr<const OcspResponseCache::Impl::Entry>
OcspResponseCache::Impl::Insert(
    ByteView der, X509* issuer,
    std::unique_ptr<OCSP_BASICRESP, BasicDeleter> basic) {
  auto entry = std::make_shared<Entry>();
  entry->basic = std::move(basic);
  // The window: every certificate OCSP_basic_verify may have checked at
  // the request's time (the issuer, and the responder certificate and any
  // other the response carries: RFC 6960 §4.2.1 certs).
  entry->valid_from = TimePoint::min();
  entry->valid_until = TimePoint::max();
  const auto narrow = [&](X509* cert) {
    auto from = internal::FromAsn1Time(X509_get0_notBefore(cert));
    auto until = internal::FromAsn1Time(X509_get0_notAfter(cert));
    if (!from || !until) return false;
    entry->valid_from = std::max(entry->valid_from, *from);
    entry->valid_until = std::min(entry->valid_until, *until);
    return true;
  };
  bool keep = narrow(issuer) && X509_up_ref(issuer) == 1;
  if (keep) entry->issuer.reset(issuer);
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(entry->basic.get());
  for (int i = 0; keep && i < sk_X509_num(certs); ++i) {
    keep = narrow(sk_X509_value(certs, i));
  }
  if (!keep) return entry;
  std::lock_guard lock(mutex);
  if (entries.size() >= capacity) entries.clear();
  entries.insert_or_assign(std::string(AsText(der)), entry);
  return entry;
}

}  // namespace openmyna::pki
