// (internal) Rows to records for the registry's stores (store.cc,
// civil_store.cc): each record is one row whose `doc` column holds its JSON
// (docs/registry.md "Storage").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/sql.h"

namespace openmyna::registry::internal {

// The JSON text of a record.
std::string Doc(const auto& record) { return nlohmann::json(record).dump(); }

// A `doc` cell back to the record; kStorage when unreadable.
template <typename T>
Result<T> Parse(const SqlCell& cell) {
  if (!cell) return Fail(RegistryErrc::kStorage, "NULL document");
  nlohmann::json j = nlohmann::json::parse(*cell, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(RegistryErrc::kStorage, "unreadable document");
  }
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Fail(RegistryErrc::kStorage,
                std::string("document does not match the model: ") + e.what());
  }
}

// The record of the first row's first column, or nullopt without rows.
template <typename T>
Result<std::optional<T>> One(Result<std::vector<SqlRow>> rows) {
  if (!rows) return Unexpected(std::move(rows).error());
  if (rows->empty()) return std::optional<T>();
  OPENMYNA_ASSIGN_OR_RETURN(T value, Parse<T>(rows->front()[0]));
  return std::optional<T>(std::move(value));
}

// The records of every row's first column, in row order.
template <typename T>
Result<std::vector<T>> All(Result<std::vector<SqlRow>> rows) {
  if (!rows) return Unexpected(std::move(rows).error());
  std::vector<T> out;
  out.reserve(rows->size());
  for (const SqlRow& row : *rows) {
    OPENMYNA_ASSIGN_OR_RETURN(T value, Parse<T>(row[0]));
    out.push_back(std::move(value));
  }
  return out;
}

// Success when the statement ran.
inline Status Done(Result<std::vector<SqlRow>> rows) {
  if (!rows) return Unexpected(std::move(rows).error());
  return Ok();
}

}  // namespace openmyna::registry::internal
