#include "openmyna/registry/store.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <tuple>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/migrations.h"
#include "openmyna/registry/model_json.h"
#include "record_rows.h"

namespace openmyna::registry {
namespace {

using internal::All;
using internal::Doc;
using internal::Done;
using internal::One;
using internal::Parse;

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string Name(const auto& enum_value) {
  return nlohmann::json(enum_value).get<std::string>();
}

}  // namespace

Status RegistryTx::PutMunicipality(const Municipality& m) {
  return Done(
      db_.Query("INSERT INTO municipalities (code, doc) VALUES ($1, $2) "
                "ON CONFLICT (code) DO UPDATE SET doc = excluded.doc",
                {m.code, Doc(m)}));
}

Result<std::optional<Municipality>> RegistryTx::GetMunicipality(
    std::string_view code) {
  return One<Municipality>(db_.Query(
      "SELECT doc FROM municipalities WHERE code = $1", {std::string(code)}));
}

Result<std::vector<Municipality>> RegistryTx::ListMunicipalities() {
  return All<Municipality>(
      db_.Query("SELECT doc FROM municipalities ORDER BY code"));
}

Status RegistryTx::InsertResident(const Resident& r) {
  return Done(db_.Query(
      "INSERT INTO residents (id, individual_number, municipality_code, "
      "status, doc) VALUES ($1, $2, $3, $4, $5)",
      {r.id, r.individual_number, r.municipality_code, Name(r.status),
       Doc(r)}));
}

Status RegistryTx::UpdateResident(const Resident& r) {
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "UPDATE residents SET individual_number = $2, municipality_code = $3, "
      "status = $4, doc = $5 WHERE id = $1",
      {r.id, r.individual_number, r.municipality_code, Name(r.status),
       Doc(r)}));
  if (db_.ChangedRows() != 1) {
    return Fail(RegistryErrc::kNotFound, "no resident " + r.id);
  }
  return Ok();
}

Result<std::optional<Resident>> RegistryTx::GetResident(std::string_view id) {
  return One<Resident>(
      db_.Query("SELECT doc FROM residents WHERE id = $1", {std::string(id)}));
}

Result<std::optional<Resident>> RegistryTx::FindResidentByNumber(
    std::string_view individual_number) {
  return One<Resident>(
      db_.Query("SELECT doc FROM residents WHERE individual_number = $1",
                {std::string(individual_number)}));
}

Result<std::int64_t> RegistryTx::CountResidents() {
  OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                            db_.Query("SELECT COUNT(*) FROM residents"));
  return std::stoll(rows.at(0).at(0).value_or("0"));
}

Result<std::vector<Resident>> RegistryTx::ListResidents(
    std::string_view after_id, int limit) {
  return All<Resident>(
      db_.Query("SELECT doc FROM residents WHERE id > $1 ORDER BY id LIMIT $2",
                {std::string(after_id), std::int64_t{limit}}));
}

Status RegistryTx::PutApplication(const Application& a) {
  return Done(
      db_.Query("INSERT INTO applications (id, resident_id, state, doc) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET "
                "state = excluded.state, doc = excluded.doc",
                {a.id, a.resident_id, Name(a.state), Doc(a)}));
}

Result<std::optional<Application>> RegistryTx::GetApplication(
    std::string_view id) {
  return One<Application>(db_.Query(
      "SELECT doc FROM applications WHERE id = $1", {std::string(id)}));
}

Result<std::vector<Application>> RegistryTx::ListApplications(
    std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto list, All<Application>(db_.Query(
                     "SELECT doc FROM applications WHERE resident_id = $1",
                     {std::string(resident_id)})));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.received_at, a.id) < std::tie(b.received_at, b.id);
  });
  return list;
}

Status RegistryTx::PutCard(const Card& c) {
  SqlParam present_by = nullptr;
  if (!c.present_by.empty()) present_by = c.present_by;
  return Done(db_.Query(
      "INSERT INTO cards (id, resident_id, state, expires_on, present_by, doc) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET "
      "state = excluded.state, expires_on = excluded.expires_on, "
      "present_by = excluded.present_by, doc = excluded.doc",
      {c.id, c.resident_id, std::string(ToString(c.state)), c.expires_on,
       present_by, Doc(c)}));
}

