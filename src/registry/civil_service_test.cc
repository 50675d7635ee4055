// The clerk operations on the civil records (civil_service.h, issue 11
// item 1) on the SQLite store: each rule refused with nothing written, each
// change audited once per resident concerned. Expected dates are worked out
// by hand (noted beside each); the rules' sources are in domain/civil.h.
#include "openmyna/registry/civil_service.h"

#include <gtest/gtest.h>

#include <chrono>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/seed.h"
#include "openmyna/registry/service.h"
#include "testing/service_fixture.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;

// 2026-12-01 10:00 JST.
const TimePoint kNow = sys_days{year{2026} / December / day{1}} + hours{1};

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};
const Actor kHotline{"op-7", Role::kHotlineOperator, "caller"};
const Actor kKiosk{"kiosk-3", Role::kKiosk, "certificate issuance"};

// The PNG signature and an IHDR start: enough for the "is it a PNG" check.
std::string Png(char variant) {
  return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + variant;
}

class CivilServiceTest : public testing::RegistryServiceFixture {
 protected:
  CivilServiceTest() : RegistryServiceFixture(kNow, 7) {}
  void SetUp() override {
    RegistryServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    civil_ = std::make_unique<CivilService>(*store_, clock_, rng_);
  }

  Resident Register(std::string number, std::string dob,
                    std::string municipality = "20218",
                    std::string representative = "", bool ward = false) {
    Resident r;
    r.individual_number = std::move(number);
    r.name = "千曲 太郎";
    r.date_of_birth = std::move(dob);
    r.sex = Sex::kMale;
    r.address = municipality == "20218" ? "長野県千曲市大字杭瀬下84番地"
                                        : "東京都清瀬市中里五丁目842番地";
    r.municipality_code = std::move(municipality);
    r.legal_representative_id = std::move(representative);
    r.adult_ward = ward;
    auto registered = registry_->RegisterResident(kClerk, r);
    EXPECT_TRUE(registered) << registered.error();
    return registered.value_or(Resident{});
  }

  std::vector<AuditEntry> Audit(const std::string& resident_id) {
    auto trail = registry_->AuditTrail(kClerk, resident_id);
    EXPECT_TRUE(trail) << trail.error();
    // The trail read itself is not written before it is returned.
    return trail.value_or(std::vector<AuditEntry>{});
  }

  std::size_t AuditCount(const std::string& resident_id,
                         std::string_view action) {
    std::size_t n = 0;
    for (const AuditEntry& e : Audit(resident_id)) n += e.action == action;
    return n;
  }

  static FamilyRegister Draft(const Resident& head, const Resident& child) {
    FamilyRegister r;
    r.municipality_code = "13221";
    r.honseki = "東京都清瀬市中里五丁目842番地";
    r.head_name = "千曲 太郎";
    r.created_cause = "婚姻";
    r.created_on = "2010-06-01";
    FamilyRegisterMember h;
    h.resident_id = head.id;
    h.name = "千曲 太郎";
    h.date_of_birth = head.date_of_birth;
    h.sex = Sex::kMale;
    h.entered_on = "2010-06-01";
    h.entry_cause = "婚姻";
    FamilyRegisterMember c;
    c.resident_id = child.id;
    c.name = "千曲 花子";
    c.date_of_birth = child.date_of_birth;
    c.sex = Sex::kFemale;
    c.relationship = "長女";
    c.entered_on = child.date_of_birth;
    c.entry_cause = "出生";
    r.members = {h, c};
    return r;
  }

  std::unique_ptr<CivilService> civil_;
};

