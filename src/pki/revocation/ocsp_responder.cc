#include "openmyna/pki/revocation/ocsp_responder.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "ocsp_request_shape.h"
#include "openmyna/base/base64.h"
#include "openmyna/base/log.h"
#include "openmyna/http/message.h"  // PercentDecode
#include "openmyna/pki/revocation/errors.h"

namespace openmyna::pki::revocation {
namespace {

// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED } without
// responseBytes (RFC 6960 §4.2.1): the fixed answers for errors.
OcspResponseDer StatusOnly(int status) {
  return std::make_shared<const std::string>(
      std::string{0x30, 0x03, 0x0a, 0x01, static_cast<char>(status)});
}

struct OcspRequestDeleter {
  void operator()(OCSP_REQUEST* p) const { OCSP_REQUEST_free(p); }
  void operator()(OCSP_CERTID* p) const { OCSP_CERTID_free(p); }
  void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); }
  void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); }
  // ASN1_INTEGER and ASN1_TIME are both ASN1_STRING.
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, OcspRequestDeleter>;

// The magnitude of a positive INTEGER without leading zeros; nullopt for
// negative or zero serials (never issued, RFC 5280 §4.1.2.2).
std::optional<Bytes> SerialBytes(const ASN1_INTEGER* serial) {
  if (serial == nullptr || ASN1_STRING_type(serial) != V_ASN1_INTEGER) {
    return std::nullopt;
  }
  const unsigned char* data = ASN1_STRING_get0_data(serial);
  int n = ASN1_STRING_length(serial);
  while (n > 0 && *data == 0) {
    ++data;
    --n;
  }
  if (n == 0 || n > 20) return std::nullopt;
  return Bytes(data, data + n);
}

Owned<ASN1_TIME> Asn1Time(TimePoint when) {
  return Owned<ASN1_TIME>(
      ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(when)));
}

// FNV-1a 64 of a response: a cheap identity for HTTP validators (ETag),
// computed once when the response is signed.
std::uint64_t Fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Statuses only move forward (a hold is never lifted, jpki.md §4.3; it may
// become permanent): good < on hold < revoked for good.
int Rank(const CertificateStatus& status) {
  if (status.kind != CertificateStatus::Kind::kRevoked) return 0;
  return status.reason == RevocationReason::kCertificateHold ? 1 : 2;
}

constexpr std::array<int, 4> kHashNids = {NID_sha1, NID_sha256, NID_sha384,
                                          NID_sha512};
constexpr std::size_t kShards = 16;

}  // namespace

struct OcspResponder::Impl {
  struct Served {
    OcspIssuer issuer;
    // One CertID per supported hash (serial 0), for OCSP_id_issuer_cmp.
    std::vector<std::pair<int, Owned<OCSP_CERTID>>> ids;
    // The same as DER (hashAlgorithm, issuerNameHash, issuerKeyHash TLVs)
    // for the fast path.
    std::vector<std::pair<int, Bytes>> fields;
  };
  struct Entry {
    OcspResponseDer der;
    TimePoint this_update;
    TimePoint next_update;
    CertificateStatus status;
    std::size_t issuer = 0;
    int hash_nid = NID_sha1;
    Bytes serial;
    std::uint64_t fingerprint = 0;

