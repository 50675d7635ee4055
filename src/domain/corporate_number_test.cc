#include "openmyna/domain/corporate_number.h"

#include <gtest/gtest.h>

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

// jpki.md §5.2 published numbers (real corporations and test suites).
TEST(CorporateNumber, PublishedValidNumbers) {
  for (const char* text :
       {"1180301018771", "5010001008846", "7010401045660", "4011001098993",
        "7010705000725", "9234567890123", "7123456789012"}) {
    auto n = ParseCorporateNumber(text);
    ASSERT_TRUE(n) << text << ": " << n.error();
    EXPECT_EQ(*n, text);
    EXPECT_EQ(CorporateNumberCheckDigit(std::string_view(text).substr(1)),
              text[0] - '0');
  }
}

TEST(CorporateNumber, PublishedInvalidNumber) {
  auto n = ParseCorporateNumber("1234567890123");  // tomohiro/mynumber
  ASSERT_FALSE(n);
  EXPECT_TRUE(n.error().Is(DomainErrc::kInvalidCheckDigit));
  EXPECT_EQ(n.error().message(), "check digit should be 9");
}

TEST(CorporateNumber, ShapeErrors) {
  EXPECT_EQ(ParseCorporateNumber("118030101877").error().message(),
            "must be 13 digits, got 12");
  EXPECT_TRUE(ParseCorporateNumber("118030101877")
                  .error()
                  .Is(DomainErrc::kInvalidNumberLength));
  EXPECT_EQ(ParseCorporateNumber("T1180301018771").error().message(),
            "character 1 is not a digit");
  EXPECT_TRUE(ParseCorporateNumber("T1180301018771")
                  .error()
                  .Is(DomainErrc::kInvalidNumber));
  EXPECT_EQ(CorporateNumberCheckDigit("12345678901"), -1);
}

// jpki.md §5.2: the check digit is always 1-9; 0 <-> 9 cannot be detected.
TEST(CorporateNumber, CheckDigitRangeAndTheBlindSpot) {
  EXPECT_EQ(CorporateNumberCheckDigit("000000000000"), 9);
  std::string base = "180301018771";  // Toyota's base, check digit 1
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::string zero = base, nine = base;
    zero[i] = '0';
    nine[i] = '9';
    EXPECT_EQ(CorporateNumberCheckDigit(zero), CorporateNumberCheckDigit(nine));
    for (char c = '1'; c <= '8'; ++c) {
      if (c == base[i]) continue;
      std::string other = base;
      other[i] = c;
      const int check = CorporateNumberCheckDigit(other);
      EXPECT_GE(check, 1);
      EXPECT_LE(check, 9);
      EXPECT_NE(check, CorporateNumberCheckDigit(base)) << other;
    }
  }
}

}  // namespace
}  // namespace openmyna::domain
