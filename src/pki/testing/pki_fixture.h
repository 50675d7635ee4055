// Test helpers: one sandbox and a few subject keys per test binary (RSA key
// generation is the slow part), in a fresh temporary folder.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::pki::testing {

// 2026-11-25T03:00:00Z: the fixed instant of every fixture.
TimePoint FixtureNow();

// A fresh temporary folder (removed at exit of the binary).
std::filesystem::path TempDir(const std::string& name);

// The shared sandbox (created on first use under TempDir("sandbox")).
Sandbox& SharedSandbox();

// An RSA-2048 key, generated once per index (0..3) per binary.
EVP_PKEY* SubjectKey(int index = 0);
Bytes SubjectSpki(int index = 0);

// A complete valid request of each kind for Kiyose-shi (13221).
IssueRequest SignatureRequest(int key_index = 0);
IssueRequest AuthenticationRequest(int key_index = 0);

// Parses DER (aborts the test on failure).
X509Ptr ParseDer(const Bytes& der);

// A loopback TCP port the kernel handed out a moment ago (bind to port 0):
// unlike a port derived from the PID it is never one in use, e.g. the
// ephemeral port of another test's client connection.
int FreeLoopbackPort();

}  // namespace openmyna::pki::testing

namespace openmyna::pki::testing {

// A CRL made with plain OpenSSL calls (X509_CRL_sign), independent of the
// revocation library: v2, cRLNumber, AKI, IDP of `partition` (when
// given), one entry per (serial, reason); reason < 0 omits reasonCode.
struct CrlEntry {
  Bytes serial;
  int reason;
  TimePoint when;
};
X509CrlPtr BuildCrl(Signer& signer, const CrlPartition* partition,
                    const std::vector<CrlEntry>& entries, TimePoint this_update,
                    TimePoint next_update);
Bytes CrlDer(X509_CRL* crl);

}  // namespace openmyna::pki::testing
