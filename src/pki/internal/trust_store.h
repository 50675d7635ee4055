// One X509_STORE per trust anchor, built once and shared (private to the
// pki library). Building a store and adding its certificate on every
// verification was a cost of each card's first sign-in (docs/sign-in.md
// "Benchmark", session 10). A shared store is never changed after it is
// built: what differs per verification (the time, CRLs, flags, purpose) is
// set on the X509_STORE_CTX (RFC 5280 §6.1.1 inputs), never on the store.
// OpenSSL 3 stores are reference-counted and lock their own lookups, so
// verifications on several threads may share one.
#pragma once

#include <openssl/x509.h>

#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki::internal {

// The store that trusts exactly `anchor` (a new reference; null only when
// OpenSSL cannot allocate). The same certificate (SHA-1 fingerprint and
// DER: X509_cmp) gets the same store; at 64 anchors the cache starts
// afresh (a sandbox has a few generations of two CAs).
X509StorePtr TrustStoreOf(X509* anchor);

}  // namespace openmyna::pki::internal
