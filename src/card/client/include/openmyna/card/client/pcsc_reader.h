// PC/SC access for a relying party (libpcsclite; the PC/SC Workgroup API as
// pcsc-lite implements it, winscard.h): list readers, connect to a card,
// send APDUs. Works with any reader pcscd knows, the virtual card behind
// vpcd included (pcsc-testing.md §1).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/client/apdu_channel.h"

namespace openmyna::card::client {

struct ReaderInfo {
  std::string name;  // as PC/SC reports it, e.g. "Virtual PCD 00 00"
  bool card_present = false;
};

// Every reader pcscd knows, in its order, with whether a card is in it.
// Errors: kPcsc (no PC/SC service: "is pcscd running?"). No reader at all is
// an empty list, not an error.
Result<std::vector<ReaderInfo>> ListReaders();

// One card connected in shared mode (T=0 or T=1, whichever the card uses)
// inside a PC/SC transaction: other clients wait until this object is
// destroyed, so nobody interleaves commands between our VERIFY and our
// COMPUTE DIGITAL SIGNATURE. The destructor ends the transaction and
// disconnects leaving the card as it is (SCARD_LEAVE_CARD); callers that
// verified a PIN should log out first (JpkiClient::SelectAp).
class PcscCard final : public ApduChannel {
 public:
  // `reader`: an exact reader name, or a part of exactly one reader's name;
  // empty: the first reader with a card. Errors: kPcsc, kNoReader (no
  // reader at all), kBadReaderName (no reader or several match `reader`),
  // kNoCard (the reader is empty / no reader has a card).
  static Result<std::unique_ptr<PcscCard>> Connect(std::string_view reader);
  ~PcscCard() override;
  PcscCard(const PcscCard&) = delete;
  PcscCard& operator=(const PcscCard&) = delete;

  // SCardTransmit with a receive buffer for extended responses (up to
  // 65,536 data bytes + SW). kPcsc on a PC/SC failure (card removed, reset
  // by someone else, reader gone), naming pcsc-lite's message.
  Result<Bytes> Transmit(ByteView command_apdu) override;

  const std::string& reader() const { return reader_; }

 private:
  struct Handles;
  PcscCard(std::unique_ptr<Handles> handles, std::string reader);
  std::unique_ptr<Handles> handles_;
  std::string reader_;
};

}  // namespace openmyna::card::client
