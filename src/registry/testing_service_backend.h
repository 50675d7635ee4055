// Test helper: a RegistryService over a fresh registry database on the back
// end under test (TEST_P over testing::BothBackends(); the store as
// StoreOnBackend opens it), with the CA and the chip replaced by recorders,
// the sample municipalities put, 2025-06-01 10:00 JST on the clock.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/service.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"
#include "testing_ports.h"

namespace openmyna::registry::testing {

class ServiceOnBackend : public StoreOnBackend {
 protected:
  // Opens store_ (with `readers` reader connections, as OpenStore) and
  // service_ on it. False when the test cannot go on (skipped where the
  // back end is not available here, or failed).
  bool OpenService(std::size_t readers = 0) {
    if (!OpenStore(clock_, readers)) return false;
    service_ =
        std::make_unique<RegistryService>(*store_, clock_, rng_, ca_, card_);
    const Status put = PutSampleMunicipalities(*service_);
    EXPECT_TRUE(put) << put.error();
    return static_cast<bool>(put);
  }

  FixedClock clock_{
      std::chrono::sys_days{std::chrono::year{2025} / std::chrono::June / 1} +
      std::chrono::hours{1}};
  DeterministicRng rng_{7};
  RecordingCa ca_;
  RecordingCard card_;
  std::unique_ptr<RegistryService> service_;
};

}  // namespace openmyna::registry::testing
