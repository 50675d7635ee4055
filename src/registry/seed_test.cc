#include "openmyna/registry/seed.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <set>

#include "openmyna/domain/individual_number.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_mapping.h"
#include "testing_ports.h"

namespace openmyna::registry {
namespace {

// A registry in a fresh SQLite file with the recording CA and chip ports,
// its clock at 2026-01-05 10:00 JST.
struct SeedSandbox {
  explicit SeedSandbox(std::uint64_t seed, const std::string& name)
      : dir(std::filesystem::temp_directory_path() /
            (name + std::to_string(std::random_device()()))),
        clock(std::chrono::sys_days{std::chrono::year{2026} /
                                    std::chrono::month{1} /
                                    std::chrono::day{5}} +
              std::chrono::hours{1}),
        rng(seed) {
    std::filesystem::create_directories(dir);
    store =
        std::move(RegistryStore::Open((dir / "r.db").string(), clock).value());
    service = std::make_unique<RegistryService>(*store, clock, rng, ca, card);
  }
  ~SeedSandbox() {
    service.reset();
    store.reset();
  }
  std::filesystem::path dir;
  FixedClock clock;
  DeterministicRng rng;
  testing::RecordingCa ca;
  testing::RecordingCard card;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<RegistryService> service;
};

TEST(SeedSampleData, CreatesTheSampleOnceAndIsIdempotent) {
  SeedSandbox box(1, "om-seed-");
  RegistryService& service = *box.service;
  auto first = SeedSampleData(*box.store, service, {true});
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->created.size(), 5u);
  EXPECT_FALSE(first->face_auth_card_id.empty());
  auto second = SeedSampleData(*box.store, service, {true});
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->created.empty());
  EXPECT_EQ(second->residents, first->residents);
  EXPECT_EQ(second->face_auth_card_id, first->face_auth_card_id);

  const Actor clerk{"c", Role::kCounterClerk, "check"};
  bool minor = false, foreign = false, face = false;
  std::vector<std::string> codes;
  for (const std::string& id : first->residents) {
    auto file = service.GetResident(clerk, id);
    ASSERT_TRUE(file);
    const Resident& r = file->resident;
    EXPECT_TRUE(domain::IndividualNumber::Parse(r.individual_number));
    minor |= !r.legal_representative_id.empty();
    foreign |= r.foreign.has_value();
    for (const Card& c : file->cards) {
      if (c.kind != CardKind::kFaceAuth) continue;
      face = true;
      // The authentication certificate only (insurance.md §1 item 6).
      for (const Certificate& cert : file->certificates) {
        if (cert.card_id == c.id) {
          EXPECT_EQ(cert.type, CertificateType::kAuthentication);
        }
      }
    }
    codes.push_back(r.municipality_code);
  }
  EXPECT_TRUE(minor);
  EXPECT_TRUE(foreign);
  EXPECT_TRUE(face);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "20218"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "13221"), codes.end());
}

