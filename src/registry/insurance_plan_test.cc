// The plans of the eligibility check's two statements (insurance_statements.h)
// right after a bulk load, before any statistics: PostgreSQL's EXPLAIN
// (FORMAT JSON) and SQLite's EXPLAIN QUERY PLAN, read here. Every large
// table must be reached through its key or index (no sequential scan), and
// on PostgreSQL the estimated cost must not grow with the table — the
// session-10 regression was a plan whose estimate grew with the
// memberships until JIT compiled every check (docs/insurance.md).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "insurance_statements.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/registry/model_json.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"

namespace openmyna::registry {
namespace {

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));
constexpr const char* kInsurer = "01040013";
constexpr const char* kClinic = "2012345678";

// The tables that grow with the residents; an insurer or institution table
// is small enough that a scan may be the planner's right choice.
const std::set<std::string> kLarge = {
    "residents", "memberships",        "certificates",
    "cards",     "insurance_consents", "insurance_registrations"};

std::string Serial(std::uint64_t i) { return "5e" + std::to_string(i); }
std::string Number(std::uint64_t i) { return "n" + std::to_string(i); }

// What a plan shows: the relations scanned in full, the indexes used, and
// (PostgreSQL) the estimated total cost.
struct PlanShape {
  std::set<std::string> scanned;
  std::set<std::string> indexes;
  double cost = 0;
};

// PostgreSQL: walks EXPLAIN (FORMAT JSON)'s nodes (InitPlans and SubPlans
// are children in "Plans").
void Walk(const nlohmann::json& node, PlanShape& shape) {
  const std::string type = node.value("Node Type", "");
  if (type == "Seq Scan") shape.scanned.insert(node.value("Relation Name", ""));
  if (node.contains("Index Name")) shape.indexes.insert(node["Index Name"]);
  for (const auto& child : node.value("Plans", nlohmann::json::array())) {
    Walk(child, shape);
  }
}

class InsurancePlan : public testing::StoreOnBackend {
 protected:
  void SetUp() override {
    if (!OpenStore(kClock)) return;
    ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Chikuma()));
      if (GetParam() == Dialect::kPostgres) {
        // No ANALYZE in between, whenever autovacuum would wake up.
        for (const std::string& table : kLarge) {
          OPENMYNA_RETURN_IF_ERROR(tx.connection().ExecuteScript(
              "ALTER TABLE " + table + " SET (autovacuum_enabled = false)"));
        }
      }
      InsuranceTx ins(tx);
      OPENMYNA_RETURN_IF_ERROR(
          ins.PutInsurer({kInsurer, "協会けんぽ 宮城支部", "協会けんぽ"}));
      return ins.PutInstitution(
          {kClinic, "サンドボックス診療所", InstitutionKind::kClinic});
    }));
  }

  // Generated residents up to `total` (the bulk loader), each with a card, an
  // authentication certificate, a registration as insurance card, one
  // membership and one consent, all written by COPY as a bulk load does.
  void LoadUpTo(std::uint64_t total) {
    BulkLoadOptions bulk;
    bulk.residents = total;
    auto loaded = BulkLoadResidents(*store_, bulk);
    ASSERT_TRUE(loaded) << loaded.error();
    const std::uint64_t from = loaded->existing;
    auto copy = [&](const char* table, std::vector<std::string> columns,
                    const auto& row_of) {
      ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
        std::uint64_t i = from;
        return tx.connection()
            .CopyRows(table, columns,
                      [&](std::vector<std::string>& row) {
                        if (i == total) return false;
                        row = row_of(i++);
                        return true;
                      })
            .transform([](std::uint64_t) {});
      }));
    };
    copy("cards", {"id", "resident_id", "state", "expires_on", "doc"},
         [](std::uint64_t i) {
           Card c;
           c.id = "c-" + std::to_string(i);
           c.resident_id = BulkResidentId(i);
           c.state = CardState::kActive;
           c.expires_on = "2035-01-01";
           return std::vector<std::string>{c.id, c.resident_id, "active",
                                           c.expires_on,
                                           nlohmann::json(c).dump()};
         });
    copy("certificates", {"serial", "card_id", "resident_id", "revoked", "doc"},
         [](std::uint64_t i) {
           Certificate c;
           c.serial = Serial(i);
           c.card_id = "c-" + std::to_string(i);
           c.resident_id = BulkResidentId(i);
           c.not_before = kClock.Now();
           c.not_after = kClock.Now() + std::chrono::hours(24 * 365);
           return std::vector<std::string>{c.serial, c.card_id, c.resident_id,
                                           "0", nlohmann::json(c).dump()};
         });
    copy("insurance_registrations", {"resident_id", "linkage_code", "doc"},
         [](std::uint64_t i) {
           InsuranceRegistration r;
           r.resident_id = BulkResidentId(i);
           r.linkage_code = "lk-" + std::to_string(i);
           r.channel = RegistrationChannel::kSandboxSeed;
           r.registered_at = kClock.Now();
           r.certificate_serials = {Serial(i)};
           return std::vector<std::string>{r.resident_id, r.linkage_code,
                                           nlohmann::json(r).dump()};
         });
    copy(
        "memberships",
        {"id", "insurer_number", "symbol", "number", "branch", "resident_id",
         "link_state", "doc"},
        [](std::uint64_t i) {
          Membership m;
          m.id = "ms-" + std::to_string(i);
          m.insurer_number = kInsurer;
          m.symbol = "1";
          m.number = Number(i);
          m.branch = "00";
          m.acquired_on = "2020-04-01";
          m.resident_id = BulkResidentId(i);
          m.link_state = LinkState::kVerified;
          return std::vector<std::string>{
              m.id,     m.insurer_number, m.symbol,   m.number,
              m.branch, m.resident_id,    "verified", nlohmann::json(m).dump()};
        });
    copy("insurance_consents",
         {"id", "resident_id", "institution_code", "valid_until", "doc"},
         [](std::uint64_t i) {
           Consent c;
           c.id = "cs-" + std::to_string(i);
           c.resident_id = BulkResidentId(i);
           c.institution_code = kClinic;
           c.valid_until = kClock.Now() + std::chrono::hours(24);
           return std::vector<std::string>{
               c.id, c.resident_id, kClinic,
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                  c.valid_until.time_since_epoch())
                                  .count()),
               nlohmann::json(c).dump()};
         });
  }

  PlanShape Explain(const char* sql, const std::vector<SqlParam>& params) {
    PlanShape shape;
    EXPECT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
      SqlConnection& db = tx.connection();
      if (GetParam() == Dialect::kPostgres) {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto rows,
            db.Query(std::string("EXPLAIN (FORMAT JSON) ") + sql, params));
        const auto plan =
            nlohmann::json::parse(rows.at(0).at(0).value()).at(0).at("Plan");
        shape.cost = plan.at("Total Cost").get<double>();
        Walk(plan, shape);
        return Ok();
      }
      // SQLite: "SCAN t" reads the whole table, "SEARCH t USING … INDEX x"
      // goes by the key (https://sqlite.org/eqp.html).
      OPENMYNA_ASSIGN_OR_RETURN(
          auto rows,
          db.Query(std::string("EXPLAIN QUERY PLAN ") + sql, params));
      for (const SqlRow& row : rows) {
        const std::string detail = row.at(3).value_or("");
        if (detail.starts_with("SCAN ")) {
          shape.scanned.insert(detail.substr(5, detail.find(' ', 5) - 5));
        }
        const auto index = detail.find("INDEX ");
        if (index != std::string::npos) {
          const std::string rest = detail.substr(index + 6);
          shape.indexes.insert(rest.substr(0, rest.find(' ')));
        }
      }
      return Ok();
    }));
    return shape;
  }

  PlanShape CardPlan() {
    return Explain(internal::kCardCheckRowsSql,
                   {std::string(kClinic), Serial(7)});
  }
  PlanShape DataPlan() {
    return Explain(internal::kCardDataRowsSql,
                   {std::string(kClinic), std::string(kInsurer), Number(7)});
  }

  // No large table scanned in full, each of `keys` used.
  static void ExpectByKeys(const PlanShape& shape,
                           const std::set<std::string>& keys,
                           const char* when) {
    for (const std::string& table : shape.scanned) {
      EXPECT_FALSE(kLarge.contains(table)) << when << ": scans " << table;
    }
    for (const std::string& key : keys) {
      EXPECT_TRUE(shape.indexes.contains(key)) << when << ": no " << key;
    }
  }
};

