#include "openmyna/pki/revocation/crl_publisher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

#include "openmyna/base/file_io.h"
#include "openmyna/base/log.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/linter.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/revocation/errors.h"

namespace openmyna::pki::revocation {
namespace {

std::filesystem::path StatePath(const std::filesystem::path& crl) {
  return crl.string() + ".state";
}

}  // namespace

CrlPublisher::CrlPublisher(std::vector<CrlIssuer> issuers,
                           CertificateStore& store, const Clock& clock,
                           CrlPublisherOptions options)
    : issuers_(std::move(issuers)),
      store_(store),
      clock_(clock),
      options_(std::move(options)) {}

const CrlIssuer* CrlPublisher::IssuerOf(const CrlPartition& partition) const {
  for (const CrlIssuer& issuer : issuers_) {
    if (issuer.ca == partition.ca &&
        issuer.generation == partition.generation) {
      return &issuer;
    }
  }
  return nullptr;
}

// The sidecar: "v2 <CRL number> <revocation counter> <thisUpdate, Unix s>".
// An older sidecar (number, entry fingerprint, time) keeps its CRL number;
// its counter is taken as 0, so the next PublishDue looks at every
// revocation once.
CrlPublisher::State CrlPublisher::LoadState(
    const std::filesystem::path& crl_path) {
  State state;
  state.path = crl_path;
  auto text = ReadFileText(StatePath(crl_path));
  if (!text || !std::filesystem::exists(crl_path)) return state;
  std::istringstream in(*text);
  std::string first;
  std::int64_t seconds = 0;
  bool ok = false;
  if (in >> first && first == "v2") {
    ok = static_cast<bool>(in >> state.crl_number >> state.sequence >> seconds);
  } else {
    std::uint64_t fingerprint = 0;
    try {
      state.crl_number = std::stoull(first);
      ok = static_cast<bool>(in >> fingerprint >> seconds);
    } catch (...) {
      ok = false;
    }
    state.sequence = 0;
  }
  if (!ok) {
    state = State{};
    state.path = crl_path;
    return state;
  }
  state.this_update = TimePoint(std::chrono::seconds(seconds));
  return state;
}

std::filesystem::path CrlPublisher::PathOf(const std::string& url_path) const {
  return options_.directory / url_path.substr(5);  // drop "/crl/"
}

Result<PublishedCrl> CrlPublisher::Publish(const CrlPartition& partition) {
  return PublishPartition(partition, Need{});
}

Result<CrlSummary> CrlPublisher::Build(const CrlPartition& partition,
                                       const CrlIssuer& issuer,
                                       std::uint64_t crl_number,
                                       TimePoint this_update,
                                       const std::filesystem::path& out,
                                       std::uint64_t& sequence) {
  auto names = DistributionPointNames(partition, options_.base_url);
  if (!names) return Unexpected(names.error());
  CrlParameters params;
  params.issuer = issuer.signer->certificate();
  params.issuer_key_identifier = issuer.signer->key_identifier();
  params.signing_key = issuer.signer->openssl_private_key();
  params.crl_number = crl_number;
  params.this_update = this_update;
  params.next_update = params.this_update + options_.validity;
  params.distribution_point = names->get();

  // Read before the walk: the walk (a later snapshot) sees at least every
  // revocation numbered up to here.
  auto counter = store_.RevocationSequence();
  if (!counter) {
    return Fail(RevocationErrc::kStore, counter.error().ToString());
  }
  sequence = *counter;
  RevokedEntrySource source =
      [&](const std::function<bool(const RevokedEntry&)>& visit) -> Status {
    auto status = store_.ForEachRevoked(partition, visit);
    if (!status) return Fail(RevocationErrc::kStore, status.error().ToString());
    return Ok();
  };
  // The linter sees the exact bytes that will be published, read back
  // from the temporary file in 64 KiB chunks: constant memory whatever
  // the number of entries (CrlStreamLinter, pki/linter.h).
  CrlCheck lint = [&](const std::filesystem::path& temp) -> Status {
    CrlLintContext context;
    context.issuer = params.issuer;
    context.partition = partition;
    context.base_url = options_.base_url;
    context.now = params.this_update;
    context.max_validity = options_.validity;
    CrlStreamLinter linter(context);
    const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return Fail(RevocationErrc::kIo, "cannot read " + temp.string());
    std::vector<std::uint8_t> chunk(64 * 1024);
    ssize_t n;
    while ((n = ::read(fd, chunk.data(), chunk.size())) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        return Fail(RevocationErrc::kIo, "cannot read " + temp.string());
      }
      linter.Update(ByteView(chunk.data(), static_cast<std::size_t>(n)));
    }
    ::close(fd);
    const auto findings = linter.Finish();
    if (!findings.empty()) {
      return Fail(RevocationErrc::kLintFailed, FormatFindings(findings));
    }
    return Ok();
  };
  return WriteCrlFile(params, source, out, lint);
}

