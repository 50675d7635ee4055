#include "openmyna/domain/insurer_number.h"

#include <gtest/gtest.h>

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

// Published insurer numbers with their check digits:
//  - 33120015: a worked example of the 検証番号 rule (千葉県警察 共済,
//    www5f.biglobe.ne.jp/~h-it/mlcont/mc0124.htm: products 6,3,2,2,0,0,2,
//    sum 15, 10 - 5 = 5);
//  - 01040013: 全国健康保険協会 宮城支部, as printed on its own page
//    (kyoukaikenpo.or.jp/shibu/miyagi/20170308001).
TEST(InsurerNumber, PublishedNumbersAreValid) {
  for (const char* text : {"33120015", "01040013"}) {
    auto n = InsurerNumber::Parse(text);
    ASSERT_TRUE(n) << text << ": " << n.error();
    EXPECT_EQ(n->digits(), text);
    EXPECT_FALSE(n->IsNationalHealthInsurance());
  }
  auto chiba = InsurerNumber::Parse("33120015");
  EXPECT_EQ(chiba->LawNumber(), "33");
  EXPECT_EQ(chiba->PrefectureCode(), "12");
  EXPECT_EQ(*InsurerNumber::CheckDigitOf("3312001"), '5');
  EXPECT_EQ(*InsurerNumber::CheckDigitOf("0104001"), '3');
}

TEST(InsurerNumber, EveryOtherLastDigitOfAPublishedNumberIsRefused) {
  for (std::string text : {"33120015", "01040013"}) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == text.back()) continue;
      std::string wrong = text.substr(0, 7) + d;
      auto n = InsurerNumber::Parse(wrong);
      ASSERT_FALSE(n) << wrong;
      EXPECT_TRUE(n.error().Is(DomainErrc::kInvalidCheckDigit)) << n.error();
      EXPECT_NE(n.error().message().find(text.back()), std::string::npos);
    }
  }
}

// The 要領's rule restated independently (weights 2,1,... from the last
// base digit, digit sums of products, 10 - last digit) over every 6-digit
// (国民健康保険) number: exactly one check digit per base is accepted.
TEST(InsurerNumber, SixDigitNumbersFollowTheSameRule) {
  for (int base = 0; base < 100000; base += 37) {
    char text[7];
    std::snprintf(text, sizeof text, "%05d", base);
    int sum = 0;
    const int weights[5] = {2, 1, 2, 1, 2};  // left to right for 5 digits
    for (int i = 0; i < 5; ++i) {
      int p = (text[i] - '0') * weights[i];
      sum += p >= 10 ? p - 9 : p;
    }
    const char expected = static_cast<char>('0' + (10 - sum % 10) % 10);
    int accepted = 0;
    for (char d = '0'; d <= '9'; ++d) {
      std::string candidate = std::string(text, 5) + d;
      if (auto n = InsurerNumber::Parse(candidate)) {
        ++accepted;
        EXPECT_EQ(d, expected) << candidate;
        EXPECT_TRUE(n->IsNationalHealthInsurance());
        EXPECT_EQ(n->LawNumber(), "");
        EXPECT_EQ(n->Padded8(), "  " + candidate);
      }
    }
    EXPECT_EQ(accepted, 1) << text;
  }
}

TEST(InsurerNumber, PaddedFormIsAcceptedAndShapeErrorsAreNamed) {
  auto padded = InsurerNumber::Parse("  131011");
  ASSERT_TRUE(padded) << padded.error();
  EXPECT_EQ(padded->digits(), "131011");
  auto letter = InsurerNumber::Parse("3312A015");
  ASSERT_FALSE(letter);
  EXPECT_TRUE(letter.error().Is(DomainErrc::kInvalidNumber));
  auto seven = InsurerNumber::Parse("3312001");
  ASSERT_FALSE(seven);
  EXPECT_TRUE(seven.error().Is(DomainErrc::kInvalidNumberLength));
  EXPECT_FALSE(InsurerNumber::Parse(""));
  EXPECT_FALSE(InsurerNumber::Parse("０１０４００１３"));  // full-width
}

}  // namespace
}  // namespace openmyna::domain
