#include "openmyna/registry/bulk_load.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "openmyna/domain/individual_number.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::registry {
namespace {

constexpr std::uint64_t kMaxResidents = 10'000'000'000ULL;  // 10 digits

// Common surnames and given names (sandbox data; any resemblance is the
// point of a realistic load).
constexpr std::array<std::string_view, 16> kSurnames = {
    "佐藤", "鈴木", "高橋", "田中", "伊藤",   "渡辺", "山本", "中村",
    "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上"};
constexpr std::array<std::string_view, 16> kGivenNames = {
    "太郎", "花子", "一郎", "陽子",   "健太", "美咲", "翔", "結衣",
    "大輔", "恵",   "拓也", "真由美", "浩",   "彩",   "誠", "愛"};

// Days since 1970-01-01 to a proleptic Gregorian "YYYY-MM-DD" (the civil
// calendar algorithm of H. Hinnant, "chrono-compatible low-level date
// algorithms", days_from_civil's inverse).
void FormatDate(std::int64_t days, char out[11]) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  fmt::format_to_n(out, 11, "{:04}-{:02}-{:02}", y, m, d);
}

// "NNNNNNNNNNN" with the 11 leading digits written into `digits`.
void Eleven(std::uint64_t i, char digits[11]) {
  digits[0] = '8';
  for (int k = 10; k >= 1; --k) {
    digits[k] = static_cast<char>('0' + i % 10);
    i /= 10;
  }
}

// The JSON document of a generated resident without building a JSON tree
// per row: the document of a resident whose varying fields hold markers is
// dumped once (per sex) by the model's own to_json, cut at the markers, and
// each row splices its values in. The values (digits, dates, the names and
// addresses above) need no JSON escaping, so the result is byte for byte
// what nlohmann::json(resident).dump() gives (the conformance test checks).
class DocTemplate {
 public:
  enum Field { kId, kNumber, kName, kBirth, kAddress, kFieldCount };

  explicit DocTemplate(Resident r) {
    static constexpr std::array<std::string_view, kFieldCount> kMarkers = {
        "@@id@@", "@@number@@", "@@name@@", "@@birth@@", "@@address@@"};
    r.id = kMarkers[kId];
    r.individual_number = kMarkers[kNumber];
    r.name = kMarkers[kName];
    r.date_of_birth = kMarkers[kBirth];
    r.address = kMarkers[kAddress];
    const std::string doc = nlohmann::json(r).dump();
    std::size_t at = 0;
    while (true) {
      std::size_t next = std::string::npos;
      int field = -1;
      for (int f = 0; f < kFieldCount; ++f) {
        const std::size_t found = doc.find(kMarkers[f], at);
        if (found < next) {
          next = found;
          field = f;
        }
      }
      if (field < 0) break;
      literals_.push_back(doc.substr(at, next - at));
      fields_.push_back(static_cast<Field>(field));
      at = next + kMarkers[field].size();
    }
    literals_.push_back(doc.substr(at));
  }

  void Render(const std::array<std::string_view, kFieldCount>& values,
              std::string& out) const {
    out.clear();
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      out += literals_[i];
      out += values[fields_[i]];
    }
    out += literals_.back();
  }

 private:
  std::vector<std::string> literals_;
  std::vector<Field> fields_;
};

// The first generated resident missing from the store: the generated ids
// have one fixed width, so the next is one past the largest present. SQLite
// compares text bytewise, so a key range uses the primary key index; on
// PostgreSQL the database collation may ignore punctuation, so LIKE.
Result<std::uint64_t> ExistingGenerated(RegistryTx& tx) {
  const bool sqlite = tx.connection().dialect() == Dialect::kSqlite;
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      sqlite ? tx.connection().Query(
                   "SELECT MAX(id) FROM residents WHERE id >= 'bulk-' AND "
                   "id < 'bulk.'")
             : tx.connection().Query(
                   "SELECT MAX(id) FROM residents WHERE id LIKE 'bulk-%'"));
  if (rows.empty() || !rows[0][0]) return std::uint64_t{0};
  const std::string& last = *rows[0][0];
  try {
    return std::stoull(last.substr(5)) + 1;
  } catch (...) {
    return Fail(RegistryErrc::kStorage, "unexpected generated id " + last);
  }
}

}  // namespace

std::string BulkResidentId(std::uint64_t i) {
  return fmt::format("bulk-{:012}", i);
}

std::string BulkResidentNumber(std::uint64_t i) {
  char digits[12];
  Eleven(i, digits);
  digits[11] = static_cast<char>(
      '0' + domain::IndividualNumberCheckDigit(std::string_view(digits, 11)));
  return std::string(digits, 12);
}

