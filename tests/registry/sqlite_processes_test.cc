// Several registry stores in one process on one SQLite file, and another
// process writing it too (the konbini engineer's report: with every service
// in one `openmyna serve`, a registry write made after ANOTHER process wrote
// registry.db was not visible to a third process until serve stopped).
// The third process here is Debian's sqlite3 command line tool, which reads
// the file the way any other program would.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {
namespace {

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));

// Runs the sqlite3 tool on `db` with one SQL statement; its standard output.
std::string Sqlite3(const std::filesystem::path& db, const std::string& sql) {
  const auto run =
      testing_tools::RunShell("sqlite3 '" + db.string() + "' \"" + sql + "\"");
  return run.status == 0 ? run.output : "sqlite3 failed: " + run.output;
}

Municipality Town(std::string code) {
  return {std::move(code), "千曲市", "長野県", "Chikuma-shi",
          "Nagano-ken",    1000,     800};
}

class SqliteProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("om-procs-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    db_ = dir_ / "registry.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_, db_;
};

TEST_F(SqliteProcesses, AWriteAfterAnotherProcessWroteIsSeenByAThird) {
  // The registry service's store, then a second one (another service of the
  // same serve), which also reads on a reader connection.
  auto first = RegistryStore::Open(db_.string(), kClock);
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE((*first)->Transact(
      [](RegistryTx& tx) { return tx.PutMunicipality(Town("20218")); }));
  auto second = RegistryStore::Open(db_.string(), kClock);
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE((*second)->Read([](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto towns, tx.ListMunicipalities());
    if (towns.size() != 1) return Fail(RegistryErrc::kStorage, "not 1 town");
    return Ok();
  }));
  // Another process writes the file and exits.
  EXPECT_EQ(Sqlite3(db_,
                    "INSERT INTO municipalities (code, doc) SELECT '99999', "
                    "doc FROM municipalities WHERE code = '20218'; "
                    "SELECT changes();"),
            "1\n");
  // A write through the first store, then each store reads it and so does a
  // third process.
  ASSERT_TRUE((*first)->Transact(
      [](RegistryTx& tx) { return tx.PutMunicipality(Town("20219")); }));
  EXPECT_EQ(Sqlite3(db_, "SELECT code FROM municipalities ORDER BY code;"),
            "20218\n20219\n99999\n");
  for (auto* store : {first->get(), second->get()}) {
    std::size_t towns = 0;
    ASSERT_TRUE(store->Read([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto list, tx.ListMunicipalities());
      towns = list.size();
      return Ok();
    }));
    EXPECT_EQ(towns, 3u);
  }
  // And the other way round: the third process writes, both stores see it.
  EXPECT_EQ(Sqlite3(db_, "DELETE FROM municipalities WHERE code = '99999';"),
            "");
  for (auto* store : {first->get(), second->get()}) {
    std::size_t towns = 0;
    ASSERT_TRUE(store->Read([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto list, tx.ListMunicipalities());
      towns = list.size();
      return Ok();
    }));
    EXPECT_EQ(towns, 2u);
  }
}

}  // namespace
}  // namespace openmyna::registry