Result<std::optional<Card>> RegistryTx::GetCard(std::string_view id) {
  return One<Card>(
      db_.Query("SELECT doc FROM cards WHERE id = $1", {std::string(id)}));
}

Result<std::vector<Card>> RegistryTx::ListCards(std::string_view resident_id) {
  return All<Card>(
      db_.Query("SELECT doc FROM cards WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Result<std::vector<Card>> RegistryTx::ListCardsExpiringBy(
    CardState state, std::string_view date) {
  return All<Card>(
      db_.Query("SELECT doc FROM cards WHERE state = $1 AND expires_on <= $2 "
                "ORDER BY expires_on, id",
                {std::string(ToString(state)), std::string(date)}));
}

Result<std::vector<Card>> RegistryTx::ListCardsPresentBy(
    std::string_view date) {
  return All<Card>(db_.Query(
      "SELECT doc FROM cards WHERE present_by IS NOT NULL AND present_by <= $1 "
      "ORDER BY present_by, id",
      {std::string(date)}));
}

Status RegistryTx::PutCertificate(const Certificate& c) {
  return Done(db_.Query(
      "INSERT INTO certificates (serial, card_id, resident_id, revoked, doc) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (serial) DO UPDATE SET "
      "revoked = excluded.revoked, doc = excluded.doc",
      {c.serial, c.card_id, c.resident_id, std::int64_t{c.revoked ? 1 : 0},
       Doc(c)}));
}

Result<std::optional<Certificate>> RegistryTx::GetCertificate(
    std::string_view serial) {
  return One<Certificate>(db_.Query(
      "SELECT doc FROM certificates WHERE serial = $1", {std::string(serial)}));
}

Result<std::vector<Certificate>> RegistryTx::ListCertificates(
    std::string_view card_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto list, All<Certificate>(db_.Query(
                     "SELECT doc FROM certificates WHERE card_id = $1",
                     {std::string(card_id)})));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.not_before, a.serial) < std::tie(b.not_before, b.serial);
  });
  return list;
}

Status RegistryTx::InsertFee(const Fee& f) {
  return Done(
      db_.Query("INSERT INTO fees (id, resident_id, doc) VALUES ($1, $2, $3)",
                {f.id, f.resident_id, Doc(f)}));
}

