// Profile validation. Valid numbers come from jpki.md §5.1 (published test
// vectors: 123456789018 from tomohiro/mynumber, the others from
// hsaito/MyNumber.NET), not from our own check-digit code.
#include "openmyna/card/perso/profile.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "openmyna/card/perso/errors.h"

namespace openmyna::card::perso {
namespace {

using Json = nlohmann::json;
using namespace std::chrono;

}  // namespace
const domain::Date kToday{std::chrono::year{2026}, std::chrono::month{11},
                          std::chrono::day{25}};
namespace {

Json Adult() {
  return Json::parse(R"({
    "number": "123456789018", "name": "番号 花子",
    "address": "長野県千曲市杭瀬下１－２－３", "birth_date": "1990-05-10",
    "sex": "female", "kind": "standard",
    "passwords": {"signature": "ABC123", "authentication": "1234",
                  "juki": "5678", "input_assist": "4321"},
    "certificates": ["authentication", "signature"]})");
}

Result<Profile> Parse(const Json& json) {
  return ParseProfile(json.dump(), kToday);
}

// The refusal names `field` and the profile was refused.
void ExpectRefused(const Json& json, std::string_view field) {
  auto profile = Parse(json);
  ASSERT_FALSE(profile) << "accepted, expected a problem with " << field;
  EXPECT_TRUE(profile.error().Is(PersoErrc::kInvalidProfile));
  EXPECT_NE(profile.error().message().find(std::string(field) + ":"),
            std::string::npos)
      << profile.error().message();
}

TEST(Profile, TheIssueExampleIsAccepted) {
  auto profile = Parse(Adult());
  ASSERT_TRUE(profile) << profile.error();
  EXPECT_EQ(profile->number, "123456789018");
  EXPECT_EQ(profile->name, "番号 花子");
  EXPECT_EQ(profile->birth_date, (domain::Date{year{1990}, month{5}, day{10}}));
  EXPECT_EQ(profile->sex, ProfileSex::kFemale);
  EXPECT_EQ(profile->kind, ProfileKind::kStandard);
  EXPECT_EQ(profile->passwords.signature, "ABC123");
  EXPECT_EQ(profile->passwords.input_assist, "4321");
  EXPECT_TRUE(profile->authentication_certificate);
  EXPECT_TRUE(profile->signature_certificate);
  EXPECT_EQ(profile->issue_date, kToday);
  EXPECT_EQ(profile->AgeAtIssue(), 36);
}

TEST(Profile, PublishedValidNumbersPassAndAWrongCheckDigitFails) {
  for (const char* number : {"510136263801", "060122228102", "362473502703",
                             "467430101604", "763727588705"}) {
    Json json = Adult();
    json["number"] = number;
    EXPECT_TRUE(Parse(json)) << number;
  }
  Json json = Adult();
  json["number"] = "123456789012";
  ExpectRefused(json, "number");
  json["number"] = "12345678901";
  ExpectRefused(json, "number");
  json["number"] = 123456789018;
  ExpectRefused(json, "number");
}

TEST(Profile, EveryRequiredKeyIsNamedWhenMissing) {
  for (const char* key : {"number", "name", "address", "birth_date", "sex",
                          "kind", "passwords", "certificates"}) {
    Json json = Adult();
    json.erase(key);
    ExpectRefused(json, key);
  }
}

TEST(Profile, PasswordsBreakingThePolicyAreNamed) {
  // domain.md §3: signature 6-16 of A-Z0-9 with a letter and a digit; the
  // others 4 digits.
  const std::pair<const char*, const char*> bad[] = {
      {"signature", "abc123"},
      {"signature", "ABCDEF"},
      {"signature", "123456"},
      {"signature", "AB12"},
      {"authentication", "12345"},
      {"authentication", "12a4"},
      {"juki", "123"},
      {"input_assist", "１２３４"}};
  for (const auto& [key, value] : bad) {
    Json json = Adult();
    json["passwords"][key] = value;
    ExpectRefused(json, std::string("passwords.") + key);
  }
  Json json = Adult();
  json["passwords"].erase("juki");
  ExpectRefused(json, "passwords.juki");
}

TEST(Profile, UnderFifteenMayNotAskForASignatureCertificate) {
  Json json = Adult();
  json["birth_date"] = "2014-01-01";  // 12 on 2026-11-25
  ExpectRefused(json, "certificates");
  // Without it (and without its password) the child's profile is fine.
  json["certificates"] = {"authentication"};
  json["passwords"].erase("signature");
  auto child = Parse(json);
  ASSERT_TRUE(child) << child.error();
  EXPECT_EQ(child->AgeAtIssue(), 12);
  // The day before the 15th birthday is still under 15.
  json = Adult();
  json["birth_date"] = "2011-11-26";
  ExpectRefused(json, "certificates");
  json["birth_date"] = "2011-11-25";
  EXPECT_TRUE(Parse(json));
}

TEST(Profile, PasswordOfAnAbsentCertificateIsRefused) {
  Json json = Adult();
  json["certificates"] = {"authentication"};
  ExpectRefused(json, "passwords.signature");
}

TEST(Profile, FaceAuthCardsHaveNoPasswordsAndNoSignatureCertificate) {
  Json json = Adult();
  json["kind"] = "face_auth";
  ExpectRefused(json, "passwords.juki");
  json["passwords"] = Json::object();
  ExpectRefused(json, "certificates");
  json["certificates"] = {"authentication"};
  auto profile = Parse(json);
  ASSERT_TRUE(profile) << profile.error();
  EXPECT_EQ(profile->kind, ProfileKind::kFaceAuth);
}

TEST(Profile, BadValuesAndUnknownKeysAreNamed) {
  const std::pair<const char*, Json> bad[] = {
      {"sex", "f"},
      {"kind", "premium"},
      {"birth_date", "1990-02-30"},
      {"birth_date", "2030-01-01"},  // after the issue date
      {"name", ""},
      {"address", ""},
      {"certificates", Json::array({"auth"})},
      {"certificates", Json::array({"signature", "signature"})},
      {"municipality_code", "1322"},
      {"security_code", "12a4"},
      {"photo", "no-such-photo.png"},
      {"issue_date", "2026/11/25"},
      {"nmae", "typo"},
  };
  for (const auto& [key, value] : bad) {
    Json json = Adult();
    json[key] = value;
    ExpectRefused(json, key);
  }
  auto not_json = ParseProfile("{\"number\": ", kToday);
  ASSERT_FALSE(not_json);
  EXPECT_TRUE(not_json.error().Is(PersoErrc::kInvalidProfile));
}

TEST(Profile, AllProblemsAreReportedAtOnce) {
  Json json = Adult();
  json["number"] = "123456789012";
  json["sex"] = "x";
  json["passwords"]["authentication"] = "1";
  auto profile = Parse(json);
  ASSERT_FALSE(profile);
  const std::string& message = profile.error().message();
  EXPECT_NE(message.find("number:"), std::string::npos);
  EXPECT_NE(message.find("sex:"), std::string::npos);
  EXPECT_NE(message.find("passwords.authentication:"), std::string::npos);
}

TEST(Profile, PasswordsNeverAppearInMessages) {
  Json json = Adult();
  json["passwords"]["signature"] = "abcdef9";  // lower case: refused
  auto profile = Parse(json);
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().message().find("abcdef9"), std::string::npos);
}

