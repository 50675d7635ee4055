#include "resident_file_json.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "openmyna/http/json_string.h"
#include "openmyna/registry/model_json.h"

namespace openmyna::services::internal {
namespace {

// A JSON string as nlohmann's serializer writes it (http/json_string.h).
// Text that is not UTF-8 is handed to nlohmann itself, which throws its
// type_error 316, as dump() does on the other routes.
void AppendString(std::string& out, std::string_view s) {
  if (!http::AppendJsonString(out, s, http::InvalidUtf8::kRefuse)) {
    out += nlohmann::json(s).dump();  // throws
  }
}

void Key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out += key;
  out += "\":";
}

void AppendResident(std::string& out, const registry::Resident& r) {
  // The keys of registry::to_json(Resident) in std::map order.
  out.push_back('{');
  Key(out, "address", true);
  AppendString(out, r.address);
  Key(out, "adult_ward");
  out += r.adult_ward ? "true" : "false";
  Key(out, "date_of_birth");
  AppendString(out, r.date_of_birth);
  Key(out, "delivery_address");
  AppendString(out, r.delivery_address);
  Key(out, "died_on");
  AppendString(out, r.died_on);
  Key(out, "foreign");
  out += r.foreign ? nlohmann::json(*r.foreign).dump() : "null";
  Key(out, "former_surname");
  AppendString(out, r.former_surname);
  Key(out, "id");
  AppendString(out, r.id);
  Key(out, "individual_number");
  AppendString(out, r.individual_number);
  Key(out, "legal_representative_id");
  AppendString(out, r.legal_representative_id);
  Key(out, "moved_in_on");
  AppendString(out, r.moved_in_on);
  Key(out, "municipality_code");
  AppendString(out, r.municipality_code);
  Key(out, "name");
  AppendString(out, r.name);
  Key(out, "name_kana");
  AppendString(out, r.name_kana);
  Key(out, "registered_domicile");
  AppendString(out, r.registered_domicile);
  Key(out, "sex");
  out += nlohmann::json(r.sex).dump();
  Key(out, "status");
  out += nlohmann::json(r.status).dump();
  out.push_back('}');
}

// A list: "[]" when empty (the common case), else nlohmann's own text.
template <typename T>
void AppendList(std::string& out, const std::vector<T>& list) {
  out += list.empty() ? "[]" : nlohmann::json(list).dump();
}

}  // namespace

std::string ResidentFileJson(const registry::ResidentFile& f) {
  std::string out;
  out.reserve(1024);
  out.push_back('{');
  Key(out, "applications", true);
  AppendList(out, f.applications);
  Key(out, "cards");
  AppendList(out, f.cards);
  Key(out, "certificates");
  AppendList(out, f.certificates);
  Key(out, "fees");
  AppendList(out, f.fees);
  Key(out, "notices");
  AppendList(out, f.notices);
  Key(out, "resident");
  AppendResident(out, f.resident);
  out.push_back('}');
  return out;
}

}  // namespace openmyna::services::internal
