#include "openmyna/registry/civil_seed.h"

#include <cmath>

#include "openmyna/card/faces/images.h"
#include "openmyna/card/faces/png.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

namespace faces = card::faces;

const Actor kSeed{"seed", Role::kSystem, "sandbox sample data"};

// Indices into SeedReport::residents (seed.cc's kResidents order).
enum Sample { kTaro = 0, kHanako = 1, kSmith = 2, kHaru = 3, kJiro = 4 };

FamilyRegisterMember Member(std::string resident_id, std::string name,
                            std::string kana, std::string birth, Sex sex,
                            std::string relationship, std::string entered_on,
                            std::string cause,
                            std::vector<AttachedAddress> addresses) {
  FamilyRegisterMember m;
  m.resident_id = std::move(resident_id);
  m.name = std::move(name);
  m.name_kana = std::move(kana);
  m.date_of_birth = std::move(birth);
  m.sex = sex;
  m.relationship = std::move(relationship);
  m.entered_on = std::move(entered_on);
  m.entry_cause = std::move(cause);
  m.addresses = std::move(addresses);
  return m;
}

}  // namespace

Result<std::string> SampleSealImpressionPng(std::string_view surname,
                                            int pixels) {
  const int inner = pixels * 62 / 100;
  OPENMYNA_ASSIGN_OR_RETURN(
      faces::Bitmap text,
      faces::RenderTextBitmap(surname, inner, inner, inner / 2));
  faces::Bitmap seal(pixels, pixels);
  const double centre = (pixels - 1) / 2.0;
  const double outer = pixels / 2.0 - 2;
  const double ring = pixels / 14.0;
  for (int y = 0; y < pixels; ++y) {
    for (int x = 0; x < pixels; ++x) {
      const double r = std::hypot(x - centre, y - centre);
      if (r <= outer && r >= outer - ring) seal.at(x, y) = 1;
    }
  }
  const int offset = (pixels - inner) / 2;
  for (int y = 0; y < inner; ++y) {
    for (int x = 0; x < inner; ++x) {
      if (text.at(x, y)) seal.at(x + offset, y + offset) = 1;
    }
  }
  OPENMYNA_ASSIGN_OR_RETURN(Bytes png, faces::EncodePng1Bit(seal));
  return std::string(png.begin(), png.end());
}

