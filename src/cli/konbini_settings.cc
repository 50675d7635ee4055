#include "cli/konbini_settings.h"

#include <charconv>

#include "openmyna/services/konbini/errors.h"

namespace openmyna::cli {
namespace {

using konbini::KonbiniErrc;

const std::string* Find(const std::map<std::string, std::string>& settings,
                        const std::string& name) {
  auto it = settings.find(name);
  return it == settings.end() ? nullptr : &it->second;
}

// A whole number setting in [least, most] (decimal digits only).
Result<int> Number(const std::map<std::string, std::string>& settings,
                   const std::string& name, int fallback, int least, int most,
                   const std::string& unit) {
  const std::string* text = Find(settings, name);
  if (text == nullptr) return fallback;
  int value = 0;
  const auto [end, ec] =
      std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || text->front() == '-' || text->front() == '+' ||
      ec != std::errc() || end != text->data() + text->size() ||
      value < least || value > most) {
    return Fail(KonbiniErrc::kInvalidInput,
                name + ": " + unit + ", " + std::to_string(least) + " to " +
                    std::to_string(most) + " (got '" + *text + "')");
  }
  return value;
}

}  // namespace

void KonbiniSettings::ApplyTo(konbini::SiteOptions& options) const {
  options.centre.immediate_mapping = immediate_mapping;
  options.centre.issuer_deadline = issuer_deadline;
  options.centre.confirm_deadline = confirm_deadline;
  options.centre.session_timeout = session_timeout;
  options.registration_office_days = registration_office_days;
}

Result<std::string> KonbiniSettings::OcspUrl(
    const std::filesystem::path& data_dir) const {
  if (ocsp_url) return *ocsp_url;
  if (default_ocsp == DefaultOcsp::kNone) return std::string();
  return konbini::SandboxOcspUrl(data_dir);
}

Result<KonbiniSettings> ParseKonbiniSettings(
    const std::map<std::string, std::string>& settings,
    DefaultOcsp default_ocsp) {
  KonbiniSettings out;
  out.default_ocsp = default_ocsp;
  if (const std::string* v = Find(settings, "konbini.immediate-mapping")) {
    if (*v != "0" && *v != "1") {
      return Fail(KonbiniErrc::kInvalidInput,
                  "konbini.immediate-mapping: 0 or 1 (got '" + *v + "')");
    }
    out.immediate_mapping = *v == "1";
  }
  OPENMYNA_ASSIGN_OR_RETURN(out.registration_office_days,
                            Number(settings, "konbini.registration-office-days",
                                   5, 0, 9999, "office days"));
  OPENMYNA_ASSIGN_OR_RETURN(const int deadline,
                            Number(settings, "konbini.issuer-deadline", 10'000,
                                   100, 3'600'000, "milliseconds"));
  out.issuer_deadline = std::chrono::milliseconds(deadline);
  OPENMYNA_ASSIGN_OR_RETURN(const int confirm,
                            Number(settings, "konbini.confirm-deadline", 5'000,
                                   100, 3'600'000, "milliseconds"));
  out.confirm_deadline = std::chrono::milliseconds(confirm);
  OPENMYNA_ASSIGN_OR_RETURN(
      const int session,
      Number(settings, "konbini.session-timeout", 180, 10, 86'400, "seconds"));
  out.session_timeout = std::chrono::seconds(session);
  OPENMYNA_ASSIGN_OR_RETURN(
      const int kiosk,
      Number(settings, "konbini.kiosk-timeout", 180, 10, 86'400, "seconds"));
  out.kiosk_timeout = std::chrono::seconds(kiosk);
  if (const std::string* v = Find(settings, "konbini.ocsp-url")) {
    if (*v != "none" && !v->starts_with("http://") &&
        !v->starts_with("https://")) {
      return Fail(KonbiniErrc::kInvalidInput,
                  "konbini.ocsp-url: the responder's URL (RFC 6960 over "
                  "HTTP) or none (got '" +
                      *v + "')");
    }
    out.ocsp_url = *v == "none" ? "" : *v;
  }
  return out;
}

}  // namespace openmyna::cli
