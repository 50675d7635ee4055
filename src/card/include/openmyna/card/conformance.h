// Client conformance findings (issue 14 item 3): the places where a client
// relied on behaviour that real My Number Cards vary on, or that the
// specifications leave open. The kernel detects them while it answers (it
// knows which of its answers real cards do not promise) and hands each one
// to the sink set with CardEndpoint::SetFindingSink; with
// CardOptions::strict it refuses the command instead (the answer of each
// kind is in the table below). The transport's ConformanceRecorder
// (openmyna/card/transport/conformance.h) groups them per card session and
// writes the report of `card plug --report`.
//
// Sources: card-apdu.md sections (§), ISO/IEC 7816-4:2020 clauses, JICSAP.
// docs/card.md "Client conformance report" lists every kind.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "openmyna/base/bytes.h"

namespace openmyna::card {

// Keep the last kind last: FindingTableInKindOrder() counts up to it.
enum class FindingKind : std::uint8_t {
  kReselectKeptLogin,    // a PIN verified before SELECT of the current AP
                         // opened something after it
  kShortHeaderAssumed,   // a read that only makes sense with FF 20 LL on
                         // an EF whose header is FF 20 82 HH LL
  kLePastEnd,            // explicit Le larger than what is left of the EF
  kOffsetPastEnd,        // READ BINARY at or past the end (6B 00)
  kVerifyBlockedPin,     // VERIFY with data on a blocked PIN
  kPinWrongLength,       // VERIFY value of a length the PIN cannot have
  kExtendedLength,       // extended Lc/Le
  kSignKeyNotSelected,   // 80 2A naming the key by SFI or implicitly
  kChallengeWithoutKey,  // GET CHALLENGE in an AP with no key EF current
  kQueryAfterVerify,     // empty VERIFY of a PIN verified in the session
  kMultiRecordRead,      // READ RECORD P2 = …101 (all records)
  kAidPrefix,            // SELECT by a proper prefix of a known AID
  kSelectFciRequested,   // SELECT of a known AP asking for the FCI
  kGetDataInAp,          // GET DATA with an AP selected
  kSelectEfWithoutAp,    // SELECT EF with no AP selected
  kSignInputLength,      // 80 2A input of a length the P1 does not take
};

inline constexpr std::size_t kFindingKindCount = 16;

struct FindingInfo {
  FindingKind kind;
  std::string_view id;          // stable machine name
  std::string_view client_did;  // what the client relied on
  std::string_view real_cards;  // what real cards are known to do
  std::string_view source;      // card-apdu.md sections / ISO 7816-4
  std::string_view strict;      // what --strict answers instead
};

// One row per kind, in FindingKind order.
inline constexpr std::array<FindingInfo, kFindingKindCount> kFindingTable{{
    {FindingKind::kReselectKeptLogin, "reselect_kept_login",
     "used a PIN verified before SELECTing the already-current AP again",
     "most cards keep the verified state on re-selection of the current AP; "
     "not all (\"does not reliably clear\"); OpenSC's logout assumes "
     "clearing. Verify again after a SELECT of the AP",
     "card-apdu.md §2, §15, §16 #6; ISO/IEC 7816-4 §7.1.1 (security status "
     "on DF selection is card-specific)",
     "69 82, as a card that clears"},
    {FindingKind::kShortHeaderAssumed, "short_header_assumed",
     "read the EF as if its header were 3 bytes (tag + 1 length byte)",
     "from 128 bytes of value the card writes FF 20 82 HH LL (5 bytes), "
     "never 81 LL; take the length form from the byte after the tag",
     "card-apdu.md §8.1, §8.3, §15 (WUSB, FLT, BEXT, MNB)", "69 85"},
    {FindingKind::kLePastEnd, "le_past_end",
     "asked for more bytes (explicit Le) than the EF has left",
     "JICSAP 6.4.1(4) cards return the bytes that exist + 90 00; ISO allows "
     "62 82 (end of file before Ne bytes) or 6C xx; use Le 00 for \"up to "
     "the end\" or the length from the header",
     "card-apdu.md §3.2, §10.1 (62 82); ISO/IEC 7816-4 §11.3.3, §5.6",
     "the bytes that exist + 62 82"},
    {FindingKind::kOffsetPastEnd, "offset_past_end",
     "read at or past the end of the EF (finding the end by the error)",
     "6B 00 (JICSAP 7.3.1); ISO lets a card answer 6A 86 or 62 82 instead; "
     "stop at the length from the header",
     "card-apdu.md §3.2; ISO/IEC 7816-4 §11.3.3", "6B 00 (unchanged)"},
    {FindingKind::kVerifyBlockedPin, "verify_blocked_pin",
     "sent a PIN to a blocked key",
     "69 84 on My Number Cards, 69 83 by ISO convention (OpenSC maps only "
     "69 83 to PIN_LOCKED); query first (empty VERIFY → 63 C0)",
     "card-apdu.md §9.2, §10.2, §15", "69 84 (unchanged)"},
    {FindingKind::kPinWrongLength, "pin_wrong_length",
     "sent a VERIFY value of a length this PIN cannot have",
     "the card spends a try (63 Cx) for any 1–16 bytes; some cards answer "
     "67 00 or 6A 80 without spending one; check the format before sending",
     "card-apdu.md §3.3, §9.1, §16 #9 (JICSAP 6.4.9)", "67 00, no try spent"},
    {FindingKind::kExtendedLength, "extended_length", "used an extended Lc/Le",
     "READ BINARY accepts extended Le on cards seen (§3.2); GET CHALLENGE "
     "refuses it (69 85); readers and drivers without extended APDUs "
     "(OpenSC's jpki driver: short only) do not pass it; fall back to "
     "256-byte reads",
     "card-apdu.md §3.1, §3.2, §12, §13.1; ISO/IEC 7816-4 §5.1", "67 00"},
    {FindingKind::kSignKeyNotSelected, "sign_key_not_selected",
     "signed without SELECTing the key EF (key named by SFI in P2, or the "
     "AP's implicit key with P2 = 00)",
     "P2 = 80|SFI gives the same signature on cards measured (BEXT); every "
     "other client SELECTs the key EF (the security environment); the "
     "implicit key of the card-face APs is how MC signs the challenge",
     "card-apdu.md §3.4, §6 (presence proof); ISO/IEC 7816-8 §11", "6A 86"},
    {FindingKind::kChallengeWithoutKey, "challenge_without_key",
     "asked for a challenge in an AP with no key EF selected",
     "cards answer GET CHALLENGE in any state; whether the challenge is "
     "bound to the key signing it next is not documented",
     "card-apdu.md §3.1, §6 (presence proof); ISO/IEC 7816-4 §11.6.3", "69 85"},
    {FindingKind::kQueryAfterVerify, "query_after_verify",
     "sent the empty VERIFY for a PIN already verified in this session",
     "this card answers 63 Cn; some real cards answer 90 00 (OpenSC needs "
     "63 Cx between the two logins of the signature key)",
     "card-apdu.md §9.2, §16 #5; ISO/IEC 7816-4 §11.5.6",
     "90 00, as those cards do"},
    {FindingKind::kMultiRecordRead, "multi_record_read",
     "read all records at once (READ RECORD P2 = …05)",
     "6A 81 on some cards; read record by record", "card-apdu.md §3.1, §16 #15",
     "6A 81 (unchanged)"},
    {FindingKind::kAidPrefix, "aid_prefix",
     "selected an application by a prefix of its AID",
     "JICSAP allows prefix selection; no card or client in scope is known "
     "to use it; this card matches exactly (6A 82)",
     "card-apdu.md §2, §16 #14", "6A 82 (unchanged)"},
    {FindingKind::kSelectFciRequested, "select_fci_requested",
     "asked for FCI when selecting an AP (P2 ≠ 0C)",
     "what real cards return as FCI is not known; this card returns none",
     "card-apdu.md §3.1, §16 #2; ISO/IEC 7816-4 §11.2.2",
     "90 00 without FCI (unchanged)"},
    {FindingKind::kGetDataInAp, "get_data_in_ap",
     "asked for an MF-level GET DATA object with an AP selected",
     "MF objects answer with no AP selected; some cards answer 5F51 only "
     "with an AP selected, older ones lack 7F21",
     "card-apdu.md §7.3, §13.3", "6A 88 (unchanged)"},
    {FindingKind::kSelectEfWithoutAp, "select_ef_without_ap",
     "selected an EF with no AP selected",
     "not established; this card answers 6A 82 (only MF 001E exists)",
     "card-apdu.md §7.3, §16 #16", "6A 82 (unchanged)"},
    {FindingKind::kSignInputLength, "sign_input_length",
     "sent signing input of a length P1 does not take",
     "69 85 or 67 00 depending on the card", "card-apdu.md §3.4",
     "67 00 (unchanged)"},
}};

// InfoOf indexes the table by kind: every row must sit at its kind's place.
inline constexpr bool FindingTableInKindOrder() {
  for (std::size_t i = 0; i < kFindingTable.size(); ++i) {
    if (static_cast<std::size_t>(kFindingTable[i].kind) != i) return false;
  }
  return static_cast<std::size_t>(FindingKind::kSignInputLength) + 1 ==
         kFindingKindCount;
}
static_assert(FindingTableInKindOrder(),
              "kFindingTable rows must follow FindingKind, one per kind");

inline const FindingInfo& InfoOf(FindingKind kind) {
  return kFindingTable[static_cast<std::size_t>(kind)];
}

// One finding: the kind, the command as the client sent it (unmasked: the
// recorder masks passwords before writing) and the status word the card
// answered.
struct Finding {
  FindingKind kind;
  ByteView command;
  std::uint16_t sw = 0;
  bool refused = false;  // strict mode changed the answer
};

using FindingSink = std::function<void(const Finding&)>;

}  // namespace openmyna::card