// A store shared by several publishers (CertificateStore::SharesCrls):
// under the partition's lock, the CRL another node stored is taken when it
// already covers what made this one due (`need`); otherwise the next
// number is built, stored and only then moved into place.
Result<CrlPublisher::State> CrlPublisher::PublishShared(
    const CrlPartition& partition, const CrlIssuer& issuer,
    const std::string& url_path, const State& state, const Need& need,
    CrlSummary& summary, bool& built) {
  const std::filesystem::path path = PathOf(url_path);
  const std::filesystem::path temp = path.string() + ".new";
  const TimePoint now = clock_.Now();
  built = false;
  auto stored = store_.PublishShared(
      url_path,
      [&](const std::optional<SharedCrl>& current)
          -> Result<std::optional<SharedCrl>> {
        if (current && need.adopt && current->sequence >= need.sequence &&
            current->this_update >= need.not_before &&
            now - current->this_update < options_.reissue_after) {
          return std::optional<SharedCrl>();  // take it
        }
        SharedCrl next;
        next.crl_number =
            std::max(current ? current->crl_number : 0, state.crl_number) + 1;
        next.this_update = std::chrono::floor<std::chrono::seconds>(now);
        OPENMYNA_ASSIGN_OR_RETURN(
            summary, Build(partition, issuer, next.crl_number, next.this_update,
                           temp, next.sequence));
        auto bytes = ReadFileBytes(temp);
        if (!bytes) return Fail(RevocationErrc::kIo, bytes.error().message());
        next.der = std::move(*bytes);
        built = true;
        return std::optional<SharedCrl>(std::move(next));
      });
  if (!stored || !*stored) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    if (!stored) {
      return Fail(RevocationErrc::kStore, stored.error().ToString());
    }
    return Fail(RevocationErrc::kStore, "no CRL stored for " + url_path);
  }
  const SharedCrl& crl = **stored;
  if (built) {
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) return Fail(RevocationErrc::kIo, "cannot replace " + path.string());
  } else {
    OPENMYNA_RETURN_IF_ERROR(
        WriteFileAtomically(path, ByteView(crl.der),
                            std::filesystem::perms::owner_read |
                                std::filesystem::perms::owner_write |
                                std::filesystem::perms::group_read |
                                std::filesystem::perms::others_read));
    summary = CrlSummary{0, crl.der.size()};
  }
  State out;
  out.crl_number = crl.crl_number;
  out.sequence = crl.sequence;
  out.this_update = crl.this_update;
  out.path = path;
  return out;
}

Result<PublishedCrl> CrlPublisher::PublishPartition(
    const CrlPartition& partition, const Need& need) {
  const CrlIssuer* issuer = IssuerOf(partition);
  if (issuer == nullptr || issuer->signer == nullptr) {
    return Fail(RevocationErrc::kInvalidParameters,
                "no CA key for partition " +
                    std::string(CaKindName(partition.ca)) + " g" +
                    std::to_string(partition.generation));
  }
  std::lock_guard lock(mutex_);
  const std::string url_path =
      CrlPath(partition.ca, partition.generation, partition.municipality_code);
  const std::filesystem::path path = PathOf(url_path);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Fail(RevocationErrc::kIo, "cannot create " + path.string());

  auto found = states_.find(url_path);
  State state = found != states_.end() ? found->second : LoadState(path);

  CrlSummary summary;
  bool built = true;
  if (store_.SharesCrls()) {
    OPENMYNA_ASSIGN_OR_RETURN(
        state, PublishShared(partition, *issuer, url_path, state, need, summary,
                             built));
  } else {
    state.crl_number += 1;
    state.this_update = std::chrono::floor<std::chrono::seconds>(clock_.Now());
    state.path = path;
    OPENMYNA_ASSIGN_OR_RETURN(
        summary, Build(partition, *issuer, state.crl_number, state.this_update,
                       path, state.sequence));
  }
  const std::string text =
      "v2 " + std::to_string(state.crl_number) + " " +
      std::to_string(state.sequence) + " " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         state.this_update.time_since_epoch())
                         .count()) +
      "\n";
  OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(StatePath(path), text));
  states_[url_path] = state;
  if (built) {
    log::Get("pki.crl")->info(
        "published {} (CRL number {}, {} entries, {} bytes)", url_path,
        state.crl_number, summary.entries, summary.der_bytes);
  } else {
    log::Get("pki.crl")->info(
        "took {} (CRL number {}, {} bytes) as another node published it",
        url_path, state.crl_number, summary.der_bytes);
  }
  return PublishedCrl{partition,        path,    url_path,
                      state.crl_number, summary, state.this_update};
}

Status CrlPublisher::ListPartitions() {
  std::map<std::string, CrlPartition> listed;
  for (const CrlIssuer& issuer : issuers_) {
    auto partitions = store_.Partitions(issuer.ca);
    if (!partitions) {
      return Fail(RevocationErrc::kStore, partitions.error().ToString());
    }
    for (CrlPartition& partition : *partitions) {
      if (partition.generation != issuer.generation) continue;
      listed.emplace(CrlPath(partition.ca, partition.generation,
                             partition.municipality_code),
                     std::move(partition));
    }
  }
  partitions_ = std::move(listed);
  listed_ = std::chrono::steady_clock::now();
  return Ok();
}

