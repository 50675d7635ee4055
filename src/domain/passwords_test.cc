// Password rules of domain.md §3 / jpki.md §7.1, one test per rule.
#include "openmyna/domain/passwords.h"

#include <gtest/gtest.h>

namespace openmyna::domain {
namespace {

std::optional<PasswordRule> Rule(PasswordKind kind, std::string_view text) {
  auto v = CheckPassword(kind, text);
  return v ? std::optional(v->rule) : std::nullopt;
}

TEST(PasswordPolicy, TheFourPolicies) {
  const PasswordPolicy& sign = PolicyFor(PasswordKind::kSignature);
  EXPECT_EQ(sign.min_length, 6u);
  EXPECT_EQ(sign.max_length, 16u);
  EXPECT_EQ(sign.max_tries, 5);
  for (PasswordKind k : {PasswordKind::kAuthentication, PasswordKind::kJuki,
                         PasswordKind::kInputAssist}) {
    EXPECT_EQ(PolicyFor(k).min_length, 4u);
    EXPECT_EQ(PolicyFor(k).max_length, 4u);
    EXPECT_EQ(PolicyFor(k).max_tries, 3);
  }
}

TEST(SignaturePassword, Accepted) {
  for (const char* ok :
       {"ABC123", "A12345", "12345Z", "ABCDEFGHIJKLMNO1", "0123456789ABCDEF"}) {
    EXPECT_EQ(CheckPassword(PasswordKind::kSignature, ok), std::nullopt) << ok;
  }
}

TEST(SignaturePassword, TooShortAndTooLong) {
  EXPECT_EQ(Rule(PasswordKind::kSignature, "AB123"), PasswordRule::kTooShort);
  EXPECT_EQ(Rule(PasswordKind::kSignature, ""), PasswordRule::kTooShort);
  EXPECT_EQ(Rule(PasswordKind::kSignature, "ABCDEFGHIJKLMNOP1"),
            PasswordRule::kTooLong);  // 17
}

TEST(SignaturePassword, BadCharacters) {
  // Lower case: the card compares bytes; the client must upper-case.
  EXPECT_EQ(Rule(PasswordKind::kSignature, "abc123"),
            PasswordRule::kBadCharacter);
  EXPECT_EQ(Rule(PasswordKind::kSignature, "ABC 123"),
            PasswordRule::kBadCharacter);
  EXPECT_EQ(Rule(PasswordKind::kSignature, "ABC-123"),
            PasswordRule::kBadCharacter);
  EXPECT_EQ(Rule(PasswordKind::kSignature, "ＡBC123"),  // full-width A
            PasswordRule::kBadCharacter);
  auto v = CheckPassword(PasswordKind::kSignature, "ABc123");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message,
            "character 3 is not an upper-case letter A-Z or a digit");
}

TEST(SignaturePassword, NeedsBothALetterAndADigit) {
  EXPECT_EQ(Rule(PasswordKind::kSignature, "123456"),
            PasswordRule::kNeedsLetter);
  EXPECT_EQ(Rule(PasswordKind::kSignature, "ABCDEF"),
            PasswordRule::kNeedsDigit);
}

TEST(FourDigitPins, EveryRule) {
  for (PasswordKind k : {PasswordKind::kAuthentication, PasswordKind::kJuki,
                         PasswordKind::kInputAssist}) {
    EXPECT_EQ(CheckPassword(k, "0000"), std::nullopt);
    EXPECT_EQ(CheckPassword(k, "9876"), std::nullopt);
    EXPECT_EQ(Rule(k, "123"), PasswordRule::kTooShort);
    EXPECT_EQ(Rule(k, "12345"), PasswordRule::kTooLong);
    EXPECT_EQ(Rule(k, "12A4"), PasswordRule::kBadCharacter);
    EXPECT_EQ(Rule(k, "１２３４"), PasswordRule::kBadCharacter);
  }
}

TEST(PasswordMessages, NeverContainTheCandidate) {
  for (const char* secret :
       {"SECRET", "ZZZZZZ9999ZZZZZZZ", "zq12", "7777777"}) {
    for (PasswordKind k : {PasswordKind::kSignature, PasswordKind::kJuki}) {
      auto v = CheckPassword(k, secret);
      if (v) {
        EXPECT_EQ(v->message.find(secret), std::string::npos);
      }
    }
  }
}

// Guidebook p.5 "搭載の条件" and domain.md §8.4.
TEST(PasswordExists, WhenEachPasswordExists) {
  using K = PasswordKind;
  EXPECT_TRUE(PasswordExists(K::kSignature, 15, false, false));
  EXPECT_FALSE(PasswordExists(K::kSignature, 14, false, false));
  EXPECT_FALSE(PasswordExists(K::kSignature, 40, true, false));
  EXPECT_FALSE(PasswordExists(K::kSignature, 40, false, true));
  EXPECT_TRUE(PasswordExists(K::kAuthentication, 3, false, false));
  EXPECT_TRUE(PasswordExists(K::kAuthentication, 40, true, false));
  for (K k : {K::kAuthentication, K::kJuki, K::kInputAssist}) {
    EXPECT_TRUE(PasswordExists(k, 0, true, false));
    EXPECT_FALSE(PasswordExists(k, 40, false, true));
  }
}

}  // namespace
}  // namespace openmyna::domain