    OcspAnswer ToAnswer() const {
      return {der, true, this_update, next_update, fingerprint};
    }
  };
  // Heterogeneous lookup (C++20): the hot path looks up a string_view
  // built on the stack, without allocating a key.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const {
      return std::hash<std::string_view>{}(k);
    }
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> map;
  };

  Impl(std::vector<OcspIssuer> issuers, CertificateStore& s, const Clock& c,
       OcspOptions o)
      : store(s), clock(c), options(o) {
    // Every response cached from now on reads a status at least as recent
    // as this counter; SyncRevocations starts after it (0 on failure: the
    // first sync then walks every revocation once).
    if (auto sequence = store.RevocationSequence()) seen_sequence = *sequence;
    for (OcspIssuer& issuer : issuers) {
      Served served;
      served.issuer = issuer;
      Owned<ASN1_INTEGER> zero(ASN1_INTEGER_new());
      for (int nid : kHashNids) {
        served.ids.emplace_back(
            nid,
            Owned<OCSP_CERTID>(OCSP_cert_id_new(
                EVP_get_digestbynid(nid),
                X509_get_subject_name(issuer.ca_certificate),
                X509_get0_pubkey_bitstr(issuer.ca_certificate), zero.get())));
        // CertID with serial 0 = SEQUENCE { fields..., 02 01 00 }: keep
        // the fields.
        unsigned char* der = nullptr;
        const int n = i2d_OCSP_CERTID(served.ids.back().second.get(), &der);
        std::size_t pos = 0;
        if (n > 5 && der[0] == 0x30) {
          pos = der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7f);
          served.fields.emplace_back(
              nid, Bytes(der + pos, der + static_cast<std::size_t>(n) - 3));
        }
        OPENSSL_free(der);
      }
      served_.push_back(std::move(served));
    }
  }

  static std::string Key(std::size_t issuer, int nid, ByteView serial) {
    std::string key;
    key.reserve(serial.size() + 3);
    key.push_back(static_cast<char>(issuer));
    key.push_back(static_cast<char>(nid & 0xff));
    key.push_back(static_cast<char>((nid >> 8) & 0xff));
    key.append(serial.begin(), serial.end());
    return key;
  }
  // The same key in `buffer` (at least 3 + 20 bytes); nullopt for a serial
  // longer than any we issue (RFC 5280 §4.1.2.2: 20 octets).
  static std::optional<std::string_view> KeyIn(char* buffer, std::size_t issuer,
                                               int nid, ByteView serial) {
    if (serial.size() > 20) return std::nullopt;
    buffer[0] = static_cast<char>(issuer);
    buffer[1] = static_cast<char>(nid & 0xff);
    buffer[2] = static_cast<char>((nid >> 8) & 0xff);
    std::memcpy(buffer + 3, serial.data(), serial.size());
    return std::string_view(buffer, serial.size() + 3);
  }

  // The cache hit without OpenSSL's decoder: a simple request
  // (ocsp_request_shape.h) whose CertID names a served issuer and whose
  // fresh response is cached. nullptr otherwise (the general path then
  // answers, with identical results).
  std::optional<OcspAnswer> FastHit(ByteView der) {
    const auto simple = internal::ParseSimpleOcspRequest(der);
    if (!simple || simple->serial.empty()) return std::nullopt;
    for (std::size_t i = 0; i < served_.size(); ++i) {
      for (const auto& [nid, fields] : served_[i].fields) {
        if (fields.size() != simple->issuer_fields.size() ||
            std::memcmp(fields.data(), simple->issuer_fields.data(),
                        fields.size()) != 0) {
          continue;
        }
        char buffer[32];
        const auto key = KeyIn(buffer, i, nid, simple->serial);
        if (!key) return std::nullopt;
        Shard& shard = ShardOf(*key);
        std::shared_lock lock(shard.mutex);
        auto it = shard.map.find(*key);
        if (it != shard.map.end() && clock.Now() < it->second.next_update) {
          return it->second.ToAnswer();
        }
        return std::nullopt;
      }
    }
    return std::nullopt;
  }
  Shard& ShardOf(std::string_view key) {
    return shards[KeyHash{}(key) % kShards];
  }

  // The served issuer named by a CertID, or nullopt.
  std::optional<std::size_t> IssuerOf(OCSP_CERTID* id) const {
    for (std::size_t i = 0; i < served_.size(); ++i) {
      for (const auto& [nid, issuer_id] : served_[i].ids) {
        if (OCSP_id_issuer_cmp(issuer_id.get(), id) == 0) return i;
      }
    }
    return std::nullopt;
  }

  // The status of `serial` as seen by issuer `i` (unknown when the store
  // has it under another CA or generation).
  Result<CertificateStatus> StatusFor(std::size_t i, const Bytes& serial) {
    Serial s{serial};
    OPENMYNA_ASSIGN_OR_RETURN(auto record, store.Find(s));
    CertificateStatus status;
    const OcspIssuer& issuer = served_[i].issuer;
    if (!record || record->partition.ca != issuer.ca ||
        record->partition.generation != issuer.generation) {
      return status;  // unknown
    }
    if (record->revocation_reason) {
      status.kind = CertificateStatus::Kind::kRevoked;
      status.reason = *record->revocation_reason;
      status.revocation_time = record->revocation_time.value_or(TimePoint{});
    } else {
      status.kind = CertificateStatus::Kind::kGood;
    }
    return status;
  }

  struct Single {
    OCSP_CERTID* id;  // borrowed
    CertificateStatus status;
  };

  // Signs a successful response for `singles` with issuer `i`'s responder.
  OcspResponseDer Sign(std::size_t i, const std::vector<Single>& singles,
                       OCSP_REQUEST* nonce_from, TimePoint now,
                       TimePoint* next_out) {
    const OcspIssuer& issuer = served_[i].issuer;
    EVP_PKEY* key = issuer.responder->openssl_private_key();
    if (key == nullptr) return StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
    const TimePoint this_update = std::chrono::floor<std::chrono::seconds>(now);
    const TimePoint next_update = this_update + options.validity;
    if (next_out) *next_out = next_update;
    Owned<ASN1_TIME> this_time = Asn1Time(this_update);
    Owned<ASN1_TIME> next_time = Asn1Time(next_update);
    Owned<OCSP_BASICRESP> basic(OCSP_BASICRESP_new());
    for (const Single& single : singles) {
      int kind = V_OCSP_CERTSTATUS_UNKNOWN;
      int reason = -1;
      Owned<ASN1_TIME> revoked_at;
      if (single.status.kind == CertificateStatus::Kind::kGood) {
        kind = V_OCSP_CERTSTATUS_GOOD;
      } else if (single.status.kind == CertificateStatus::Kind::kRevoked) {
        kind = V_OCSP_CERTSTATUS_REVOKED;
        revoked_at = Asn1Time(single.status.revocation_time);
        // RFC 6960 §4.2.1 revocationReason; unspecified is left out as in
        // the CRL (RFC 5280 §5.3.1).
        if (single.status.reason != RevocationReason::kUnspecified) {
          reason = static_cast<int>(single.status.reason);
        }
      }
      if (OCSP_basic_add1_status(basic.get(), single.id, kind, reason,
                                 revoked_at.get(), this_time.get(),
                                 next_time.get()) == nullptr) {
        ERR_clear_error();
        return StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
      }
    }
    if (nonce_from != nullptr &&
        OCSP_copy_nonce(basic.get(), nonce_from) <= 0) {
      ERR_clear_error();
      return StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
    }
    // ResponderID byKey (RFC 6960 §4.2.2.3); the responder certificate is
    // included so that clients can check its delegation (§4.2.2.2).
    if (OCSP_basic_sign(basic.get(), issuer.responder->certificate(), key,
                        EVP_sha256(), nullptr, OCSP_RESPID_KEY) != 1) {
      ERR_clear_error();
      return StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
    }
    Owned<OCSP_RESPONSE> response(
        OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
    unsigned char* out = nullptr;
    const int n = response ? i2d_OCSP_RESPONSE(response.get(), &out) : -1;
    if (n <= 0) {
      ERR_clear_error();
      return StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
    }
    auto der = std::make_shared<const std::string>(
        reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return der;
  }

  // Signs and caches the response for one (issuer, hash, serial). A
  // cached entry with a more advanced status (a revocation signed by
  // SyncRevocations while this status was read) is kept and returned.
  OcspAnswer SignAndCache(std::size_t i, int nid, const Bytes& serial,
                          OCSP_CERTID* id, const CertificateStatus& st) {
    TimePoint next{};
    const TimePoint now = clock.Now();
    OcspResponseDer der = Sign(i, {{id, st}}, nullptr, now, &next);
    if (der->size() <= 5) return {der};  // an error status: never cached
    Entry entry{der,    std::chrono::floor<std::chrono::seconds>(now),
                next,   st,
                i,      nid,
                serial, Fnv1a(*der)};
    const std::string key = Key(i, nid, serial);
    Shard& shard = ShardOf(key);
    std::unique_lock lock(shard.mutex);
    auto it = shard.map.find(key);
    if (it != shard.map.end() && Rank(it->second.status) > Rank(st) &&
        now < it->second.next_update) {
      return it->second.ToAnswer();
    }
    OcspAnswer answer = entry.ToAnswer();
    shard.map.insert_or_assign(key, std::move(entry));
    return answer;
  }

  Owned<OCSP_CERTID> MakeId(std::size_t i, int nid, const Bytes& serial) {
    BIGNUM* bn =
        BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    Owned<ASN1_INTEGER> number(BN_to_ASN1_INTEGER(bn, nullptr));
    BN_free(bn);
    X509* ca = served_[i].issuer.ca_certificate;
    return Owned<OCSP_CERTID>(
        OCSP_cert_id_new(EVP_get_digestbynid(nid), X509_get_subject_name(ca),
                         X509_get0_pubkey_bitstr(ca), number.get()));
  }

  OcspAnswer Respond(ByteView der);

  CertificateStore& store;
  const Clock& clock;
  OcspOptions options;
  std::vector<Served> served_;
  std::array<Shard, kShards> shards;
  std::atomic<std::uint64_t> requests{0}, hits{0}, live{0}, presigned{0},
      malformed{0}, unauthorized{0};
  OcspResponseDer malformed_der =
      StatusOnly(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  OcspResponseDer unauthorized_der =
      StatusOnly(OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  OcspResponseDer internal_der = StatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR);
  std::shared_ptr<spdlog::logger> log = log::Get("pki.ocsp");
  std::mutex sync_mutex;            // one SyncRevocations at a time
  std::uint64_t seen_sequence = 0;  // guarded by sync_mutex
};

OcspAnswer OcspResponder::Impl::Respond(ByteView der) {
  ++requests;
  if (auto hit = FastHit(der)) {
    ++hits;
    return std::move(*hit);
  }
  const unsigned char* p = der.data();
  Owned<OCSP_REQUEST> request(
      der.empty()
          ? nullptr
          : d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  if (!request || p != der.data() + der.size()) {
    ERR_clear_error();
    ++malformed;
    return {malformed_der};
  }
  const int count = OCSP_request_onereq_count(request.get());
  if (count <= 0) {
    ++malformed;
    return {malformed_der};
  }
  const bool has_nonce = OCSP_REQUEST_get_ext_by_NID(
                             request.get(), NID_id_pkix_OCSP_Nonce, -1) >= 0;
  const bool echo = has_nonce && options.nonce == NoncePolicy::kEcho;

  std::optional<std::size_t> issuer;
  std::vector<Single> singles;
  std::vector<std::pair<int, Bytes>> keys;
  for (int k = 0; k < count; ++k) {
    OCSP_CERTID* id =
        OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), k));
    ASN1_OBJECT* md = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (id == nullptr ||
        OCSP_id_get0_info(nullptr, &md, nullptr, &serial, id) != 1) {
      ++malformed;
      return {malformed_der};
    }
    const std::optional<std::size_t> which = IssuerOf(id);
    // RFC 6960 §2.3 unauthorized: "the server is not capable of responding
    // authoritatively"; one response has one signer, so every CertID must
    // name the same served issuer.
    if (!which || (issuer && *issuer != *which)) {
      ++unauthorized;
      return {unauthorized_der};
    }
    issuer = which;
    const std::optional<Bytes> bytes = SerialBytes(serial);
    keys.emplace_back(OBJ_obj2nid(md), bytes.value_or(Bytes{}));
    singles.push_back({id, CertificateStatus{}});
  }

  // The hot path: one certificate, no nonce to echo, fresh cache entry.
  if (count == 1 && !echo && !keys[0].second.empty()) {
    const std::string key = Key(*issuer, keys[0].first, keys[0].second);
    Shard& shard = ShardOf(key);
    {
      std::shared_lock lock(shard.mutex);
      auto it = shard.map.find(key);
      if (it != shard.map.end() && clock.Now() < it->second.next_update) {
        ++hits;
        return it->second.ToAnswer();
      }
    }
  }

  for (std::size_t k = 0; k < singles.size(); ++k) {
    if (keys[k].second.empty()) continue;  // unknown
    auto status = StatusFor(*issuer, keys[k].second);
    if (!status) {
      log->error("status lookup failed: {}", status.error().ToString());
      return {internal_der};
    }
    singles[k].status = *status;
  }
  ++live;
  if (count == 1 && !echo && !keys[0].second.empty() &&
      singles[0].status.kind != CertificateStatus::Kind::kUnknown) {
    return SignAndCache(*issuer, keys[0].first, keys[0].second, singles[0].id,
                        singles[0].status);
  }
  return {Sign(*issuer, singles, echo ? request.get() : nullptr, clock.Now(),
               nullptr)};
}

