#include "openmyna/registry/resident_notices.h"

#include <nlohmann/json.hpp>

#include "openmyna/base/bytes.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/validity.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::registry {
namespace {

constexpr std::pair<ResidentNoticeKind, std::string_view> kKindNames[] = {
    {ResidentNoticeKind::kRenewal, "renewal"},
    {ResidentNoticeKind::kCertificateExpiry, "certificate_expiry"},
    {ResidentNoticeKind::kPresentationDeadline, "presentation_deadline"},
    {ResidentNoticeKind::kApplicationResult, "application_result"},
    {ResidentNoticeKind::kThirdPartyAccess, "third_party_access"},
    {ResidentNoticeKind::kCardVoid, "card_void"},
    {ResidentNoticeKind::kCertificateRevoked, "certificate_revoked"},
};

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}
TimePoint FromSeconds(std::int64_t s) {
  return TimePoint(std::chrono::seconds(s));
}

Result<ResidentNotice> NoticeOfRow(const SqlRow& row) {
  // id, kind, subject, created_at, read_at, doc
  ResidentNotice notice;
  notice.id = row[0].value_or("");
  auto kind = ParseResidentNoticeKind(row[1].value_or(""));
  if (!kind) {
    return Fail(RegistryErrc::kStorage,
                "resident_notices.kind: unknown notice kind \"" +
                    row[1].value_or("") + "\"");
  }
  notice.kind = *kind;
  notice.subject = row[2].value_or("");
  notice.created_at = FromSeconds(std::stoll(row[3].value_or("0")));
  if (row[4]) notice.read_at = FromSeconds(std::stoll(*row[4]));
  auto doc = nlohmann::json::parse(row[5].value_or("{}"), nullptr, false);
  if (doc.is_object() && doc.contains("params") && doc["params"].is_object()) {
    for (const auto& [key, value] : doc["params"].items()) {
      if (value.is_string()) notice.params[key] = value.get<std::string>();
    }
  }
  notice.resident_id = doc.value("resident_id", "");
  return notice;
}

ResidentNotice Derived(std::string_view resident_id, ResidentNoticeKind kind,
                       std::string subject, TimePoint at,
                       std::map<std::string, std::string> params) {
  ResidentNotice notice;
  notice.resident_id = std::string(resident_id);
  notice.kind = kind;
  notice.subject = std::move(subject);
  notice.created_at = at;
  notice.params = std::move(params);
  return notice;
}

// The registry's own notices (RegistryService writes them) as portal ones.
void FromRegistryNotices(const std::vector<Notice>& notices,
                         std::vector<ResidentNotice>& due) {
  for (const Notice& n : notices) {
    switch (n.kind) {
      case NoticeKind::kRenewal:
        due.push_back(Derived(n.resident_id, ResidentNoticeKind::kRenewal,
                              "card:" + n.card_id, n.created_at,
                              {{"card_id", n.card_id}, {"text", n.text}}));
        break;
      case NoticeKind::kCardVoid:
        due.push_back(Derived(n.resident_id, ResidentNoticeKind::kCardVoid,
                              "void:" + n.card_id, n.created_at,
                              {{"card_id", n.card_id}, {"text", n.text}}));
        break;
      case NoticeKind::kCertificateRevoked:
        due.push_back(Derived(n.resident_id,
                              ResidentNoticeKind::kCertificateRevoked,
                              "notice:" + n.id, n.created_at,
                              {{"card_id", n.card_id}, {"text", n.text}}));
        break;
    }
  }
}

Status FromCards(RegistryTx& tx, std::string_view resident_id, TimePoint now,
                 std::vector<ResidentNotice>& due) {
  const domain::Date today = domain::JapanDateOf(now);
  OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident_id));
  for (const Card& card : cards) {
    if (card.state != CardState::kActive &&
        card.state != CardState::kSuspended) {
      continue;
    }
    if (auto expiry = domain::ParseDate(card.expires_on);
        expiry && domain::InRenewalWindow(*expiry, today)) {
      due.push_back(Derived(
          resident_id, ResidentNoticeKind::kRenewal, "card:" + card.id, now,
          {{"card_id", card.id},
           {"expires_on", card.expires_on},
           {"opens_on",
            domain::FormatDate(domain::RenewalWindowOpens(*expiry))}}));
    }
    if (!card.present_by.empty()) {
      due.push_back(Derived(resident_id,
                            ResidentNoticeKind::kPresentationDeadline,
                            "present:" + card.id + ":" + card.present_by, now,
                            {{"card_id", card.id}, {"date", card.present_by}}));
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto certificates, tx.ListCertificates(card.id));
    for (const Certificate& c : certificates) {
      if (c.revoked || c.not_after <= now) continue;
      const domain::Date last_day = domain::JapanDateOf(c.not_after);
      if (!domain::InRenewalWindow(last_day, today)) continue;
      due.push_back(Derived(resident_id, ResidentNoticeKind::kCertificateExpiry,
                            "cert:" + c.serial, now,
                            {{"serial", c.serial},
                             {"type", std::string(ToString(c.type))},
                             {"expires_on", domain::FormatDate(last_day)}}));
    }
  }
  return Ok();
}

