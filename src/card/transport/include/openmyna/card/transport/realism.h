// Realism knobs for relying parties' own tests (issue 3 item 6,
// card-apdu.md §16 rows 17 and 19): which ATR the reader reports and how
// long the card takes per instruction. Tag loss is a VpcdOptions knob.
//
// These are the ONLY implementation of the knobs (docs/card.md §8): they
// wrap any CardEndpoint, so the kernel card (openmyna::card::Card, which
// always answers its contact ATR and never sleeps) and the trivial card get
// exactly the same behaviour, and the kernel's own cost stays measurable.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/card/atr.h"
#include "openmyna/card/card_endpoint.h"

namespace openmyna::card::transport {

// The chip's own contact ATR is card::kContactAtr (openmyna/card/atr.h).

struct AtrProfile {
  std::string_view name;
  std::string_view hex;  // as listed in card-apdu.md §1.1
  std::string_view description;
};

// The profiles `--atr` accepts:
//   contact      3B E0 00 FF 81 31 FE 45 14 (default)
//   2024         3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B
//                (cards issued from 2024; OpenSC #3021)
//   contactless  3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F (PC/SC part 3
//                synthesised Type B ATR, "Japanese JPKI card")
//   contactless-2 3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B ("ID card issued
//                by Japan government")
//   unknown      3B 82 80 01 4F 4D 01 (a valid ISO/IEC 7816-3 T=1 ATR with
//                historical bytes "OM", in no ATR list: OpenSC must find
//                the card by SELECTing the JPKI AID, card-apdu.md §1.2 step 2)
const std::vector<AtrProfile>& AtrProfiles();

// The ATR of a named profile; kBadAtrProfile lists the valid names.
Result<Bytes> AtrForProfile(std::string_view name);

// Added delay per instruction byte (INS), 0 for most.
using LatencyTable = std::array<std::chrono::milliseconds, 256>;

// Parses "INS=ms,INS=ms,..." with INS in hex ("2A=300,B0=30"), or the
// preset "realistic" (300 ms per COMPUTE DIGITAL SIGNATURE, 30 ms per READ
// BINARY, card-apdu.md §16 row 19), or "" / "none". Fails with
// kBadLatencySpec naming the bad item; delays above 60 s are refused.
Result<LatencyTable> ParseLatencySpec(std::string_view spec);

struct RealismOptions {
  std::optional<Bytes> atr;  // replaces the card's own ATR when set
  LatencyTable latency{};    // all zero: no delay
};

// Wraps a card (not owned; must outlive this) and applies the knobs: the
// ATR override on Atr(), and the INS delay before Transmit() answers.
// `sleep` is injected so tests need not wait.
class RealismEndpoint final : public CardEndpoint {
 public:
  using SleepFn = std::function<void(std::chrono::milliseconds)>;
  RealismEndpoint(CardEndpoint& inner, RealismOptions options,
                  SleepFn sleep = nullptr);

  Bytes Atr() const override;
  void PowerOn() override { inner_.PowerOn(); }
  void PowerOff() override { inner_.PowerOff(); }
  void Reset() override { inner_.Reset(); }
  Bytes Transmit(ByteView command_apdu) override;
  void SetFindingSink(FindingSink sink) override {
    inner_.SetFindingSink(std::move(sink));
  }

 private:
  CardEndpoint& inner_;
  RealismOptions options_;
  SleepFn sleep_;
};

}  // namespace openmyna::card::transport
