// openmyna_trivial_card [--vpcd HOST:PORT] [--atr PROFILE] [--latency SPEC]
//                       [--tag-loss N] [--log-apdus]
// Plugs the do-nothing card (trivial_card.h) into vpcd until SIGINT/SIGTERM,
// with the same realism knobs as `openmyna card plug` (realism.h,
// VpcdOptions), applied by the same code.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "openmyna/base/log.h"
#include "openmyna/card/transport/realism.h"
#include "openmyna/card/transport/stop_signal.h"
#include "openmyna/card/transport/trivial_card.h"
#include "openmyna/card/transport/vpcd_client.h"

using namespace openmyna::card::transport;

int main(int argc, char** argv) {
  VpcdOptions options;
  RealismOptions realism;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--vpcd" && has_value) {
      auto address = ParseVpcdAddress(argv[++i]);
      if (!address) {
        std::fprintf(stderr, "%s\n", address.error().message().c_str());
        return 2;
      }
      options.address = *address;
    } else if (arg == "--atr" && has_value) {
      auto atr = AtrForProfile(argv[++i]);
      if (!atr) {
        std::fprintf(stderr, "%s\n", atr.error().message().c_str());
        return 2;
      }
      realism.atr = *atr;
    } else if (arg == "--latency" && has_value) {
      auto latency = ParseLatencySpec(argv[++i]);
      if (!latency) {
        std::fprintf(stderr, "%s\n", latency.error().message().c_str());
        return 2;
      }
      realism.latency = *latency;
    } else if (arg == "--tag-loss" && has_value) {
      const std::string n = argv[++i];
      char* end = nullptr;
      options.tag_loss_after_apdus = std::strtoull(n.c_str(), &end, 10);
      if (n.empty() || *end != '\0' || n[0] == '-') {
        std::fprintf(stderr, "--tag-loss: '%s' is not a count\n", n.c_str());
        return 2;
      }
    } else if (arg == "--log-apdus") {
      options.log_apdus = true;
      openmyna::log::SetLevel("info");
    } else {
      std::fprintf(stderr,
                   "usage: %s [--vpcd HOST:PORT] [--atr PROFILE] "
                   "[--latency SPEC] [--tag-loss N] [--log-apdus]\n",
                   argv[0]);
      return 2;
    }
  }
  auto stop = StopSignal::Create();
  if (!stop) {
    std::fprintf(stderr, "%s\n", stop.error().message().c_str());
    return 3;
  }
  StopOnSignals(**stop);
  TrivialCard card;
  RealismEndpoint endpoint(card, realism);
  VpcdClient client(options);
  const auto status = client.Run(endpoint, **stop);
  RestoreDefaultStopSignals();
  if (!status) {
    std::fprintf(stderr, "%s\n", status.error().message().c_str());
    return 3;
  }
  return 0;
}
