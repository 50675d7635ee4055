// お知らせ: the notices a resident reads in the portal, with unread marks
// (issue 10, item 4). Most are derived from the records on each visit by
// RefreshResidentNotices — idempotent, one notice per (kind, subject):
//  - kRenewal: the card's renewal window is open (3 months before expiry,
//    domain::RenewalWindowOpens; also the registry's own renewal notices),
//  - kCertificateExpiry: a certificate in force expires within 3 months,
//  - kPresentationDeadline: after moving in, the card must be presented by
//    a date (90 days, domain.md §6),
//  - kCardVoid / kCertificateRevoked: the registry's notices of that kind,
//  - kThirdPartyAccess: someone other than the resident (not a batch job)
//    read or changed the resident's data (one per audit entry).
// kApplicationResult is written when a clerk decides an online application
// (online_applications.h). The text is the portal's (ja/en), from `kind`
// and `params`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

enum class ResidentNoticeKind {
  kRenewal,
  kCertificateExpiry,
  kPresentationDeadline,
  kApplicationResult,
  kThirdPartyAccess,
  kCardVoid,
  kCertificateRevoked,
};
std::string_view ToString(ResidentNoticeKind kind);
std::optional<ResidentNoticeKind> ParseResidentNoticeKind(std::string_view s);

struct ResidentNotice {
  std::string id;
  std::string resident_id;
  ResidentNoticeKind kind = ResidentNoticeKind::kRenewal;
  std::string subject;  // what it is about: "card:<id>", "audit:<id>", ...
  TimePoint created_at;
  std::optional<TimePoint> read_at;  // nullopt = unread
  // Values for the text: "date", "expires_on", "body", "role", "action",
  // "application_kind", "result", "reason", "serial", ...
  std::map<std::string, std::string> params;
};

// Writes the notices due at `now` that do not exist yet (see the file
// comment) for one resident. Returns how many were written.
Result<int> RefreshResidentNotices(RegistryTx& tx, std::string_view resident_id,
                                   TimePoint now, Rng& rng);

// Inserts `notice` unless one with its (resident, kind, subject) exists.
// Returns whether it was written. Its id is assigned when empty.
Result<bool> InsertResidentNotice(RegistryTx& tx, ResidentNotice notice,
                                  Rng& rng);

// The resident's notices, newest first.
Result<std::vector<ResidentNotice>> ListResidentNotices(
    RegistryTx& tx, std::string_view resident_id);
Result<int> CountUnreadResidentNotices(RegistryTx& tx,
                                       std::string_view resident_id);
// Marks one notice read (kNotFound unless it is this resident's). Reading
// it again keeps the first time.
Status MarkResidentNoticeRead(RegistryTx& tx, std::string_view resident_id,
                              std::string_view notice_id, TimePoint now);

}  // namespace openmyna::registry
