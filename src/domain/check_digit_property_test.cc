// Property tests of the individual-number check digit: which single-digit
// errors and adjacent transpositions it catches, and the claim (worked out
// in docs/domain-rules.md §2) of exactly which ones it cannot catch.
//
// The claim: a base digit with weight w changed by δ (1 <= |δ| <= 9) moves
// the weighted sum by w·δ; 11 is prime and w ∈ {2..7}, so the remainder
// mod 11 always changes. An adjacent swap of base digits a != b with weights
// w1, w2 moves the sum by (w1 - w2)(b - a) where |w1 - w2| ∈ {1, 5}: again
// never 0 mod 11. The only escape is the rule "remainder 0 or 1 -> check
// digit 0": an error that moves the remainder between 0 and 1 keeps the
// check digit. A change of the check digit itself is always caught.
//
// The oracle below is written from the ordinance's own wording (Pn counted
// from the right, Qn = n+1 for n <= 6, n-5 for n >= 7), independently of
// the left-to-right weight table in individual_number.cc.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "openmyna/domain/individual_number.h"

namespace openmyna::domain {
namespace {

int OrdinanceRemainder(const std::string& base11) {
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    const int p = base11[11 - n] - '0';
    const int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  return sum % 11;
}

int OrdinanceCheckDigit(const std::string& base11) {
  const int r = OrdinanceRemainder(base11);
  return r <= 1 ? 0 : 11 - r;
}

bool Valid(const std::string& twelve) {
  return IndividualNumber::Parse(twelve).has_value();
}

rc::Gen<std::string> GenBase() {
  return rc::gen::container<std::string>(11, rc::gen::inRange('0', ':'));
}

std::string WithCheck(const std::string& base) {
  return base + static_cast<char>('0' + OrdinanceCheckDigit(base));
}

bool RemaindersAreZeroAndOne(const std::string& a, const std::string& b) {
  const int ra = OrdinanceRemainder(a);
  const int rb = OrdinanceRemainder(b);
  return (ra == 0 && rb == 1) || (ra == 1 && rb == 0);
}

RC_GTEST_PROP(CheckDigitProperty, AgreesWithTheOrdinanceFormula, ()) {
  const std::string base = *GenBase();
  RC_ASSERT(IndividualNumberCheckDigit(base) == OrdinanceCheckDigit(base));
  RC_ASSERT(Valid(WithCheck(base)));
}

RC_GTEST_PROP(CheckDigitProperty, EverySingleDigitErrorIsCaughtUnlessZeroOne,
              ()) {
  const std::string number = WithCheck(*GenBase());
  for (int pos = 0; pos < 12; ++pos) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == number[pos]) continue;
      std::string wrong = number;
      wrong[pos] = c;
      const bool caught = !Valid(wrong);
      if (pos == 11) {
        RC_ASSERT(caught);
      } else {
        const bool escapable =
            RemaindersAreZeroAndOne(number.substr(0, 11), wrong.substr(0, 11));
        RC_ASSERT(caught == !escapable);
      }
    }
  }
}

RC_GTEST_PROP(CheckDigitProperty,
              EveryAdjacentSwapOfBaseDigitsIsCaughtUnlessZeroOne, ()) {
  const std::string number = WithCheck(*GenBase());
  for (int pos = 0; pos + 1 < 11; ++pos) {
    if (number[pos] == number[pos + 1]) continue;
    std::string swapped = number;
    std::swap(swapped[pos], swapped[pos + 1]);
    const bool escapable =
        RemaindersAreZeroAndOne(number.substr(0, 11), swapped.substr(0, 11));
    RC_ASSERT(!Valid(swapped) == !escapable);
  }
}

// Swapping the last base digit with the check digit is a different case: the
// check digit moves into the sum. The oracle decides; the code must agree.
RC_GTEST_PROP(CheckDigitProperty, SwapWithTheCheckDigitMatchesTheOracle, ()) {
  const std::string number = WithCheck(*GenBase());
  std::string swapped = number;
  std::swap(swapped[10], swapped[11]);
  const bool oracle_valid =
      OrdinanceCheckDigit(swapped.substr(0, 11)) == swapped[11] - '0';
  RC_ASSERT(Valid(swapped) == oracle_valid);
}

// The claim is not vacuous: the escapes exist, and they are rare. Counted
// exhaustively over the base-digit errors of a fixed sample of numbers.
TEST(CheckDigitClaim, EscapesExistAndAreRare) {
  int single_total = 0, single_escaped = 0;
  int swap_total = 0, swap_escaped = 0;
  for (int seed = 0; seed < 2000; ++seed) {
    std::string base(11, '0');
    unsigned x = 2654435761u * static_cast<unsigned>(seed + 1);
    for (char& c : base) {
      x = x * 1103515245u + 12345u;
      c = static_cast<char>('0' + (x >> 16) % 10);
    }
    const std::string number = WithCheck(base);
    for (int pos = 0; pos < 11; ++pos) {
      for (char c = '0'; c <= '9'; ++c) {
        if (c == number[pos]) continue;
        std::string wrong = number;
        wrong[pos] = c;
        ++single_total;
        if (Valid(wrong)) ++single_escaped;
      }
      if (pos < 10 && number[pos] != number[pos + 1]) {
        std::string swapped = number;
        std::swap(swapped[pos], swapped[pos + 1]);
        ++swap_total;
        if (Valid(swapped)) ++swap_escaped;
      }
    }
  }
  EXPECT_GT(single_escaped, 0);
  EXPECT_GT(swap_escaped, 0);
  // Only numbers with remainder 0 or 1 (2 in 11) can let an error through,
  // and then at most one of the 9 wrong digits does: about 2%.
  EXPECT_LT(single_escaped * 50, single_total);
  EXPECT_LT(swap_escaped * 50, swap_total);
  RecordProperty("single_digit_errors", single_total);
  RecordProperty("single_digit_escaped", single_escaped);
  RecordProperty("adjacent_swaps", swap_total);
  RecordProperty("adjacent_swaps_escaped", swap_escaped);
}

}  // namespace
}  // namespace openmyna::domain
