#include "resident_file_json.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "openmyna/registry/model_json.h"

namespace openmyna::services::internal {
namespace {

// A JSON string as nlohmann's serializer writes it with ensure_ascii off
// (RFC 8259 §7: '"', '\\' and controls escaped; \b \t \n \f \r short, other
// controls \u00xx in lower case). Text with a byte above 0x7F goes through
// nlohmann itself, so that its UTF-8 check (and error) stays the same.
void AppendString(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += nlohmann::json(s).dump();
      return;
    }
  }
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(c));
          out += hex;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
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
