#include "openmyna/domain/individual_number.h"

#include <gtest/gtest.h>

#include <set>

#include "openmyna/base/rng.h"
#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

// jpki.md §5.1 vectors from published test suites (tomohiro/mynumber,
// hsaito/MyNumber.NET, a qiita article); together they cover check digits
// 0-9.
TEST(IndividualNumber, PublishedValidNumbers) {
  for (const char* text :
       {"123456789018", "614106526000", "510136263801", "060122228102",
        "362473502703", "467430101604", "763727588705", "734220726006",
        "450817747707", "207304711608", "407508284309", "983205673214"}) {
    auto n = IndividualNumber::Parse(text);
    ASSERT_TRUE(n) << text << ": " << n.error();
    EXPECT_EQ(n->digits(), text);
    EXPECT_EQ(IndividualNumberCheckDigit(std::string_view(text).substr(0, 11)),
              text[11] - '0');
  }
}

TEST(IndividualNumber, PublishedInvalidNumbers) {
  for (const char* text :
       {"123456789010", "614106526006", "510136263805", "060122228103",
        "362473502704", "467430101602", "763727588707", "734220726004",
        "450817747706", "207304711604", "407508284302"}) {
    auto n = IndividualNumber::Parse(text);
    ASSERT_FALSE(n) << text;
    EXPECT_TRUE(n.error().Is(DomainErrc::kInvalidCheckDigit)) << n.error();
  }
}

TEST(IndividualNumber, CheckDigitMessageNamesTheRightDigit) {
  // 12345678901 has check digit 8 (tomohiro/mynumber).
  auto n = IndividualNumber::Parse("123456789010");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message(), "check digit should be 8");
  // 61410652600 has check digit 0 (hsaito/MyNumber.NET).
  EXPECT_EQ(IndividualNumber::Parse("614106526006").error().message(),
            "check digit should be 0");
}

// jpki.md §5.1 computed bases, re-checked there by an independent
// implementation.
TEST(IndividualNumberCheckDigit, DocumentedBases) {
  EXPECT_EQ(IndividualNumberCheckDigit("00000000000"), 0);
  EXPECT_EQ(IndividualNumberCheckDigit("11111111111"), 8);
  EXPECT_EQ(IndividualNumberCheckDigit("99999999999"), 6);
  EXPECT_EQ(IndividualNumberCheckDigit("12345678901"), 8);
  EXPECT_EQ(IndividualNumberCheckDigit("1234567890"), -1);
  EXPECT_EQ(IndividualNumberCheckDigit("1234567890a"), -1);
}

TEST(IndividualNumber, LengthIsCheckedAfterCharacters) {
  auto short_one = IndividualNumber::Parse("12345678901");
  ASSERT_FALSE(short_one);
  EXPECT_TRUE(short_one.error().Is(DomainErrc::kInvalidNumberLength));
  EXPECT_EQ(short_one.error().message(), "must be 12 digits, got 11");
  EXPECT_EQ(IndividualNumber::Parse("1234567890180").error().message(),
            "must be 12 digits, got 13");
  EXPECT_EQ(IndividualNumber::Parse("").error().message(),
            "must be 12 digits, got 0");
}

TEST(IndividualNumber, NonDigitsNameTheCharacter) {
  auto n = IndividualNumber::Parse("1234a6789018");
  ASSERT_FALSE(n);
  EXPECT_TRUE(n.error().Is(DomainErrc::kInvalidNumber));
  EXPECT_EQ(n.error().message(), "character 5 is not a digit");
  EXPECT_EQ(IndividualNumber::Parse("1234-5678-9018").error().message(),
            "character 5 is not a digit");
  EXPECT_EQ(IndividualNumber::Parse(" 123456789018").error().message(),
            "character 1 is not a digit");
  // Full-width digits are characters too: the second character (not byte).
  EXPECT_EQ(IndividualNumber::Parse("1２3456789018").error().message(),
            "character 2 is not a digit");
  EXPECT_EQ(
      IndividualNumber::Parse(std::string_view("12\0", 3)).error().message(),
      "character 3 is not a digit");
}

TEST(IndividualNumber, MaskedKeepsTheLastFour) {
  auto n = IndividualNumber::Parse("123456789018");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->Masked(), "********9018");
}

TEST(IndividualNumber, GeneratedNumbersAreValidAndVaried) {
  DeterministicRng rng(42);
  std::set<std::string> seen;
  std::array<int, 10> check_digits{};
  for (int i = 0; i < 2000; ++i) {
    const IndividualNumber n = IndividualNumber::Generate(rng);
    ASSERT_EQ(n.digits().size(), 12u);
    ASSERT_TRUE(IndividualNumber::Parse(n.digits())) << n.digits();
    seen.insert(n.digits());
    ++check_digits[n.digits()[11] - '0'];
  }
  EXPECT_EQ(seen.size(), 2000u);
  // Every check digit occurs; 0 about twice as often (remainders 0 and 1).
  for (int c : check_digits) EXPECT_GT(c, 50);
  EXPECT_GT(check_digits[0], check_digits[5]);
}

}  // namespace
}  // namespace openmyna::domain