Result<std::vector<Fee>> RegistryTx::ListFees(std::string_view resident_id) {
  return All<Fee>(
      db_.Query("SELECT doc FROM fees WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Status RegistryTx::InsertNotice(const Notice& n) {
  return Done(
      db_.Query("INSERT INTO notices (id, resident_id, card_id, kind, doc) "
                "VALUES ($1, $2, $3, $4, $5)",
                {n.id, n.resident_id, n.card_id, Name(n.kind), Doc(n)}));
}

Result<std::vector<Notice>> RegistryTx::ListNotices(
    std::string_view resident_id) {
  return All<Notice>(
      db_.Query("SELECT doc FROM notices WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Result<bool> RegistryTx::HasNotice(std::string_view card_id, NoticeKind kind) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      db_.Query("SELECT COUNT(*) FROM notices WHERE card_id = $1 AND kind = $2",
                {std::string(card_id), Name(kind)}));
  return rows.at(0).at(0).value_or("0") != "0";
}

Status RegistryTx::AppendAudit(const AuditEntry& e) {
  return Done(db_.Query(
      "INSERT INTO audit_log (id, resident_id, at, seq, doc) "
      "SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4 FROM audit_log "
      "WHERE resident_id = $2",
      {e.id, e.resident_id, Seconds(e.at), Doc(e)}));
}

Result<std::vector<AuditEntry>> RegistryTx::ListAudit(
    std::string_view resident_id) {
  return All<AuditEntry>(
      db_.Query("SELECT doc FROM audit_log WHERE resident_id = $1 ORDER BY seq",
                {std::string(resident_id)}));
}

RegistryStore::RegistryStore(std::unique_ptr<SqlConnection> db)
    : db_(std::move(db)) {}

Result<std::unique_ptr<RegistryStore>> RegistryStore::Open(
    std::string_view target, const Clock& clock) {
  OPENMYNA_ASSIGN_OR_RETURN(auto db, OpenDatabase(target));
  auto store = std::make_unique<RegistryStore>(std::move(db));
  OPENMYNA_RETURN_IF_ERROR(store->Migrate(clock));
  return store;
}

Result<std::vector<std::string>> RegistryStore::Migrate(const Clock& clock) {
  std::lock_guard lock(mutex_);
  return registry::Migrate(*db_, clock);
}

struct RegistryStore::Pending {
  const std::function<Status(RegistryTx&)>* fn = nullptr;
  std::optional<Status> result;  // set by the leader of its group
};

Status RegistryStore::Transact(const std::function<Status(RegistryTx&)>& fn) {
  Pending mine;
  mine.fn = &fn;
  std::unique_lock queue_lock(queue_mutex_);
  queue_.push_back(&mine);
  while (!mine.result) {
    if (leading_) {
      queue_cv_.wait(queue_lock);
      continue;
    }
    // Lead one group: what is queued now (our call among it, or ours comes
    // in a later group we or another caller will lead).
    leading_ = true;
    const std::size_t n = std::min(queue_.size(), kMaxGroup);
    std::vector<Pending*> group(
        queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(),
                 queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_lock.unlock();
    RunGroup(group);  // sets every result after the COMMIT
    queue_lock.lock();
    leading_ = false;
    ++stats_.commits;
    stats_.calls += group.size();
    queue_cv_.notify_all();
  }
  return std::move(*mine.result);
}

void RegistryStore::RunGroup(const std::vector<Pending*>& group) {
  std::lock_guard lock(mutex_);
  auto run = [](Pending& p, RegistryTx& tx) -> Status {
    try {
      return (*p.fn)(tx);
    } catch (const std::exception& e) {
      return Fail(RegistryErrc::kStorage,
                  std::string("transaction threw: ") + e.what());
    }
  };
  // BEGIN IMMEDIATE takes SQLite's write lock up front, so two processes on
  // one file never deadlock upgrading a read lock
  // (sqlite.org/lang_transaction).
  if (Status begin = db_->ExecuteScript(
          db_->dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      !begin) {
    for (Pending* p : group) p->result = begin;
    return;
  }
  RegistryTx tx(*db_);
  std::vector<Pending*> succeeded;
  if (group.size() == 1) {
    // Alone: no savepoint needed, a refusal rolls the transaction back.
    Status status = run(*group[0], tx);
    if (!status) {
      (void)db_->ExecuteScript("ROLLBACK");
      group[0]->result = std::move(status);
      return;
    }
    succeeded.push_back(group[0]);
  } else {
    for (Pending* p : group) {
      if (Status sp = db_->ExecuteScript("SAVEPOINT registry_call"); !sp) {
        p->result = Fail(RegistryErrc::kStorage,
                         "savepoint failed: " + sp.error().message());
        continue;
      }
      Status status = run(*p, tx);
      if (!status) {
        (void)db_->ExecuteScript("ROLLBACK TO SAVEPOINT registry_call");
        p->result = std::move(status);
      } else {
        succeeded.push_back(p);
      }
      (void)db_->ExecuteScript("RELEASE SAVEPOINT registry_call");
    }
  }
  if (Status commit = db_->ExecuteScript("COMMIT"); !commit) {
    (void)db_->ExecuteScript("ROLLBACK");
    for (Pending* p : succeeded) {
      p->result = Fail(RegistryErrc::kStorage,
                       "commit failed: " + commit.error().message());
    }
    return;
  }
  for (Pending* p : succeeded) p->result = Ok();
}

RegistryStore::GroupStats RegistryStore::group_stats() const {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

Status RegistryStore::WithConnection(
    const std::function<Status(SqlConnection&)>& fn) {
  std::lock_guard lock(mutex_);
  return fn(*db_);
}

}  // namespace openmyna::registry
