// Feeds arbitrary byte streams, cut at arbitrary points, through the vpcd
// frame reader and payload decoder: nothing may crash, and every payload
// returned must re-encode to the bytes it came from.
#include <cstdint>
#include <cstdlib>

#include "openmyna/card/transport/vpcd_frame.h"

using namespace openmyna;
using namespace openmyna::card::transport;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  // First byte: chunk size for feeding (1..256).
  const std::size_t chunk = std::size_t{data[0]} + 1;
  const ByteView stream(data + 1, size - 1);
  VpcdFrameReader reader;
  std::size_t consumed = 0;
  for (std::size_t offset = 0; offset < stream.size(); offset += chunk) {
    reader.Feed(
        stream.subspan(offset, std::min(chunk, stream.size() - offset)));
    while (auto payload = reader.Next()) {
      auto frame = EncodeVpcdFrame(*payload);
      if (!frame) std::abort();
      for (std::size_t i = 0; i < frame->size(); ++i) {
        if ((*frame)[i] != stream[consumed + i]) std::abort();
      }
      consumed += frame->size();
      (void)DecodeVpcdPayload(*payload);
    }
  }
  if (consumed + reader.buffered() != stream.size()) std::abort();
  return 0;
}
