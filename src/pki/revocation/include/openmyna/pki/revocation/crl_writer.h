// Streaming CRL generation (RFC 5280 §5): the DER of a CertificateList is
// written incrementally, so that a partition with a million revoked
// certificates needs memory for one entry at a time, not for the CRL.
//
// How: the revoked entries are walked ONCE (one statement over the store,
// so one consistent snapshot); each entry is DER-encoded by hand into a
// buffer (RFC 5280 §5.1: SEQUENCE { INTEGER userCertificate, Time
// revocationDate, Extensions { reasonCode } OPTIONAL }) and appended to an
// anonymous spill file, because DER needs the length of
// revokedCertificates before its contents. Then the headers are written
// and the spilled entries are copied to the sink in 64 KiB chunks while
// the same bytes are fed to EVP_DigestSignUpdate; one RSA signature over
// the TBSCertList closes the CertificateList. Memory stays constant; the
// spill file needs as much disk as the entries (it is unlinked at once).
//
// What the CRL contains (RFC 5280 §5.1, §5.2, §5.3; jpki.md §4.4, §13 row 6):
//   version v2; signature sha256WithRSAEncryption (RFC 4055 §5); issuer =
//   the subject of `issuer`; thisUpdate; nextUpdate; one entry per revoked
//   certificate (serial, revocationDate, reasonCode unless the reason is
//   unspecified, which RFC 5280 §5.3.1 says to express by omission); CRL
//   extensions: authorityKeyIdentifier (keyIdentifier, §5.2.1), cRLNumber
//   (§5.2.3) and, when a partition is named, a critical
//   issuingDistributionPoint (§5.2.5) with its fullName and
//   onlyContainsUserCerts TRUE.
// Entries revoked after thisUpdate are left for the next CRL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki::revocation {

struct CrlParameters {
  X509* issuer = nullptr;           // the CA (generation root); borrowed
  Bytes issuer_key_identifier;      // its SKI, for the AKI extension
  EVP_PKEY* signing_key = nullptr;  // its RSA private key; borrowed
  std::uint64_t crl_number = 0;     // monotonically increasing per partition
  TimePoint this_update;            // whole seconds are used
  TimePoint next_update;
  // The partition's DistributionPointNames (the names its certificates
  // carry in cRLDistributionPoints); nullptr: a CRL without IDP. Borrowed.
  const GENERAL_NAMES* distribution_point = nullptr;
  // Folder of the spill file (an O_TMPFILE, never visible); empty: the
  // system temporary folder. WriteCrlFile uses the CRL's own folder.
  std::filesystem::path spill_directory;
};

// Walks revoked entries in strictly ascending serial order, calling
// `visit` for each until it returns false (CertificateStore::ForEachRevoked).
using RevokedEntrySource = std::function<Status(
    const std::function<bool(const RevokedEntry&)>& visit)>;
// Receives the CRL's DER in order, in chunks of at most ~64 KiB.
using ByteSink = std::function<Status(ByteView chunk)>;

struct CrlSummary {
  std::uint64_t entries = 0;    // revoked certificates listed
  std::uint64_t der_bytes = 0;  // size of the CertificateList
};

// Writes one signed CRL to `sink`, walking `source` once. Fails with
// kInvalidParameters (missing issuer/key, non-RSA key, nextUpdate not after
// thisUpdate), kUnorderedEntries, kIo (spill file), kCrypto, or the first
// error of `source`/`sink`.
Result<CrlSummary> WriteCrl(const CrlParameters& parameters,
                            const RevokedEntrySource& source,
                            const ByteSink& sink);

// Called with the complete temporary file before it replaces `path` (the
// publisher lints it here); an error keeps the old CRL in place.
using CrlCheck = std::function<Status(const std::filesystem::path& temp)>;

// WriteCrl into `path`, atomically (temporary file in the same folder,
// fsync, `check`, rename): readers see the old or the new CRL, never a
// mixture. The file is public (mode 0644).
Result<CrlSummary> WriteCrlFile(const CrlParameters& parameters,
                                const RevokedEntrySource& source,
                                const std::filesystem::path& path,
                                const CrlCheck& check = {});

}  // namespace openmyna::pki::revocation
