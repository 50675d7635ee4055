#include "openmyna/card/faces/png.h"

#include <zlib.h>

#include "openmyna/card/faces/errors.h"

namespace openmyna::card::faces {
namespace {

void AppendChunk(Bytes& out, const char type[4], ByteView data) {
  AppendU32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  Append(out, data);
  // CRC-32 over type and data (PNG §5.3), zlib's polynomial is the same.
  uLong crc = crc32(0L, Z_NULL, 0);
  crc =
      crc32(crc, out.data() + type_at, static_cast<uInt>(out.size() - type_at));
  AppendU32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

Result<Bytes> EncodePng1Bit(const Bitmap& bitmap) {
  if (bitmap.width <= 0 || bitmap.height <= 0 ||
      bitmap.ink.size() !=
          static_cast<std::size_t>(bitmap.width) * bitmap.height) {
    return Fail(FacesErrc::kInvalidArgument, "empty or inconsistent bitmap");
  }
  const std::size_t row_bytes =
      (static_cast<std::size_t>(bitmap.width) + 7) / 8;
  Bytes raw;
  raw.reserve((row_bytes + 1) * bitmap.height);
  for (int y = 0; y < bitmap.height; ++y) {
    raw.push_back(0);  // filter type None
    for (std::size_t b = 0; b < row_bytes; ++b) {
      std::uint8_t byte = 0;
      for (int bit = 0; bit < 8; ++bit) {
        const int x = static_cast<int>(b * 8) + bit;
        // Sample 1 = white; pad bits of the last byte are white too.
        const bool white = x >= bitmap.width || bitmap.at(x, y) == 0;
        if (white) byte |= static_cast<std::uint8_t>(0x80 >> bit);
      }
      raw.push_back(byte);
    }
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  Bytes compressed(compressed_size);
  if (compress2(compressed.data(), &compressed_size, raw.data(),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
    return Fail(FacesErrc::kRender, "zlib compression failed");
  }
  compressed.resize(compressed_size);

  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes header;
  AppendU32(header, static_cast<std::uint32_t>(bitmap.width));
  AppendU32(header, static_cast<std::uint32_t>(bitmap.height));
  header.insert(header.end(), {1, 0, 0, 0, 0});  // depth 1, grey, defaults
  AppendChunk(out, "IHDR", header);
  AppendChunk(out, "IDAT", compressed);
  AppendChunk(out, "IEND", {});
  return out;
}

}  // namespace openmyna::card::faces
