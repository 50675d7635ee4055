#include "openmyna/base/log.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "openmyna/base/file_io.h"

namespace openmyna {
namespace {

TEST(RedactTest, MasksTwelveDigitRuns) {
  EXPECT_EQ(RedactDigitRuns("number 123456789018 read"),
            "number ********9018 read");
  EXPECT_EQ(RedactDigitRuns("6141-0652-6000"), "********6000");
  EXPECT_EQ(RedactDigitRuns("6141 0652 6000."), "********6000.");
  EXPECT_EQ(RedactDigitRuns("a=123456789018,b=614106526000"),
            "a=********9018,b=********6000");
}

TEST(RedactTest, LeavesOtherNumbersAlone) {
  // 11 and 13 digits (a corporate number) are not individual numbers.
  EXPECT_EQ(RedactDigitRuns("12345678901"), "12345678901");
  EXPECT_EQ(RedactDigitRuns("1180301018771"), "1180301018771");
  EXPECT_EQ(RedactDigitRuns("serial 0x0133C349 port 35963"),
            "serial 0x0133C349 port 35963");
  EXPECT_EQ(RedactDigitRuns("2026-11-25 18:31:41"), "2026-11-25 18:31:41");
}

TEST(RedactTest, NeverLeaksANumberNextToOtherDigits) {
  // Over-masking is the safe side.
  EXPECT_EQ(RedactDigitRuns("1990 123456789018"), "1990 ********9018");
  EXPECT_EQ(RedactDigitRuns("1234-5678-9012-3456").find("5678"),
            std::string::npos);
}

TEST(RedactTest, SensitiveFormatsMasked) {
  EXPECT_EQ(fmt::format("{}", Sensitive("123456789018")), "********9018");
  EXPECT_EQ(MaskTail("12", 4), "**");
}

TEST(LogTest, FileSinkNeverHoldsTheNumberInClear) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("openmyna-log-" + std::to_string(::getpid()) + ".log");
  log::SetFile(path.string());
  auto logger = log::Get("test");
  logger->info("resident {} verified", "123456789018");
  logger->flush();
  log::SetFile("");
  auto text = ReadFileText(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->find("123456789018"), std::string::npos);
  EXPECT_NE(text->find("********9018"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace openmyna
