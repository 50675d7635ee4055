#include "openmyna/card/perso/profile.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/file_io.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/perso/errors.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/domain/passwords.h"
#include "openmyna/domain/validity.h"

namespace openmyna::card::perso {
namespace {

using Json = nlohmann::json;

// Collects "field: problem" lines; the profile is refused if any.
class Problems {
 public:
  void Add(std::string_view field, std::string_view problem) {
    lines_.push_back(fmt::format("{}: {}", field, problem));
  }
  bool empty() const { return lines_.empty(); }
  std::string Join() const {
    std::string out;
    for (const std::string& line : lines_) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

bool AllDigits(std::string_view text, std::size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A required or optional string member; records a problem when the type is
// wrong or a required one is missing.
std::optional<std::string> StringField(const Json& object, std::string_view key,
                                       bool required, Problems& problems,
                                       std::string_view path = {}) {
  const std::string field =
      path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  const auto it = object.find(std::string(key));
  if (it == object.end()) {
    if (required) problems.Add(field, "missing");
    return std::nullopt;
  }
  if (!it->is_string()) {
    problems.Add(field, "must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

constexpr std::string_view kKnownKeys[] = {"number",
                                           "name",
                                           "address",
                                           "birth_date",
                                           "sex",
                                           "kind",
                                           "passwords",
                                           "certificates",
                                           "kana",
                                           "former_surname",
                                           "photo",
                                           "municipality_code",
                                           "municipality_prefecture",
                                           "municipality_name",
                                           "security_code",
                                           "issue_date",
                                           "adult_ward",
                                           "residence"};

struct PasswordSpec {
  std::string_view key;
  domain::PasswordKind kind;
  std::string ProfilePasswords::*member;
};
constexpr PasswordSpec kPasswordSpecs[] = {
    {"signature", domain::PasswordKind::kSignature,
     &ProfilePasswords::signature},
    {"authentication", domain::PasswordKind::kAuthentication,
     &ProfilePasswords::authentication},
    {"juki", domain::PasswordKind::kJuki, &ProfilePasswords::juki},
    {"input_assist", domain::PasswordKind::kInputAssist,
     &ProfilePasswords::input_assist},
};

}  // namespace

ProfilePasswords::~ProfilePasswords() {
  SecureWipe(signature);
  SecureWipe(authentication);
  SecureWipe(juki);
  SecureWipe(input_assist);
}

Result<Profile> ParseProfile(std::string_view json_text, domain::Date today,
                             const std::filesystem::path& base_dir) {
  const Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return Fail(PersoErrc::kInvalidProfile, "profile: not valid JSON");
  }
  if (!root.is_object()) {
    return Fail(PersoErrc::kInvalidProfile, "profile: must be a JSON object");
  }
  Problems problems;
  Profile profile;
  for (const auto& [key, value] : root.items()) {
    bool known = false;
    for (std::string_view k : kKnownKeys) known = known || k == key;
    if (!known) problems.Add(key, "unknown key (see docs/profiles.md)");
  }

  // issue_date first: the age rules depend on it.
  profile.issue_date = today;
  if (auto text = StringField(root, "issue_date", false, problems)) {
    auto date = domain::ParseDate(*text);
    if (!date || !domain::InstantRange(*date)) {
      problems.Add("issue_date",
                   date ? "out of range" : date.error().message());
    } else {
      profile.issue_date = *date;
    }
  }

  if (auto number = StringField(root, "number", true, problems)) {
    auto parsed = domain::IndividualNumber::Parse(*number);
    if (!parsed) {
      problems.Add("number", parsed.error().message());
    } else {
      profile.number = parsed->digits();
    }
  }
  if (auto name = StringField(root, "name", true, problems)) {
    auto card_name = faces::CardName(*name);
    if (!card_name) {
      problems.Add("name", card_name.error().message());
    } else {
      profile.name = *name;
    }
  }
  if (auto address = StringField(root, "address", true, problems)) {
    if (address->empty()) {
      problems.Add("address", "must not be empty");
    } else if (!faces::IsUtf8(*address)) {
      problems.Add("address", "must be UTF-8");
    } else {
      profile.address = *address;
    }
  }
  bool birth_ok = false;
  if (auto birth = StringField(root, "birth_date", true, problems)) {
    auto date = domain::ParseDate(*birth);
    if (!date) {
      problems.Add("birth_date", date.error().message());
    } else if (!domain::InstantRange(*date)) {
      problems.Add("birth_date", "out of range");
    } else if (*date > profile.issue_date) {
      problems.Add("birth_date",
                   fmt::format("after the issue date {}",
                               domain::FormatDate(profile.issue_date)));
    } else {
      profile.birth_date = *date;
      birth_ok = true;
    }
  }
  if (auto sex = StringField(root, "sex", true, problems)) {
    if (*sex == "male") {
      profile.sex = ProfileSex::kMale;
    } else if (*sex == "female") {
      profile.sex = ProfileSex::kFemale;
    } else if (*sex == "other") {
      profile.sex = ProfileSex::kOther;
    } else {
      problems.Add("sex",
                   fmt::format("'{}' is not male, female or other", *sex));
    }
  }
  bool kind_ok = false;
  if (auto kind = StringField(root, "kind", true, problems)) {
    if (*kind == "standard") {
      profile.kind = ProfileKind::kStandard;
      kind_ok = true;
    } else if (*kind == "face_auth") {
      profile.kind = ProfileKind::kFaceAuth;
      kind_ok = true;
    } else {
      problems.Add("kind",
                   fmt::format("'{}' is not standard or face_auth", *kind));
    }
  }
  if (const auto it = root.find("adult_ward"); it != root.end()) {
    if (!it->is_boolean()) {
      problems.Add("adult_ward", "must be true or false");
    } else {
      profile.adult_ward = it->get<bool>();
    }
  }

  // certificates
  if (const auto it = root.find("certificates"); it == root.end()) {
    problems.Add("certificates", "missing (use [] for none)");
  } else if (!it->is_array()) {
    problems.Add("certificates", "must be an array");
  } else {
    for (const Json& item : *it) {
      const std::string word = item.is_string() ? item.get<std::string>() : "";
      bool* slot = word == "authentication"
                       ? &profile.authentication_certificate
                   : word == "signature" ? &profile.signature_certificate
                                         : nullptr;
      if (slot == nullptr) {
        problems.Add("certificates",
                     "entries are \"authentication\" or \"signature\"");
      } else if (*slot) {
        problems.Add("certificates", fmt::format("'{}' listed twice", word));
      } else {
        *slot = true;
      }
    }
  }
  const bool face_auth = profile.kind == ProfileKind::kFaceAuth;
  if (birth_ok && kind_ok && profile.signature_certificate) {
    const int age = profile.AgeAtIssue();
    // jpki.md §6.2: no signature certificate under 15, for adult wards, or
    // on a face-authentication card.
    if (age < 15) {
      problems.Add("certificates",
                   fmt::format("no signature certificate under 15 (age {} "
                               "on {})",
                               age, domain::FormatDate(profile.issue_date)));
    }
    if (profile.adult_ward) {
      problems.Add("certificates",
                   "no signature certificate for an adult ward");
    }
    if (face_auth) {
      problems.Add("certificates",
                   "no signature certificate on a face_auth card");
    }
  }

  // passwords
  if (const auto it = root.find("passwords"); it == root.end()) {
    problems.Add("passwords", "missing (use {} for a face_auth card)");
  } else if (!it->is_object()) {
    problems.Add("passwords", "must be an object");
  } else {
    for (const auto& [key, value] : it->items()) {
      bool known = false;
      for (const PasswordSpec& spec : kPasswordSpecs) known |= spec.key == key;
      if (!known) problems.Add("passwords." + key, "unknown password");
    }
    for (const PasswordSpec& spec : kPasswordSpecs) {
      const std::string field = fmt::format("passwords.{}", spec.key);
      auto value = StringField(*it, spec.key, false, problems, "passwords");
      const bool given = value && !value->empty();
      bool needed = false;
      std::string why;
      if (!face_auth) {
        switch (spec.kind) {
          case domain::PasswordKind::kSignature:
            needed = profile.signature_certificate;
            why = "set only with a signature certificate";
            break;
          case domain::PasswordKind::kAuthentication:
            needed = profile.authentication_certificate;
            why = "set only with an authentication certificate";
            break;
          default:
            needed = true;  // domain.md §3: always, except face_auth
            break;
        }
      } else {
        why = "a face_auth card has no passwords (domain.md §8.4)";
      }
      if (needed && !given) {
        problems.Add(field, "missing");
      } else if (!needed && given) {
        problems.Add(field, why);
      } else if (given) {
        if (auto violation = domain::CheckPassword(spec.kind, *value)) {
          problems.Add(field, violation->message);
        } else {
          profile.passwords.*spec.member = *value;
        }
      }
      if (value) SecureWipe(*value);
    }
  }

  // Optional extras.
  if (auto kana = StringField(root, "kana", false, problems)) {
    profile.kana = *kana;
  }
  if (auto former = StringField(root, "former_surname", false, problems)) {
    profile.former_surname = *former;
  }
  if (auto photo = StringField(root, "photo", false, problems)) {
    std::filesystem::path path(*photo);
    if (path.is_relative() && !base_dir.empty()) path = base_dir / path;
    std::error_code ec;
    if (photo->empty() || !std::filesystem::is_regular_file(path, ec)) {
      problems.Add("photo", fmt::format("no such file: {}", path.string()));
    } else {
      profile.photo = path;
    }
  }
  if (auto code = StringField(root, "municipality_code", false, problems)) {
    if (!AllDigits(*code, 5)) {
      problems.Add("municipality_code",
                   "5 digits (全国地方公共団体コード without its check digit)");
    } else {
      profile.municipality_code = *code;
    }
  }
  if (auto prefecture =
          StringField(root, "municipality_prefecture", false, problems)) {
    profile.municipality_prefecture = *prefecture;
  }
  if (auto name = StringField(root, "municipality_name", false, problems)) {
    profile.municipality_name = *name;
  }
  if (auto code = StringField(root, "security_code", false, problems)) {
    if (!AllDigits(*code, 4)) {
      problems.Add("security_code", "must be 4 digits");
    } else {
      profile.security_code = *code;
    }
  }
  if (const auto it = root.find("residence"); it != root.end()) {
    if (!it->is_object()) {
      problems.Add("residence", "must be an object {status, stay_until}");
    } else {
      if (auto status =
              StringField(*it, "status", true, problems, "residence")) {
        auto parsed = domain::ParseResidenceStatus(*status);
        if (!parsed) {
          problems.Add("residence.status", parsed.error().message());
        } else {
          profile.residence = *parsed;
        }
      }
      if (auto until =
              StringField(*it, "stay_until", false, problems, "residence")) {
        auto date = domain::ParseDate(*until);
        if (!date) {
          problems.Add("residence.stay_until", date.error().message());
        } else {
          profile.stay_until = *date;
        }
      }
      for (const auto& [key, value] : it->items()) {
        if (key != "status" && key != "stay_until") {
          problems.Add("residence." + key, "unknown key");
        }
      }
    }
  }

  // The validity rules (domain.md §5) must accept the card, e.g. a stay
  // that ended before the issue date.
  if (problems.empty()) {
    domain::ValidityInput in;
    in.birth = profile.birth_date;
    in.issued = profile.issue_date;
    in.adult_ward = profile.adult_ward;
    in.face_auth_card = face_auth;
    in.status = profile.residence;
    in.stay_until = profile.stay_until;
    if (auto validity = domain::ComputeValidity(in); !validity) {
      problems.Add("residence", validity.error().message());
    }
  }

  if (!problems.empty()) {
    return Fail(PersoErrc::kInvalidProfile, problems.Join());
  }
  return profile;
}

Result<Profile> LoadProfile(const std::filesystem::path& path,
                            domain::Date today) {
  auto text = ReadFileText(path);
  if (!text) {
    return Fail(PersoErrc::kIo,
                fmt::format("cannot read profile {}: {}", path.string(),
                            text.error().message()));
  }
  auto profile = ParseProfile(*text, today, path.parent_path());
  SecureWipe(*text);
  return profile;
}

}  // namespace openmyna::card::perso