// The card `openmyna up` plugs: issued to the first resident through apply,
// produce and deliver (the CA and chip ports see it as any card), with
// both certificates; a second seed reuses it.
TEST(SeedSampleData, IssuesTheSampleCardOnceThroughTheLifeEvents) {
  SeedSandbox box(2, "om-seed-card-");
  RegistryService& service = *box.service;
  testing::RecordingCa& ca = box.ca;
  testing::RecordingCard& card = box.card;
  SeedOptions options;
  options.issue_sample_card = true;
  options.sample_card_passwords = {"ABC123", "1234", "5678", "4321"};
  auto first = SeedSampleData(*box.store, service, options);
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(first->sample_card);
  EXPECT_TRUE(first->sample_card_created);
  EXPECT_EQ(first->sample_card->state, CardState::kActive);
  EXPECT_EQ(first->sample_card->resident_id, first->residents[0]);
  EXPECT_EQ(card.passwords.at(first->sample_card->id).authentication, "1234");
  EXPECT_EQ(card.passwords.at(first->sample_card->id).signature, "ABC123");
  EXPECT_EQ(ca.issued.size(), 2u);

  const Actor clerk{"c", Role::kCounterClerk, "check"};
  auto file = service.GetResident(clerk, first->residents[0]);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->resident.individual_number, "123456789018");
  ASSERT_EQ(file->certificates.size(), 2u);
  for (const Certificate& c : file->certificates) {
    EXPECT_EQ(c.card_id, first->sample_card->id);
    EXPECT_FALSE(c.revoked);
  }
  // Its authentication certificate is mapped for the konbini centre as of
  // the day before (the clock is 2026-01-05 10:00 JST); nothing else is.
  for (const Certificate& c : file->certificates) {
    std::optional<KonbiniMapping> mapping;
    ASSERT_TRUE(box.store->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(mapping, GetKonbiniMapping(tx, c.serial));
      return Ok();
    }));
    if (c.type == CertificateType::kAuthentication) {
      ASSERT_TRUE(mapping) << c.serial;
      EXPECT_EQ(mapping->usable_from, "2026-01-04");
    } else {
      EXPECT_FALSE(mapping) << c.serial;
    }
  }

  auto second = SeedSampleData(*box.store, service, options);
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE(second->sample_card);
  EXPECT_FALSE(second->sample_card_created);
  EXPECT_EQ(second->sample_card->id, first->sample_card->id);
  EXPECT_EQ(ca.issued.size(), 2u);
}

// Many distinct cards for a benchmark: generated residents old enough to
// apply alone, one standard card each with the authentication certificate
// only; a second call reuses them; too few residents is said so.
TEST(IssueGeneratedResidentCards, OneCardEachForResidentsOfFifteenAndOver) {
  SeedSandbox box(3, "om-seed-cards-");
  RegistryService& service = *box.service;
  testing::RecordingCa& ca = box.ca;
  testing::RecordingCard& card = box.card;
  ASSERT_TRUE(SeedSampleData(*box.store, service));
  BulkLoadOptions bulk;
  bulk.residents = 40;
  ASSERT_TRUE(BulkLoadResidents(*box.store, bulk));
  const Passwords passwords{"ABC123", "1234", "5678", "4321"};
  auto cards = IssueGeneratedResidentCards(service, 12, passwords);
  ASSERT_TRUE(cards) << cards.error();
  ASSERT_EQ(cards->size(), 12u);
  EXPECT_EQ(ca.issued.size(), 12u);  // one certificate per card
  const Actor clerk{"c", Role::kCounterClerk, "check"};
  std::set<std::string> residents;
  for (const Card& c : *cards) {
    EXPECT_EQ(c.state, CardState::kActive);
    EXPECT_EQ(c.kind, CardKind::kStandard);
    EXPECT_EQ(card.passwords.at(c.id).authentication, "1234");
    EXPECT_TRUE(residents.insert(c.resident_id).second) << c.resident_id;
    EXPECT_EQ(c.resident_id.rfind("bulk-", 0), 0u) << c.resident_id;
    auto file = service.GetResident(clerk, c.resident_id);
    ASSERT_TRUE(file);
    // 15 or older on 2026-01-05: born on 2011-01-05 or before (ISO dates
    // compare as text).
    EXPECT_LE(file->resident.date_of_birth, "2011-01-05") << c.resident_id;
    ASSERT_EQ(file->certificates.size(), 1u);
    EXPECT_EQ(file->certificates[0].type, CertificateType::kAuthentication);
  }
  auto again = IssueGeneratedResidentCards(service, 12, passwords);
  ASSERT_TRUE(again) << again.error();
  ASSERT_EQ(again->size(), 12u);
  for (std::size_t i = 0; i < cards->size(); ++i) {
    EXPECT_EQ((*again)[i].id, (*cards)[i].id);
  }
  EXPECT_EQ(ca.issued.size(), 12u);
  auto too_many = IssueGeneratedResidentCards(service, 41, passwords);
  ASSERT_FALSE(too_many);
  EXPECT_TRUE(too_many.error().Is(RegistryErrc::kNotFound)) << too_many.error();
}

}  // namespace
}  // namespace openmyna::registry
