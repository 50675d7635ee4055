// Logging through spdlog, with redaction built into the sink.
//
// Personal data rule: an individual number must never reach a log in clear.
// Two layers enforce it:
//  1. Sensitive(text) wraps a value so that it formats as its mask
//     ("********9018" keeps only the last four characters);
//  2. every message passes RedactDigitRuns() before any sink writes it: a
//     run of exactly 12 digits (optionally written 4-4-4 with '-' or ' ')
//     is masked even if a caller forgot layer 1.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace openmyna {

// Masks every run of exactly 12 digits (also "dddd-dddd-dddd" and
// "dddd dddd dddd") in `text`, keeping the last 4 digits.
std::string RedactDigitRuns(std::string_view text);

// Masks all but the last `keep` characters with '*'.
std::string MaskTail(std::string_view text, std::size_t keep = 4);

// A value that is formatted masked: fmt::format("{}", Sensitive(number)).
struct Sensitive {
  explicit Sensitive(std::string_view v) : value(v) {}
  std::string_view value;
};

namespace log {

// Level names as spdlog's: "trace", "debug", "info", "warn", "error", "off".
void SetLevel(std::string_view level);

// Sends every logger's output to `path` (appended, 0600) in addition to
// stderr; an empty path restores stderr only.
void SetFile(const std::string& path);

// The logger of a component ("card", "pki.ocsp", ...). Its sinks redact.
std::shared_ptr<spdlog::logger> Get(const std::string& component);

}  // namespace log
}  // namespace openmyna

template <>
struct fmt::formatter<openmyna::Sensitive> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const openmyna::Sensitive& s, Ctx& ctx) const {
    std::string masked = openmyna::MaskTail(s.value);
    return fmt::formatter<std::string_view>::format(masked, ctx);
  }
};
