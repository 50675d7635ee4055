#include "openmyna/base/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>

#include <cctype>
#include <mutex>
#include <unordered_map>

namespace openmyna {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of a 12-digit number starting at text[i] ("d{12}" or
// "d{4}[- ]d{4}[- ]d{4}" with one separator kind), or 0.
std::size_t MatchNumberAt(std::string_view text, std::size_t i) {
  std::size_t digits = 0;
  std::size_t j = i;
  char separator = 0;
  while (j < text.size() && digits < 13) {
    if (IsDigit(text[j])) {
      ++digits;
      ++j;
      continue;
    }
    const bool at_group_end = digits == 4 || digits == 8;
    const bool is_sep = text[j] == '-' || text[j] == ' ';
    if (at_group_end && is_sep && (separator == 0 || separator == text[j]) &&
        j + 1 < text.size() && IsDigit(text[j + 1]) &&
        (separator != 0 || digits == 4)) {
      separator = text[j];
      ++j;
      continue;
    }
    break;
  }
  if (digits != 12) return 0;
  // With separators, both must be present (4-4-4).
  const std::size_t length = j - i;
  if (separator != 0 && length != 14) return 0;
  return length;
}

}  // namespace

std::string RedactDigitRuns(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool run_start =
        IsDigit(text[i]) && (i == 0 || !IsDigit(text[i - 1]));
    if (run_start) {
      const std::size_t length = MatchNumberAt(text, i);
      if (length > 0) {
        // Whole digit run, not a prefix of a longer one.
        std::string_view match = text.substr(i, length);
        std::string kept;
        for (char c : match) {
          if (IsDigit(c)) kept.push_back(c);
        }
        out.append(MaskTail(kept));
        i += length;
        continue;
      }
      // Copy the digit run so that its tail is not re-examined as a start.
      // A grouped longer number ("1234-5678-9012-3456") may get its last
      // three groups masked: over-masking is the safe side.
      while (i < text.size() && IsDigit(text[i])) out.push_back(text[i++]);
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string MaskTail(std::string_view text, std::size_t keep) {
  std::string out(text);
  if (out.size() <= keep) return std::string(out.size(), '*');
  for (std::size_t i = 0; i + keep < out.size(); ++i) out[i] = '*';
  return out;
}

namespace log {
namespace {

// Wraps a sink: every payload passes RedactDigitRuns before the inner sink
// formats it.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string redacted = RedactDigitRuns(
        std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = redacted;
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
};

struct Registry {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  std::unordered_map<std::string, std::shared_ptr<spdlog::logger>> loggers;
  spdlog::level::level_enum level = spdlog::level::info;

  Registry() {
    sinks.push_back(std::make_shared<RedactingSink>(
        std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  }
};

Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace

void SetLevel(std::string_view level) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mutex);
  r.level = spdlog::level::from_str(std::string(level));
  for (auto& [name, logger] : r.loggers) logger->set_level(r.level);
}

void SetFile(const std::string& path) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mutex);
  r.sinks.resize(1);
  if (!path.empty()) {
    const mode_t old_mask = ::umask(077);  // the log file is created 0600
    r.sinks.push_back(std::make_shared<RedactingSink>(
        std::make_shared<spdlog::sinks::basic_file_sink_mt>(path)));
    ::umask(old_mask);
  }
  for (auto& [name, logger] : r.loggers) logger->sinks() = r.sinks;
}

std::shared_ptr<spdlog::logger> Get(const std::string& component) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mutex);
  auto it = r.loggers.find(component);
  if (it != r.loggers.end()) return it->second;
  auto logger = std::make_shared<spdlog::logger>(component, r.sinks.begin(),
                                                 r.sinks.end());
  logger->set_level(r.level);
  r.loggers.emplace(component, logger);
  return logger;
}

}  // namespace log
}  // namespace openmyna