// Third-party accesses written to the audit log since the last visit.
Status FromAudit(RegistryTx& tx, std::string_view resident_id,
                 std::vector<ResidentNotice>& due) {
  SqlConnection& db = tx.connection();
  OPENMYNA_ASSIGN_OR_RETURN(
      auto mark, db.Query("SELECT audit_seq FROM resident_notice_marks "
                          "WHERE resident_id = $1",
                          {std::string(resident_id)}));
  const std::int64_t after =
      mark.empty() ? 0 : std::stoll(mark[0][0].value_or("0"));
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT seq, doc FROM audit_log WHERE resident_id = "
                          "$1 AND seq > $2 ORDER BY seq",
                          {std::string(resident_id), after}));
  if (rows.empty()) return Ok();
  for (const SqlRow& row : rows) {
    auto doc = nlohmann::json::parse(row[1].value_or("{}"), nullptr, false);
    if (!doc.is_object()) continue;
    AuditEntry entry;
    try {
      entry = doc.get<AuditEntry>();
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    if (entry.role == Role::kResident || entry.role == Role::kSystem) continue;
    const DisclosureRecord record = DisclosureRecordOf(entry);
    due.push_back(Derived(resident_id, ResidentNoticeKind::kThirdPartyAccess,
                          "audit:" + entry.id, entry.at,
                          {{"body", DisclosureBodyOf(record)},
                           {"role", std::string(ToString(entry.role))},
                           {"actor", entry.actor_id},
                           {"action", entry.action},
                           {"withheld", entry.withheld ? "1" : "0"},
                           {"at", FormatJst(entry.at)}}));
  }
  const std::int64_t last = std::stoll(rows.back()[0].value_or("0"));
  return db
      .Query(
          "INSERT INTO resident_notice_marks (resident_id, audit_seq) VALUES "
          "($1, $2) ON CONFLICT (resident_id) DO UPDATE SET audit_seq = "
          "excluded.audit_seq",
          {std::string(resident_id), last})
      .transform([](auto&&) {});
}

}  // namespace

std::string_view ToString(ResidentNoticeKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ResidentNoticeKind> ParseResidentNoticeKind(std::string_view s) {
  for (const auto& [k, name] : kKindNames) {
    if (name == s) return k;
  }
  return std::nullopt;
}

Result<bool> InsertResidentNotice(RegistryTx& tx, ResidentNotice notice,
                                  Rng& rng) {
  if (notice.id.empty()) notice.id = "rn-" + ToHex(rng.Bytes(8));
  nlohmann::json doc = {{"resident_id", notice.resident_id},
                        {"params", notice.params}};
  SqlConnection& db = tx.connection();
  OPENMYNA_RETURN_IF_ERROR(db.Query(
      "INSERT INTO resident_notices (id, resident_id, kind, subject, "
      "created_at, read_at, doc) VALUES ($1, $2, $3, $4, $5, NULL, $6) "
      "ON CONFLICT (resident_id, kind, subject) DO NOTHING",
      {notice.id, notice.resident_id, std::string(ToString(notice.kind)),
       notice.subject, Seconds(notice.created_at), doc.dump()}));
  return db.ChangedRows() > 0;
}

Result<int> RefreshResidentNotices(RegistryTx& tx, std::string_view resident_id,
                                   TimePoint now, Rng& rng) {
  std::vector<ResidentNotice> due;
  OPENMYNA_ASSIGN_OR_RETURN(auto registry_notices, tx.ListNotices(resident_id));
  FromRegistryNotices(registry_notices, due);
  OPENMYNA_RETURN_IF_ERROR(FromCards(tx, resident_id, now, due));
  OPENMYNA_RETURN_IF_ERROR(FromAudit(tx, resident_id, due));
  int written = 0;
  for (ResidentNotice& notice : due) {
    OPENMYNA_ASSIGN_OR_RETURN(bool inserted,
                              InsertResidentNotice(tx, std::move(notice), rng));
    written += inserted ? 1 : 0;
  }
  return written;
}

Result<std::vector<ResidentNotice>> ListResidentNotices(
    RegistryTx& tx, std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      tx.connection().Query(
          "SELECT id, kind, subject, created_at, read_at, doc FROM "
          "resident_notices WHERE resident_id = $1 ORDER BY created_at DESC, "
          "id DESC",
          {std::string(resident_id)}));
  std::vector<ResidentNotice> notices;
  notices.reserve(rows.size());
  for (const SqlRow& row : rows) {
    OPENMYNA_ASSIGN_OR_RETURN(auto notice, NoticeOfRow(row));
    notice.resident_id = std::string(resident_id);
    notices.push_back(std::move(notice));
  }
  return notices;
}

Result<int> CountUnreadResidentNotices(RegistryTx& tx,
                                       std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, tx.connection().Query(
                     "SELECT COUNT(*) FROM resident_notices WHERE resident_id "
                     "= $1 AND read_at IS NULL",
                     {std::string(resident_id)}));
  return std::stoi(rows.at(0).at(0).value_or("0"));
}

Status MarkResidentNoticeRead(RegistryTx& tx, std::string_view resident_id,
                              std::string_view notice_id, TimePoint now) {
  SqlConnection& db = tx.connection();
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT read_at FROM resident_notices WHERE id = $1 "
                          "AND resident_id = $2",
                          {std::string(notice_id), std::string(resident_id)}));
  if (rows.empty()) return Fail(RegistryErrc::kNotFound, "no such notice");
  if (rows[0][0]) return Ok();
  return db
      .Query("UPDATE resident_notices SET read_at = $1 WHERE id = $2",
             {Seconds(now), std::string(notice_id)})
      .transform([](auto&&) {});
}

}  // namespace openmyna::registry
