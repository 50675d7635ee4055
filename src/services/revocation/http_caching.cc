#include "openmyna/services/http_caching.h"

#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace openmyna::services {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Weak comparison (RFC 9110 §8.8.3.2): opaque tags equal, W/ ignored.
std::string_view Opaque(std::string_view tag) {
  tag = Trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string FormatHttpDate(TimePoint when) {
  return http::FormatHttpDate(when);
}

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
  text = Trim(text);
  if (text.size() != 29 || text.substr(3, 2) != ", " ||
      text.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                                 "May", "Jun", "Jul", "Aug",
                                                 "Sep", "Oct", "Nov", "Dec"};
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (text.substr(8, 3) == kMonths[m]) month = m + 1;
  }
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  const std::string copy(text);
  char s1 = 0, s2 = 0;
  if (month == 0 || std::sscanf(copy.c_str() + 5, "%2d", &day) != 1 ||
      std::sscanf(copy.c_str() + 12, "%4d %2d%c%2d%c%2d", &year, &hour, &s1,
                  &minute, &s2, &second) != 6 ||
      s1 != ':' || s2 != ':' || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{
      std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

bool NotModified(const http::Request& request, const CacheValidity& validity) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  bool has_if_none_match = false;
  for (const http::Header& header : request.headers) {
    if (header.name.size() != 13 ||
        strncasecmp(header.name.c_str(), "If-None-Match", 13) != 0) {
      continue;
    }
    has_if_none_match = true;
    std::string_view list = header.value;
    while (!list.empty()) {
      const auto comma = list.find(',');
      const std::string_view item = Trim(list.substr(0, comma));
      if (item == "*" || Opaque(item) == validity.etag) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  // §13.2.2: If-Modified-Since is ignored when If-None-Match is present.
  if (has_if_none_match) return false;
  const std::string_view since = request.HeaderValue("If-Modified-Since");
  if (since.empty()) return false;
  const auto date = ParseHttpDate(since);
  return date && std::chrono::floor<std::chrono::seconds>(
                     validity.last_modified) <= *date;
}

namespace {
std::chrono::seconds MaxAge(const CacheValidity& validity, TimePoint now,
                            std::chrono::seconds bound) {
  auto left =
      std::chrono::floor<std::chrono::seconds>(validity.next_update - now);
  if (left < std::chrono::seconds(0)) left = std::chrono::seconds(0);
  return std::min(bound, left);
}

void AddFreshness(http::Response& response, const CacheValidity& validity,
                  TimePoint now, std::chrono::seconds bound) {
  const auto age = MaxAge(validity, now, bound);
  response.AddHeader("Cache-Control",
                     "max-age=" + std::to_string(age.count()) +
                         ", public, no-transform, must-revalidate");
  response.AddHeader(
      "Expires",
      FormatHttpDate(std::chrono::floor<std::chrono::seconds>(now) + age));
  response.AddHeader("ETag", validity.etag);
  response.AddHeader("Last-Modified", FormatHttpDate(validity.last_modified));
}
}  // namespace

void AddCachingHeaders(http::Response& response, const CacheValidity& validity,
                       TimePoint now, std::chrono::seconds bound) {
  AddFreshness(response, validity, now, bound);
}

http::Response NotModifiedResponse(const CacheValidity& validity, TimePoint now,
                                   std::chrono::seconds bound) {
  http::Response response;
  response.status = 304;
  AddFreshness(response, validity, now, bound);
  return response;
}

void AddNoStore(http::Response& response) {
  response.AddHeader("Cache-Control", "no-store");
}

std::string EntityTag(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "\"%016llx\"",
                static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace openmyna::services
