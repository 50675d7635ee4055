// The store of issued certificates and their revocation state. The CA
// writes to it on issuance; the registry shares it; CRL generation and the
// OCSP responder read it (architecture.md §3).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/revocation_reason.h"

namespace openmyna::pki {

// A serial number as the CA writes it: a positive INTEGER (RFC 5280
// §4.1.2.2), big-endian magnitude without leading zero bytes, 1..20 octets.
// Serials are unique across the whole store (both CAs).
struct Serial {
  Bytes bytes;
  // Lower-case hex, no separators, no leading zeros ("1f3a...").
  std::string Hex() const;
  // Parses hex (colons allowed, leading zeros ignored); kInvalidSerial for
  // empty, zero, non-hex or more than 20 octets.
  static Result<Serial> FromHex(std::string_view hex);
  friend bool operator==(const Serial&, const Serial&) = default;
};

// The CRL partition a certificate belongs to (jpki.md §3.1 row 5, §13
// row 6): one per CA, generation and issuing municipality.
struct CrlPartition {
  CaKind ca = CaKind::kSignature;
  int generation = 1;
  std::string municipality_code;  // 5 digits, no check digit ("13221")
  std::string prefecture;         // romanised, "Tokyo-to" (jpki.md §13 row 7)
  std::string municipality;       // romanised, "Kiyose-shi"
};

struct CertificateRecord {
  Serial serial;
  CrlPartition partition;
  std::string subject_cn;  // the 23-character identifier
  TimePoint not_before;    // whole seconds
  TimePoint not_after;
  Bytes der;  // the certificate
  // Filled by the store on reads.
  std::optional<RevocationReason> revocation_reason;
  std::optional<TimePoint> revocation_time;
};

// The answer of a status check: a value, not an error (architecture.md §6).
struct CertificateStatus {
  enum class Kind { kGood, kRevoked, kUnknown } kind = Kind::kUnknown;
  RevocationReason reason = RevocationReason::kUnspecified;  // kRevoked only
  TimePoint revocation_time{};                               // kRevoked only
};

// One entry of a CRL (RFC 5280 §5.1.2.6).
struct RevokedEntry {
  Serial serial;
  TimePoint revocation_time;
  RevocationReason reason;
};

// One certificate's status without its DER (CertificateStore::
// ForEachStatus): what an OCSP responder needs to pre-sign.
struct CertificateStatusEntry {
  Serial serial;
  int generation = 1;
  CertificateStatus status;  // kGood or kRevoked
};

// One revocation as the store recorded it (CertificateStore::
// ForEachRevocationSince): what changed, in which CRL partition, and its
// place in the store's change counter.
struct RevocationChange {
  std::uint64_t sequence = 0;  // strictly increasing per store, from 1
  CrlPartition partition;      // ca, generation, municipality_code
  RevokedEntry entry;
};

// The CRL last published for one partition in a store shared by several
// publishers (CertificateStore::PublishShared).
struct SharedCrl {
  std::uint64_t crl_number = 0;
  std::uint64_t sequence = 0;  // the revocation counter it covers
  TimePoint this_update{};
  Bytes der;
};

// Given the CRL last stored for a partition (nullopt: none yet), returns
// its successor to store, or nullopt to keep it.
using SharedCrlBuilder = std::function<Result<std::optional<SharedCrl>>(
    const std::optional<SharedCrl>& current)>;

struct ListFilter {
  std::optional<CaKind> ca;
  bool revoked_only = false;
  std::size_t limit = 0;  // 0: no limit
};

class CertificateStore {
 public:
  virtual ~CertificateStore() = default;

  // Records an issued certificate. kDuplicateSerial if the serial exists.
  // When the record carries revocation_reason and revocation_time it is
  // stored revoked (imports, benchmarks); otherwise it is good.
  virtual Status Put(const CertificateRecord& record) = 0;

  // Put() of many records in one transaction (all or nothing). The default
  // calls Put() for each.
  virtual Status PutMany(std::span<const CertificateRecord> records) {
    for (const CertificateRecord& record : records) {
      OPENMYNA_RETURN_IF_ERROR(Put(record));
    }
    return Ok();
  }

  // True when some certificate (of either CA) has this serial.
  virtual Result<bool> Contains(const Serial& serial) = 0;

  // Revokes (RFC 5280 §5.3.1). Rules:
  //  - kNotFound for an unknown serial, kInvalidReason for removeFromCRL;
  //  - a certificate on hold (certificateHold) stays revoked: a hold is
  //    never lifted (jpki.md §4.3); it may be made permanent by revoking it
  //    again with another reason (RFC 5280 §5.3.1), which keeps the
  //    original revocation time;
  //  - any other already revoked certificate: kAlreadyRevoked, unchanged.
  virtual Status Revoke(const Serial& serial, RevocationReason reason,
                        TimePoint when) = 0;

  // good / revoked(reason, time) / unknown for a serial of CA `ca`.
  virtual Result<CertificateStatus> StatusOf(CaKind ca,
                                             const Serial& serial) = 0;

  // The record of a serial, or nullopt.
  virtual Result<std::optional<CertificateRecord>> Find(
      const Serial& serial) = 0;

  // Records ordered by serial (for `openmyna ca list`).
  virtual Result<std::vector<CertificateRecord>> List(
      const ListFilter& filter) = 0;

