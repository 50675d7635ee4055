#include "openmyna/web/i18n.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "openmyna/web/errors.h"
#include "openmyna/web/form.h"
#include "openmyna/web/session.h"
#include "text_util.h"

namespace openmyna::web {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The weight of "q=0.8" (RFC 9110 §12.4.2: 0 to 1, up to three decimals);
// 1 when there is none, -1 when malformed.
double Weight(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    const std::string_view param =
        internal::TrimOws(internal::NextPiece(params, ';'));
    if (param.size() < 2 || std::tolower(param[0]) != 'q' || param[1] != '=') {
      continue;
    }
    std::string_view value = param.substr(2);
    if (value.empty() || value.size() > 5 ||
        (value[0] != '0' && value[0] != '1')) {
      return -1;
    }
    q = value[0] - '0';
    if (value.size() > 1) {
      if (value[1] != '.') return -1;
      double scale = 0.1;
      for (char c : value.substr(2)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
        q += (c - '0') * scale;
        scale /= 10;
      }
    }
    if (q > 1.0) return -1;
  }
  return q;
}

}  // namespace

std::string_view LanguageTag(Language language) {
  return language == Language::kEn ? "en" : "ja";
}

std::optional<Language> ParseLanguage(std::string_view tag) {
  const std::string primary = Lower(tag.substr(0, tag.find('-')));
  if (primary == "ja") return Language::kJa;
  if (primary == "en") return Language::kEn;
  return std::nullopt;
}

std::optional<Language> AcceptLanguage(std::string_view header) {
  std::optional<Language> best;
  double best_q = 0;
  while (!header.empty()) {
    const std::string_view range =
        internal::TrimOws(internal::NextPiece(header, ','));
    const std::size_t semi = range.find(';');
    const std::string_view tag = internal::TrimOws(range.substr(0, semi));
    const double q =
        semi == std::string_view::npos ? 1.0 : Weight(range.substr(semi + 1));
    std::optional<Language> language =
        tag == "*" ? std::optional(Language::kJa) : ParseLanguage(tag);
    // Strictly greater: among equal weights the first listed wins.
    if (language && q > best_q) {
      best = language;
      best_q = q;
    }
  }
  return best;
}

std::optional<Language> QueryLanguage(const http::Request& request) {
  // A field is named "lang" only if the query holds those letters, or one of
  // them percent-encoded (l a n g are %6C %61 %6E %67, application/x-www-
  // form-urlencoded): a query with neither has no such field, and is not
  // parsed (a page asks for its language several times; the sign-in's
  // authorization query is long).
  const std::string_view query = request.query;
  if (query.find("lang") == std::string_view::npos &&
      query.find("%6") == std::string_view::npos) {
    return std::nullopt;
  }
  auto form = ParseQuery(request);
  if (!form) return std::nullopt;
  auto lang = form->Get("lang");
  return lang ? ParseLanguage(*lang) : std::nullopt;
}

Language ChooseLanguage(const http::Request& request) {
  if (auto language = QueryLanguage(request)) return *language;
  if (auto cookie = CookieValue(request, kLanguageCookie)) {
    if (auto language = ParseLanguage(*cookie)) return *language;
  }
  if (auto language = AcceptLanguage(request.HeaderValue("accept-language"))) {
    return *language;
  }
  return Language::kJa;
}

Result<Catalog> Catalog::FromJson(std::string_view json) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(WebErrc::kBadCatalog, "a catalog is a JSON object");
  }
  Catalog catalog;
  for (const auto& [key, texts] : doc.items()) {
    // Templates name messages as {{t.key}}; a '.' would split the name.
    if (key.empty() || key.find('.') != std::string::npos) {
      return Fail(WebErrc::kBadCatalog,
                  "message key '" + key + "' is empty or contains '.'");
    }
    if (!texts.is_object() || !texts.contains("ja") || !texts.contains("en") ||
        !texts["ja"].is_string() || !texts["en"].is_string()) {
      return Fail(WebErrc::kBadCatalog,
                  "message '" + key + "' needs a \"ja\" and an \"en\" text");
    }
    catalog.ja_[key] = texts["ja"].get<std::string>();
    catalog.en_[key] = texts["en"].get<std::string>();
  }
  return catalog;
}

void Catalog::Merge(const Catalog& other) {
  for (const auto& [key, text] : other.ja_) ja_[key] = text;
  for (const auto& [key, text] : other.en_) en_[key] = text;
}

std::string Catalog::Text(Language language, std::string_view key) const {
  const auto& texts = All(language);
  auto it = texts.find(key);
  return it == texts.end() ? std::string(key) : it->second;
}

bool Catalog::Has(std::string_view key) const { return ja_.contains(key); }

const std::map<std::string, std::string, std::less<>>& Catalog::All(
    Language language) const {
  return language == Language::kEn ? en_ : ja_;
}

}  // namespace openmyna::web
