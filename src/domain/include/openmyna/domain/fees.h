// Fees as data (domain.md §6, §8.1; the municipal guidebook).
#pragma once

namespace openmyna::domain {

// Yen amounts charged to the resident. The defaults are the guidebook's.
struct FeeSchedule {
  int first_issue_yen = 0;              // free "for now"
  int reissue_with_certs_yen = 1000;    // 再交付, with certificates
  int reissue_without_certs_yen = 800;  // 再交付, without certificates
  int notes_full_reissue_yen = 0;       // notes area (追記欄) full
  int renewal_yen = 0;                  // renewal at expiry
};

// The guidebook's schedule.
inline constexpr FeeSchedule kGuidebookFees{};

// The fee for a reissue (再交付): free when the notes area is full, else
// with or without certificates (domain.md §6).
int ReissueFee(const FeeSchedule& fees, bool with_certificates,
               bool notes_area_full);

// Convenience-store issuance costs 50 yen less than the counter (domain.md
// §8.1); never below 0.
inline constexpr int kConvenienceStoreDiscountYen = 50;
int ConvenienceStoreFee(int counter_fee_yen);

}  // namespace openmyna::domain