TEST_F(CivilServiceTest, HouseholdWithHeadAndRelationships) {
  const Resident head = Register("123456789018", "1980-05-05");
  const Resident child =
      Register("614106526000", "2017-07-07", "20218", head.id);
  auto h = civil_->FormHousehold(kClerk, head.id);
  ASSERT_TRUE(h) << h.error();
  EXPECT_EQ(h->head_id, head.id);
  EXPECT_EQ(h->address, head.address);
  EXPECT_EQ(h->formed_on, "2026-12-01");
  ASSERT_EQ(h->members.size(), 1u);
  EXPECT_EQ(h->members[0].relationship, "世帯主");
  auto joined = civil_->AddHouseholdMember(kClerk, h->id, child.id, "子");
  ASSERT_TRUE(joined) << joined.error();
  ASSERT_EQ(joined->members.size(), 2u);
  EXPECT_EQ(joined->members[1].relationship, "子");
  auto of_child = civil_->HouseholdOf(kClerk, child.id);
  ASSERT_TRUE(of_child);
  EXPECT_EQ(of_child->id, h->id);
  EXPECT_EQ(AuditCount(head.id, "household.form"), 1u);
  EXPECT_EQ(AuditCount(child.id, "household.add_member"), 1u);
  // The read was audited for both members, with the purpose given.
  EXPECT_EQ(AuditCount(head.id, "household.read"), 1u);
  EXPECT_EQ(AuditCount(child.id, "household.read"), 1u);
  EXPECT_EQ(Audit(child.id).back().reason, "counter visit");
}

TEST_F(CivilServiceTest, HouseholdRulesRefuseAndWriteNothing) {
  const Resident head = Register("123456789018", "1980-05-05");
  const Resident child =
      Register("614106526000", "2017-07-07", "20218", head.id);
  const Resident kiyose = Register("362473502703", "1999-09-09", "13221");
  auto h = civil_->FormHousehold(kClerk, head.id);
  ASSERT_TRUE(h);
  const std::size_t before = Audit(child.id).size();
  auto second_head =
      civil_->AddHouseholdMember(kClerk, h->id, child.id, "世帯主");
  ASSERT_FALSE(second_head);
  EXPECT_TRUE(second_head.error().Is(RegistryErrc::kRefused));
  auto elsewhere = civil_->AddHouseholdMember(kClerk, h->id, kiyose.id, "子");
  ASSERT_FALSE(elsewhere);
  EXPECT_TRUE(elsewhere.error().Is(RegistryErrc::kRefused));
  auto twice = civil_->FormHousehold(kClerk, head.id);
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kRefused));
  auto empty = civil_->AddHouseholdMember(kClerk, h->id, child.id, "");
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().Is(RegistryErrc::kInvalidInput));
  auto hotline = civil_->FormHousehold(kHotline, child.id);
  ASSERT_FALSE(hotline);
  EXPECT_TRUE(hotline.error().Is(RegistryErrc::kRefused));
  EXPECT_EQ(Audit(child.id).size(), before);
  EXPECT_FALSE(civil_->HouseholdOf(kClerk, child.id));
  // The head leaves last.
  ASSERT_TRUE(civil_->AddHouseholdMember(kClerk, h->id, child.id, "子"));
  auto head_leaves = civil_->RemoveHouseholdMember(kClerk, h->id, head.id);
  ASSERT_FALSE(head_leaves);
  EXPECT_TRUE(head_leaves.error().Is(RegistryErrc::kRefused));
  ASSERT_TRUE(civil_->RemoveHouseholdMember(kClerk, h->id, child.id));
  EXPECT_FALSE(civil_->HouseholdOf(kClerk, child.id));
  // A deceased resident joins nothing.
  ASSERT_TRUE(registry_->RecordDeath(kClerk, child.id, "2026-11-30"));
  auto dead = civil_->AddHouseholdMember(kClerk, h->id, child.id, "子");
  ASSERT_FALSE(dead);
  EXPECT_TRUE(dead.error().Is(RegistryErrc::kRefused));
}

