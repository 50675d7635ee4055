#include "internal/trust_store.h"

#include <openssl/evp.h>

#include <array>
#include <map>
#include <mutex>

namespace openmyna::pki::internal {
namespace {

constexpr std::size_t kMaxAnchors = 64;

struct Anchored {
  X509Ptr anchor;  // an up-referenced copy
  X509StorePtr store;
};

using Fingerprint = std::array<unsigned char, 20>;

std::mutex& Mutex() {
  static std::mutex m;
  return m;
}

std::map<Fingerprint, Anchored>& Stores() {
  static auto* stores = new std::map<Fingerprint, Anchored>();
  return *stores;
}

X509StorePtr Share(X509_STORE* store) {
  return X509_STORE_up_ref(store) == 1 ? X509StorePtr(store) : nullptr;
}

}  // namespace

X509StorePtr TrustStoreOf(X509* anchor) {
  // X509_digest with SHA-1 copies the fingerprint OpenSSL computed when it
  // parsed the certificate (no hashing per call).
  Fingerprint key{};
  unsigned int length = 0;
  if (X509_digest(anchor, EVP_sha1(), key.data(), &length) != 1 ||
      length != key.size()) {
    return nullptr;
  }
  std::lock_guard lock(Mutex());
  auto& stores = Stores();
  if (auto it = stores.find(key);
      it != stores.end() && X509_cmp(it->second.anchor.get(), anchor) == 0) {
    return Share(it->second.store.get());
  }
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), anchor) != 1 ||
      X509_up_ref(anchor) != 1) {
    return nullptr;
  }
  if (stores.size() >= kMaxAnchors) stores.clear();
  Anchored& entry = stores[key];
  entry.anchor.reset(anchor);
  entry.store = std::move(store);
  return Share(entry.store.get());
}

}  // namespace openmyna::pki::internal
