#include "answers.h"

#include "openmyna/http/json_string.h"

namespace openmyna::sign_in::internal {
namespace {

// {"key":value,...} in the order members are added (keys are plain ASCII).
class Object {
 public:
  Object() {
    text_.reserve(512);
    text_.push_back('{');
  }
  Object& String(std::string_view key, std::string_view value) {
    Key(key);
    // Every text here is UTF-8 (clients.json and requests are parsed or
    // checked first); kReplace keeps the output JSON in any case.
    http::AppendJsonString(text_, value, http::InvalidUtf8::kReplace);
    return *this;
  }
  // ["value"]: an array of one string.
  Object& OneString(std::string_view key, std::string_view value) {
    Key(key);
    text_.push_back('[');
    http::AppendJsonString(text_, value, http::InvalidUtf8::kReplace);
    text_.push_back(']');
    return *this;
  }
  Object& Number(std::string_view key, std::int64_t value) {
    Key(key);
    text_ += std::to_string(value);
    return *this;
  }
  Object& Bool(std::string_view key, bool value) {
    Key(key);
    text_ += value ? "true" : "false";
    return *this;
  }
  std::string Done() {
    text_.push_back('}');
    return std::move(text_);
  }

 private:
  void Key(std::string_view key) {
    if (text_.size() > 1) text_.push_back(',');
    text_.push_back('"');
    text_ += key;
    text_ += "\":";
  }
  std::string text_;
};

}  // namespace

std::string ChallengeJson(const ChallengeFields& f) {
  return Object()
      .Number("exp", f.exp)
      .String("iss", f.iss)
      .String("nonce", f.nonce)
      .String("request_id", f.request_id)
      .String("rp", f.rp)
      .String("rp_name", f.rp_name)
      .String("scope", f.scope)
      .String("type", f.type)
      .Done();
}

std::string LoginRequestJson(const LoginRequestFields& f) {
  return Object()
      .String("acr_values", f.acr_values)
      .Bool("attributes_requested", f.attributes_requested)
      .String("challenge", f.challenge)
      .String("client_id", f.client_id)
      .String("client_name", f.client_name)
      .String("key", f.key)
      .String("request_id", f.request_id)
      .String("scope", f.scope)
      .Done();
}

std::string TokenJson(const TokenFields& f) {
  return Object()
      .String("access_token", f.access_token)
      .Number("expires_in", f.expires_in)
      .String("id_token", f.id_token)
      .String("refresh_token", f.refresh_token)
      .String("scope", f.scope)
      .String("token_type", f.token_type)
      .Done();
}

std::string IdTokenJson(const IdTokenFields& f) {
  return Object()
      .String("acr", f.acr)
      .OneString("amr", f.amr)
      .String("at_hash", f.at_hash)
      .String("aud", f.aud)
      .Number("auth_time", f.auth_time)
      .Number("exp", f.exp)
      .Number("iat", f.iat)
      .String("iss", f.iss)
      .String("nonce", f.nonce)
      .String("sid", f.sid)
      .String("sub", f.sub)
      .Done();
}

}  // namespace openmyna::sign_in::internal
