// Japanese first, English on request: the page language and the message
// catalogs. A catalog is JSON {"key": {"ja": "…", "en": "…"}}; loading fails
// unless every key has both languages, so no page can show a missing text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/http/message.h"

namespace openmyna::web {

enum class Language { kJa, kEn };

// "ja" or "en" (BCP 47, for <html lang>).
std::string_view LanguageTag(Language language);
// "ja" / "en" (also "ja-JP", "en-US": the primary subtag decides); else
// nullopt.
std::optional<Language> ParseLanguage(std::string_view tag);

// The name of the cookie that remembers an explicit choice.
inline constexpr std::string_view kLanguageCookie = "openmyna_lang";

// The page language: `?lang=` first, then the language cookie, then the
// Accept-Language header (RFC 9110 §12.5.4: the supported language with the
// highest q; q=0 means "not acceptable"; "*" matches Japanese), else Japanese.
Language ChooseLanguage(const http::Request& request);
// The language named by `?lang=` in the request, if any (then remember it).
std::optional<Language> QueryLanguage(const http::Request& request);
// Only the Accept-Language part of ChooseLanguage.
std::optional<Language> AcceptLanguage(std::string_view header);

class Catalog {
 public:
  // kBadCatalog for invalid JSON, a key without "ja" or "en", or a
  // non-string text.
  static Result<Catalog> FromJson(std::string_view json);
  // Adds `other`'s messages; its texts replace ours for the same key.
  void Merge(const Catalog& other);

  // The text of `key`, or the key itself when the catalog lacks it (a test
  // of every template finds those).
  std::string Text(Language language, std::string_view key) const;
  bool Has(std::string_view key) const;
  // Every message of one language, key → text (what templates see as `t`).
  const std::map<std::string, std::string, std::less<>>& All(
      Language language) const;

 private:
  std::map<std::string, std::string, std::less<>> ja_;
  std::map<std::string, std::string, std::less<>> en_;
};

}  // namespace openmyna::web
