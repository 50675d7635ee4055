#include "openmyna/base/result.h"

#include "openmyna/base/errors.h"

namespace openmyna {

std::string Error::ToString() const {
  std::string text;
  text.reserve(library_.size() + code_name_.size() + message_.size() + 3);
  text.append(library_).append("/").append(code_name_).append(": ");
  text.append(message_);
  return text;
}

Error Error::WithContext(std::string_view context) const {
  Error copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.ToString();
}

std::string_view ErrorTraits<BaseErrc>::Name(BaseErrc code) {
  switch (code) {
    case BaseErrc::kInvalidArgument:
      return "invalid_argument";
    case BaseErrc::kIo:
      return "io";
    case BaseErrc::kCrypto:
      return "crypto";
    case BaseErrc::kNotFound:
      return "not_found";
  }
  return "unknown";
}

}  // namespace openmyna
