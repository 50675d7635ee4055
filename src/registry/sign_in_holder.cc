#include "openmyna/registry/sign_in_holder.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "openmyna/registry/model_json.h"

namespace openmyna::registry {
namespace {

// The fields out of the documents by the engine's own JSON functions
// (SQLite's json_extract, https://sqlite.org/json1.html; PostgreSQL's ->>
// on the text cast to json, which keeps it as written): NULL for a missing
// key, read as model_json.cc's default. The card's state is its column
// (store.cc PutCard writes it beside the document); the individual number
// the resident's.
constexpr std::string_view kSqliteHolder =
    "SELECT json_extract(c.doc, '$.type'), c.resident_id, "
    "r.individual_number, k.state, json_extract(k.doc, '$.kind'), "
    "json_extract(k.doc, '$.void_reason') FROM certificates c "
    "JOIN cards k ON k.id = c.card_id JOIN residents r ON r.id = c.resident_id "
    "WHERE c.serial = $1";
constexpr std::string_view kPostgresHolder =
    "SELECT c.doc::json ->> 'type', c.resident_id, r.individual_number, "
    "k.state, k.doc::json ->> 'kind', k.doc::json ->> 'void_reason' "
    "FROM certificates c JOIN cards k ON k.id = c.card_id "
    "JOIN residents r ON r.id = c.resident_id WHERE c.serial = $1";

// A stored enum's text as the documents' serialisation reads it
// (json_enum.h), `fallback` for NULL (a missing key, model_json.cc's
// default); a name the enum does not have is refused as kStorage naming the
// column and the value.
template <typename E>
Result<E> EnumOf(const SqlCell& cell, E fallback, std::string_view column) {
  if (!cell) return fallback;
  try {
    return nlohmann::json(*cell).get<E>();
  } catch (const nlohmann::json::exception& e) {
    return Fail(RegistryErrc::kStorage, std::string(column) + ": " + e.what());
  }
}

}  // namespace

Result<std::optional<SignInHolder>> ReadSignInHolder(RegistryTx& tx,
                                                     std::string_view serial) {
  SqlConnection& db = tx.connection();
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, db.Query(db.dialect() == Dialect::kSqlite ? kSqliteHolder
                                                           : kPostgresHolder,
                          {std::string(serial)}));
  if (rows.empty()) return std::nullopt;
  const SqlRow& row = rows.front();
  SignInHolder out;
  OPENMYNA_ASSIGN_OR_RETURN(out.type,
                            EnumOf(row[0], CertificateType::kAuthentication,
                                   "certificates.doc type"));
  out.resident_id = row[1].value_or("");
  out.individual_number = row[2].value_or("");
  OPENMYNA_ASSIGN_OR_RETURN(
      out.card_state, EnumOf(row[3], CardState::kProduced, "cards.state"));
  OPENMYNA_ASSIGN_OR_RETURN(
      out.card_kind, EnumOf(row[4], CardKind::kStandard, "cards.doc kind"));
  OPENMYNA_ASSIGN_OR_RETURN(out.void_reason, EnumOf(row[5], VoidReason::kNone,
                                                    "cards.doc void_reason"));
  return out;
}

}  // namespace openmyna::registry
