#include "openmyna/card/transport/conformance.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "openmyna/base/file_io.h"
#include "openmyna/card/transport/apdu_log.h"

namespace openmyna::card::transport {
namespace {

std::string MaskedHex(ByteView command) {
  // The APDU log's masking (VERIFY/CHANGE data hidden); drop its "> ".
  std::string line = ApduLogFormatter().Command(command);
  if (line.rfind("> ", 0) == 0) line.erase(0, 2);
  return line;
}

std::string SwText(std::uint16_t sw) {
  return fmt::format("{:02x} {:02x}", sw >> 8, sw & 0xFF);
}

}  // namespace

ConformanceRecorder::ConformanceRecorder(CardEndpoint& inner) : inner_(inner) {
  inner_.SetFindingSink([this](const Finding& f) { Add(f); });
}

ConformanceRecorder::~ConformanceRecorder() { inner_.SetFindingSink(nullptr); }

void ConformanceRecorder::Close() {
  if (open_.apdus > 0) closed_.push_back(std::move(open_));
  open_ = ConformanceSession{};
}

void ConformanceRecorder::PowerOn() {
  Close();
  inner_.PowerOn();
}
void ConformanceRecorder::PowerOff() {
  Close();
  inner_.PowerOff();
}
void ConformanceRecorder::Reset() {
  Close();
  inner_.Reset();
}

Bytes ConformanceRecorder::Transmit(ByteView command_apdu) {
  ++open_.apdus;
  command_ = command_apdu;
  Bytes response = inner_.Transmit(command_apdu);
  command_ = {};
  return response;
}

void ConformanceRecorder::Add(const Finding& finding) {
  if (open_.findings.size() >= kMaxFindingsPerSession) {
    ++open_.dropped;
    return;
  }
  open_.findings.push_back(RecordedFinding{
      .kind = finding.kind,
      .command =
          MaskedHex(finding.command.empty() ? command_ : finding.command),
      .sw = finding.sw,
      .refused = finding.refused,
      .apdu_index = open_.apdus});
}

std::vector<ConformanceSession> ConformanceRecorder::Sessions() const {
  std::vector<ConformanceSession> all = closed_;
  if (open_.apdus > 0) all.push_back(open_);
  return all;
}

std::vector<std::string> ConformanceRecorder::FindingIds() const {
  std::vector<std::string> ids;
  for (const ConformanceSession& s : Sessions()) {
    for (const RecordedFinding& f : s.findings) {
      ids.emplace_back(InfoOf(f.kind).id);
    }
  }
  return ids;
}

std::string ConformanceRecorder::Json(bool strict) const {
  nlohmann::json out;
  out["format"] = "openmyna-conformance-report/1";
  out["strict"] = strict;
  nlohmann::json sessions = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (const ConformanceSession& s : Sessions()) {
    nlohmann::json findings = nlohmann::json::array();
    for (const RecordedFinding& f : s.findings) {
      const FindingInfo& info = InfoOf(f.kind);
      ++counts[std::string(info.id)];
      findings.push_back({{"finding", info.id},
                          {"apdu", f.command},
                          {"sw", SwText(f.sw)},
                          {"refused", f.refused},
                          {"apdu_index", f.apdu_index},
                          {"client_did", info.client_did},
                          {"real_cards", info.real_cards},
                          {"source", info.source},
                          {"strict", info.strict}});
    }
    sessions.push_back({{"apdus", s.apdus},
                        {"findings", std::move(findings)},
                        {"findings_not_recorded", s.dropped}});
  }
  out["sessions"] = std::move(sessions);
  out["summary"] = counts;
  return out.dump(2) + "\n";
}

std::string ConformanceRecorder::Summary() const {
  std::map<FindingKind, int> counts;
  std::uint64_t apdus = 0;
  int total = 0;
  const auto sessions = Sessions();
  for (const ConformanceSession& s : sessions) {
    apdus += s.apdus;
    for (const RecordedFinding& f : s.findings) {
      ++counts[f.kind];
      ++total;
    }
  }
  std::string out = fmt::format(
      "client conformance: {} session(s), {} APDUs, {} finding(s)\n",
      sessions.size(), apdus, total);
  for (const auto& [kind, n] : counts) {
    const FindingInfo& info = InfoOf(kind);
    out += fmt::format("  {:>4} × {}: the client {}\n         real cards: {}\n",
                       n, info.id, info.client_did, info.real_cards);
  }
  if (total == 0) {
    out += "  the client relied on nothing real cards vary on\n";
  }
  return out;
}

Status ConformanceRecorder::WriteJson(const std::filesystem::path& path,
                                      bool strict) const {
  return WriteFileAtomically(path, Json(strict));
}

}  // namespace openmyna::card::transport
