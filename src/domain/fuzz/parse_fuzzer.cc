// Fuzz target for the domain parsers: individual and corporate numbers,
// dates and status names. Beyond "no crash", it checks what must hold for
// every accepted input (round trips, check digits, era conversions).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "openmyna/domain/corporate_number.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/era.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/domain/residence.h"
#include "openmyna/domain/validity.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna::domain;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto n = IndividualNumber::Parse(text)) {
    Require(n->digits() == text);
    Require(IndividualNumberCheckDigit(text.substr(0, 11)) == text[11] - '0');
    Require(n->Masked().substr(8) == text.substr(8));
  } else {
    Require(!n.error().message().empty());
  }

  if (auto c = ParseCorporateNumber(text)) {
    Require(*c == text);
    Require(CorporateNumberCheckDigit(text.substr(1)) == text[0] - '0');
  }

  (void)ParseResidenceStatus(text);

  auto date = ParseDate(text);
  if (date) {
    Require(FormatDate(*date) == text);
    if (auto era = ToEra(*date)) {
      auto back = FromEra(*era);
      Require(back && *back == *date);
      Require(JpkiDateOfBirth(*date).size() == 9);
      Require(EraYymmdd(*date).size() == 6);
    }
    if (InstantRange(*date)) {
      Require(JapanDateOf(StartOfJapanDay(*date)) == *date);
      Require(JapanDateOf(EndOfJapanDay(*date)) == *date);
    }
  } else {
    for (char ch : date.error().message()) {
      Require(ch >= 0x20 && ch < 0x7F);  // one printable line
    }
  }

  // Two dates separated by a space: birth and issue for the validity rules.
  if (size == 21 && text[10] == ' ') {
    auto birth = ParseDate(text.substr(0, 10));
    auto issued = ParseDate(text.substr(11));
    if (birth && issued) {
      ValidityInput in;
      in.birth = *birth;
      in.issued = *issued;
      if (auto v = ComputeValidity(in)) {
        Require(std::chrono::sys_days{v->card_expiry} >
                std::chrono::sys_days{*issued});
      }
    }
  }
  return 0;
}
