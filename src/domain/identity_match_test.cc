#include "openmyna/domain/identity_match.h"

#include <gtest/gtest.h>

namespace openmyna::domain {
namespace {

IdentityItems Taro() {
  return {"千曲 太郎", "チクマ タロウ", "1980-05-05", 1,
          "長野県千曲市大字杭瀬下84番地"};
}

TEST(IdentityMatch, SpacesOfEitherWidthAreIgnored) {
  IdentityItems form = Taro();
  form.name = "千曲\xE3\x80\x80太郎";  // ideographic space
  form.name_kana = "チクマタロウ";
  EXPECT_TRUE(MatchIdentity(form, Taro()).All());
}

// The 2023 failure class (insurance.md §4.2): same name, birth date and sex,
// another person's address. Four items agree; the rule needs five.
TEST(IdentityMatch, NearNamesakeFailsOnTheAddress) {
  IdentityItems namesake = Taro();
  namesake.address = "東京都清瀬市中里五丁目842番地";
  IdentityMatch m = MatchIdentity(Taro(), namesake);
  EXPECT_EQ(m.Count(), 4);
  EXPECT_FALSE(m.address);
  EXPECT_FALSE(m.All());
}

TEST(IdentityMatch, BlankItemsNeverMatchAndNothingElseIsFolded) {
  IdentityItems blank = Taro();
  blank.address.clear();
  IdentityItems registry = Taro();
  registry.address.clear();
  EXPECT_FALSE(MatchIdentity(blank, registry).address);
  IdentityItems half_width = Taro();
  half_width.name_kana = "\xEF\xBE\x81\xEF\xBD\xB8\xEF\xBE\x8F";  // ﾁｸﾏ
  EXPECT_FALSE(MatchIdentity(half_width, Taro()).name_kana);
  IdentityItems other_sex = Taro();
  other_sex.sex = 2;
  EXPECT_FALSE(MatchIdentity(other_sex, Taro()).sex);
}

}  // namespace
}  // namespace openmyna::domain
