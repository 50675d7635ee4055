// (test only, gtest) The set-up of the registry's service tests
// (service_test.cc, civil_service_test.cc, insurance_service_fixture.h): a
// SQLite store in a temporary folder, RegistryService over it with the CA
// and the chip replaced by recorders (testing_ports.h), and the two sample
// municipalities (registry_fixture.h), put by the counter clerk.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"
#include "testing/registry_fixture.h"
#include "testing_ports.h"

namespace openmyna::registry::testing {

class RegistryServiceFixture : public ::testing::Test {
 protected:
  // The clock stands at `now`; the ids come from `seed`.
  RegistryServiceFixture(TimePoint now, std::uint64_t seed)
      : clock_(now), rng_(seed) {}

  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("om-registry-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto store = RegistryStore::Open((dir_ / "registry.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    registry_ =
        std::make_unique<RegistryService>(*store_, clock_, rng_, ca_, card_);
    ASSERT_TRUE(PutSampleMunicipalities(*registry_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  FixedClock clock_;
  DeterministicRng rng_;
  RecordingCa ca_;
  RecordingCard card_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<RegistryService> registry_;
};

}  // namespace openmyna::registry::testing