Result<CivilSeedReport> SeedCivilRecords(
    CivilService& civil, const std::vector<std::string>& residents) {
  CivilSeedReport report;
  if (residents.size() < 5) {
    return Fail(RegistryErrc::kInvalidInput, "the five sample residents");
  }
  if (civil.HouseholdOf(kSeed, residents[kTaro])) return report;
  const std::string& taro = residents[kTaro];
  const std::string& hanako = residents[kHanako];
  const std::string& haru = residents[kHaru];
  const std::string& jiro = residents[kJiro];

  // Households.
  for (const std::string& head : {taro, residents[kSmith], haru, jiro}) {
    OPENMYNA_ASSIGN_OR_RETURN(Household h, civil.FormHousehold(kSeed, head));
    if (head == taro) {
      OPENMYNA_ASSIGN_OR_RETURN(
          h, civil.AddHouseholdMember(kSeed, h.id, hanako, "子"));
    }
    report.households.push_back(h.id);
  }

  // Family registers, each held by its domicile municipality.
  const std::string kChikumaHome = "長野県千曲市大字杭瀬下84番地";
  const std::string kKiyoseHome = "東京都清瀬市中里五丁目842番地";
  FamilyRegister chikuma_family;
  chikuma_family.municipality_code = "13221";
  chikuma_family.honseki = "東京都清瀬市中里五丁目842番地";
  chikuma_family.head_name = "千曲 太郎";
  chikuma_family.created_on = "2010-06-01";
  chikuma_family.created_cause = "婚姻";
  chikuma_family.members = {
      Member(taro, "千曲 太郎", "チクマ タロウ", "1980-05-05", Sex::kMale,
             "長男", "2010-06-01", "婚姻",
             {{kKiyoseHome, "2005-04-01"}, {kChikumaHome, "2015-04-01"}}),
      Member(hanako, "千曲 花子", "チクマ ハナコ", "2017-07-07", Sex::kFemale,
             "長女", "2017-07-07", "出生", {{kChikumaHome, "2017-07-07"}})};
  chikuma_family.members[0].father = "千曲 一郎";
  chikuma_family.members[0].mother = "千曲 春子";
  chikuma_family.members[1].father = "千曲 太郎";
  chikuma_family.members[1].mother = "千曲 桜";

  FamilyRegister sarashina;
  sarashina.municipality_code = "20218";
  sarashina.honseki = "長野県千曲市大字稲荷山100番地";
  sarashina.head_name = "更級 ハル";
  sarashina.created_on = "1970-03-01";
  sarashina.created_cause = "転籍";
  sarashina.members = {Member(
      haru, "更級 ハル", "サラシナ ハル", "1945-02-11", Sex::kFemale, "長女",
      "1970-03-01", "転籍", {{"長野県千曲市大字稲荷山100番地", "1970-03-01"}})};

  FamilyRegister kiyose;
  kiyose.municipality_code = "20218";
  kiyose.honseki = "長野県千曲市大字屋代1番地";
  kiyose.head_name = "清瀬 次郎";
  kiyose.created_on = "2021-04-01";
  kiyose.created_cause = "分籍";
  kiyose.members = {Member(jiro, "清瀬 次郎", "キヨセ ジロウ", "1999-09-09",
                           Sex::kMale, "二男", "2021-04-01", "分籍",
                           {{kKiyoseHome, "2021-04-01"}})};

  for (FamilyRegister* draft : {&chikuma_family, &sarashina, &kiyose}) {
    OPENMYNA_ASSIGN_OR_RETURN(FamilyRegister r,
                              civil.CreateFamilyRegister(kSeed, *draft));
    report.family_registers.push_back(r.id);
  }

  // 住民票 items (the register set 本籍・筆頭者; the dates and 前住所 here).
  struct Dates {
    const std::string* id;
    const char* became;
    const char* previous;
  };
  for (const Dates& d :
       {Dates{&taro, "2015-04-01", "東京都清瀬市中里五丁目842番地"},
        Dates{&hanako, "2017-07-07", ""}, Dates{&haru, "1970-03-01", ""},
        Dates{&jiro, "2021-04-01", "長野県千曲市大字屋代1番地"}}) {
    OPENMYNA_ASSIGN_OR_RETURN(ResidentCivil items,
                              civil.GetResidentItems(kSeed, *d.id));
    items.became_resident_on = d.became;
    items.address_set_on = d.became;
    items.address_notified_on = d.became;
    items.previous_address = d.previous;
    OPENMYNA_RETURN_IF_ERROR(civil.SetResidentItems(kSeed, items));
  }
  ResidentCivil smith;
  smith.resident_id = residents[kSmith];
  smith.became_resident_on = "2024-04-01";
  smith.address_set_on = "2024-04-01";
  smith.address_notified_on = "2024-04-01";
  OPENMYNA_RETURN_IF_ERROR(civil.SetResidentItems(kSeed, smith));

  // Seals, 15 mm square.
  for (auto [id, surname] : {std::pair{&taro, "千曲"}, std::pair{&haru, "更級"},
                             std::pair{&jiro, "清瀬"}}) {
    OPENMYNA_ASSIGN_OR_RETURN(std::string png,
                              SampleSealImpressionPng(surname));
    OPENMYNA_ASSIGN_OR_RETURN(
        SealRegistration seal,
        civil.RegisterSeal(kSeed, *id, std::move(png), 15.0, 15.0));
    report.seals.push_back(seal.number);
  }
  return report;
}

}  // namespace openmyna::registry
