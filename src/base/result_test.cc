#include "openmyna/base/result.h"

#include <gtest/gtest.h>

#include "openmyna/base/errors.h"

namespace openmyna {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Fail(BaseErrc::kInvalidArgument, "odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  OPENMYNA_ASSIGN_OR_RETURN(int half, Half(v));
  return Half(half);
}

Status CheckEven(int v) {
  OPENMYNA_RETURN_IF_ERROR(Half(v));
  return Ok();
}

TEST(ResultTest, ValueAndError) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(BaseErrc::kInvalidArgument));
  EXPECT_FALSE(bad.error().Is(BaseErrc::kIo));
  EXPECT_EQ(bad.error().library(), "base");
  EXPECT_EQ(bad.error().ToString(), "base/invalid_argument: odd");
  EXPECT_EQ(bad.value_or(-1), -1);
  EXPECT_THROW((void)bad.value(), BadResultAccess);
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6));  // 6 -> 3 -> odd
  EXPECT_TRUE(CheckEven(2));
  EXPECT_FALSE(CheckEven(1));
}

TEST(ResultTest, MonadicOperations) {
  auto doubled = Half(8).transform([](int v) { return v * 2; });
  EXPECT_EQ(*doubled, 8);
  auto chained = Half(8).and_then(Half).and_then(Half);
  EXPECT_EQ(*chained, 1);
  auto failed = Half(8).and_then(Half).and_then(Half).and_then(Half);
  EXPECT_FALSE(failed);
  auto recovered =
      Half(1).or_else([](const Error&) -> Result<int> { return 0; });
  EXPECT_EQ(*recovered, 0);
  auto as_text =
      Half(1).transform_error([](const Error& e) { return e.ToString(); });
  EXPECT_EQ(as_text.error(), "base/invalid_argument: odd");
}

TEST(ResultTest, WithContextPrefixesMessage) {
  Error e(BaseErrc::kIo, "disk full");
  EXPECT_EQ(e.WithContext("writing card").message(), "writing card: disk full");
}

}  // namespace
}  // namespace openmyna
