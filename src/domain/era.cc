#include "openmyna/domain/era.h"

#include <fmt/format.h>

#include <array>

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;

struct EraRow {
  Era era;
  Date first_day;
  std::string_view name_ja;
  std::string_view name_en;
};

// First days of the eras (see era.h for the sources of the dates).
constexpr std::array<EraRow, 5> kEras{{
    {Era::kMeiji, Date{year{1868}, month{1}, day{25}}, "明治", "Meiji"},
    {Era::kTaisho, Date{year{1912}, month{7}, day{30}}, "大正", "Taisho"},
    {Era::kShowa, Date{year{1926}, month{12}, day{25}}, "昭和", "Showa"},
    {Era::kHeisei, Date{year{1989}, month{1}, day{8}}, "平成", "Heisei"},
    {Era::kReiwa, Date{year{2019}, month{5}, day{1}}, "令和", "Reiwa"},
}};

const EraRow* RowOf(Era era) {
  for (const EraRow& row : kEras) {
    if (row.era == era) return &row;
  }
  return nullptr;
}

}  // namespace

Date EraStart(Era era) {
  const EraRow* row = RowOf(era);
  return row ? row->first_day : kEras.front().first_day;
}

Result<EraDate> ToEra(Date d) {
  if (!d.ok()) return Fail(DomainErrc::kInvalidDate, "not a calendar date");
  for (auto it = kEras.rbegin(); it != kEras.rend(); ++it) {
    if (sys_days{d} >= sys_days{it->first_day}) {
      const int era_year = static_cast<int>(d.year()) -
                           static_cast<int>(it->first_day.year()) + 1;
      return EraDate{it->era, era_year, static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day())};
    }
  }
  return Fail(DomainErrc::kInvalidEraDate,
              fmt::format("{} is before Meiji 1 (1868-01-25)", FormatDate(d)));
}

Result<Date> FromEra(const EraDate& e) {
  const EraRow* row = RowOf(e.era);
  if (row == nullptr) {
    return Fail(DomainErrc::kInvalidEraDate, "unknown era");
  }
  if (e.year < 1 || e.year > 9999) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("era year {} out of range", e.year));
  }
  const Date d{row->first_day.year() + std::chrono::years{e.year - 1},
               month{e.month}, day{e.day}};
  if (!d.ok()) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("{} {}-{:02d}-{:02d} is not a calendar date",
                            row->name_en, e.year, e.month, e.day));
  }
  const bool before_start = sys_days{d} < sys_days{row->first_day};
  bool after_end = false;
  if (row + 1 != kEras.data() + kEras.size()) {
    after_end = sys_days{d} >= sys_days{(row + 1)->first_day};
  }
  if (before_start || after_end) {
    return Fail(DomainErrc::kInvalidEraDate,
                fmt::format("{} {}-{:02d}-{:02d} ({}) is outside the {} era",
                            row->name_en, e.year, e.month, e.day, FormatDate(d),
                            row->name_en));
  }
  return d;
}

std::string JpkiDateOfBirth(Date d) {
  const Result<EraDate> era = ToEra(d);
  const int code = era ? static_cast<int>(era->era) : 0;
  return fmt::format("{}{}", code, FormatCompactDate(d));
}

std::string EraYymmdd(Date d) {
  const Result<EraDate> era = ToEra(d);
  const int yy = era ? era->year % 100 : 0;
  return fmt::format("{:02d}{:02d}{:02d}", yy, static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

std::string_view EraNameJa(Era era) {
  const EraRow* row = RowOf(era);
  return row ? row->name_ja : "";
}

std::string_view EraNameEn(Era era) {
  const EraRow* row = RowOf(era);
  return row ? row->name_en : "";
}

}  // namespace openmyna::domain
