// Strict JSON names for the registry's enums: the stored documents (the
// `doc` columns) and the HTTP APIs' bodies. Unlike
// NLOHMANN_JSON_SERIALIZE_ENUM, which reads any string it does not know as
// the enum's first enumerator (a corrupt row, or one a newer version wrote,
// read as "produced", "unlinked", "registered"...), from_json throws
// nlohmann other_error 501 'unknown card state "lost"', naming what was read
// and its value; the store returns it as kStorage with that text, a request
// decoder (DecodeJson) as kInvalidInput. A missing key is the record's
// from_json's business (its documented default).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace openmyna::registry::json_enum {

template <typename E>
using Names = std::pair<E, std::string_view>;

// The enumerator `j` names in `names`; other_error 501 naming `what` and the
// value if none, type_error 303 if `j` is not a string.
template <typename E, std::size_t N>
E Named(const nlohmann::json& j, const Names<E> (&names)[N],
        std::string_view what) {
  const auto& text = j.get_ref<const std::string&>();
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  throw nlohmann::json::other_error::create(
      501, "unknown " + std::string(what) + " \"" + text + "\"", &j);
}

// The name of `v`; "unknown" for a value outside the enum.
template <typename E, std::size_t N>
std::string_view NameOf(E v, const Names<E> (&names)[N]) {
  for (const auto& [value, name] : names) {
    if (value == v) return name;
  }
  return "unknown";
}

}  // namespace openmyna::registry::json_enum

// Declares to_json/from_json for ENUM_TYPE in the enclosing namespace (that
// of the enum, for ADL), as NLOHMANN_JSON_SERIALIZE_ENUM does, with WHAT
// ("card state") naming it in the refusal:
//   OPENMYNA_JSON_ENUM(CardState, "card state",
//                      {{CardState::kProduced, "produced"}, ...})
#define OPENMYNA_JSON_ENUM(ENUM_TYPE, WHAT, ...)                              \
  inline constexpr ::openmyna::registry::json_enum::Names<ENUM_TYPE>          \
      kJsonNamesOf##ENUM_TYPE[] = __VA_ARGS__;                                \
  inline void to_json(nlohmann::json& j, const ENUM_TYPE& v) {                \
    j = std::string(                                                          \
        ::openmyna::registry::json_enum::NameOf(v, kJsonNamesOf##ENUM_TYPE)); \
  }                                                                           \
  inline void from_json(const nlohmann::json& j, ENUM_TYPE& v) {              \
    v = ::openmyna::registry::json_enum::Named(j, kJsonNamesOf##ENUM_TYPE,    \
                                               WHAT);                         \
  }
