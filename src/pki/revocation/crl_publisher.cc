#include "openmyna/pki/revocation/crl_publisher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "openmyna/base/file_io.h"
#include "openmyna/base/log.h"
#include "openmyna/http/message.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/linter.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/revocation/errors.h"

namespace openmyna::pki::revocation {
namespace {

// FNV-1a (64 bit) over the entries: a cheap change detector, not a MAC.
void Fold(std::uint64_t& h, ByteView bytes) {
  for (std::uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
}

void FoldEntry(std::uint64_t& h, const RevokedEntry& entry) {
  Fold(h, entry.serial.bytes);
  const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                   entry.revocation_time.time_since_epoch())
                                   .count();
  const std::uint8_t tail[9] = {static_cast<std::uint8_t>(entry.reason),
                                static_cast<std::uint8_t>(seconds >> 56),
                                static_cast<std::uint8_t>(seconds >> 48),
                                static_cast<std::uint8_t>(seconds >> 40),
                                static_cast<std::uint8_t>(seconds >> 32),
                                static_cast<std::uint8_t>(seconds >> 24),
                                static_cast<std::uint8_t>(seconds >> 16),
                                static_cast<std::uint8_t>(seconds >> 8),
                                static_cast<std::uint8_t>(seconds)};
  Fold(h, tail);
}

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

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

CrlPublisher::State CrlPublisher::LoadState(
    const std::filesystem::path& crl_path) {
  State state;
  state.path = crl_path;
  auto text = ReadFileText(StatePath(crl_path));
  if (!text || !std::filesystem::exists(crl_path)) return state;
  std::istringstream in(*text);
  std::int64_t seconds = 0;
  if (in >> state.crl_number >> state.fingerprint >> seconds) {
    state.this_update = TimePoint(std::chrono::seconds(seconds));
  } else {
    state = State{};
    state.path = crl_path;
  }
  return state;
}

Result<std::uint64_t> CrlPublisher::Fingerprint(const CrlPartition& partition) {
  std::uint64_t h = kFnvOffset;
  const TimePoint now = clock_.Now();
  auto status = store_.ForEachRevoked(partition, [&](const RevokedEntry& e) {
    if (e.revocation_time <= now) FoldEntry(h, e);
    return true;
  });
  if (!status) return Fail(RevocationErrc::kStore, status.error().ToString());
  return h;
}

Result<PublishedCrl> CrlPublisher::Publish(const CrlPartition& partition) {
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
  const std::filesystem::path path =
      options_.directory / std::string(url_path).substr(5);  // drop "/crl/"
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Fail(RevocationErrc::kIo, "cannot create " + path.string());

  auto found = states_.find(url_path);
  State state = found != states_.end() ? found->second : LoadState(path);

  auto names = DistributionPointNames(partition, options_.base_url);
  if (!names) return Unexpected(names.error());
  CrlParameters params;
  params.issuer = issuer->signer->certificate();
  params.issuer_key_identifier = issuer->signer->key_identifier();
  params.signing_key = issuer->signer->openssl_private_key();
  params.crl_number = state.crl_number + 1;
  params.this_update = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  params.next_update = params.this_update + options_.validity;
  params.distribution_point = names->get();

  std::uint64_t fingerprint = kFnvOffset;
  RevokedEntrySource source =
      [&](const std::function<bool(const RevokedEntry&)>& visit) -> Status {
    fingerprint = kFnvOffset;
    auto status = store_.ForEachRevoked(partition, [&](const RevokedEntry& e) {
      if (e.revocation_time <= params.this_update) FoldEntry(fingerprint, e);
      return visit(e);
    });
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
  OPENMYNA_ASSIGN_OR_RETURN(CrlSummary summary,
                            WriteCrlFile(params, source, path, lint));

  state.crl_number = params.crl_number;
  state.fingerprint = fingerprint;
  state.this_update = params.this_update;
  state.path = path;
  const std::string text =
      std::to_string(state.crl_number) + " " + std::to_string(fingerprint) +
      " " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         params.this_update.time_since_epoch())
                         .count()) +
      "\n";
  OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(StatePath(path), text));
  states_[url_path] = state;
  log::Get("pki.crl")->info(
      "published {} (CRL number {}, {} entries, {} bytes)", url_path,
      state.crl_number, summary.entries, summary.der_bytes);
  return PublishedCrl{partition,        path,    url_path,
                      state.crl_number, summary, params.this_update};
}

Result<std::vector<PublishedCrl>> CrlPublisher::PublishDue() {
  std::vector<PublishedCrl> published;
  for (const CrlIssuer& issuer : issuers_) {
    auto partitions = store_.Partitions(issuer.ca);
    if (!partitions) {
      return Fail(RevocationErrc::kStore, partitions.error().ToString());
    }
    for (const CrlPartition& partition : *partitions) {
      if (partition.generation != issuer.generation) continue;
      const std::string url_path = CrlPath(partition.ca, partition.generation,
                                           partition.municipality_code);
      State state;
      {
        std::lock_guard lock(mutex_);
        auto found = states_.find(url_path);
        if (found != states_.end()) {
          state = found->second;
        } else {
          state =
              LoadState(options_.directory / std::string(url_path).substr(5));
          if (state.crl_number > 0) states_[url_path] = state;
        }
      }
      bool due = state.crl_number == 0 ||
                 clock_.Now() - state.this_update >= options_.reissue_after;
      if (!due) {
        OPENMYNA_ASSIGN_OR_RETURN(std::uint64_t fingerprint,
                                  Fingerprint(partition));
        due = fingerprint != state.fingerprint;
      }
      if (!due) continue;
      OPENMYNA_ASSIGN_OR_RETURN(PublishedCrl crl, Publish(partition));
      published.push_back(std::move(crl));
    }
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

Status CrlPublisher::AddRoutes(http::Router& router) {
  return router.Add("GET", "/crl/*", [this](const http::Request& request) {
    const auto path = FileFor(request.path);
    if (!path) {
      return http::Problem(404, "Not Found",
                           "no CRL is published at " + request.path);
    }
    auto der = ReadFileText(*path);
    if (!der) {
      return http::Problem(503, "Service Unavailable",
                           "the CRL cannot be read now");
    }
    http::Response response;
    response.content_type = "application/pkix-crl";  // RFC 2585 §4.2
    response.body = std::move(*der);
    return response;
  });
}

}  // namespace openmyna::pki::revocation
