// The sandbox's TLS root and the server certificate `openmyna serve` uses
// for HTTPS (conforming OpenID Connect clients refuse plain HTTP). Nothing
// here is JPKI: it is an ordinary web PKI of the sandbox, with its own root
// that relying parties add to their trust store (curl --cacert,
// NODE_EXTRA_CA_CERTS, requests' verify=).
//
// Layout, beside the CAs of sandbox.h:
//   DIR/tls/root.pem     self-signed root "OpenMyna Sandbox TLS Root"
//                        (ECDSA P-256, 10 years, basicConstraints CA,
//                        keyCertSign; RFC 5280 §4.2.1.9)
//   DIR/tls/root.key     its key (0600)
//   DIR/tls/server.pem   the server certificate followed by the root: SAN
//                        DNS:localhost, IP:127.0.0.1, IP:::1; serverAuth;
//                        825 days (CA/B Forum BR limit the browsers used)
//   DIR/tls/server.key   its key (0600)
#pragma once

#include <filesystem>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"

namespace openmyna::pki {

struct TlsFiles {
  std::filesystem::path root_pem;
  std::filesystem::path root_key;
  std::filesystem::path server_chain_pem;
  std::filesystem::path server_key;
  bool created = false;  // false: all four existed and nothing changed
};

// Where the files of the sandbox in `dir` live (whether or not they exist).
TlsFiles TlsFilesOf(const std::filesystem::path& dir);

// Creates DIR/tls (0700) and the four files when any is missing (the root
// and server key pairs are drawn from OpenSSL's DRBG; `rng` draws serials).
// Validity starts at clock.Now() minus one day (clock skew). Idempotent.
Result<TlsFiles> EnsureTlsFiles(const std::filesystem::path& dir,
                                const Clock& clock, Rng& rng);

}  // namespace openmyna::pki
