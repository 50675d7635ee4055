#include "openmyna/web/form.h"

#include <cstdint>

#include "openmyna/base/utf8.h"
#include "openmyna/web/errors.h"

namespace openmyna::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' → space, %XX → byte (WHATWG URL §5.1 step 3.4; we refuse malformed
// escapes instead of passing them through: a browser never sends them).
bool DecodeComponent(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool HasForbiddenControl(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7f) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> Form::Get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string Form::GetOr(std::string_view name,
                        std::string_view fallback) const {
  auto value = Get(name);
  return value ? *value : std::string(fallback);
}

std::vector<std::string> Form::All(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : fields_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

Result<Form> ParseForm(std::string_view body, std::size_t max_fields) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view piece = body.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    if (fields.size() == max_fields) {
      return Fail(WebErrc::kBadForm,
                  "more than " + std::to_string(max_fields) + " form fields");
    }
    const std::size_t eq = piece.find('=');
    std::string name, value;
    if (!DecodeComponent(piece.substr(0, eq), name) ||
        (eq != std::string_view::npos &&
         !DecodeComponent(piece.substr(eq + 1), value))) {
      return Fail(WebErrc::kBadForm, "malformed percent escape");
    }
    if (!IsUtf8(name) || !IsUtf8(value)) {
      return Fail(WebErrc::kBadForm, "form field is not UTF-8");
    }
    if (HasForbiddenControl(name) || HasForbiddenControl(value)) {
      return Fail(WebErrc::kBadForm, "control character in a form field");
    }
    fields.emplace_back(std::move(name), std::move(value));
  }
  return Form(std::move(fields));
}

Result<Form> ParseFormBody(const http::Request& request) {
  if (request.ContentType() != "application/x-www-form-urlencoded") {
    return Fail(WebErrc::kBadForm,
                "expected application/x-www-form-urlencoded, got '" +
                    request.ContentType() + "'");
  }
  return ParseForm(request.body);
}

Result<Form> ParseQuery(const http::Request& request) {
  return ParseForm(request.query);
}

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
        (u >= '0' && u <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace openmyna::web
