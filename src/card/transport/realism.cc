#include "openmyna/card/transport/realism.h"

#include <fmt/format.h>

#include <charconv>
#include <thread>

#include "openmyna/card/transport/errors.h"

namespace openmyna::card::transport {
namespace {

constexpr std::chrono::milliseconds kMaxLatency{60'000};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

const std::vector<AtrProfile>& AtrProfiles() {
  static const std::vector<AtrProfile> kProfiles = {
      {"contact", "3B E0 00 FF 81 31 FE 45 14",
       "the contact ATR of the My Number Card (default)"},
      {"2024", "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B",
       "cards issued from 2024"},
      {"contactless", "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F",
       "contactless, synthesised by a PC/SC reader"},
      {"contactless-2", "3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B",
       "contactless, second listed variant"},
      {"unknown", "3B 82 80 01 4F 4D 01",
       "a valid ATR no driver knows (negative tests)"},
  };
  return kProfiles;
}

Result<Bytes> AtrForProfile(std::string_view name) {
  std::string names;
  for (const AtrProfile& profile : AtrProfiles()) {
    if (profile.name == name) return FromHex(profile.hex);
    if (!names.empty()) names += ", ";
    names += profile.name;
  }
  return Fail(
      TransportErrc::kBadAtrProfile,
      fmt::format("--atr: unknown profile '{}' (known: {})", name, names));
}

Result<LatencyTable> ParseLatencySpec(std::string_view spec) {
  LatencyTable table{};
  spec = Trim(spec);
  if (spec.empty() || spec == "none") return table;
  if (spec == "realistic") {
    table[0x2A] = std::chrono::milliseconds(300);
    table[0xB0] = std::chrono::milliseconds(30);
    return table;
  }
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view item = Trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view()
                                           : spec.substr(comma + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return Fail(
          TransportErrc::kBadLatencySpec,
          fmt::format("--latency: '{}' is not INS=ms (e.g. 2A=300)", item));
    }
    const std::string_view ins_text = Trim(item.substr(0, equals));
    const std::string_view ms_text = Trim(item.substr(equals + 1));
    unsigned ins = 0;
    auto [ins_end, ins_ec] = std::from_chars(
        ins_text.data(), ins_text.data() + ins_text.size(), ins, 16);
    if (ins_text.size() != 2 || ins_ec != std::errc() ||
        ins_end != ins_text.data() + ins_text.size()) {
      return Fail(
          TransportErrc::kBadLatencySpec,
          fmt::format("--latency: INS '{}' must be two hex digits", ins_text));
    }
    unsigned long ms = 0;
    auto [ms_end, ms_ec] =
        std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
    if (ms_text.empty() || ms_ec != std::errc() ||
        ms_end != ms_text.data() + ms_text.size() ||
        std::chrono::milliseconds(ms) > kMaxLatency) {
      return Fail(TransportErrc::kBadLatencySpec,
                  fmt::format("--latency: delay '{}' for INS {} must be a "
                              "whole number of milliseconds up to {}",
                              ms_text, ins_text, kMaxLatency.count()));
    }
    table[ins] = std::chrono::milliseconds(ms);
  }
  return table;
}

RealismEndpoint::RealismEndpoint(CardEndpoint& inner, RealismOptions options,
                                 SleepFn sleep)
    : inner_(inner), options_(std::move(options)), sleep_(std::move(sleep)) {
  if (!sleep_) {
    sleep_ = [](std::chrono::milliseconds d) {
      std::this_thread::sleep_for(d);
    };
  }
}

Bytes RealismEndpoint::Atr() const {
  return options_.atr ? *options_.atr : inner_.Atr();
}

Bytes RealismEndpoint::Transmit(ByteView command_apdu) {
  Bytes response = inner_.Transmit(command_apdu);
  if (command_apdu.size() >= 2) {
    const auto delay = options_.latency[command_apdu[1]];
    if (delay.count() > 0) sleep_(delay);
  }
  return response;
}

}  // namespace openmyna::card::transport