  // Every partition that holds at least one certificate of `ca`, so that a
  // CRL is published for each (even those with no revoked entry).
  virtual Result<std::vector<CrlPartition>> Partitions(CaKind ca) = 0;

  // Streams the revoked entries of one partition in ascending serial order
  // without loading them all: `visit` is called once per entry and returns
  // false to stop early. Memory use does not grow with the entry count.
  // `visit` must not call back into the same store object (it holds the
  // store's lock); a CRL writer encodes each entry as it arrives.
  virtual Status ForEachRevoked(
      const CrlPartition& partition,
      const std::function<bool(const RevokedEntry&)>& visit) = 0;

  // The change counter of revocations: the sequence number of the last
  // revocation recorded (0 when none). Every Revoke() (and every Put of a
  // revoked record) takes the next number in commit order, so a reader
  // that saw counter N has seen every change numbered <= N. An OCSP
  // responder or CRL publisher compares it with the value it last
  // handled instead of walking every revoked entry.
  virtual Result<std::uint64_t> RevocationSequence() = 0;

  // Streams the revocations numbered after `after`, in ascending sequence
  // order (one entry per certificate: a hold made permanent is seen once,
  // with its latest number and reason). Same locking rule as
  // ForEachRevoked.
  virtual Status ForEachRevocationSince(
      std::uint64_t after,
      const std::function<bool(const RevocationChange&)>& visit) = 0;

  // Streams serial, generation and status of every certificate of CA
  // `ca`, in no particular order, without reading the certificates' DER;
  // `visit` returns false to stop. Same locking rule as ForEachRevoked.
  // The default walks List().
  virtual Status ForEachStatus(
      CaKind ca,
      const std::function<bool(const CertificateStatusEntry&)>& visit) {
    ListFilter filter;
    filter.ca = ca;
    OPENMYNA_ASSIGN_OR_RETURN(std::vector<CertificateRecord> records,
                              List(filter));
    CertificateStatusEntry entry;
    for (CertificateRecord& record : records) {
      entry.serial = std::move(record.serial);
      entry.generation = record.partition.generation;
      entry.status = CertificateStatus{};
      entry.status.kind = CertificateStatus::Kind::kGood;
      if (record.revocation_reason) {
        entry.status.kind = CertificateStatus::Kind::kRevoked;
        entry.status.reason = *record.revocation_reason;
        entry.status.revocation_time =
            record.revocation_time.value_or(TimePoint{});
      }
      if (!visit(entry)) break;
    }
    return Ok();
  }

  // True when the store keeps the CRLs it is published into, so that
  // several publishers (nodes) share their numbers and bytes
  // (PostgreSQL); false when each publisher keeps its own files (SQLite:
  // one publisher per store, docs/scale.md §3).
  virtual bool SharesCrls() const { return false; }

  // Only when SharesCrls(): runs `build` holding the lock of the partition
  // named `url_path` against every publisher of the store, and stores what
  // it returns. Returns the CRL stored afterwards (nullopt: none). `build`
  // may call the store's other methods.
  virtual Result<std::optional<SharedCrl>> PublishShared(
      const std::string& url_path, const SharedCrlBuilder& build) {
    (void)url_path;
    (void)build;
    return std::optional<SharedCrl>();
  }
};

// SQLite implementation (WAL). Table `pki_certificates` in the given file;
// the registry may open its own connection on the same file. One
// connection per object, guarded by a mutex: thread-safe.
class SqliteCertificateStore final : public CertificateStore {
 public:
  // Opens or creates the database (file mode 0600) and its schema.
  static Result<std::unique_ptr<SqliteCertificateStore>> Open(
      const std::filesystem::path& path);
  ~SqliteCertificateStore() override;

  Status Put(const CertificateRecord& record) override;
  Status PutMany(std::span<const CertificateRecord> records) override;
  Result<bool> Contains(const Serial& serial) override;
  Status Revoke(const Serial& serial, RevocationReason reason,
                TimePoint when) override;
  Result<CertificateStatus> StatusOf(CaKind ca, const Serial& serial) override;
  Result<std::optional<CertificateRecord>> Find(const Serial& serial) override;
  Result<std::vector<CertificateRecord>> List(
      const ListFilter& filter) override;
  Result<std::vector<CrlPartition>> Partitions(CaKind ca) override;
  Status ForEachRevoked(
      const CrlPartition& partition,
      const std::function<bool(const RevokedEntry&)>& visit) override;
  Status ForEachStatus(
      CaKind ca,
      const std::function<bool(const CertificateStatusEntry&)>& visit) override;
  Result<std::uint64_t> RevocationSequence() override;
  Status ForEachRevocationSince(
      std::uint64_t after,
      const std::function<bool(const RevocationChange&)>& visit) override;

  struct Impl;

 private:
  explicit SqliteCertificateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The certificate store of a target: a `postgres://`/`postgresql://` URL
// or a libpq key=value string opens the PostgreSQL store (the CA state
// shared by nodes on several machines, docs/scale.md §3: tables
// pki_certificates, pki_revocation_counter, pki_crl_state, created when
// missing; SharesCrls()), anything else is the SQLite file at that path.
Result<std::unique_ptr<CertificateStore>> OpenCertificateStore(
    std::string_view target);

}  // namespace openmyna::pki
