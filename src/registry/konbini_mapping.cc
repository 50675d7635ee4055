#include "openmyna/registry/konbini_mapping.h"

#include <nlohmann/json.hpp>

#include "record_rows.h"

namespace openmyna::registry {

void to_json(nlohmann::json& j, const KonbiniMapping& v) {
  j = {{"certificate_serial", v.certificate_serial},
       {"usable_from", v.usable_from},
       {"reason", v.reason}};
}
void from_json(const nlohmann::json& j, KonbiniMapping& v) {
  v.certificate_serial = j.at("certificate_serial").get<std::string>();
  v.usable_from = j.at("usable_from").get<std::string>();
  v.reason = j.at("reason").get<std::string>();
}

Status PutKonbiniMapping(RegistryTx& tx, const KonbiniMapping& mapping) {
  // ON CONFLICT ... DO UPDATE: SQLite 3.24+ and PostgreSQL 9.5+.
  return internal::Done(tx.connection().Query(
      "INSERT INTO konbini_mappings (certificate_serial, doc) VALUES ($1, $2) "
      "ON CONFLICT (certificate_serial) DO UPDATE SET doc = excluded.doc",
      {mapping.certificate_serial, internal::Doc(mapping)}));
}

Result<std::optional<KonbiniMapping>> GetKonbiniMapping(
    RegistryTx& tx, std::string_view certificate_serial) {
  return internal::One<KonbiniMapping>(tx.connection().Query(
      "SELECT doc FROM konbini_mappings WHERE certificate_serial = $1",
      {std::string(certificate_serial)}));
}

}  // namespace openmyna::registry
