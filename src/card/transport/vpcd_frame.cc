#include "openmyna/card/transport/vpcd_frame.h"

#include <fmt/format.h>

#include "openmyna/card/transport/errors.h"

namespace openmyna::card::transport {

Result<Bytes> EncodeVpcdFrame(ByteView payload) {
  if (payload.size() > kMaxVpcdPayload) {
    return Fail(TransportErrc::kProtocol,
                fmt::format("vpcd frame payload of {} bytes exceeds {}",
                            payload.size(), kMaxVpcdPayload));
  }
  Bytes frame;
  frame.reserve(payload.size() + 2);
  AppendU16(frame, static_cast<std::uint16_t>(payload.size()));
  Append(frame, payload);
  return frame;
}

Result<VpcdMessage> DecodeVpcdPayload(ByteView payload) {
  if (payload.empty()) {
    return Fail(TransportErrc::kProtocol, "empty vpcd message");
  }
  if (payload.size() == 1) {
    switch (payload[0]) {
      case 0x00:
        return VpcdMessage(VpcdControlMessage{VpcdControl::kPowerOff});
      case 0x01:
        return VpcdMessage(VpcdControlMessage{VpcdControl::kPowerOn});
      case 0x02:
        return VpcdMessage(VpcdControlMessage{VpcdControl::kReset});
      case 0x04:
        return VpcdMessage(VpcdControlMessage{VpcdControl::kGetAtr});
      default:
        return Fail(
            TransportErrc::kProtocol,
            fmt::format("unknown vpcd control byte {:02x}", payload[0]));
    }
  }
  return VpcdMessage(VpcdApduMessage{Bytes(payload.begin(), payload.end())});
}

void VpcdFrameReader::Feed(ByteView bytes) {
  // Drop what was consumed before growing, so the buffer stays small.
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 4096) {
    buffer_.erase(buffer_.begin(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  Append(buffer_, bytes);
}

std::optional<Bytes> VpcdFrameReader::Next() {
  const std::size_t available = buffer_.size() - consumed_;
  if (available < 2) return std::nullopt;
  const ByteView rest(buffer_.data() + consumed_, available);
  const std::size_t length = ReadU16(rest, 0);
  if (available < 2 + length) return std::nullopt;
  Bytes payload(rest.begin() + 2,
                rest.begin() + 2 + static_cast<std::ptrdiff_t>(length));
  consumed_ += 2 + length;
  return payload;
}

}  // namespace openmyna::card::transport
