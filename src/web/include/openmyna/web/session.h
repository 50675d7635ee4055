// Server-side sessions behind a cookie, and the CSRF token of every form.
//
// The cookie carries only a random id (32 bytes from the injected Rng); the
// values live in this process's memory. Cookies are Secure, HttpOnly and
// SameSite=Lax by default (RFC 6265bis §4.1.2; Lax, so that the redirect back
// from an OpenID provider still carries the cookie). A session ends after
// `idle_timeout` without a request or `max_lifetime` after it began. Each
// session has a CSRF token (synchronizer token, OWASP CSRF cheat sheet) that
// every form posts back as the field "csrf".
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/message.h"
#include "openmyna/web/form.h"

namespace openmyna::web {

struct SessionOptions {
  std::string cookie_name = "openmyna_session";
  std::string cookie_path = "/";  // e.g. "/portal/"
  bool secure = true;             // false only for plain-HTTP tests
  std::chrono::seconds idle_timeout{15 * 60};
  std::chrono::seconds max_lifetime{8 * 60 * 60};
  std::size_t max_sessions = 100000;  // the oldest are dropped beyond this
};

// The name of the hidden form field that carries the CSRF token.
inline constexpr std::string_view kCsrfField = "csrf";

struct Session {
  std::string id;          // the cookie value (64 hex digits)
  std::string csrf_token;  // 64 hex digits
  TimePoint created{};
  TimePoint last_seen{};
  std::map<std::string, std::string> values;  // what the service keeps

  // The value under `key`, or "" when absent.
  std::string Get(std::string_view key) const;
};

// Thread-safe. Sessions are handed out as copies; Save() writes one back.
class SessionStore {
 public:
  // `clock` and `rng` are borrowed and must outlive the store.
  SessionStore(SessionOptions options, const Clock& clock, Rng& rng);

  // A new, empty session with a fresh id and CSRF token.
  Session Create();
  // The live session named by the request's cookie, its last_seen moved to
  // now. kNoSession when there is no cookie or the id is unknown;
  // kSessionExpired when it passed a limit (it is then removed).
  Result<Session> Find(const http::Request& request);
  // Writes the session's values back; does nothing when it was destroyed.
  void Save(const Session& session);
  // The same values under a new id and CSRF token; the old id stops working
  // (call it at login, against session fixation: OWASP session cheat sheet).
  Session Rotate(const Session& session);
  void Destroy(std::string_view id);
  std::size_t size() const;

  // "Set-Cookie" values: one that sets the session, one that removes it.
  std::string SetCookie(const Session& session) const;
  std::string ClearCookie() const;

  // Ok when the form's "csrf" field equals the session's token (constant
  // time); kBadCsrf otherwise.
  static Status CheckCsrf(const Session& session, const Form& form);

  const SessionOptions& options() const { return options_; }

 private:
  std::string NewToken();
  bool Expired(const Session& session, TimePoint now) const;

  SessionOptions options_;
  const Clock& clock_;
  Rng& rng_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
};

// The value of cookie `name` in the request's Cookie headers (RFC 6265 §5.4),
// or nullopt.
std::optional<std::string> CookieValue(const http::Request& request,
                                       std::string_view name);

}  // namespace openmyna::web