TEST_F(CivilServiceTest, AResidentReadsOnlyTheirOwnHousehold) {
  const Resident head = Register("123456789018", "1980-05-05");
  const Resident other = Register("060122228102", "1945-02-11");
  auto h = civil_->FormHousehold(kClerk, head.id);
  ASSERT_TRUE(h);
  ASSERT_TRUE(civil_->FormHousehold(kClerk, other.id));
  const Actor self{head.id, Role::kResident, ""};
  EXPECT_TRUE(civil_->GetHousehold(self, h->id));
  EXPECT_TRUE(civil_->HouseholdOf(self, head.id));
  EXPECT_FALSE(civil_->HouseholdOf(self, other.id));
  auto theirs = civil_->HouseholdOf(kClerk, other.id);
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(civil_->GetHousehold(self, theirs->id));
  EXPECT_EQ(AuditCount(head.id, "household.read"), 0u) << "own reads";
}

TEST_F(CivilServiceTest, ResidentItemsAndTheDomicileOfTheRecord) {
  const Resident r = Register("123456789018", "1980-05-05");
  ResidentCivil items;
  items.resident_id = r.id;
  items.honseki = "東京都清瀬市中里五丁目842番地";
  items.hittosha = "千曲 太郎";
  items.became_resident_on = "2015-04-01";
  items.address_set_on = "2015-04-01";
  items.address_notified_on = "2015-04-03";
  items.previous_address = "東京都清瀬市中里五丁目842番地";
  auto set = civil_->SetResidentItems(kClerk, items);
  ASSERT_TRUE(set) << set.error();
  auto file = registry_->GetResident(kClerk, r.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->resident.registered_domicile, items.honseki);
  auto read = civil_->GetResidentItems(kKiosk, r.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->hittosha, "千曲 太郎");
  EXPECT_EQ(read->previous_address, items.previous_address);
  EXPECT_EQ(AuditCount(r.id, "resident.read_items"), 1u);
  EXPECT_EQ(AuditCount(r.id, "resident.set_items"), 1u);
  items.hittosha.clear();
  auto half = civil_->SetResidentItems(kClerk, items);
  ASSERT_FALSE(half);
  EXPECT_TRUE(half.error().Is(RegistryErrc::kInvalidInput));
  items.hittosha = "千曲 太郎";
  items.address_set_on = "2015-02-30";
  auto bad_date = civil_->SetResidentItems(kClerk, items);
  ASSERT_FALSE(bad_date);
  EXPECT_TRUE(bad_date.error().Is(RegistryErrc::kInvalidInput));
}

TEST_F(CivilServiceTest, AForeignResidentHasNoDomicile) {
  Resident foreign;
  foreign.individual_number = "510136263801";
  foreign.name = "SMITH JOHN";
  foreign.date_of_birth = "1992-11-03";
  foreign.address = "長野県千曲市大字屋代1番地";
  foreign.municipality_code = "20218";
  foreign.foreign = ForeignResidence{"技術・人文知識・国際業務",
                                     domain::ResidenceStatus::kMidToLongTerm,
                                     "2029-03-31", ""};
  auto r = registry_->RegisterResident(kClerk, foreign);
  ASSERT_TRUE(r) << r.error();
  ResidentCivil items;
  items.resident_id = r->id;
  items.honseki = "長野県千曲市";
  items.hittosha = "SMITH JOHN";
  auto refused = civil_->SetResidentItems(kClerk, items);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kRefused));
}

TEST_F(CivilServiceTest, SupportMeasureForAYearThenExtended) {
  const Resident r = Register("123456789018", "1980-05-05");
  auto granted = civil_->GrantSupportMeasure(kClerk, r.id, "dv");
  ASSERT_TRUE(granted) << granted.error();
  ASSERT_TRUE(granted->support_measure.has_value());
  // Granted 2026-12-01: in force to the day before the anniversary.
  EXPECT_EQ(granted->support_measure->since, "2026-12-01");
  EXPECT_EQ(granted->support_measure->last_day, "2027-11-30");
  clock_.Set(sys_days{year{2027} / November / day{20}} + hours{1});
  auto extended = civil_->GrantSupportMeasure(kClerk, r.id, "dv");
  ASSERT_TRUE(extended);
  EXPECT_EQ(extended->support_measure->since, "2026-12-01");
  EXPECT_EQ(extended->support_measure->last_day, "2028-11-30");
  auto bad = civil_->GrantSupportMeasure(kClerk, r.id, "gossip");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(RegistryErrc::kInvalidInput));
  EXPECT_FALSE(civil_->GrantSupportMeasure(kKiosk, r.id, "dv"));
  auto ended = civil_->EndSupportMeasure(kClerk, r.id);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->support_measure.has_value());
  EXPECT_FALSE(civil_->EndSupportMeasure(kClerk, r.id));
  EXPECT_EQ(AuditCount(r.id, "resident.support_measure"), 2u);
  EXPECT_EQ(AuditCount(r.id, "resident.support_measure_end"), 1u);
}

