// Fuzz target for the card-face parsers that read untrusted bytes: TLV
// objects and sequences (a client's view of the EFs), the 基本4情報 hash
// source, RSA public key TLVs, and the UTF-8 / name checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/signing.h"
#include "openmyna/card/faces/text_ap_data.h"
#include "openmyna/card/faces/tlv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna::card::faces;
  openmyna::ByteView in(data, size);
  if (auto item = ParseTlv(in, 0)) {
    // A parsed object never claims more bytes than the input holds.
    if (item->size() > size) __builtin_trap();
    auto children = ParseTlvSequence(in, item->header_size, item->size());
    if (children) {
      for (const TlvItem& child : *children) {
        if (child.offset + child.size() > item->size()) __builtin_trap();
      }
    }
  }
  if (auto source = BasicInfoHashSource(in)) {
    if (source->size() > size) __builtin_trap();
  }
  if (auto key = DecodeRsaPublicKey(in)) EVP_PKEY_free(*key);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto name = CardName(text)) {
    if (!IsUtf8(*name)) __builtin_trap();
  }
  return 0;
}
