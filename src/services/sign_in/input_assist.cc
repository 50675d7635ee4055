#include "input_assist.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "openmyna/card/client/text_ap_client.h"
#include "openmyna/card/faces/signing.h"
#include "openmyna/card/faces/text_ap_data.h"
#include "openmyna/card/faces/tlv.h"
#include "openmyna/sign_in/errors.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;

Unexpected<Error> Refused(std::string why) {
  return Fail(SignInErrc::kInvalid, "input-assist data: " + std::move(why));
}

bool SameBytes(ByteView a, ByteView b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<json> VerifiedCardAttributes(ByteView ef0002, ByteView ef0003,
                                    EVP_PKEY* issuer_key,
                                    std::string_view individual_number,
                                    const std::vector<std::string>& scopes) {
  // EF 0003 = FF 30 { DF31 20 ; DF32 20 ; DF33 82 01 00 }.
  auto outer = card::faces::ParseTlv(ef0003);
  if (!outer || outer->tag != 0xFF30 || outer->size() > ef0003.size()) {
    return Refused("EF 0003 is not an FF 30 object");
  }
  auto items =
      card::faces::ParseTlvSequence(ef0003, outer->header_size, outer->size());
  if (!items || items->size() < 3 || (*items)[0].tag != 0xDF31 ||
      (*items)[1].tag != 0xDF32 || (*items)[2].tag != 0xDF33 ||
      (*items)[0].value_size != 32 || (*items)[1].value_size != 32) {
    return Refused("EF 0003 is not DF31, DF32, DF33");
  }
  const auto value = [&](const card::faces::TlvItem& t) {
    return ef0003.subspan(t.offset + t.header_size, t.value_size);
  };
  const card::faces::TlvItem& df31 = (*items)[0];
  const card::faces::TlvItem& df32 = (*items)[1];
  const ByteView signed_part =
      ef0003.subspan(df31.offset, df32.offset + df32.size() - df31.offset);
  const ByteView signature = value((*items)[2]);
  // 1. The data issuer's signature.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool signed_ok =
      ctx && issuer_key &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, issuer_key) ==
          1 &&
      EVP_DigestVerify(ctx, signature.data(), signature.size(),
                       signed_part.data(), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!signed_ok) {
    return Refused(
        "the data issuer's signature (EF 0003 DF33) does not "
        "verify");
  }
  // 2. EF 0002 is the data it covers.
  auto source = card::faces::BasicInfoHashSource(ef0002);
  if (!source || !SameBytes(card::faces::Sha256(*source), value(df32))) {
    return Refused("EF 0002 is not what EF 0003 (DF32) was signed over");
  }
  // 3. And it is this resident's card data.
  auto number_ef = card::faces::EncodeMyNumberEf(individual_number);
  if (!number_ef || !SameBytes(card::faces::Sha256(*number_ef), value(df31))) {
    return Refused("the card data belongs to another person (EF 0003 DF31)");
  }
  auto info = card::client::DecodeBasicInfo(ef0002);
  if (!info) return Refused(info.error().message());
  const std::string& b = info->birth;
  const json all = {
      {"name", info->name},
      {"address", info->address},
      {"birthdate", b.substr(0, 4) + "-" + b.substr(4, 2) + "-" + b.substr(6)},
      {"gender", info->sex == "1"   ? "male"
                 : info->sex == "2" ? "female"
                                    : "unknown"}};
  json out = json::object();
  for (const auto& [name, v] : all.items()) {
    if (std::find(scopes.begin(), scopes.end(), name) != scopes.end()) {
      out[name] = v;
    }
  }
  return out;
}

}  // namespace openmyna::sign_in
