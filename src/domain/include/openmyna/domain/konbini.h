// Rules of convenience-store certificate issuance (コンビニ交付; issue 11,
// items 3-4; ../shared/docs/konbini.md). Pure functions: the caller passes
// the instant, the municipality's configuration and the dates.
//
// Sources: the guidebook (Chikuma City) for the hours "毎日・午前6時30分～
// 午後11時", "市役所の窓口よりも50円安く", the four certificates, the
// under-15 rule and the availability table (早見表); konbini.md §1.4 for the
// year-end closure 12/29-1/3 (tkc.jp and municipal pages) and the
// family-register hours some municipalities set (weekdays 09:00-17:00).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/domain/date.h"

namespace openmyna::domain {

// The certificates of the guidebook's list.
enum class KonbiniCertificate {
  kJuminhyo,     // 住民票の写し
  kInkan,        // 印鑑登録証明書
  kKoseki,       // 戸籍全部事項証明書 (謄本)
  kKosekiKojin,  // 戸籍個人事項証明書 (抄本)
  kFuhyo,        // 戸籍の附票の写し
};

std::string_view KonbiniCertificateName(KonbiniCertificate c);  // "juminhyo"
std::optional<KonbiniCertificate> ParseKonbiniCertificate(std::string_view);
// Issued by the domicile municipality (本籍地) rather than the residence.
bool IsFamilyRegisterCertificate(KonbiniCertificate c);

// Minutes after JST midnight.
struct TimeOfDay {
  int minutes = 0;
  static constexpr TimeOfDay At(int h, int m) { return {h * 60 + m}; }
};

// A municipality's window, [from, until) in JST minutes, on office days only
// when `weekdays_only` (Saturday, Sunday, national holidays (office_days.h)
// and 12/29-1/3 excluded).
struct ServiceWindow {
  TimeOfDay from = TimeOfDay::At(6, 30);
  TimeOfDay until = TimeOfDay::At(23, 0);
  bool weekdays_only = false;
};

// A maintenance stop, [from, until) as instants.
struct Maintenance {
  TimePoint from;
  TimePoint until;
};

// The guidebook's hours: every day 06:30-23:00.
inline constexpr ServiceWindow kKonbiniHours{};
// Family-register certificates in municipalities that limit them
// (konbini.md §1.4).
inline constexpr ServiceWindow kOfficeHours{TimeOfDay::At(9, 0),
                                            TimeOfDay::At(17, 0), true};

// Why the service is closed at `now` for this window, or nullopt when open:
// outside the hours, the year-end closure (12/29-1/3), a weekend or a
// national holiday for a weekdays-only window, or a maintenance stop.
std::optional<std::string> KonbiniClosedReason(
    TimePoint now, const ServiceWindow& window,
    std::span<const Maintenance> maintenance = {});

// The guidebook's 早見表 as seen by one municipality M: ○ available,
// △ after the 利用登録申請 (registration at the domicile), ▲ depends on the
// other municipality's configuration, ✕ not obtainable there.
enum class Availability { kAvailable, kAfterRegistration, kOtherMunicipality };
Availability AvailabilityAt(bool resident_of_m, bool domiciled_in_m,
                            KonbiniCertificate c);

// Minimum age (the holder's, on the day) to use the service.
inline constexpr int kKonbiniMinimumAge = 15;

// A fee table row: from `from` (inclusive) until a later row of the same
// municipality and certificate replaces it.
struct KonbiniFeeRow {
  std::string municipality_code;
  KonbiniCertificate certificate;
  Date from;
  int counter_yen = 0;
  int konbini_yen = 0;
};

// The row in force on `on`, or nullopt when the municipality has none for
// this certificate yet.
std::optional<KonbiniFeeRow> KonbiniFeeOn(std::span<const KonbiniFeeRow> table,
                                          std::string_view municipality_code,
                                          KonbiniCertificate c, Date on);

// The sandbox's fee tables for Chikuma City (20218: counter fee − ¥50, the
// guidebook; the counter fees are sandbox values) and Kiyose City (13221:
// sandbox values, with a dated change on 2026-04-01 to exercise the table).
std::span<const KonbiniFeeRow> SandboxKonbiniFees();

}  // namespace openmyna::domain
