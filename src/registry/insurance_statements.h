// (internal) The two statements of an eligibility check (insurance_store.cc),
// here so that the plan test (insurance_plan_test.cc) explains the very text
// the store runs.
//
// Each is one round trip made of look-ups by key, UNION ALL'd, every row
// tagged with what it carries, and not a chain of joins: PostgreSQL plans a
// join from its statistics, which lag right after a bulk load. Without
// them the memberships by resident were estimated at rows / 200 (1,000,000
// memberships: 14,000 rows), the latest-consent subquery was costed once
// per such row, and the estimate (153,000) passed jit_above_cost (100,000):
// every check compiled 40 functions (≈ 30 ms), 28-68 checks/s instead of
// 300+ (docs/insurance.md, session 11). Here every table is reached by an
// equality on its key or index (PostgreSQL's InitPlans give the
// certificate's card and resident), and the memberships carry a LIMIT so
// that the estimate stays a key look-up's whatever the statistics.
#pragma once

#include <string_view>

namespace openmyna::registry::internal {

// Memberships read by one statement; a resident or card number with more
// is read again by its own look-up (the LIMIT below is this + 1).
inline constexpr int kMembershipsInOne = 20;

// Whether `sql` ends with the memberships arm "... LIMIT n) AS m" where n is
// kMembershipsInOne + 1: the store tells "more than fit" by reading one
// more row than it keeps, so the two must not drift apart.
consteval bool EndsWithTheMembershipsLimit(std::string_view sql) {
  constexpr std::string_view kLimit = " LIMIT ", kEnd = ") AS m";
  if (!sql.ends_with(kEnd)) return false;
  sql.remove_suffix(kEnd.size());
  const auto at = sql.rfind(kLimit);
  if (at == std::string_view::npos) return false;
  int n = 0;
  for (char c : sql.substr(at + kLimit.size())) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n == kMembershipsInOne + 1;
}

// $1 institution code, $2 certificate serial. Tags: 'i' institution doc,
// 'c' certificate doc, 'd' card id, 'r' resident id, 'g' registration doc,
// 's' latest consent at $1 doc, 'm' membership doc with its insurer's doc
// (NULL if unknown) in the third column.
inline constexpr const char* kCardCheckRowsSql =
    "WITH c AS (SELECT card_id, resident_id, doc FROM certificates WHERE "
    "serial = $2) "
    "SELECT 'i', doc, NULL FROM medical_institutions WHERE code = $1 "
    "UNION ALL SELECT 'c', doc, NULL FROM c "
    "UNION ALL SELECT 'd', id, NULL FROM cards WHERE id = (SELECT card_id "
    "FROM c) "
    "UNION ALL SELECT 'r', id, NULL FROM residents WHERE id = (SELECT "
    "resident_id FROM c) "
    "UNION ALL SELECT 'g', doc, NULL FROM insurance_registrations WHERE "
    "resident_id = (SELECT resident_id FROM c) "
    "UNION ALL SELECT 's', doc, NULL FROM (SELECT doc FROM insurance_consents "
    "WHERE resident_id = (SELECT resident_id FROM c) AND institution_code = "
    "$1 ORDER BY valid_until DESC, id DESC LIMIT 1) AS s "
    "UNION ALL SELECT 'm', m.doc, (SELECT n.doc FROM insurers n WHERE "
    "n.number = m.insurer_number) FROM (SELECT doc, insurer_number FROM "
    "memberships WHERE resident_id = (SELECT resident_id FROM c) LIMIT 21) "
    "AS m";

// $1 institution code, $2 保険者番号, $3 番号. Tags: 'i' institution doc,
// 'm' membership doc with its insurer's doc. Unordered (no ORDER BY: with
// the LIMIT it would invite a walk of the primary key in id order).
inline constexpr const char* kCardDataRowsSql =
    "SELECT 'i', doc, NULL FROM medical_institutions WHERE code = $1 "
    "UNION ALL SELECT 'm', m.doc, (SELECT n.doc FROM insurers n WHERE "
    "n.number = m.insurer_number) FROM (SELECT doc, insurer_number FROM "
    "memberships WHERE insurer_number = $2 AND number = $3 LIMIT 21) AS m";

static_assert(EndsWithTheMembershipsLimit(kCardCheckRowsSql));
static_assert(EndsWithTheMembershipsLimit(kCardDataRowsSql));

}  // namespace openmyna::registry::internal
