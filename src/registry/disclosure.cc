#include "openmyna/registry/disclosure.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "openmyna/domain/date.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::registry {
namespace {

// The items an action touches when the writer named none (docs/portal.md).
std::vector<std::string> DefaultItems(std::string_view action) {
  if (action == "resident.lookup") return {"individual_number", "basic4"};
  if (action == "resident.read") return {"basic4", "card", "certificates"};
  if (action == "resident.register") return {"individual_number", "basic4"};
  if (action.starts_with("resident.")) return {"basic4", "card"};
  if (action == "card.suspend" || action == "card.report_loss" ||
      action == "card.add_certificates" || action == "card.deliver") {
    return {"card", "certificates"};
  }
  if (action.starts_with("card.") || action.starts_with("batch.")) {
    return {"card"};
  }
  if (action.starts_with("online_application.")) return {"application"};
  // A sign-in that released no attribute (scope openid): the card's
  // authentication result and the pairwise identifier only.
  if (action == "sign_in.release") return {"authentication_result"};
  return {"basic4"};
}

}  // namespace

DisclosureRecord DisclosureRecordOf(const AuditEntry& entry) {
  DisclosureRecord record;
  record.id = entry.id;
  record.provided_at = entry.at;
  record.requested_at = entry.requested_at.value_or(entry.at);
  record.requester_role = entry.role;
  record.requester_id = entry.actor_id;
  record.requester = entry.requester;
  record.provider = entry.provider;
  record.items = entry.items.empty() ? DefaultItems(entry.action) : entry.items;
  record.action = entry.action;
  record.purpose = entry.reason;
  record.withheld = entry.withheld;
  record.on_behalf_of = entry.on_behalf_of;
  return record;
}

std::string DisclosureBodyOf(const DisclosureRecord& record) {
  return record.requester.empty() ? std::string(ToString(record.requester_role))
                                  : record.requester;
}

std::vector<std::string> DisclosureBodies(
    const std::vector<DisclosureRecord>& records) {
  std::vector<std::string> bodies;
  for (const DisclosureRecord& record : records) {
    std::string body = DisclosureBodyOf(record);
    if (std::find(bodies.begin(), bodies.end(), body) == bodies.end()) {
      bodies.push_back(std::move(body));
    }
  }
  return bodies;
}

Result<std::vector<DisclosureRecord>> ListDisclosures(
    RegistryTx& tx, std::string_view resident_id, TimePoint now,
    const DisclosureFilter& filter) {
  OPENMYNA_ASSIGN_OR_RETURN(auto entries, tx.ListAudit(resident_id));
  const domain::Date today = domain::JapanDateOf(now);
  const TimePoint kept_from = domain::StartOfJapanDay(
      domain::AddMonths(today, -12 * kDisclosureRetentionYears));
  std::vector<DisclosureRecord> records;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->at < kept_from) continue;
    if (filter.from && it->at < *filter.from) continue;
    if (filter.to && it->at >= *filter.to) continue;
    DisclosureRecord record = DisclosureRecordOf(*it);
    if (!filter.body.empty() && filter.body != DisclosureBodyOf(record) &&
        filter.body != record.requester_id && filter.body != record.provider) {
      continue;
    }
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::vector<Resident>> ListRepresentedResidents(
    RegistryTx& tx, std::string_view representative_id) {
  // No column holds the representative: narrow with the document's text,
  // then check the parsed record (LIKE's '_' may match more).
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, tx.connection().Query(
                     "SELECT doc FROM residents WHERE doc LIKE $1 ORDER BY id",
                     {"%\"legal_representative_id\":\"" +
                      std::string(representative_id) + "\"%"}));
  std::vector<Resident> out;
  for (const SqlRow& row : rows) {
    const auto doc = nlohmann::json::parse(row[0].value_or(""), nullptr, false);
    if (!doc.is_object()) continue;
    Resident r;
    try {
      r = doc.get<Resident>();
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    if (r.legal_representative_id == representative_id) out.push_back(r);
  }
  return out;
}

std::string ToCsv(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      const std::string& field = row[i];
      if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        continue;
      }
      out += '"';
      for (char c : field) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

std::string FormatJst(TimePoint at) {
  const TimePoint jst = at + domain::kJstOffset;
  const auto day = std::chrono::floor<std::chrono::days>(jst);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(
      std::chrono::floor<std::chrono::seconds>(jst - day));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02ld:%02ld:%02lld",
                static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()),
                static_cast<long>(time.hours().count()),
                static_cast<long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()));
  return buffer;
}

}  // namespace openmyna::registry
