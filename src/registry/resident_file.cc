#include "resident_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "openmyna/registry/model_json.h"
#include "record_rows.h"

namespace openmyna::registry::internal {
namespace {

// One row per record: its part, the key the part's List* orders by in SQL
// (so that PostgreSQL's collation orders it as before), and its document.
// On PostgreSQL one round trip instead of one per list (issue 13: an
// audited read's round trips were most of its context switches).
constexpr std::string_view kFileRows =
    "SELECT 0, NULL, doc FROM residents WHERE id = $1 "
    "UNION ALL SELECT 1, id, doc FROM cards WHERE resident_id = $1 "
    "UNION ALL SELECT 2, c.card_id, c.doc FROM certificates c "
    "JOIN cards k ON k.id = c.card_id WHERE k.resident_id = $1 "
    "UNION ALL SELECT 3, NULL, doc FROM applications WHERE resident_id = $1 "
    "UNION ALL SELECT 4, id, doc FROM fees WHERE resident_id = $1 "
    "UNION ALL SELECT 5, id, doc FROM notices WHERE resident_id = $1 "
    "ORDER BY 1, 2";

template <typename T>
Status Add(std::vector<T>& list, const SqlCell& doc) {
  OPENMYNA_ASSIGN_OR_RETURN(T value, Parse<T>(doc));
  list.push_back(std::move(value));
  return Ok();
}

}  // namespace

Result<ResidentFile> ReadResidentFile(RegistryTx& tx, std::string_view id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, tx.connection().Query(kFileRows, {std::string(id)}));
  ResidentFile file;
  bool found = false;
  // Certificates by the card they are on (the card_id column).
  std::map<std::string, std::vector<Certificate>, std::less<>> on_card;
  for (const SqlRow& row : rows) {
    const std::string part = row[0].value_or("");
    if (part == "0") {
      OPENMYNA_ASSIGN_OR_RETURN(file.resident, Parse<Resident>(row[2]));
      found = true;
    } else if (part == "1") {
      OPENMYNA_RETURN_IF_ERROR(Add(file.cards, row[2]));
    } else if (part == "2") {
      OPENMYNA_RETURN_IF_ERROR(Add(on_card[row[1].value_or("")], row[2]));
    } else if (part == "3") {
      OPENMYNA_RETURN_IF_ERROR(Add(file.applications, row[2]));
    } else if (part == "4") {
      OPENMYNA_RETURN_IF_ERROR(Add(file.fees, row[2]));
    } else if (part == "5") {
      OPENMYNA_RETURN_IF_ERROR(Add(file.notices, row[2]));
    }
  }
  if (!found) {
    return Fail(RegistryErrc::kNotFound, fmt::format("no resident {}", id));
  }
  for (const Card& card : file.cards) {
    auto it = on_card.find(card.id);
    if (it == on_card.end()) continue;
    std::vector<Certificate>& certs = it->second;
    std::sort(certs.begin(), certs.end(), [](const auto& a, const auto& b) {
      return std::tie(a.not_before, a.serial) <
             std::tie(b.not_before, b.serial);
    });
    std::move(certs.begin(), certs.end(),
              std::back_inserter(file.certificates));
  }
  std::sort(file.applications.begin(), file.applications.end(),
            [](const auto& a, const auto& b) {
              return std::tie(a.received_at, a.id) <
                     std::tie(b.received_at, b.id);
            });
  return file;
}

}  // namespace openmyna::registry::internal