Result<std::vector<PublishedCrl>> CrlPublisher::PublishDue() {
  std::lock_guard due_lock(due_mutex_);
  const bool relist =
      partitions_.empty() ||
      std::chrono::steady_clock::now() - listed_ >= options_.relist_partitions;
  if (relist) OPENMYNA_RETURN_IF_ERROR(ListPartitions());
  auto sequence = store_.RevocationSequence();
  if (!sequence) {
    return Fail(RevocationErrc::kStore, sequence.error().ToString());
  }
  // The state of every partition (loaded from its sidecar the first time).
  std::map<std::string, State> states;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [url_path, partition] : partitions_) {
      auto found = states_.find(url_path);
      if (found == states_.end()) {
        State state = LoadState(PathOf(url_path));
        if (state.crl_number > 0) states_[url_path] = state;
        states[url_path] = state;
      } else {
        states[url_path] = found->second;
      }
    }
  }
  const TimePoint now = clock_.Now();
  // What each due partition's CRL must cover (a CRL another node stored
  // that covers it is taken as is; Need).
  std::map<std::string, Need> due;
  const auto make_due = [&](const std::string& url_path) -> Need& {
    auto [it, added] = due.try_emplace(url_path);
    if (added) it->second.adopt = true;
    return it->second;
  };
  std::uint64_t oldest = *sequence;
  for (const auto& [url_path, state] : states) {
    if (state.crl_number == 0 ||
        now - state.this_update >= options_.reissue_after) {
      make_due(url_path);
    } else {
      oldest = std::min(oldest, state.sequence);
    }
  }
  if (!seen_valid_) {
    seen_ = oldest;  // the first call: from what the sidecars cover
    seen_valid_ = true;
  }
  if (*sequence != seen_) {
    bool unknown_partition = false;
    std::uint64_t last = seen_;
    auto walked = store_.ForEachRevocationSince(
        seen_, [&](const RevocationChange& change) {
          last = change.sequence;
          const std::string url_path =
              CrlPath(change.partition.ca, change.partition.generation,
                      change.partition.municipality_code);
          auto state = states.find(url_path);
          if (state == states.end()) {
            if (IssuerOf(change.partition) != nullptr) unknown_partition = true;
            return true;
          }
          if (change.sequence <= state->second.sequence) return true;
          Need& need = make_due(url_path);
          need.sequence = std::max(need.sequence, change.sequence);
          if (change.entry.revocation_time > now) {
            auto [it, added] =
                pending_.emplace(url_path, change.entry.revocation_time);
            if (!added) {
              it->second = std::min(it->second, change.entry.revocation_time);
            }
          }
          return true;
        });
    if (!walked) {
      return Fail(RevocationErrc::kStore, walked.error().ToString());
    }
    seen_ = std::max(last, *sequence);
    if (unknown_partition) {
      // A revocation in a partition of a certificate issued after the last
      // listing: list again now (its CRL is missing, so it becomes due).
      OPENMYNA_RETURN_IF_ERROR(ListPartitions());
      for (const auto& [url_path, partition] : partitions_) {
        if (!states.contains(url_path)) make_due(url_path);
      }
    }
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second <= now) {
      Need& need = make_due(it->first);
      need.not_before = std::max(need.not_before, it->second);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<PublishedCrl> published;
  for (auto url = due.begin(); url != due.end(); ++url) {
    const std::string& url_path = url->first;
    auto partition = partitions_.find(url_path);
    if (partition == partitions_.end()) continue;
    auto result = PublishPartition(partition->second, url->second);
    if (!result) {
      // Tried again next round (the counter has moved past these).
      for (auto rest = url; rest != due.end(); ++rest) {
        auto [it, added] = pending_.emplace(rest->first, now);
        if (!added) it->second = std::min(it->second, now);
      }
      return Unexpected(result.error());
    }
    PublishedCrl crl = std::move(*result);
    // A revocation dated after this CRL's thisUpdate waits for the next.
    auto pending = pending_.find(url_path);
    if (pending != pending_.end() && pending->second <= crl.this_update) {
      pending_.erase(pending);
    }
    published.push_back(std::move(crl));
  }
  return published;
}

std::optional<std::filesystem::path> CrlPublisher::FileFor(
    std::string_view url_path) {
  std::lock_guard lock(mutex_);
  auto found = states_.find(std::string(url_path));
  if (found == states_.end()) return std::nullopt;
  return found->second.path;
}

std::optional<CurrentCrl> CrlPublisher::Current(std::string_view url_path) {
  std::lock_guard lock(mutex_);
  auto found = states_.find(std::string(url_path));
  if (found == states_.end()) return std::nullopt;
  const State& state = found->second;
  return CurrentCrl{state.path, state.crl_number, state.this_update,
                    state.this_update + options_.validity};
}

}  // namespace openmyna::pki::revocation