OcspResponder::OcspResponder(std::vector<OcspIssuer> issuers,
                             CertificateStore& store, const Clock& clock,
                             OcspOptions options)
    : impl_(std::make_unique<Impl>(std::move(issuers), store, clock, options)) {
}

OcspResponder::~OcspResponder() = default;

OcspResponseDer OcspResponder::Respond(ByteView request_der) {
  return impl_->Respond(request_der).der;
}

OcspAnswer OcspResponder::Answer(ByteView request_der) {
  return impl_->Respond(request_der);
}

OcspAnswer OcspResponder::Malformed() {
  ++impl_->requests;
  ++impl_->malformed;
  return {impl_->malformed_der};
}

Result<std::uint64_t> OcspResponder::Warm(const std::atomic<bool>* stop,
                                          int threads) {
  Impl& s = *impl_;
  if (threads <= 0) {
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  // Serial and status only (no certificate DER): ~60 bytes per
  // certificate, then the signatures in parallel.
  struct Work {
    std::size_t issuer;
    Bytes serial;
    CertificateStatus status;
  };
  std::vector<Work> work;
  for (std::size_t i = 0; i < s.served_.size(); ++i) {
    const OcspIssuer& issuer = s.served_[i].issuer;
    auto walked = s.store.ForEachStatus(
        issuer.ca, [&](const CertificateStatusEntry& entry) {
          if (entry.generation == issuer.generation) {
            work.push_back({i, entry.serial.bytes, entry.status});
          }
          return true;
        });
    if (!walked) {
      return Fail(RevocationErrc::kStore, walked.error().ToString());
    }
  }
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> signed_count{0};
  auto worker = [&] {
    for (;;) {
      if (stop && stop->load()) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= work.size()) return;
      const Work& w = work[k];
      // A response signed meanwhile on a miss (or by Sync) stays.
      const std::string key = Impl::Key(w.issuer, NID_sha1, w.serial);
      {
        Impl::Shard& shard = s.ShardOf(key);
        std::shared_lock lock(shard.mutex);
        if (shard.map.contains(key)) continue;
      }
      auto id = s.MakeId(w.issuer, NID_sha1, w.serial);
      s.SignAndCache(w.issuer, NID_sha1, w.serial, id.get(), w.status);
      ++signed_count;
      ++s.presigned;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return signed_count.load();
}

std::uint64_t OcspResponder::Refresh() {
  Impl& s = *impl_;
  const TimePoint now = s.clock.Now();
  std::uint64_t refreshed = 0;
  for (Impl::Shard& shard : s.shards) {
    std::vector<Impl::Entry> due;
    {
      std::shared_lock lock(shard.mutex);
      for (const auto& [key, entry] : shard.map) {
        if (entry.next_update - s.options.refresh_before <= now) {
          due.push_back(entry);
        }
      }
    }
    for (const Impl::Entry& entry : due) {
      auto status = s.StatusFor(entry.issuer, entry.serial);
      if (!status) continue;
      auto id = s.MakeId(entry.issuer, entry.hash_nid, entry.serial);
      s.SignAndCache(entry.issuer, entry.hash_nid, entry.serial, id.get(),
                     *status);
      ++refreshed;
      ++s.presigned;
    }
  }
  return refreshed;
}

Result<std::uint64_t> OcspResponder::SyncRevocations() {
  Impl& s = *impl_;
  std::lock_guard sync(s.sync_mutex);
  auto sequence = s.store.RevocationSequence();
  if (!sequence)
    return Fail(RevocationErrc::kStore, sequence.error().ToString());
  if (*sequence == s.seen_sequence) return std::uint64_t{0};
  std::uint64_t changed = 0;
  std::uint64_t last = s.seen_sequence;
  auto walked = s.store.ForEachRevocationSince(
      s.seen_sequence, [&](const RevocationChange& change) {
        last = change.sequence;
        for (std::size_t i = 0; i < s.served_.size(); ++i) {
          const OcspIssuer& issuer = s.served_[i].issuer;
          if (issuer.ca != change.partition.ca ||
              issuer.generation != change.partition.generation) {
            continue;
          }
          CertificateStatus revoked;
          revoked.kind = CertificateStatus::Kind::kRevoked;
          revoked.reason = change.entry.reason;
          revoked.revocation_time = change.entry.revocation_time;
          const Bytes& serial = change.entry.serial.bytes;
          for (int nid : kHashNids) {
            // SHA-1 always (a live miss racing with this revocation must
            // find the revoked answer, not insert a stale good one: see
            // SignAndCache); other hashes when a client asked for them.
            if (nid != NID_sha1) {
              const std::string key = Impl::Key(i, nid, serial);
              Impl::Shard& shard = s.ShardOf(key);
              std::shared_lock lock(shard.mutex);
              if (!shard.map.contains(key)) continue;
            }
            auto id = s.MakeId(i, nid, serial);
            s.SignAndCache(i, nid, serial, id.get(), revoked);
            ++changed;
            ++s.presigned;
          }
        }
        return true;
      });
  if (!walked) return Fail(RevocationErrc::kStore, walked.error().ToString());
  s.seen_sequence = std::max(last, *sequence);
  return changed;
}

void OcspResponder::Invalidate(const Serial& serial) {
  Impl& s = *impl_;
  std::size_t start = 0;
  while (start < serial.bytes.size() && serial.bytes[start] == 0) ++start;
  const Bytes bytes(serial.bytes.begin() + static_cast<std::ptrdiff_t>(start),
                    serial.bytes.end());
  for (std::size_t i = 0; i < s.served_.size(); ++i) {
    for (int nid : kHashNids) {
      const std::string key = Impl::Key(i, nid, bytes);
      Impl::Shard& shard = s.ShardOf(key);
      std::unique_lock lock(shard.mutex);
      shard.map.erase(key);
    }
  }
}

OcspStats OcspResponder::stats() const {
  const Impl& s = *impl_;
  OcspStats out;
  out.requests = s.requests;
  out.cache_hits = s.hits;
  out.live_signatures = s.live;
  out.presigned = s.presigned;
  out.malformed = s.malformed;
  out.unauthorized = s.unauthorized;
  for (const Impl::Shard& shard : s.shards) {
    std::shared_lock lock(shard.mutex);
    out.cached_entries += shard.map.size();
  }
  return out;
}

std::string EncodeOcspGetPath(ByteView der) {
  std::string out;
  for (const char c : Base64Encode(der)) {
    if (c == '+') {
      out += "%2B";
    } else if (c == '/') {
      out += "%2F";
    } else if (c == '=') {
      out += "%3D";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<Bytes> DecodeOcspGetPath(std::string_view segment) {
  std::string text;
  if (!http::PercentDecode(segment, text)) return std::nullopt;
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t group = 0;
    const bool last = i + 4 == text.size();
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int v;
      if (c == '=' && last && j >= 4 - padding) {
        v = 0;
      } else {
        v = value(c);
        if (v < 0) return std::nullopt;
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<std::uint8_t>(group >> 16));
    if (!(last && padding >= 2))
      out.push_back(static_cast<std::uint8_t>(group >> 8));
    if (!(last && padding >= 1))
      out.push_back(static_cast<std::uint8_t>(group));
  }
  return out;
}

}  // namespace openmyna::pki::revocation
