// Durability probe (issue 5): `write TARGET` registers residents one
// transaction at a time through RegistryService and prints "ack <number>"
// after each commit returned, until killed; `write TARGET THREADS` does the
// same from THREADS concurrent writers (issue 13: their commits are grouped,
// one fsync per group); `verify TARGET ACKFILE` checks that every
// acknowledged number is in the registry.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../src/registry/testing_ports.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/registry/service.h"

using namespace openmyna;
using namespace openmyna::registry;

namespace {

std::string NumberFor(std::uint64_t i) {
  char base[16];
  std::snprintf(base, sizeof base, "%011llu",
                static_cast<unsigned long long>(i));
  return std::string(base) +
         std::to_string(domain::IndividualNumberCheckDigit(base));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s write|verify TARGET [ACKFILE]\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  SystemClock clock;
  OpenSslRng rng;
  auto store = RegistryStore::Open(argv[2], clock);
  if (!store) {
    std::cerr << store.error() << "\n";
    return 1;
  }
  testing::RecordingCa ca;
  testing::RecordingCard card;
  RegistryService service(**store, clock, rng, ca, card);
  const Actor clerk{"durability", Role::kCounterClerk, "durability test"};
  if (mode == "write") {
    if (!service.PutMunicipality(
            clerk, {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken",
                    1000, 800})) {
      return 1;
    }
    const int threads = argc >= 4 ? std::stoi(argv[3]) : 1;
    const std::uint64_t start = rng.UniformBelow(90'000'000'000ULL);
    std::mutex out;
    auto writer = [&](int t) {
      for (std::uint64_t i =
               start + static_cast<std::uint64_t>(t) * 100'000'000ULL;
           ; ++i) {
        Resident r;
        r.individual_number = NumberFor(i);
        r.name = "耐久 試験";
        r.date_of_birth = "1980-01-01";
        r.address = "長野県千曲市";
        r.municipality_code = "20218";
        auto created = service.RegisterResident(clerk, r);
        std::lock_guard lock(out);
        if (!created) {
          std::cerr << created.error() << "\n";
          std::exit(1);
        }
        std::printf("ack %s\n", r.individual_number.c_str());
        std::fflush(stdout);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(writer, t);
    writer(0);
  }
  if (mode == "verify" && argc == 4) {
    std::ifstream acks(argv[3]);
    std::string word, number;
    int checked = 0, missing = 0;
    while (acks >> word >> number) {
      bool found = false;
      auto status = (*store)->Transact([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.FindResidentByNumber(number));
        found = r.has_value();
        return Ok();
      });
      if (!status) return 1;
      ++checked;
      if (!found) ++missing;
    }
    std::printf("checked %d acknowledged writes, %d missing\n", checked,
                missing);
    return (missing == 0 && checked > 0) ? 0 : 1;
  }
  return 2;
}
