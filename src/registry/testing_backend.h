// Test helper: a fresh, empty registry database per test on either back end
// (the conformance suites of store.h and civil_store.h, TEST_P over both),
// and StoreOnBackend, the fixture whose SetUp opens the registry's store on
// it migrated.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry::testing {

// A TEST_P suite over both back ends:
//   INSTANTIATE_TEST_SUITE_P(Backends, Suite, testing::BothBackends(),
//                            testing::BackendName);
// names its tests …/Sqlite and …/Postgres; the `pg` ctest entries run the
// latter with --gtest_filter=*Postgres*.
inline auto BothBackends() {
  return ::testing::Values(Dialect::kSqlite, Dialect::kPostgres);
}
inline std::string BackendName(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
}

inline std::string UniqueName(std::string_view prefix) {
  std::random_device rd;
  return std::string(prefix) + std::to_string(rd()) + std::to_string(rd());
}

// A fresh, empty database per test: a temporary SQLite file, or a new schema
// on the PostgreSQL server (dropped afterwards).
class Backend {
 public:
  explicit Backend(Dialect dialect) : dialect_(dialect) {}
  ~Backend() {
    if (dialect_ == Dialect::kSqlite) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    } else if (!schema_.empty()) {
      if (auto db = OpenPostgres(url_)) {
        (void)(*db)->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
      }
    }
  }

  // False (with a reason) when the back end is not available here.
  bool Prepare(std::string* why) {
    if (dialect_ == Dialect::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / UniqueName("om-store-");
      std::filesystem::create_directories(dir_);
      return true;
    }
    const char* url = std::getenv("OPENMYNA_TEST_PG_URL");
    if (url == nullptr || *url == '\0') {
      *why =
          "OPENMYNA_TEST_PG_URL is not set: the PostgreSQL half runs under "
          "tests/pg/with-postgres.sh (ctest -L pg)";
      return false;
    }
    url_ = url;
    schema_ = UniqueName("om_test_");
    auto db = OpenPostgres(url_);
    if (!db) {
      *why = db.error().ToString();
      return false;
    }
    return static_cast<bool>((*db)->ExecuteScript("CREATE SCHEMA " + schema_));
  }

  // A new connection to the same database (as after a restart).
  Result<std::unique_ptr<SqlConnection>> Connect() {
    if (dialect_ == Dialect::kSqlite) return OpenSqlite(dir_ / "registry.db");
    OPENMYNA_ASSIGN_OR_RETURN(auto db, OpenPostgres(url_));
    OPENMYNA_RETURN_IF_ERROR(
        db->ExecuteScript("SET search_path TO " + schema_));
    return db;
  }

  // The registry's store on a new connection (Connect()), its schema
  // migrated at `clock`'s time; with `readers` > 0 that many more
  // connections serve its reads (RegistryStore's reader pool), otherwise
  // reads share the writer's. The Backend must outlive the store.
  Result<std::unique_ptr<RegistryStore>> OpenMigratedStore(
      const Clock& clock, std::size_t readers = 0) {
    OPENMYNA_ASSIGN_OR_RETURN(auto db, Connect());
    auto store = readers == 0 ? std::make_unique<RegistryStore>(std::move(db))
                              : std::make_unique<RegistryStore>(
                                    std::move(db), [this] { return Connect(); },
                                    readers);
    OPENMYNA_RETURN_IF_ERROR(store->Migrate(clock));
    return store;
  }

  const std::filesystem::path& dir() const { return dir_; }

  // What RegistryStore::Open takes for this database: the SQLite file, or
  // the server's URL with the test's schema as search_path (libpq's
  // `options` connection parameter, PostgreSQL docs "Connection Strings").
  std::string Target() const {
    if (dialect_ == Dialect::kSqlite) return (dir_ / "registry.db").string();
    return url_ + (url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema_;
  }

 private:
  Dialect dialect_;
  std::filesystem::path dir_;
  std::string url_;
  std::string schema_;
};

// A TEST_P suite over both back ends (BothBackends()) whose tests need the
// registry's store on a fresh database:
//   void SetUp() override {
//     if (!OpenStore(kClock)) return;  // skipped (no server) or failed
//     ... the suite's own records, e.g. tx.PutMunicipality(Chikuma())
//   }
class StoreOnBackend : public ::testing::TestWithParam<Dialect> {
 protected:
  // Prepares the back end under test and opens store_ on it (as
  // Backend::OpenMigratedStore). False when the test cannot go on: skipped
  // where the back end is not available here, or failed.
  bool OpenStore(const Clock& clock, std::size_t readers = 0) {
    Open(clock, readers);
    return store_ != nullptr;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<RegistryStore> store_;

 private:
  void Open(const Clock& clock, std::size_t readers) {
    backend_ = std::make_unique<Backend>(GetParam());
    std::string why;
    if (!backend_->Prepare(&why)) GTEST_SKIP() << why;
    auto store = backend_->OpenMigratedStore(clock, readers);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
  }
};

}  // namespace openmyna::registry::testing
