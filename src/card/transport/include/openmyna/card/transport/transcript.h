// APDU transcripts: text files of commands and the responses a card must
// give, replayed against a fresh card (issue 3, "How it is shown").
//
//   # comment (also after a step)      blank lines are ignored
//   > 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01    command APDU (hex)
//   < 90 00                                           expected response
//   < 30 82 .. .. 90 00     ".." matches any one byte
//   < * 90 00               "*" first: any data (also none), then the rest
//   ! power-off | ! power-on | ! reset               reader events
//
// Every "<" line must follow a ">" line; a ">" without "<" accepts any
// response.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/card/transport/in_process.h"

namespace openmyna::card::transport {

struct ResponsePattern {
  bool any_prefix = false;                        // leading "*"
  std::vector<std::optional<std::uint8_t>> tail;  // nullopt = ".."
  bool Matches(ByteView response) const;
  std::string ToString() const;
};

struct TranscriptStep {
  enum class Kind { kApdu, kPowerOff, kPowerOn, kReset };
  Kind kind = Kind::kApdu;
  Bytes command;
  std::optional<ResponsePattern> expected;  // nullopt: not checked
  int line = 0;                             // of the ">" or "!" line
};

// Fails with kBadTranscript naming the line and what is wrong.
Result<std::vector<TranscriptStep>> ParseTranscript(std::string_view text);

struct ReplayMismatch {
  int line = 0;
  Bytes command;
  std::string expected;
  Bytes actual;
  std::string ToString()
      const;  // "line 12: > 00 b0 ...: expected ..., got ..."
};

// Runs the steps in order; the first response that does not match, or
// nullopt when all match.
std::optional<ReplayMismatch> Replay(InProcessTransport& transport,
                                     const std::vector<TranscriptStep>& steps);

}  // namespace openmyna::card::transport
