// Publishes one CRL per CA generation and issuing municipality (JPKI's
// partitioned distribution points, jpki.md §3.1 row 5, §4.4, §13 row 6)
// and hands out their bytes and validity (Current) for the HTTP side
// (services/revocation serves them at the URLs the certificates name:
//   GET <base>/crl/<kind>/g<generation>/<municipality code>.crl).
//
// Files: <directory>/<kind>/g<N>/<code>.crl (DER, 0644) with a sidecar
// <code>.crl.state holding the last CRL number, the store's revocation
// counter it covers and its thisUpdate. CRL numbers increase strictly per
// partition (RFC 5280 §5.2.3) across restarts.
//
// Several publishers (nodes) on one store that SharesCrls() (PostgreSQL):
// a partition is published under the store's lock for it; a publisher
// that finds a stored CRL covering what made its own due takes those bytes
// and that number instead of signing another, so every node serves the
// same CRL for a number, and numbers stay strictly increasing across
// nodes. The files stay the local copy the HTTP side serves.
//
// When a partition is (re)published: when it has no CRL yet, when one of
// its certificates was revoked (PublishDue reads the store's change
// counter, CertificateStore::RevocationSequence, and walks only the
// revocations since the last call: no walk of every revoked entry), when a
// revocation dated in the future becomes due, and when the CRL is
// `reissue_after` old (thisUpdate + 24 h; nextUpdate is thisUpdate +
// `validity` = 24 h + margin). Every CRL passes LintCrl (pki/linter.h)
// before it replaces the previous one.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/revocation/crl_writer.h"
#include "openmyna/pki/signer.h"

namespace openmyna::pki::revocation {

struct CrlIssuer {
  CaKind ca = CaKind::kSignature;
  int generation = 1;
  Signer* signer = nullptr;  // the generation's CA key; borrowed
};

struct CrlPublisherOptions {
  std::filesystem::path directory;  // created (0755) when missing
  std::string base_url;             // as in sandbox.json
  std::chrono::seconds validity = std::chrono::hours(26);  // 24 h + 2 h
  std::chrono::seconds reissue_after = std::chrono::hours(24);
  // How often PublishDue lists the partitions again (to find those of
  // newly issued certificates: a full index scan, so not every round).
  std::chrono::milliseconds relist_partitions{2000};
};

// The CRL currently published at a URL path, for the HTTP side.
struct CurrentCrl {
  std::filesystem::path path;
  std::uint64_t crl_number = 0;
  TimePoint this_update;
  TimePoint next_update;
};

struct PublishedCrl {
  CrlPartition partition;
  std::filesystem::path path;
  std::string url_path;  // "/crl/sign/g1/13221.crl"
  std::uint64_t crl_number = 0;
  CrlSummary summary;
  TimePoint this_update;
};

class CrlPublisher {
 public:
  // Borrowed references must outlive the publisher. Thread-safe.
  CrlPublisher(std::vector<CrlIssuer> issuers, CertificateStore& store,
               const Clock& clock, CrlPublisherOptions options);

  // Builds, lints and publishes the CRL of one partition now.
  // kInvalidParameters when the partition's CA generation is not served,
  // kLintFailed (nothing replaced) when the linter refuses it.
  Result<PublishedCrl> Publish(const CrlPartition& partition);

  // Publishes every partition of the served issuers that is missing,
  // changed or due (see the file comment). Returns what was published.
  Result<std::vector<PublishedCrl>> PublishDue();

  // The file of a URL path ("/crl/sign/g1/13221.crl"), if published.
  std::optional<std::filesystem::path> FileFor(std::string_view url_path);
  // The CRL published at a URL path: file, number and validity.
  std::optional<CurrentCrl> Current(std::string_view url_path);

 private:
  struct State {
    std::uint64_t crl_number = 0;
    std::uint64_t sequence = 0;  // the store's revocation counter covered
    TimePoint this_update{};
    std::filesystem::path path;
  };
  // What a due partition's CRL must cover. `adopt`: a CRL another
  // publisher stored (shared store) that covers `sequence`, is not older
  // than `not_before` and is not due for reissue is taken instead of a new
  // one; false (Publish): always a new CRL number.
  struct Need {
    bool adopt = false;
    std::uint64_t sequence = 0;
    TimePoint not_before{};
  };
  Result<PublishedCrl> PublishPartition(const CrlPartition& partition,
                                        const Need& need);
  // Builds, lints and writes one CRL to `out`; `sequence` receives the
  // revocation counter it covers.
  Result<CrlSummary> Build(const CrlPartition& partition,
                           const CrlIssuer& issuer, std::uint64_t crl_number,
                           TimePoint this_update,
                           const std::filesystem::path& out,
                           std::uint64_t& sequence);
  Result<State> PublishShared(const CrlPartition& partition,
                              const CrlIssuer& issuer,
                              const std::string& url_path, const State& state,
                              const Need& need, CrlSummary& summary,
                              bool& built);
  const CrlIssuer* IssuerOf(const CrlPartition& partition) const;
  State LoadState(const std::filesystem::path& crl_path);
  std::filesystem::path PathOf(const std::string& url_path) const;
  Status ListPartitions();

  std::vector<CrlIssuer> issuers_;
  CertificateStore& store_;
  const Clock& clock_;
  CrlPublisherOptions options_;
  std::mutex mutex_;  // one publication at a time; guards states_
  std::map<std::string, State> states_;  // by URL path

  // PublishDue's own (one PublishDue at a time).
  std::mutex due_mutex_;
  std::map<std::string, CrlPartition> partitions_;  // by URL path
  std::chrono::steady_clock::time_point listed_{};
  bool seen_valid_ = false;
  std::uint64_t seen_ = 0;  // revocation counter already looked at
  // Partitions with a revocation dated after their CRL's thisUpdate, and
  // the earliest such date (published again once it has passed).
  std::map<std::string, TimePoint> pending_;
};

}  // namespace openmyna::pki::revocation
