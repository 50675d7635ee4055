// The client conformance report (issue 14 item 3, docs/card.md "Client
// conformance report"): a CardEndpoint decorator that collects the
// kernel's findings (openmyna/card/conformance.h) per card session — from
// power-on to power-off or reset — with the command as sent (passwords and
// the individual number hidden, apdu_log.h), the status word answered,
// what real cards are known to do and the source.
//
// `openmyna card plug --report FILE` puts one between the vpcd client and
// the card; unit tests of client code put one between InProcessTransport
// and Card::FromImage:
//
//   auto card = Card::FromImage(image, rng);
//   card->SetOptions({.strict = true});          // optional
//   ConformanceRecorder recorder(*card);
//   InProcessTransport reader(recorder);
//   ... client code talks to `reader` ...
//   EXPECT_TRUE(recorder.FindingIds().empty());
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/card/card_endpoint.h"
#include "openmyna/card/conformance.h"

namespace openmyna::card::transport {

struct RecordedFinding {
  FindingKind kind;
  std::string command;  // masked hex, as the APDU log shows it
  std::uint16_t sw = 0;
  bool refused = false;          // the strict card answered differently
  std::uint64_t apdu_index = 0;  // 1-based within the session
};

struct ConformanceSession {
  std::uint64_t apdus = 0;
  std::vector<RecordedFinding> findings;
  std::uint64_t dropped = 0;  // beyond the per-session cap
};

class ConformanceRecorder final : public CardEndpoint {
 public:
  // At most this many findings are kept per session (the rest counted).
  static constexpr std::size_t kMaxFindingsPerSession = 1000;

  // `inner` is not owned and must outlive the recorder; its finding sink is
  // set to this recorder (and cleared again by the destructor).
  explicit ConformanceRecorder(CardEndpoint& inner);
  ~ConformanceRecorder() override;

  Bytes Atr() const override { return inner_.Atr(); }
  void PowerOn() override;
  void PowerOff() override;
  void Reset() override;
  Bytes Transmit(ByteView command_apdu) override;

  // Sessions with at least one APDU, the open one included.
  std::vector<ConformanceSession> Sessions() const;
  // The finding ids of every session in order (for tests).
  std::vector<std::string> FindingIds() const;

  // {"format": "openmyna-conformance-report/1", "strict": …, "sessions":
  //  [{"apdus": n, "findings": [{"finding", "apdu", "sw", "refused",
  //  "apdu_index", "client_did", "real_cards", "source", "strict"}]}],
  //  "summary": {"<id>": count}}
  std::string Json(bool strict) const;
  // A few lines for a person: counts per finding with what real cards do.
  std::string Summary() const;
  // Json() written atomically (mode 0600).
  Status WriteJson(const std::filesystem::path& path, bool strict) const;

 private:
  void Close();
  void Add(const Finding& finding);

  CardEndpoint& inner_;
  std::vector<ConformanceSession> closed_;
  ConformanceSession open_;
  ByteView command_;  // the command being answered
};

}  // namespace openmyna::card::transport