TEST_P(InsurancePlan, EveryTableByItsKeyWhateverTheStatistics) {
  const bool pg = GetParam() == Dialect::kPostgres;
  // The key indexes by their names on each back end (SQLite names a TEXT
  // primary key's index sqlite_autoindex_<table>_1).
  auto pk = [&](const std::string& table) {
    return pg ? table + "_pkey" : "sqlite_autoindex_" + table + "_1";
  };
  const std::set<std::string> card_keys = {
      pk("certificates"),        pk("cards"),
      pk("residents"),           pk("insurance_registrations"),
      "memberships_by_resident", "consents_by_resident"};
  const std::set<std::string> data_keys = {"memberships_by_card"};

  LoadUpTo(5'000);
  const PlanShape card_small = CardPlan(), data_small = DataPlan();
  ExpectByKeys(card_small, card_keys, "card, 5,000, never analysed");
  ExpectByKeys(data_small, data_keys, "data, 5,000, never analysed");

  LoadUpTo(20'000);
  const PlanShape card_large = CardPlan(), data_large = DataPlan();
  ExpectByKeys(card_large, card_keys, "card, 20,000, never analysed");
  ExpectByKeys(data_large, data_keys, "data, 20,000, never analysed");
  if (pg) {
    // A look-up by key costs about the same in a table four times larger;
    // an estimate that grows with the table reaches jit_above_cost at the
    // bench's 1,000,000 memberships.
    EXPECT_LT(card_large.cost, 1.5 * card_small.cost)
        << card_small.cost << " -> " << card_large.cost;
    EXPECT_LT(data_large.cost, 1.5 * data_small.cost)
        << data_small.cost << " -> " << data_large.cost;
  }

  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    return tx.connection().ExecuteScript("ANALYZE");
  }));
  ExpectByKeys(CardPlan(), card_keys, "card, analysed");
  ExpectByKeys(DataPlan(), data_keys, "data, analysed");

  // And the rows are the right ones.
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto card,
                              ins.FindCardCheckRows(kClinic, Serial(7)));
    EXPECT_EQ(card.certificate->resident_id, BulkResidentId(7));
    EXPECT_TRUE(card.card_exists && card.resident_exists);
    EXPECT_EQ(card.registration->linkage_code, "lk-7");
    EXPECT_EQ(card.memberships.at(0).id, "ms-7");
    EXPECT_EQ(card.consent->id, "cs-7");
    OPENMYNA_ASSIGN_OR_RETURN(
        auto data, ins.FindCardDataRows(kClinic, kInsurer, Number(7)));
    EXPECT_EQ(data.memberships.size(), 1u);
    EXPECT_EQ(data.insurers.at(0).number, kInsurer);
    return Ok();
  }));
}

INSTANTIATE_TEST_SUITE_P(Backends, InsurancePlan, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
