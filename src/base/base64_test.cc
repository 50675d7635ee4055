// RFC 4648 §10's test vectors, both alphabets, refusals.
#include "openmyna/base/base64.h"

#include <gtest/gtest.h>

namespace openmyna {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(Base64, Rfc4648Section10Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(B(plain)), encoded);
    EXPECT_EQ(Base64Decode(encoded), B(plain)) << encoded;
    std::string unpadded(encoded);
    while (unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(Base64Decode(unpadded), B(plain)) << unpadded;
  }
  EXPECT_EQ(Base64Encode(Bytes{}), "");
}

TEST(Base64, BothAlphabets) {
  const Bytes data = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(data), "+/+/");
  EXPECT_EQ(Base64Decode("+/+/"), data);
  EXPECT_EQ(Base64Decode("-_-_"), data);
}

TEST(Base64, RefusesWhatIsNotBase64) {
  for (const char* bad :
       {"", "=", "Zg=a", "Z", "Zm9v Yg==", "Zm9v\n", "Zm9v!", "Zm9vY"}) {
    EXPECT_FALSE(Base64Decode(bad)) << bad;
  }
}

}  // namespace
}  // namespace openmyna