TEST_F(CivilServiceTest, FamilyRegisterAtTheDomicileMunicipality) {
  // Living in Chikuma, domiciled in Kiyose.
  const Resident head = Register("123456789018", "1980-05-05");
  const Resident child =
      Register("614106526000", "2017-07-07", "20218", head.id);
  auto created = civil_->CreateFamilyRegister(kClerk, Draft(head, child));
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(created->municipality_code, "13221");
  auto items = civil_->GetResidentItems(kClerk, child.id);
  ASSERT_TRUE(items);
  EXPECT_EQ(items->honseki, "東京都清瀬市中里五丁目842番地");
  EXPECT_EQ(items->hittosha, "千曲 太郎");
  EXPECT_EQ(items->family_register_id, created->id);
  auto file = registry_->GetResident(kClerk, child.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->resident.registered_domicile,
            "東京都清瀬市中里五丁目842番地");
  EXPECT_EQ(AuditCount(head.id, "koseki.create"), 1u);
  EXPECT_EQ(AuditCount(child.id, "koseki.create"), 1u);
  // A resident is current in one register only.
  FamilyRegister another = Draft(head, child);
  another.members.resize(1);
  auto twice = civil_->CreateFamilyRegister(kClerk, another);
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kRefused));
  // A filing is pending until reflected.
  FamilyRegisterEvent birth;
  birth.member = 1;
  birth.kind = "出生";
  birth.on = "2017-07-07";
  birth.detail = "出生地 長野県千曲市";
  auto filed = civil_->FileFamilyRegisterEvent(kClerk, created->id, birth);
  ASSERT_TRUE(filed) << filed.error();
  ASSERT_EQ(filed->events.size(), 1u);
  EXPECT_EQ(filed->events[0].filed_on, "2026-12-01");
  EXPECT_EQ(filed->events[0].reflected_on, "");
  EXPECT_EQ(filed->events[0].filed_with, "13221");
  const std::string event_id = filed->events[0].id;
  auto reflected =
      civil_->ReflectFamilyRegisterEvent(kClerk, created->id, event_id);
  ASSERT_TRUE(reflected);
  EXPECT_EQ(reflected->events[0].reflected_on, "2026-12-01");
  EXPECT_FALSE(
      civil_->ReflectFamilyRegisterEvent(kClerk, created->id, event_id));
  birth.member = 7;
  auto no_member = civil_->FileFamilyRegisterEvent(kClerk, created->id, birth);
  ASSERT_FALSE(no_member);
  EXPECT_TRUE(no_member.error().Is(RegistryErrc::kInvalidInput));
  // The attached address register (附票), in date order.
  ASSERT_TRUE(civil_->AddAttachedAddress(
      kClerk, created->id, 0, "東京都清瀬市中里五丁目842番地", "2010-06-01"));
  auto moved = civil_->AddAttachedAddress(
      kClerk, created->id, 0, "長野県千曲市大字杭瀬下84番地", "2015-04-01");
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->members[0].addresses.size(), 2u);
  EXPECT_EQ(moved->members[0].addresses[1].set_on, "2015-04-01");
  EXPECT_FALSE(civil_->AddAttachedAddress(kClerk, created->id, 0, "前の住所",
                                          "2012-01-01"));
  // Leaving the register (除籍) clears the link, keeps the entry.
  auto left = civil_->RemoveFamilyRegisterMember(kClerk, created->id, 1,
                                                 "養子縁組", "2026-11-01");
  ASSERT_TRUE(left) << left.error();
  EXPECT_EQ(left->members[1].left_cause, "養子縁組");
  EXPECT_FALSE(civil_->FamilyRegisterOf(kClerk, child.id));
  auto of_head = civil_->FamilyRegisterOf(kKiosk, head.id);
  ASSERT_TRUE(of_head);
  EXPECT_EQ(of_head->members.size(), 2u);
  auto child_items = civil_->GetResidentItems(kClerk, child.id);
  ASSERT_TRUE(child_items);
  EXPECT_EQ(child_items->family_register_id, "");
  EXPECT_FALSE(civil_->GetFamilyRegister(kHotline, created->id));
}

