// WholeSetting (service_settings.h): the one parser of whole-number
// `serve --set` values (registry.readers, revocation's settings). Expected
// values are the documented ranges (docs/cli.md), not the parser's output.
#include "cli/service_settings.h"

#include <gtest/gtest.h>

namespace openmyna::cli {
namespace {

http::ServiceContext With(std::map<std::string, std::string> settings) {
  http::ServiceContext context;
  context.settings = std::move(settings);
  return context;
}

TEST(WholeSetting, UnsetGivesTheFallback) {
  auto value = WholeSetting(With({}), "registry.readers", 0, 0, 64);
  ASSERT_TRUE(value) << value.error();
  EXPECT_EQ(*value, 0);
}

TEST(WholeSetting, BoundsAreInclusive) {
  for (const char* text : {"0", "8", "64"}) {
    auto value = WholeSetting(With({{"registry.readers", text}}),
                              "registry.readers", 0, 0, 64);
    ASSERT_TRUE(value) << text << ": " << value.error();
    EXPECT_EQ(*value, std::stoll(text));
  }
}

TEST(WholeSetting, AnythingButAWholeNumberInRangeIsRefusedByName) {
  for (const char* text : {"abc", "65", "-1", "8x", " 8", "", "1e2", "8.0"}) {
    auto value = WholeSetting(With({{"registry.readers", text}}),
                              "registry.readers", 0, 0, 64);
    ASSERT_FALSE(value) << "'" << text << "' accepted";
    EXPECT_NE(value.error().message().find("registry.readers"),
              std::string::npos)
        << value.error();
    EXPECT_NE(value.error().message().find("from 0 to 64"), std::string::npos)
        << value.error();
  }
}

}  // namespace
}  // namespace openmyna::cli
