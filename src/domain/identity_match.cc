#include "openmyna/domain/identity_match.h"

namespace openmyna::domain {

std::string WithoutSpaces(std::string_view text) {
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
    } else if (text.substr(i, 3) == kIdeographicSpace) {
      i += 3;
    } else {
      out += text[i++];
    }
  }
  return out;
}

namespace {
bool Same(std::string_view a, std::string_view b) {
  const std::string x = WithoutSpaces(a);
  return !x.empty() && x == WithoutSpaces(b);
}
}  // namespace

IdentityMatch MatchIdentity(const IdentityItems& enrolment,
                            const IdentityItems& registry) {
  IdentityMatch m;
  m.name = Same(enrolment.name, registry.name);
  m.name_kana = Same(enrolment.name_kana, registry.name_kana);
  m.date_of_birth = !enrolment.date_of_birth.empty() &&
                    enrolment.date_of_birth == registry.date_of_birth;
  m.sex = enrolment.sex != 0 && enrolment.sex == registry.sex;
  m.address = Same(enrolment.address, registry.address);
  return m;
}

}  // namespace openmyna::domain
