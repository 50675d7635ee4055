// やりとり履歴: the audit trail as the statutory record of provision
// (情報提供等記録, 番号法 Art. 23; sign-in-portal.md §0 item 11): for each
// access, the time of the request and of the provision, the requesting and
// the providing bodies, the items of specific personal information, the
// purpose, and whether disclosure to the resident is withheld. Read from the
// registry's one audit log (AuditEntry); nothing here writes a second log.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

// Records are kept and shown for 7 years (番号法施行令 Art. 29: 7 years).
inline constexpr int kDisclosureRetentionYears = 7;

struct DisclosureRecord {
  std::string id;  // the audit entry's id
  TimePoint requested_at;
  TimePoint provided_at;
  Role requester_role = Role::kCounterClerk;
  std::string requester_id;        // the clerk, terminal or relying party id
  std::string requester;           // the body's name when the service gave one
  std::string provider;            // the body's name; "" = the registry itself
  std::vector<std::string> items;  // item keys: "basic4", "card", ...
  std::string action;
  std::string purpose;  // the reason given, or "" (then: by action)
  bool withheld = false;
  std::string on_behalf_of;
};

// The record of one audit entry, the empty Art. 23 fields derived from its
// action and role (docs/portal.md lists the defaults).
DisclosureRecord DisclosureRecordOf(const AuditEntry& entry);

struct DisclosureFilter {
  std::optional<TimePoint> from;  // provided_at >= from
  std::optional<TimePoint> to;    // provided_at <  to
  // Matches the requester's name or id, the provider, or the role name
  // exactly ("" = every body).
  std::string body;
};

// The body names a filter can choose from: each record's requester name
// (or role name when it has none), distinct, in first-seen order.
std::vector<std::string> DisclosureBodies(
    const std::vector<DisclosureRecord>& records);
// The key a record is filtered under (see DisclosureBodies).
std::string DisclosureBodyOf(const DisclosureRecord& record);

// The resident's records, newest first, within the retention period before
// `now` and the filter. Reads inside `tx`; the caller authorizes.
Result<std::vector<DisclosureRecord>> ListDisclosures(
    RegistryTx& tx, std::string_view resident_id, TimePoint now,
    const DisclosureFilter& filter);

// CSV (RFC 4180 §2): CRLF line ends; a field holding , " CR or LF is
// quoted with " doubled. The portal's download (header row first, in the
// page's language).
std::string ToCsv(const std::vector<std::vector<std::string>>& rows);

// The residents whose legal representative (法定代理人: a minor's parent,
// an adult ward's guardian) is `representative_id`, by id — whom a parent
// may see in the portal as a proxy (代理人, issue 10 item 7).
Result<std::vector<Resident>> ListRepresentedResidents(
    RegistryTx& tx, std::string_view representative_id);

// "YYYY-MM-DD HH:MM:SS" in JST.
std::string FormatJst(TimePoint at);

}  // namespace openmyna::registry
