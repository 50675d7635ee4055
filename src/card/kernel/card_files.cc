// SELECT, READ BINARY, READ RECORD, GET DATA and the forced key read
// (card-apdu.md §3.1, §3.2, §7.3, §16).
#include "kernel/card_state.h"
#include "openmyna/base/log.h"
#include "openmyna/card/application_table.h"

namespace openmyna::card {
namespace {

// MF-level EF that is selectable but not readable (card-apdu.md §7.3).
constexpr Fid kMfInternalEf = 0x001E;

bool Equal(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Whether a READ BINARY of `le` bytes at `offset` only makes sense to a
// client that takes the EF's BER header for tag + one length byte when it
// is tag + 82 HH LL (card-apdu.md §8.1, §8.3): it starts right after the
// would-be short header with anything but the 2 bytes HH LL (BEXT reads
// the length byte, then that many bytes from offset 3), or it ends exactly
// where the would-be short length says the object ends (FLT).
bool AssumesShortHeader(ByteView data, std::size_t offset, std::size_t le) {
  if (data.size() < 4) return false;
  const std::size_t tag_len = (data[0] & 0x1F) == 0x1F ? 2 : 1;
  if (data.size() < tag_len + 3 || data[tag_len] != 0x82) return false;
  const std::size_t short_header = tag_len + 1;
  if (offset == short_header && le != 2) return true;
  return offset < short_header && offset + le == short_header + 0x82;
}

}  // namespace

bool Card::State::RuleSatisfied(const AccessRule& rule) const {
  switch (rule.kind) {
    case AccessRule::Kind::kFree:
      return true;
    case AccessRule::Kind::kNever:
      return false;
    case AccessRule::Kind::kAnyOf:
      for (Fid pin : rule.pins) {
        if (verified.contains(pin)) return true;
      }
      return false;
  }
  return false;
}

bool Card::State::IsVerified(Fid pin) {
  if (!verified.contains(pin)) return false;
  if (!kept_by_reselect.contains(pin)) return true;
  return !Note(FindingKind::kReselectKeptLogin);
}

bool Card::State::Allows(const AccessRule& rule) {
  if (rule.kind != AccessRule::Kind::kAnyOf) return RuleSatisfied(rule);
  bool kept_only = false;
  for (Fid pin : rule.pins) {
    if (!verified.contains(pin)) continue;
    if (!kept_by_reselect.contains(pin)) return true;
    kept_only = true;
  }
  // Only a PIN verified before a SELECT of the current AP opens it.
  return kept_only && !Note(FindingKind::kReselectKeptLogin);
}

ElementaryFile* Card::State::ReferencedObject(std::uint8_t p2, Outcome* error) {
  Application* app = App();
  if (p2 == 0x80) {
    if (!current_ef) {
      *error = Outcome::kNoCurrentEf;
      return nullptr;
    }
    ElementaryFile* ef = app != nullptr ? app->Find(*current_ef) : nullptr;
    if (ef == nullptr) *error = Outcome::kDataNotFound;
    return ef;
  }
  if ((p2 & 0xE0) == 0x80 && (p2 & 0x1F) != 0) {
    ElementaryFile* ef = app != nullptr ? app->Find(p2 & 0x1F) : nullptr;
    if (ef == nullptr) *error = Outcome::kDataNotFound;
    return ef;
  }
  *error = Outcome::kWrongP1P2;
  return nullptr;
}

Reply Card::State::Select(const CommandApdu& c) {
  // A trailing Le is accepted on every form (§1.3: the cac probes).
  switch (c.p1) {
    case 0x00:
      // SELECT MF: 6A 86 with no AP selected; 90 00 without changing the DF
      // when an AP is current. 3F00 named by FID → 6A 82 (§3.1).
      if (!c.data.empty()) return Answer(Outcome::kFileNotFound);
      return App() != nullptr ? Answer(Outcome::kOk)
                              : Answer(Outcome::kWrongP1P2);
    case 0x04: {
      // SELECT by DF name, exact AID match (§16 #14). Never 90 00 for an
      // unknown AID, whatever P2 (§1.3). FCI is never returned (§16 #2).
      if (Equal(c.data, kIsdAid)) {
        ResetVolatile();
        return Answer(Outcome::kOk);
      }
      for (std::size_t i = 0; i < image.applications.size(); ++i) {
        if (Equal(c.data, image.applications[i].aid)) {
          // P2 b4 b3 = 11: no response data; anything else asks for FCI,
          // FCP or FMD, which real cards' answer is unknown (§16 #2).
          if ((c.p2 & 0x0C) != 0x0C) {
            Note(FindingKind::kSelectFciRequested, false);
          }
          // Selecting another AP clears the security status of the one
          // left; selecting the current one again keeps it unless the
          // realism knob says clear (§2, §16 #6).
          const bool again = current_app == static_cast<int>(i);
          if (!again || options.reselect == ReselectPolicy::kClear) {
            verified.clear();
            kept_by_reselect.clear();
          } else {
            kept_by_reselect.insert(verified.begin(), verified.end());
          }
          current_app = static_cast<int>(i);
          current_ef.reset();
          return Answer(Outcome::kOk);
        }
      }
      // JICSAP allows selection by AID prefix; this card matches exactly
      // (§2, §16 #14).
      for (const Application& app : image.applications) {
        if (!c.data.empty() && c.data.size() < app.aid.size() &&
            std::equal(c.data.begin(), c.data.end(), app.aid.begin())) {
          Note(FindingKind::kAidPrefix, false);
          break;
        }
      }
      return Answer(Outcome::kFileNotFound);
    }
    case 0x02: {
      if (c.data.size() != 2) return Answer(Outcome::kWrongLength);
      const Fid fid = static_cast<Fid>((c.data[0] << 8) | c.data[1]);
      Application* app = App();
      if (app == nullptr) {
        // No AP selected: only the MF's internal EF exists (§7.3, §16 #16).
        if (fid != kMfInternalEf) {
          Note(FindingKind::kSelectEfWithoutAp, false);
          return Answer(Outcome::kFileNotFound);
        }
        current_ef = fid;
        return Answer(Outcome::kOk);
      }
      if (app->Find(fid) == nullptr) return Answer(Outcome::kFileNotFound);
      current_ef = fid;  // internal EFs (PIN, key) are selectable (§3.1)
      return Answer(Outcome::kOk);
    }
    default:
      return Answer(Outcome::kWrongP1P2);
  }
}

Reply Card::State::ReadBinary(const CommandApdu& c) {
  if (!c.data.empty() || !c.le) return Answer(Outcome::kWrongLength);
  Application* app = App();
  ElementaryFile* ef = nullptr;
  std::size_t offset = 0;
  if ((c.p1 & 0x80) != 0) {
    // SFI form: P1 = 100x xxxx, P2 = 8-bit offset (ISO/IEC 7816-4 §11.2.2).
    const std::uint8_t sfi = c.p1 & 0x1F;
    if ((c.p1 & 0x60) != 0 || sfi == 0) return Answer(Outcome::kWrongP1P2);
    ef = app != nullptr ? app->Find(sfi) : nullptr;
    if (ef == nullptr) return Answer(Outcome::kFileNotFound);
    current_ef = sfi;
    offset = c.p2;
  } else {
    if (!current_ef) return Answer(Outcome::kNoCurrentEf);
    if (app == nullptr) return Answer(Outcome::kInternalEf);  // MF 001E
    ef = app->Find(*current_ef);
    if (ef == nullptr) return Answer(Outcome::kNoCurrentEf);
    offset = (std::size_t{c.p1} << 8) | c.p2;
  }
  if (ef->kind != EfKind::kBinary) return Answer(Outcome::kInternalEf);
  if (!Allows(ef->read)) return Answer(Outcome::kSecurityStatus);
  // Offset at or beyond the end → 6B 00 (JICSAP 7.3.1); Le beyond the end
  // → the bytes that exist (JICSAP 6.4.1(4)); never 61xx / 6Cxx (§16 #12).
  if (offset >= ef->data.size()) {
    Note(FindingKind::kOffsetPastEnd, false);
    return Answer(Outcome::kOffsetOutside);
  }
  if (AssumesShortHeader(ef->data, offset, *c.le) &&
      Note(FindingKind::kShortHeaderAssumed)) {
    return Answer(Outcome::kConditionsOfUse);
  }
  const std::size_t n = std::min<std::size_t>(*c.le, ef->data.size() - offset);
  Reply reply =
      Data(Bytes(ef->data.begin() + offset, ef->data.begin() + offset + n));
  // An explicit Le past the end (Le 00 / 00 00 00 mean "up to the end",
  // ISO/IEC 7816-4 §11.3.3). Strict: the bytes + 62 82.
  const bool max_le = *c.le == (c.extended ? 65536u : 256u);
  if (!max_le && *c.le > ef->data.size() - offset &&
      Note(FindingKind::kLePastEnd)) {
    reply.outcome = Outcome::kEndOfFileBeforeLe;
  }
  return reply;
}

Reply Card::State::ReadRecord(const CommandApdu& c) {
  if (!c.data.empty() || !c.le) return Answer(Outcome::kWrongLength);
  const std::uint8_t sfi = c.p2 >> 3;
  const std::uint8_t mode = c.p2 & 0x07;
  if (mode == 0x05) {  // §16 #15
    Note(FindingKind::kMultiRecordRead, false);
    return Answer(Outcome::kFunctionNotSupported);
  }
  if (mode != 0x04 || c.p1 == 0 || sfi == 0x1F) {
    return Answer(Outcome::kWrongP1P2);
  }
  Application* app = App();
  if (app == nullptr) return Answer(Outcome::kFileNotFound);
  ElementaryFile* ef = nullptr;
  if (sfi == 0) {
    if (!current_ef) return Answer(Outcome::kNoCurrentEf);
    ef = app->Find(*current_ef);
  } else {
    ef = app->Find(sfi);
    if (ef == nullptr) return Answer(Outcome::kFileNotFound);
    current_ef = sfi;
  }
  if (ef == nullptr) return Answer(Outcome::kNoCurrentEf);
  if (ef->kind != EfKind::kRecord) return Answer(Outcome::kInternalEf);
  if (!Allows(ef->read)) return Answer(Outcome::kSecurityStatus);
  if (c.p1 > ef->records.size()) return Answer(Outcome::kRecordNotFound);
  const Bytes& record = ef->records[c.p1 - 1];
  const std::size_t n = std::min<std::size_t>(*c.le, record.size());
  return Data(Bytes(record.begin(), record.begin() + n));
}

Reply Card::State::GetData(const CommandApdu& c) {
  // MF-level objects only, with no AP selected (§7.3); missing → 6A 88
  // (also OpenSC's setcos probe 00 CA DF 30, §16 #1).
  if (!c.data.empty()) return Answer(Outcome::kWrongLength);
  const std::uint16_t tag = static_cast<std::uint16_t>((c.p1 << 8) | c.p2);
  if (App() != nullptr) {
    // An MF object asked for with an AP selected (not a probe for a tag
    // the card does not have, such as OpenSC's DF30).
    if (image.mf_objects.contains(tag)) {
      Note(FindingKind::kGetDataInAp, false);
    }
    return Answer(Outcome::kDataNotFound);
  }
  auto it = image.mf_objects.find(tag);
  if (it == image.mf_objects.end()) return Answer(Outcome::kDataNotFound);
  if (!c.le) return Answer(Outcome::kWrongLength);
  // Large objects refuse a short Le (§3.1).
  if (it->second.size() > 256 && !c.extended) {
    return Answer(Outcome::kWrongLength);
  }
  if (it->second.size() <= 256 && c.extended &&
      Note(FindingKind::kExtendedLength)) {
    return Answer(Outcome::kWrongLength);
  }
  const std::size_t n = std::min<std::size_t>(*c.le, it->second.size());
  return Data(Bytes(it->second.begin(), it->second.begin() + n));
}

Reply Card::State::ForcedKeyRead(const CommandApdu& c) {
  // 80 B0: READ BINARY with the proprietary class. Aimed at a private key
  // it is the tamper trigger (docs/card.md "Tamper"); otherwise unknown.
  Application* app = App();
  if (app == nullptr) return Answer(Outcome::kInsNotSupported);
  ElementaryFile* ef = nullptr;
  if ((c.p1 & 0x80) != 0) {
    ef = app->Find(c.p1 & 0x1F);
  } else if (current_ef) {
    ef = app->Find(*current_ef);
  }
  if (ef == nullptr || ef->kind != EfKind::kKey) {
    return Answer(Outcome::kInsNotSupported);
  }
  log::Get("card")->warn(
      "tamper: forced read of a private key (80 B0), erasing the chip");
  EraseChip(image);
  key_cache.clear();
  ResetVolatile();
  (void)Persist();  // best effort: the in-memory chip is erased regardless
  return Answer(Outcome::kErasedChip);
}

}  // namespace openmyna::card
