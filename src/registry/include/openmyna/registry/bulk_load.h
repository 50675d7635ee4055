// Bulk load of generated residents (issue 5: "bulk load of 1,000,000
// residents with a progress bar; goal 10M in under 10 minutes"), behind
// `openmyna db seed --residents N` and bench/registry.
//
// The residents are synthetic and reproducible: resident i (0-based) has id
// BulkResidentId(i) = "bulk-" + 12 digits and individual number
// BulkResidentNumber(i) = "8" + 10 digits of i + the check digit of
// domain::IndividualNumberCheckDigit (domain.md §2), so they never collide
// with the published sample numbers; names, birth dates (1930–2019) and sex
// vary with i; the address is in the chosen municipality. It is an import,
// not a life event: no audit entries, no applications or cards.
//
// Speed (docs/registry.md "Bulk load"): rows go through
// SqlConnection::CopyRows (SQLite: one prepared INSERT per row, bound in
// place; PostgreSQL: COPY FROM STDIN) in transactions of `batch` rows; the
// secondary index residents_by_municipality is dropped during the load and
// rebuilt after it; on SQLite the load runs with synchronous=OFF, a large
// page cache and temp_store=MEMORY, and ends with synchronous=FULL and a WAL
// checkpoint so that what the call reports loaded is on disk when it
// returns. A crash in the middle loses at most the batches after the last
// checkpoint; running the load again continues where the data ends.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct BulkLoadOptions {
  // The number of generated residents the registry must hold afterwards
  // (ids bulk-000000000000 … ); those already there are kept and counted.
  std::uint64_t residents = 0;
  // Where they live; it must exist in the store (kNotFound otherwise).
  std::string municipality_code = "20218";
  // Rows per transaction.
  std::uint64_t batch = 100'000;
  // Called after each committed batch, e.g. a progress bar: `done` of
  // `total` generated residents are in the store, `first` of them were
  // there before this call (so done - first were loaded now).
  std::function<void(std::uint64_t done, std::uint64_t total,
                     std::uint64_t first)>
      progress;
};

struct BulkLoadReport {
  std::uint64_t existing = 0;  // generated residents found before the load
  std::uint64_t loaded = 0;    // rows written now
};

// Errors: kInvalidInput (residents > 10^10, batch 0), kNotFound (no such
// municipality), kConflict (an individual number or id already used by a
// resident that is not a generated one), kStorage.
Result<BulkLoadReport> BulkLoadResidents(RegistryStore& store,
                                         const BulkLoadOptions& options);

// The id and individual number of generated resident `i` (i < 10^10).
std::string BulkResidentId(std::uint64_t i);
std::string BulkResidentNumber(std::uint64_t i);

}  // namespace openmyna::registry
