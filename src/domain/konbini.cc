#include "openmyna/domain/konbini.h"

#include <array>
#include <cstdio>
#include <tuple>

#include "openmyna/domain/fees.h"
#include "openmyna/domain/office_days.h"

namespace openmyna::domain {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr std::array kNames = {
    std::pair{KonbiniCertificate::kJuminhyo, std::string_view("juminhyo")},
    std::pair{KonbiniCertificate::kInkan, std::string_view("inkan")},
    std::pair{KonbiniCertificate::kKoseki, std::string_view("koseki")},
    std::pair{KonbiniCertificate::kKosekiKojin,
              std::string_view("koseki-kojin")},
    std::pair{KonbiniCertificate::kFuhyo, std::string_view("fuhyo")},
};

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

}  // namespace

std::string_view KonbiniCertificateName(KonbiniCertificate c) {
  for (const auto& [value, name] : kNames) {
    if (value == c) return name;
  }
  return "?";
}

std::optional<KonbiniCertificate> ParseKonbiniCertificate(
    std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool IsFamilyRegisterCertificate(KonbiniCertificate c) {
  return c == KonbiniCertificate::kKoseki ||
         c == KonbiniCertificate::kKosekiKojin ||
         c == KonbiniCertificate::kFuhyo;
}

std::optional<std::string> KonbiniClosedReason(
    TimePoint now, const ServiceWindow& window,
    std::span<const Maintenance> maintenance) {
  for (const Maintenance& m : maintenance) {
    if (m.from <= now && now < m.until) {
      return "システムメンテナンス中です (maintenance)";
    }
  }
  const Date today = JapanDateOf(now);
  if (IsYearEndClosure(today)) {
    return "年末年始 (12月29日～1月3日) は利用できません (year-end closure)";
  }
  if (window.weekdays_only) {
    const std::chrono::weekday wd{sys_days(today)};
    if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) {
      return "この証明書は平日のみ取得できます (weekdays only)";
    }
    if (auto holiday = NationalHolidayName(today)) {
      return "この証明書は祝日（" + std::string(*holiday) +
             "）には取得できません (not on national holidays)";
    }
  }
  const int minutes =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(
                           now - StartOfJapanDay(today))
                           .count());
  if (minutes < window.from.minutes || minutes >= window.until.minutes) {
    char text[96];
    std::snprintf(
        text, sizeof text,
        "利用時間外です (outside the service hours %02d:%02d-%02d:%02d "
        "JST)",
        window.from.minutes / 60, window.from.minutes % 60,
        window.until.minutes / 60, window.until.minutes % 60);
    return std::string(text);
  }
  return std::nullopt;
}

Availability AvailabilityAt(bool resident_of_m, bool domiciled_in_m,
                            KonbiniCertificate c) {
  const bool family = IsFamilyRegisterCertificate(c);
  if (resident_of_m) {
    // Row "千曲市 / 千曲市" all ○; row "千曲市 / 他自治体": ○ ○ ▲ ▲.
    if (!family || domiciled_in_m) return Availability::kAvailable;
    return Availability::kOtherMunicipality;
  }
  // Row "他自治体 / 千曲市": ▲ ▲ △ △; row "他自治体 / 他自治体": all ▲.
  if (family && domiciled_in_m) return Availability::kAfterRegistration;
  return Availability::kOtherMunicipality;
}

std::optional<KonbiniFeeRow> KonbiniFeeOn(std::span<const KonbiniFeeRow> table,
                                          std::string_view municipality_code,
                                          KonbiniCertificate c, Date on) {
  std::optional<KonbiniFeeRow> best;
  for (const KonbiniFeeRow& row : table) {
    if (row.municipality_code != municipality_code || row.certificate != c) {
      continue;
    }
    if (sys_days(row.from) > sys_days(on)) continue;
    if (!best || sys_days(row.from) > sys_days(best->from)) best = row;
  }
  return best;
}

std::span<const KonbiniFeeRow> SandboxKonbiniFees() {
  using C = KonbiniCertificate;
  static const std::vector<KonbiniFeeRow> table = [] {
    std::vector<KonbiniFeeRow> rows;
    const Date since = D(2016, 1, 1);
    // Chikuma City: counter − ¥50 (guidebook); counter fees sandbox values.
    for (auto [c, counter] :
         {std::pair{C::kJuminhyo, 300}, std::pair{C::kInkan, 300},
          std::pair{C::kKoseki, 450}, std::pair{C::kKosekiKojin, 450},
          std::pair{C::kFuhyo, 300}}) {
      rows.push_back(
          {"20218", c, since, counter, ConvenienceStoreFee(counter)});
    }
    // Kiyose City: sandbox values; 住民票 and 印鑑 cheaper from 2026-04-01.
    for (auto [c, counter, konbini] :
         {std::tuple{C::kJuminhyo, 300, 300}, std::tuple{C::kInkan, 300, 300},
          std::tuple{C::kKoseki, 450, 450},
          std::tuple{C::kKosekiKojin, 450, 450},
          std::tuple{C::kFuhyo, 300, 300}}) {
      rows.push_back({"13221", c, since, counter, konbini});
    }
    rows.push_back({"13221", C::kJuminhyo, D(2026, 4, 1), 300, 200});
    rows.push_back({"13221", C::kInkan, D(2026, 4, 1), 300, 200});
    return rows;
  }();
  return table;
}

}  // namespace openmyna::domain
