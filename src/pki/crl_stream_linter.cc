// CrlStreamLinter (linter.h): the CRL rules over a DER stream, in constant
// memory. The CertificateList (RFC 5280 §5.1) is walked as a sequence of
// TLVs:
//   SEQUENCE {                      outer header      (not signed)
//     SEQUENCE {                    TBSCertList header (hashed from here)
//       version, signature, issuer, thisUpdate, nextUpdate   "head" TLVs
//       SEQUENCE OF entry           header, then one entry at a time
//       [0] crlExtensions           one TLV
//     }                             (hashed up to here)
//     signatureAlgorithm, signatureValue BIT STRING }
// The head and the extensions are re-assembled into a CRL without entries
// that OpenSSL parses (d2i_X509_CRL) and the shared field rules check.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>

#include "internal/crl_lint.h"
#include "internal/openssl_util.h"
#include "openmyna/pki/linter.h"

namespace openmyna::pki {
namespace {

constexpr std::size_t kMaxElement = 1 << 20;  // head/extension TLV cap

// reasonCode (RFC 5280 §5.3.1): id-ce 21.
constexpr std::uint8_t kReasonOid[] = {0x06, 0x03, 0x55, 0x1d, 0x15};

struct Tlv {
  std::uint8_t tag = 0;
  std::size_t header = 0;  // tag + length octets
  std::size_t length = 0;  // contents
};

// Parses a DER header (X.690 §8.1.2-8.1.3: single-octet tag, definite
// minimal length of at most 4 octets). 0 header: need more bytes; nullopt:
// not DER.
std::optional<Tlv> ParseHeader(ByteView in) {
  Tlv t;
  if (in.size() < 2) return t;
  t.tag = in[0];
  if ((t.tag & 0x1f) == 0x1f) return std::nullopt;  // multi-octet tag
  const std::uint8_t first = in[1];
  if (first < 0x80) {
    t.header = 2;
    t.length = first;
    return t;
  }
  const std::size_t n = first & 0x7f;
  if (n == 0 || n > 4) return std::nullopt;  // indefinite or too long
  if (in.size() < 2 + n) return t;
  std::size_t length = 0;
  for (std::size_t i = 0; i < n; ++i) length = (length << 8) | in[2 + i];
  if (in[2] == 0 || length < 0x80) return std::nullopt;  // not minimal
  t.header = 2 + n;
  t.length = length;
  return t;
}

// Reads one complete TLV from `in` at `pos`; nullopt when malformed or
// truncated.
std::optional<ByteView> Next(ByteView in, std::size_t& pos, std::uint8_t tag) {
  if (pos >= in.size()) return std::nullopt;
  auto t = ParseHeader(in.subspan(pos));
  if (!t || t->header == 0 || t->tag != tag ||
      t->header + t->length > in.size() - pos) {
    return std::nullopt;
  }
  ByteView contents = in.subspan(pos + t->header, t->length);
  pos += t->header + t->length;
  return contents;
}

int Digits(ByteView s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// UTCTime YYMMDDHHMMSSZ / GeneralizedTime YYYYMMDDHHMMSSZ as RFC 5280
// §4.1.2.5.1-2 requires them (Z, seconds, no fraction).
std::optional<TimePoint> ParseTime(std::uint8_t tag, ByteView s) {
  int year;
  std::size_t at;
  if (tag == 0x17 && s.size() == 13) {
    year = Digits(s, 0, 2);
    if (year < 0) return std::nullopt;
    year += year >= 50 ? 1900 : 2000;
    at = 2;
  } else if (tag == 0x18 && s.size() == 15) {
    year = Digits(s, 0, 4);
    at = 4;
  } else {
    return std::nullopt;
  }
  const int month = Digits(s, at, 2), day = Digits(s, at + 2, 2),
            hour = Digits(s, at + 4, 2), minute = Digits(s, at + 6, 2),
            second = Digits(s, at + 8, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59 || s.back() != 'Z') {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{
      std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
      std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

}  // namespace

struct CrlStreamLinter::State {
  enum class Step {
    kOuter,      // CertificateList header
    kTbs,        // TBSCertList header
    kHead,       // version .. nextUpdate, one TLV at a time
    kEntries,    // entries until entries_end
    kTail,       // [0] crlExtensions, until tbs_end
    kSignature,  // signatureAlgorithm, signatureValue
    kDone,
    kBroken,
  };

  CrlLintContext ctx;
  Step step = Step::kOuter;
  Bytes pending;             // bytes of the element being assembled
  std::uint64_t offset = 0;  // stream offset of pending[0]
  std::uint64_t outer_end = 0, tbs_end = 0, entries_end = 0;
  bool saw_time = false;  // thisUpdate read: a SEQUENCE now is the entries
  Bytes head;             // TBS fields before the entries
  Bytes extensions;       // the [0] TLV
  Bytes outer_algorithm;  // signatureAlgorithm TLV
  Bytes signature;        // BIT STRING contents without the unused-bits octet
  bool have_signature = false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest{
      nullptr, &EVP_MD_CTX_free};
  bool digest_ok = false;

  // Entry rules, accumulated.
  std::uint64_t entry_count = 0;
  Bytes previous_serial;
  Bytes last_time;  // cache: the encoded time of the previous entry
  std::optional<TimePoint> last_time_value;
  std::optional<TimePoint> this_update;  // from the head (for entry times)
  bool order = true, reasons = true, times = true;
  std::string der_problem;

  void Broken(std::string why) {
    if (der_problem.empty()) der_problem = std::move(why);
    step = Step::kBroken;
  }

  void Hash(ByteView bytes) {
    if (digest_ok &&
        EVP_DigestVerifyUpdate(digest.get(), bytes.data(), bytes.size()) != 1) {
      digest_ok = false;
    }
  }

  void CheckEntry(ByteView entry);
  void Feed(ByteView in);
  std::vector<LintFinding> Finish();
};

void CrlStreamLinter::State::CheckEntry(ByteView e) {
  std::size_t pos = 0;
  auto serial = Next(e, pos, 0x02);
  if (!serial || serial->empty() || serial->size() > 21 ||
      ((*serial)[0] & 0x80) != 0 ||
      (serial->size() > 1 && (*serial)[0] == 0 && ((*serial)[1] & 0x80) == 0)) {
    // RFC 5280 §4.1.2.2: positive INTEGER, at most 20 octets; X.690 §8.3.2
    // minimal encoding.
    Broken("an entry's userCertificate is not a positive DER INTEGER");
    return;
  }
  ByteView magnitude = *serial;
  if (magnitude[0] == 0) magnitude = magnitude.subspan(1);
  if (entry_count > 0) {
    const bool less = previous_serial.size() != magnitude.size()
                          ? previous_serial.size() < magnitude.size()
                          : std::lexicographical_compare(
                                previous_serial.begin(), previous_serial.end(),
                                magnitude.begin(), magnitude.end());
    if (!less) order = false;
  }
  previous_serial.assign(magnitude.begin(), magnitude.end());

  if (pos >= e.size()) {
    Broken("an entry has no revocationDate");
    return;
  }
  const std::uint8_t time_tag = e[pos];
  auto time = Next(e, pos, time_tag);
  if (!time) {
    Broken("an entry's revocationDate does not decode");
    return;
  }
  if (last_time.size() != time->size() + 1 || last_time[0] != time_tag ||
      !std::equal(time->begin(), time->end(), last_time.begin() + 1)) {
    last_time.assign(1, time_tag);
    last_time.insert(last_time.end(), time->begin(), time->end());
    last_time_value = ParseTime(time_tag, *time);
  }
  if (!last_time_value || (this_update && *last_time_value > *this_update)) {
    times = false;
  }

  if (pos < e.size()) {  // crlEntryExtensions
    auto list = Next(e, pos, 0x30);
    if (!list || list->empty()) {
      Broken("an entry's extensions do not decode");
      return;
    }
    std::size_t p = 0;
    while (p < list->size()) {
      auto ext = Next(*list, p, 0x30);
      if (!ext) {
        Broken("an entry extension does not decode");
        return;
      }
      std::size_t q = 0;
      const std::size_t oid_start = q;
      auto oid = Next(*ext, q, 0x06);
      if (!oid) {
        Broken("an entry extension has no OID");
        return;
      }
      const ByteView oid_tlv = ext->subspan(oid_start, q - oid_start);
      bool critical = false;
      if (q < ext->size() && (*ext)[q] == 0x01) {
        auto flag = Next(*ext, q, 0x01);
        // DER: a BOOLEAN is 0x00/0xff and DEFAULT FALSE is never encoded.
        if (!flag || flag->size() != 1 || (*flag)[0] != 0xff) {
          Broken("an entry extension's critical flag is not DER");
          return;
        }
        critical = true;
      }
      auto value = Next(*ext, q, 0x04);
      if (!value || q != ext->size()) {
        Broken("an entry extension's value does not decode");
        return;
      }
      if (std::equal(oid_tlv.begin(), oid_tlv.end(), std::begin(kReasonOid),
                     std::end(kReasonOid))) {
        std::size_t r = 0;
        auto code = Next(*value, r, 0x0a);
        const int v =
            code && code->size() == 1 && r == value->size() ? (*code)[0] : -1;
        auto parsed = ReasonFromValue(v);
        if (critical || !parsed ||
            *parsed == RevocationReason::kRemoveFromCrl ||
            *parsed == RevocationReason::kUnspecified) {
          reasons = false;
        }
      }
    }
  }
  if (pos != e.size()) {
    Broken("an entry has trailing fields");
    return;
  }
  ++entry_count;
}

void CrlStreamLinter::State::Feed(ByteView in) {
  while (!in.empty() && step != Step::kBroken && step != Step::kDone) {
    // 1. Complete the header of the next element.
    std::optional<Tlv> t = ParseHeader(pending);
    while (t && t->header == 0 && !in.empty()) {
      pending.push_back(in[0]);
      in = in.subspan(1);
      t = ParseHeader(pending);
    }
    if (!t) {
      Broken("bad DER header at offset " + std::to_string(offset));
      return;
    }
    if (t->header == 0) return;  // need more bytes
    const std::uint64_t element_end = offset + t->header + t->length;

    // 2. Headers whose contents are walked element by element.
    const bool header_only =
        step == Step::kOuter || step == Step::kTbs ||
        (step == Step::kHead && saw_time && t->tag == 0x30);
    if (header_only) {
      if (step == Step::kOuter) {
        if (t->tag != 0x30) return Broken("not a SEQUENCE");
        outer_end = element_end;
        step = Step::kTbs;
      } else if (step == Step::kTbs) {
        if (t->tag != 0x30 || element_end > outer_end) {
          return Broken("no TBSCertList");
        }
        tbs_end = element_end;
        digest_ok = true;
        Hash(pending);
        step = Step::kHead;
      } else {
        if (element_end > tbs_end) return Broken("entries overrun the TBS");
        entries_end = element_end;
        Hash(pending);
        step = t->length == 0 ? Step::kTail : Step::kEntries;
      }
      offset += pending.size();
      pending.clear();
      if (step == Step::kTail && offset == tbs_end) step = Step::kSignature;
      continue;
    }

    // 3. A whole element: collect its contents.
    const std::size_t total = t->header + t->length;
    if (step != Step::kEntries && total > kMaxElement) {
      return Broken("a CRL field is larger than 1 MiB");
    }
    const std::size_t take = std::min(total - pending.size(), in.size());
    pending.insert(pending.end(), in.begin(),
                   in.begin() + static_cast<std::ptrdiff_t>(take));
    in = in.subspan(take);
    if (pending.size() < total) return;  // need more bytes

    const bool in_tbs =
        step == Step::kHead || step == Step::kEntries || step == Step::kTail;
    if (in_tbs) {
      if (element_end > tbs_end) return Broken("a field overruns the TBS");
      Hash(pending);
    }
    switch (step) {
      case Step::kHead:
        if (t->tag == 0x17 || t->tag == 0x18) saw_time = true;
        if (t->tag == 0xa0) {
          extensions = pending;
          step = Step::kTail;
        } else {
          Append(head, pending);
        }
        if (saw_time && this_update == std::nullopt &&
            (t->tag == 0x17 || t->tag == 0x18)) {
          this_update = ParseTime(
              t->tag, ByteView(pending).subspan(t->header, t->length));
        }
        break;
      case Step::kEntries:
        if (t->tag != 0x30 || element_end > entries_end) {
          return Broken("an entry is not a SEQUENCE inside the list");
        }
        CheckEntry(ByteView(pending).subspan(t->header, t->length));
        if (element_end == entries_end) step = Step::kTail;
        break;
      case Step::kTail:
        if (t->tag != 0xa0 || !extensions.empty()) {
          return Broken("unexpected field after the entries");
        }
        extensions = pending;
        break;
      case Step::kSignature:
        if (outer_algorithm.empty()) {
          if (t->tag != 0x30) return Broken("no signatureAlgorithm");
          outer_algorithm = pending;
        } else {
          if (t->tag != 0x03 || t->length < 1 || pending[t->header] != 0) {
            return Broken("signatureValue is not a whole BIT STRING");
          }
          signature.assign(
              pending.begin() + static_cast<std::ptrdiff_t>(t->header + 1),
              pending.end());
          have_signature = true;
          step = Step::kDone;
        }
        break;
      default:
        break;
    }
    offset += pending.size();
    pending.clear();
    if (in_tbs && offset == tbs_end) step = Step::kSignature;
    if (step == Step::kDone && offset != outer_end) {
      return Broken("the signature does not end the CertificateList");
    }
  }
  if (step == Step::kDone && !in.empty()) Broken("bytes after the CRL");
}

std::vector<LintFinding> CrlStreamLinter::State::Finish() {
  std::vector<LintFinding> out;
  if (step != Step::kDone || !pending.empty()) {
    Broken(step == Step::kBroken ? der_problem : "truncated");
  }
  if (step == Step::kBroken) {
    out.push_back({"crl.der", "not one DER CertificateList (RFC 5280 §5.1): " +
                                  der_problem});
    return out;
  }
  // The CRL without its entries, for OpenSSL's parse and the field rules.
  Bytes tbs = head;
  Append(tbs, extensions);
  Bytes body = internal::DerTlv(0x30, tbs);
  Append(body, outer_algorithm);
  Bytes bits{0x00};
  Append(bits, signature);
  Append(body, internal::DerTlv(0x03, bits));
  const Bytes skeleton = internal::DerTlv(0x30, body);
  const unsigned char* p = skeleton.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(skeleton.size())));
  if (!crl || p != skeleton.data() + skeleton.size()) {
    ERR_clear_error();
    out.push_back({"crl.der", "the CRL's fields do not parse (OpenSSL)"});
    return out;
  }
  internal::LintCrlFields(crl.get(), ctx, out);
  auto check = [&](bool ok, const char* rule, const char* detail) {
    if (!ok) out.push_back({rule, detail});
  };
  check(order, "crl.entries.order",
        "entries must be in strictly ascending serial order");
  check(reasons, "crl.entry.reason",
        "reasonCode must be a non-critical CRLReason other than "
        "removeFromCRL; unspecified is written by omitting it (RFC 5280 "
        "§5.3.1)");
  check(times, "crl.entry.time", "revocationDate must not be after thisUpdate");
  const bool verified = digest_ok && have_signature &&
                        EVP_DigestVerifyFinal(digest.get(), signature.data(),
                                              signature.size()) == 1;
  ERR_clear_error();
  check(verified, "crl.signature",
        "signature does not verify with the root's key");
  return out;
}

CrlStreamLinter::CrlStreamLinter(CrlLintContext context)
    : state_(std::make_unique<State>()) {
  state_->ctx = std::move(context);
  state_->digest.reset(EVP_MD_CTX_new());
  EVP_PKEY* key =
      state_->ctx.issuer ? X509_get0_pubkey(state_->ctx.issuer) : nullptr;
  // sha256WithRSAEncryption (RFC 4055 §5); crl.signatureAlgorithm checks
  // that the CRL says so.
  if (!state_->digest || key == nullptr ||
      EVP_DigestVerifyInit(state_->digest.get(), nullptr, EVP_sha256(), nullptr,
                           key) != 1) {
    ERR_clear_error();
    state_->Broken("no issuer key to verify with");
  }
}

CrlStreamLinter::~CrlStreamLinter() = default;

void CrlStreamLinter::Update(ByteView der) { state_->Feed(der); }

std::vector<LintFinding> CrlStreamLinter::Finish() { return state_->Finish(); }

std::uint64_t CrlStreamLinter::entries() const { return state_->entry_count; }

}  // namespace openmyna::pki
