#include "openmyna/card/transport/transcript.h"

#include <fmt/format.h>

#include "openmyna/card/transport/errors.h"

namespace openmyna::card::transport {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

Result<ResponsePattern> ParsePattern(std::string_view text, int line) {
  ResponsePattern pattern;
  text = Trim(text);
  if (text.starts_with('*')) {
    pattern.any_prefix = true;
    text = Trim(text.substr(1));
  }
  // Tokenise into ".." wildcards and hex, keeping byte boundaries.
  std::string hex;
  auto flush = [&]() -> Status {
    if (hex.empty()) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(const Bytes bytes, FromHex(hex));
    for (std::uint8_t b : bytes) pattern.tail.emplace_back(b);
    hex.clear();
    return Ok();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && i + 1 < text.size() && text[i + 1] == '.' &&
        hex.size() % 2 == 0) {
      if (auto status = flush(); !status) {
        return Fail(TransportErrc::kBadTranscript,
                    fmt::format("line {}: {}", line, status.error().message()));
      }
      pattern.tail.emplace_back(std::nullopt);
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == ':') continue;
    hex.push_back(c);
  }
  if (auto status = flush(); !status) {
    return Fail(TransportErrc::kBadTranscript,
                fmt::format("line {}: {}", line, status.error().message()));
  }
  if (pattern.tail.size() < 2) {
    return Fail(
        TransportErrc::kBadTranscript,
        fmt::format("line {}: a response needs at least SW1 SW2", line));
  }
  return pattern;
}

std::string PatternByte(const std::optional<std::uint8_t>& b) {
  return b ? fmt::format("{:02x}", *b) : "..";
}

}  // namespace

bool ResponsePattern::Matches(ByteView response) const {
  if (any_prefix ? response.size() < tail.size()
                 : response.size() != tail.size()) {
    return false;
  }
  const std::size_t start = response.size() - tail.size();
  for (std::size_t i = 0; i < tail.size(); ++i) {
    if (tail[i] && *tail[i] != response[start + i]) return false;
  }
  return true;
}

std::string ResponsePattern::ToString() const {
  std::string out = any_prefix ? "*" : "";
  for (const auto& b : tail) {
    if (!out.empty()) out += ' ';
    out += PatternByte(b);
  }
  return out;
}

Result<std::vector<TranscriptStep>> ParseTranscript(std::string_view text) {
  std::vector<TranscriptStep> steps;
  int line_number = 0;
  bool last_is_open_apdu = false;
  while (!text.empty()) {
    ++line_number;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view()
                                             : text.substr(newline + 1);
    if (const std::size_t hash = line.find('#');
        hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = Trim(line);
    if (line.empty()) continue;
    const char kind = line.front();
    const std::string_view rest = Trim(line.substr(1));
    if (kind == '>') {
      auto command = FromHex(rest);
      if (!command || command->size() < 4) {
        return Fail(TransportErrc::kBadTranscript,
                    fmt::format("line {}: a command APDU needs at least 4 "
                                "hex bytes (CLA INS P1 P2)",
                                line_number));
      }
      steps.push_back({TranscriptStep::Kind::kApdu, std::move(*command),
                       std::nullopt, line_number});
      last_is_open_apdu = true;
    } else if (kind == '<') {
      if (!last_is_open_apdu) {
        return Fail(
            TransportErrc::kBadTranscript,
            fmt::format("line {}: '<' without a '>' before it", line_number));
      }
      OPENMYNA_ASSIGN_OR_RETURN(steps.back().expected,
                                ParsePattern(rest, line_number));
      last_is_open_apdu = false;
    } else if (kind == '!') {
      TranscriptStep step;
      step.line = line_number;
      if (rest == "power-off") {
        step.kind = TranscriptStep::Kind::kPowerOff;
      } else if (rest == "power-on") {
        step.kind = TranscriptStep::Kind::kPowerOn;
      } else if (rest == "reset") {
        step.kind = TranscriptStep::Kind::kReset;
      } else {
        return Fail(TransportErrc::kBadTranscript,
                    fmt::format("line {}: unknown event '{}' (power-off, "
                                "power-on or reset)",
                                line_number, rest));
      }
      steps.push_back(std::move(step));
      last_is_open_apdu = false;
    } else {
      return Fail(TransportErrc::kBadTranscript,
                  fmt::format("line {}: a line starts with '>', '<', '!' or "
                              "'#'",
                              line_number));
    }
  }
  return steps;
}

std::string ReplayMismatch::ToString() const {
  return fmt::format("line {}: > {}: expected {}, got {}", line,
                     openmyna::ToHex(command, ' '), expected,
                     openmyna::ToHex(actual, ' '));
}

std::optional<ReplayMismatch> Replay(InProcessTransport& transport,
                                     const std::vector<TranscriptStep>& steps) {
  for (const TranscriptStep& step : steps) {
    switch (step.kind) {
      case TranscriptStep::Kind::kPowerOff:
        transport.PowerOff();
        continue;
      case TranscriptStep::Kind::kPowerOn:
        transport.PowerOn();
        continue;
      case TranscriptStep::Kind::kReset:
        transport.Reset();
        continue;
      case TranscriptStep::Kind::kApdu:
        break;
    }
    Bytes response = transport.Transmit(step.command);
    if (step.expected && !step.expected->Matches(response)) {
      return ReplayMismatch{step.line, step.command, step.expected->ToString(),
                            std::move(response)};
    }
  }
  return std::nullopt;
}

}  // namespace openmyna::card::transport
