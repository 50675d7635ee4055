#include "app_answer.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "openmyna/sign_in/errors.h"

namespace openmyna::sign_in::internal {
namespace {

namespace bj = boost::json;

// Sets `out` to the string under `name` of `object`, if there is one.
Status ReadString(const bj::object& object, std::string_view name,
                  std::optional<std::string>& out) {
  const bj::value* v = object.if_contains(name);
  if (!v) return Ok();
  if (!v->is_string()) {
    return Fail(SignInErrc::kInvalid,
                "\"" + std::string(name) + "\" must be a string");
  }
  out.emplace(v->get_string());
  return Ok();
}

}  // namespace

Result<AppAnswer> ReadAppAnswer(std::string_view body) {
  // The tree lives in this buffer (a body of certificate and signature is
  // about 2.5 KB; a larger one goes on to the heap).
  unsigned char buffer[8192];
  bj::monotonic_resource memory(buffer, sizeof buffer);
  boost::system::error_code ec;
  const bj::value root = bj::parse(body, ec, &memory);
  if (ec || !root.is_object()) {
    return Fail(SignInErrc::kInvalid, "the body must be a JSON object");
  }
  const bj::object& object = root.get_object();
  AppAnswer answer;
  OPENMYNA_RETURN_IF_ERROR(ReadString(object, "error", answer.error));
  OPENMYNA_RETURN_IF_ERROR(
      ReadString(object, "certificate", answer.certificate));
  OPENMYNA_RETURN_IF_ERROR(ReadString(object, "signature", answer.signature));
  if (const bj::value* assist = object.if_contains("input_assist");
      assist && assist->is_object()) {
    answer.input_assist = true;
    OPENMYNA_RETURN_IF_ERROR(
        ReadString(assist->get_object(), "ef0002", answer.ef0002));
    OPENMYNA_RETURN_IF_ERROR(
        ReadString(assist->get_object(), "ef0003", answer.ef0003));
  }
  answer.attributes = object.contains("attributes");
  return answer;
}

}  // namespace openmyna::sign_in::internal