TEST_F(CivilServiceTest, SealRegistrationRules) {
  const Resident adult = Register("123456789018", "1980-05-05");
  const Resident minor =
      Register("614106526000", "2012-07-07", "20218", adult.id);
  const Resident ward =
      Register("060122228102", "1945-02-11", "20218", adult.id, /*ward=*/true);
  // Age 14 on 2026-12-01 (born 2012-07-07).
  auto young = civil_->RegisterSeal(kClerk, minor.id, Png('a'), 15, 15);
  ASSERT_FALSE(young);
  EXPECT_TRUE(young.error().Is(RegistryErrc::kRefused));
  auto of_ward = civil_->RegisterSeal(kClerk, ward.id, Png('a'), 15, 15);
  ASSERT_FALSE(of_ward);
  EXPECT_TRUE(of_ward.error().Is(RegistryErrc::kRefused));
  auto tiny = civil_->RegisterSeal(kClerk, adult.id, Png('a'), 7, 8);
  ASSERT_FALSE(tiny);
  EXPECT_TRUE(tiny.error().Is(RegistryErrc::kRefused));
  auto huge = civil_->RegisterSeal(kClerk, adult.id, Png('a'), 26, 20);
  ASSERT_FALSE(huge);
  auto not_png = civil_->RegisterSeal(kClerk, adult.id, "GIF89a", 15, 15);
  ASSERT_FALSE(not_png);
  EXPECT_TRUE(not_png.error().Is(RegistryErrc::kInvalidInput));
  EXPECT_FALSE(civil_->RegisterSeal(kHotline, adult.id, Png('a'), 15, 15));
  EXPECT_EQ(AuditCount(adult.id, "seal.register"), 0u);
  auto seal = civil_->RegisterSeal(kClerk, adult.id, Png('a'), 15, 15);
  ASSERT_TRUE(seal) << seal.error();
  EXPECT_EQ(seal->number, "20218-000001");
  EXPECT_EQ(seal->state, SealState::kRegistered);
  EXPECT_EQ(seal->registered_on, "2026-12-01");
  EXPECT_EQ(seal->impression_png, Png('a'));
  // SHA-256 of the bytes, as a hex string of 64 characters.
  EXPECT_EQ(seal->impression_sha256.size(), 64u);
  auto second = civil_->RegisterSeal(kClerk, adult.id, Png('b'), 15, 15);
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().Is(RegistryErrc::kRefused));
  EXPECT_EQ(AuditCount(adult.id, "seal.register"), 1u);
  auto read = civil_->GetSeal(kKiosk, seal->number);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->impression_png, Png('a'));
  const Actor other{minor.id, Role::kResident, ""};
  EXPECT_FALSE(civil_->GetSeal(other, seal->number));
  // Deregistration (廃止): kept on file, and a new seal may follow.
  auto gone = civil_->DeregisterSeal(kClerk, seal->number, "廃止");
  ASSERT_TRUE(gone) << gone.error();
  EXPECT_EQ(gone->state, SealState::kDeregistered);
  EXPECT_EQ(gone->deregistered_on, "2026-12-01");
  EXPECT_FALSE(civil_->DeregisterSeal(kClerk, seal->number, "廃止"));
  auto next = civil_->RegisterSeal(kClerk, adult.id, Png('b'), 15, 15);
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->number, "20218-000002");
  auto all = civil_->SealsOf(kClerk, adult.id);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].state, SealState::kDeregistered);
  EXPECT_EQ(AuditCount(adult.id, "seal.deregister"), 1u);
}

