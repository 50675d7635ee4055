// (internal) What the card holder's app posts to <issuer>/app/requests/{id}
// (docs/sign-in.md "Endpoints"), read into its few fields by Boost.JSON
// instead of a nlohmann::json tree: issue 9's bench found the tree 3 % of
// serve's instructions for a 2.5 KB object of two strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::sign_in::internal {

struct AppAnswer {
  // {"error": "pin_blocked" | ...}: what the app could not do with the card.
  std::optional<std::string> error;
  // base64url: the card's certificate and its signature.
  std::optional<std::string> certificate, signature;
  // "input_assist": {"ef0002", "ef0003"} (base64url), taken when an object.
  bool input_assist = false;
  std::optional<std::string> ef0002, ef0003;
  // "attributes" present (refused: only the card's files are taken).
  bool attributes = false;
};

// `body` as an AppAnswer. Fails (SignInErrc::kInvalid) when it is not one
// JSON object (RFC 8259, UTF-8; nothing after it) or when a field named
// above holds another type than the one shown (a string, or any value for
// "attributes"; "input_assist" other than an object is ignored, as is an
// unknown field). A name given twice counts by its last value, as
// nlohmann::json read it before.
Result<AppAnswer> ReadAppAnswer(std::string_view body);

}  // namespace openmyna::sign_in::internal