TEST(Profile, ForeignResidentNeedsAStayThatHasNotEnded) {
  Json json = Adult();
  json["residence"] = {{"status", "mid-to-long-term"},
                       {"stay_until", "2029-03-31"}};
  EXPECT_TRUE(Parse(json));
  json["residence"] = {{"status", "mid-to-long-term"}};
  ExpectRefused(json, "residence");
  json["residence"] = {{"status", "mid-to-long-term"},
                       {"stay_until", "2025-03-31"}};
  ExpectRefused(json, "residence");
  json["residence"] = {{"status", "tourist"}};
  ExpectRefused(json, "residence.status");
}

}  // namespace
}  // namespace openmyna::card::perso

namespace openmyna::card::perso {
namespace {

// The committed samples stay valid (dated so that the child is 12).
TEST(Profile, SampleProfilesAreValid) {
  const char* source = std::getenv("OPENMYNA_SOURCE_DIR");
  ASSERT_NE(source, nullptr);
  const std::filesystem::path dir =
      std::filesystem::path(source) / "examples/profiles";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    auto profile = LoadProfile(entry.path(), kToday);
    EXPECT_TRUE(profile) << entry.path() << ": " << profile.error();
  }
  EXPECT_EQ(count, 7);  // adult, child-12, face-auth, foreign-resident and the
                        // edge samples (issue 14)
  auto child = LoadProfile(dir / "child-12.json", kToday);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->AgeAtIssue(), 12);
  EXPECT_FALSE(child->signature_certificate);
  auto face = LoadProfile(dir / "face-auth.json", kToday);
  ASSERT_TRUE(face);
  EXPECT_EQ(face->kind, ProfileKind::kFaceAuth);
  EXPECT_TRUE(face->passwords.juki.empty());
}

}  // namespace
}  // namespace openmyna::card::perso