TEST_F(CivilServiceTest, OneSealIsNotSharedInAHousehold) {
  const Resident a = Register("123456789018", "1980-05-05");
  const Resident b = Register("060122228102", "1985-02-11");
  auto h = civil_->FormHousehold(kClerk, a.id);
  ASSERT_TRUE(h);
  ASSERT_TRUE(civil_->AddHouseholdMember(kClerk, h->id, b.id, "妻"));
  ASSERT_TRUE(civil_->RegisterSeal(kClerk, a.id, Png('a'), 15, 15));
  auto shared = civil_->RegisterSeal(kClerk, b.id, Png('a'), 15, 15);
  ASSERT_FALSE(shared);
  EXPECT_TRUE(shared.error().Is(RegistryErrc::kRefused));
  EXPECT_TRUE(civil_->RegisterSeal(kClerk, b.id, Png('c'), 15, 15));
}

// Big-endian 32-bit integer at `at` (PNG IHDR width and height, ISO/IEC
// 15948 §11.2.2: bytes 16-19 and 20-23 of the file).
std::uint32_t BigEndian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes.at(at + i));
  }
  return v;
}

TEST_F(CivilServiceTest, TheSampleDataHasCivilRecordsAcrossTwoMunicipalities) {
  auto sample = SeedSampleData(*store_, *registry_, {});
  ASSERT_TRUE(sample) << sample.error();
  EXPECT_EQ(sample->civil.households.size(), 4u);
  EXPECT_EQ(sample->civil.family_registers.size(), 3u);
  EXPECT_EQ(sample->civil.seals.size(), 3u);
  const auto& ids = sample->residents;
  auto family = civil_->HouseholdOf(kClerk, ids[1]);
  ASSERT_TRUE(family) << family.error();
  EXPECT_EQ(family->head_id, ids[0]);
  EXPECT_EQ(family->members[1].relationship, "子");
  // Living in Chikuma, the register held by Kiyose (本籍地 ≠ 住所地).
  auto taro = registry_->GetResident(kClerk, ids[0]);
  ASSERT_TRUE(taro);
  EXPECT_EQ(taro->resident.municipality_code, "20218");
  auto taro_register = civil_->FamilyRegisterOf(kClerk, ids[0]);
  ASSERT_TRUE(taro_register);
  EXPECT_EQ(taro_register->municipality_code, "13221");
  EXPECT_EQ(taro_register->members.size(), 2u);
  EXPECT_FALSE(taro_register->members[0].addresses.empty());
  // And the other way round.
  auto jiro_register = civil_->FamilyRegisterOf(kClerk, ids[4]);
  ASSERT_TRUE(jiro_register);
  EXPECT_EQ(jiro_register->municipality_code, "20218");
  auto items = civil_->GetResidentItems(kClerk, ids[1]);
  ASSERT_TRUE(items);
  EXPECT_EQ(items->hittosha, "千曲 太郎");
  EXPECT_EQ(items->honseki, taro_register->honseki);
  // No register for the foreign resident.
  EXPECT_FALSE(civil_->FamilyRegisterOf(kClerk, ids[2]));
  auto seals = civil_->SealsOf(kClerk, ids[0]);
  ASSERT_TRUE(seals);
  ASSERT_EQ(seals->size(), 1u);
  const std::string& png = (*seals)[0].impression_png;
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(BigEndian(png, 16), 240u);
  EXPECT_EQ(BigEndian(png, 20), 240u);
  EXPECT_DOUBLE_EQ((*seals)[0].width_mm, 15.0);
  // Seeding again adds nothing.
  auto again = SeedSampleData(*store_, *registry_, {});
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(again->civil.households.empty());
  EXPECT_TRUE(again->civil.seals.empty());
}

}  // namespace
}  // namespace openmyna::registry
