#include "openmyna/pki/ocsp_response_cache.h"

#include <algorithm>

#include "internal/ocsp_response_cache.h"
#include "internal/openssl_util.h"

namespace openmyna::pki {
namespace {

std::string_view AsText(ByteView der) {
  return {reinterpret_cast<const char*>(der.data()), der.size()};
}

// Narrows [from, until] to the validity of `cert`; false when its times do
// not read.
bool Narrow(TimePoint& from, TimePoint& until, X509* cert) {
  auto not_before = internal::FromAsn1Time(X509_get0_notBefore(cert));
  auto not_after = internal::FromAsn1Time(X509_get0_notAfter(cert));
  if (!not_before || !not_after) return false;
  from = std::max(from, *not_before);
  until = std::min(until, *not_after);
  return true;
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
    return Narrow(entry->valid_from, entry->valid_until, cert);
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

bool OcspResponseCache::Impl::Authorised(X509* signer, X509* issuer,
                                         TimePoint at) {
  std::lock_guard lock(mutex);
  return std::any_of(responders.begin(), responders.end(), [&](auto& r) {
    return at >= r.valid_from && at <= r.valid_until &&
           X509_cmp(r.signer.get(), signer) == 0 &&
           X509_cmp(r.issuer.get(), issuer) == 0;
  });
}

void OcspResponseCache::Impl::RememberAuthorised(X509* signer, X509* issuer,
                                                 const STACK_OF(X509) * chain) {
  // The window: the certificates the chain check relied on (the signer,
  // the issuer and those the response carries), as for Insert.
  Responder r{nullptr, nullptr, TimePoint::min(), TimePoint::max()};
  const auto narrow = [&](X509* cert) {
    return Narrow(r.valid_from, r.valid_until, cert);
  };
  bool keep = narrow(signer) && narrow(issuer);
  for (int i = 0; keep && i < sk_X509_num(chain); ++i) {
    keep = narrow(sk_X509_value(chain, i));
  }
  if (!keep || X509_up_ref(signer) != 1) return;
  r.signer.reset(signer);
  if (X509_up_ref(issuer) != 1) return;
  r.issuer.reset(issuer);
  std::lock_guard lock(mutex);
  if (responders.size() >= 64) responders.clear();
  responders.push_back(std::move(r));
}

}  // namespace openmyna::pki
