// Japanese national holidays and the days a municipal office is open
// (開庁日), for rules counted in business days (the 利用登録申請 of the
// convenience-store service takes effect after a municipality's number of
// business days; konbini.md §1.4).
//
// Source: 国民の祝日に関する法律 (Act No. 178 of 1948, as amended in 2018:
// 天皇誕生日 23 February from 2020, スポーツの日 from 2020) Art. 2 (the
// days), Art. 3(2) (振替休日: a holiday on a Sunday moves to the nearest
// following day that is not a holiday) and Art. 3(3) (国民の休日: a day
// between two holidays). The equinox days are fixed each year by the
// Cabinet Office's gazette from the National Astronomical Observatory's
// ephemeris; the approximation used here (valid 1980-2099) agrees with every
// date the observatory has published for 2022-2027. Rules are those in force
// since 2022 (the special dates of 2019-2021 are not modelled).
// Municipal offices also close 29 December - 3 January (地方自治法 Art. 4-2).
#pragma once

#include <optional>
#include <string_view>

#include "openmyna/domain/date.h"

namespace openmyna::domain {

// The holiday's name ("元日", "振替休日", "国民の休日", …) or nullopt.
std::optional<std::string_view> NationalHolidayName(Date d);
bool IsNationalHoliday(Date d);

// 29 December - 3 January, when municipal offices and the convenience-store
// service close (地方自治法 Art. 4-2; konbini.md §1.4).
bool IsYearEndClosure(Date d);

// Monday to Friday, not a national holiday, not 29 December - 3 January.
bool IsOfficeDay(Date d);

// The `n`-th office day after `d` (n >= 1); n <= 0 gives `d`.
Date AddOfficeDays(Date d, int n);

}  // namespace openmyna::domain
