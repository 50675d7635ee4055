#include "openmyna/web/session.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "openmyna/base/bytes.h"
#include "openmyna/web/errors.h"
#include "text_util.h"

namespace openmyna::web {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Session::Get(std::string_view key) const {
  auto it = values.find(std::string(key));
  return it == values.end() ? std::string() : it->second;
}

SessionStore::SessionStore(SessionOptions options, const Clock& clock, Rng& rng)
    : options_(std::move(options)), clock_(clock), rng_(rng) {}

std::string SessionStore::NewToken() { return ToHex(rng_.Bytes(32)); }

bool SessionStore::Expired(const Session& session, TimePoint now) const {
  return now - session.last_seen >= options_.idle_timeout ||
         now - session.created >= options_.max_lifetime;
}

Session SessionStore::Create() {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= options_.max_sessions) {
    // Drop the expired ones, then (still full) the least recently seen.
    std::erase_if(sessions_, [&](const auto& entry) {
      return Expired(entry.second, now);
    });
    while (sessions_.size() >= options_.max_sessions) {
      auto oldest = std::min_element(
          sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
            return a.second.last_seen < b.second.last_seen;
          });
      sessions_.erase(oldest);
    }
  }
  Session session;
  session.id = NewToken();
  session.csrf_token = NewToken();
  session.created = now;
  session.last_seen = now;
  sessions_[session.id] = session;
  return session;
}

Result<Session> SessionStore::Find(const http::Request& request) {
  auto id = CookieValue(request, options_.cookie_name);
  if (!id) return Fail(WebErrc::kNoSession, "no session cookie");
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(*id);
  if (it == sessions_.end()) {
    return Fail(WebErrc::kNoSession, "unknown session");
  }
  if (Expired(it->second, now)) {
    sessions_.erase(it);
    return Fail(WebErrc::kSessionExpired, "session timed out");
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionStore::Save(const Session& session) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session.id);
  if (it != sessions_.end()) it->second.values = session.values;
}

Session SessionStore::Rotate(const Session& session) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  sessions_.erase(session.id);
  Session fresh = session;
  fresh.id = NewToken();
  fresh.csrf_token = NewToken();
  fresh.last_seen = now;
  sessions_[fresh.id] = fresh;
  return fresh;
}

void SessionStore::Destroy(std::string_view id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(std::string(id));
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::string SessionStore::SetCookie(const Session& session) const {
  std::string cookie = options_.cookie_name + "=" + session.id +
                       "; Path=" + options_.cookie_path +
                       "; HttpOnly; SameSite=Lax";
  if (options_.secure) cookie += "; Secure";
  return cookie;
}

std::string SessionStore::ClearCookie() const {
  std::string cookie = options_.cookie_name +
                       "=; Path=" + options_.cookie_path +
                       "; Max-Age=0; HttpOnly; SameSite=Lax";
  if (options_.secure) cookie += "; Secure";
  return cookie;
}

Status SessionStore::CheckCsrf(const Session& session, const Form& form) {
  const auto token = form.Get(kCsrfField);
  if (!token || token->size() != session.csrf_token.size() ||
      session.csrf_token.empty() ||
      CRYPTO_memcmp(token->data(), session.csrf_token.data(), token->size()) !=
          0) {
    return Fail(WebErrc::kBadCsrf, "the form's CSRF token does not match");
  }
  return Ok();
}

std::optional<std::string> CookieValue(const http::Request& request,
                                       std::string_view name) {
  for (const auto& header : request.headers) {
    if (!EqualsIgnoreCase(header.name, "cookie")) continue;
    std::string_view rest = header.value;
    while (!rest.empty()) {
      const std::string_view pair =
          internal::TrimOws(internal::NextPiece(rest, ';'));
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (internal::TrimOws(pair.substr(0, eq)) != name) continue;
      std::string_view value = internal::TrimOws(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return std::nullopt;
}

}  // namespace openmyna::web