Result<BulkLoadReport> BulkLoadResidents(RegistryStore& store,
                                         const BulkLoadOptions& options) {
  if (options.residents > kMaxResidents) {
    return Fail(RegistryErrc::kInvalidInput,
                "residents: at most 10,000,000,000 generated residents");
  }
  if (options.batch == 0) {
    return Fail(RegistryErrc::kInvalidInput, "batch: must be positive");
  }
  BulkLoadReport report;
  std::optional<Municipality> municipality;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(municipality,
                              tx.GetMunicipality(options.municipality_code));
    OPENMYNA_ASSIGN_OR_RETURN(report.existing, ExistingGenerated(tx));
    return Ok();
  }));
  if (!municipality) {
    return Fail(RegistryErrc::kNotFound,
                "no municipality " + options.municipality_code);
  }
  if (report.existing >= options.residents) return report;

  const bool sqlite = store.dialect() == Dialect::kSqlite;
  // The bulk phase: see the header. The index is rebuilt whatever happens.
  Status prepared = store.WithConnection([&](SqlConnection& db) -> Status {
    if (sqlite) {
      OPENMYNA_RETURN_IF_ERROR(db.ExecuteScript(
          "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
          "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0;"));
    }
    return db.ExecuteScript("DROP INDEX IF EXISTS residents_by_municipality");
  });
  if (!prepared) return Unexpected(std::move(prepared).error());
  const auto restore = [&]() -> Status {
    return store.WithConnection([&](SqlConnection& db) -> Status {
      OPENMYNA_RETURN_IF_ERROR(db.ExecuteScript(
          "CREATE INDEX IF NOT EXISTS residents_by_municipality ON residents "
          "(municipality_code)"));
      if (!sqlite) return Ok();
      // Back to the durable settings of OpenSqlite, then everything into
      // the database file (the checkpoint syncs with synchronous=FULL).
      OPENMYNA_RETURN_IF_ERROR(db.ExecuteScript(
          "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; "
          "PRAGMA wal_autocheckpoint = 1000;"));
      return db.Query("PRAGMA wal_checkpoint(TRUNCATE)").transform([](auto) {});
    });
  };

  const std::vector<std::string> columns = {
      "id", "individual_number", "municipality_code", "status", "doc"};
  const std::string address_prefix =
      municipality->prefecture + municipality->name;
  Resident model;
  model.municipality_code = municipality->code;
  model.status = ResidentStatus::kActive;
  model.sex = Sex::kMale;
  const DocTemplate male(model);
  model.sex = Sex::kFemale;
  const DocTemplate female(model);
  const std::string status_name =
      nlohmann::json(ResidentStatus::kActive).get<std::string>();
  std::uint64_t next = report.existing;
  Status loaded = Ok();
  std::string name, address;
  char id[18], number[12], birth[11];
  std::memcpy(id, "bulk-", 5);
  while (next < options.residents && loaded) {
    const std::uint64_t end = std::min(options.residents, next + options.batch);
    loaded = store.Transact([&](RegistryTx& tx) -> Status {
      std::uint64_t i = next;
      auto fill = [&](std::vector<std::string>& row) {
        if (i >= end) return false;
        // id: "bulk-" + 12 digits; number: "8" + 10 digits + check digit.
        std::uint64_t v = i;
        for (int k = 16; k >= 5; --k, v /= 10) id[k] = '0' + v % 10;
        Eleven(i, number);
        number[11] = static_cast<char>('0' + domain::IndividualNumberCheckDigit(
                                                 std::string_view(number, 11)));
        // Mixing i so that neighbours differ; 32,850 days from 1930-01-01.
        const std::uint64_t h = i * 2654435761ULL;
        name.assign(kSurnames[h % kSurnames.size()]);
        name += "　";
        name += kGivenNames[(h >> 8) % kGivenNames.size()];
        FormatDate(-14610 + static_cast<std::int64_t>((h >> 16) % 32850),
                   birth);
        address = address_prefix;
        fmt::format_to(std::back_inserter(address), "{}丁目{}番{}号", 1 + i % 9,
                       1 + (i / 9) % 30, 1 + i % 20);
        row[0].assign(id, 17);
        row[1].assign(number, 12);
        row[2] = model.municipality_code;
        row[3] = status_name;
        ((h >> 40) % 2 ? female : male)
            .Render(
                {row[0], row[1], name, std::string_view(birth, 10), address},
                row[4]);
        ++i;
        return true;
      };
      OPENMYNA_ASSIGN_OR_RETURN(
          std::uint64_t n,
          tx.connection().CopyRows("residents", columns, fill));
      report.loaded += n;
      return Ok();
    });
    if (loaded) {
      next = end;
      if (options.progress) {
        options.progress(next, options.residents, report.existing);
      }
    }
  }
  Status restored = restore();
  if (!loaded) return Unexpected(std::move(loaded).error());
  if (!restored) return Unexpected(std::move(restored).error());
  return report;
}

}  // namespace openmyna::registry
