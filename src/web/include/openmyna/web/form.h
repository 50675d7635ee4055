// application/x-www-form-urlencoded (WHATWG URL Standard §5.1), the body of
// an HTML form POST and the query string of a GET.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/http/message.h"

namespace openmyna::web {

// The name/value pairs of a form, in the order sent.
class Form {
 public:
  Form() = default;
  explicit Form(std::vector<std::pair<std::string, std::string>> fields)
      : fields_(std::move(fields)) {}

  // The first value named `name`, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  // The first value named `name`, or "" when absent.
  std::string GetOr(std::string_view name,
                    std::string_view fallback = {}) const;
  // Every value named `name` (a multi-select, repeated checkboxes).
  std::vector<std::string> All(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Splits on '&', then on the first '='; '+' is a space, %XX a byte. Fails
// with kBadForm on a malformed escape, on bytes that are not UTF-8, on a
// control character other than TAB/CR/LF, or on more than `max_fields`
// fields. Empty pieces ("a=1&&b=2") are skipped as the standard says.
Result<Form> ParseForm(std::string_view body, std::size_t max_fields = 200);

// The body of a POST whose Content-Type is application/x-www-form-urlencoded;
// kBadForm for any other media type.
Result<Form> ParseFormBody(const http::Request& request);

// The query string of a request (an empty Form when there is none).
Result<Form> ParseQuery(const http::Request& request);

// Percent-encodes a value for a query string or a form body (unreserved
// characters of RFC 3986 §2.3 kept, space as %20).
std::string FormEncode(std::string_view value);

}  // namespace openmyna::web
