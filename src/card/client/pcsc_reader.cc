#include "openmyna/card/client/pcsc_reader.h"

#include <PCSC/winscard.h>
#include <fmt/format.h>

#include "openmyna/card/client/errors.h"

namespace openmyna::card::client {
namespace {

Unexpected<Error> PcscFailed(std::string_view what, LONG rv) {
  if (rv == static_cast<LONG>(SCARD_E_NO_SERVICE)) {
    return Fail(ClientErrc::kPcsc,
                fmt::format("{}: the PC/SC service is not running (start "
                            "pcscd)",
                            what));
  }
  if (rv == static_cast<LONG>(SCARD_E_NO_SMARTCARD) ||
      rv == static_cast<LONG>(SCARD_W_REMOVED_CARD)) {
    return Fail(ClientErrc::kNoCard,
                fmt::format("{}: no card in the reader", what));
  }
  return Fail(ClientErrc::kPcsc,
              fmt::format("{}: {} (0x{:08X})", what, pcsc_stringify_error(rv),
                          static_cast<unsigned long>(rv)));
}

// A context released on scope exit unless handed over.
struct Context {
  SCARDCONTEXT value = 0;
  bool valid = false;
  ~Context() {
    if (valid) SCardReleaseContext(value);
  }
};

Status Establish(Context& context) {
  const LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr,
                                        &context.value);
  if (rv != SCARD_S_SUCCESS) return PcscFailed("SCardEstablishContext", rv);
  context.valid = true;
  return Ok();
}

Result<std::vector<ReaderInfo>> List(SCARDCONTEXT context) {
  DWORD size = 0;
  LONG rv = SCardListReaders(context, nullptr, nullptr, &size);
  if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) {
    return std::vector<ReaderInfo>{};
  }
  if (rv != SCARD_S_SUCCESS) return PcscFailed("SCardListReaders", rv);
  std::string buffer(size, '\0');
  rv = SCardListReaders(context, nullptr, buffer.data(), &size);
  if (rv == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) {
    return std::vector<ReaderInfo>{};
  }
  if (rv != SCARD_S_SUCCESS) return PcscFailed("SCardListReaders", rv);
  std::vector<ReaderInfo> readers;
  // A multi-string: names separated by NUL, ended by an empty name.
  for (std::size_t at = 0; at < buffer.size() && buffer[at] != '\0';) {
    const std::size_t end = buffer.find('\0', at);
    readers.push_back({buffer.substr(at, end - at), false});
    at = end + 1;
  }
  std::vector<SCARD_READERSTATE> states(readers.size());
  for (std::size_t i = 0; i < readers.size(); ++i) {
    states[i].szReader = readers[i].name.c_str();
    states[i].dwCurrentState = SCARD_STATE_UNAWARE;
  }
  if (!states.empty()) {
    rv = SCardGetStatusChange(context, 0, states.data(),
                              static_cast<DWORD>(states.size()));
    if (rv != SCARD_S_SUCCESS && rv != static_cast<LONG>(SCARD_E_TIMEOUT)) {
      return PcscFailed("SCardGetStatusChange", rv);
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
      readers[i].card_present =
          (states[i].dwEventState & SCARD_STATE_PRESENT) != 0;
    }
  }
  return readers;
}

Result<std::string> Choose(const std::vector<ReaderInfo>& readers,
                           std::string_view wanted) {
  if (readers.empty()) {
    return Fail(ClientErrc::kNoReader, "PC/SC lists no reader");
  }
  if (wanted.empty()) {
    for (const auto& r : readers) {
      if (r.card_present) return r.name;
    }
    return Fail(
        ClientErrc::kNoCard,
        fmt::format("no card in any of the {} reader(s)", readers.size()));
  }
  const ReaderInfo* match = nullptr;
  int partial = 0;
  for (const auto& r : readers) {
    if (r.name == wanted) {
      match = &r;
      partial = 1;
      break;
    }
    if (r.name.find(wanted) != std::string::npos) {
      match = &r;
      ++partial;
    }
  }
  if (match == nullptr || partial != 1) {
    std::string names;
    for (const auto& r : readers) names += (names.empty() ? "" : ", ") + r.name;
    return Fail(ClientErrc::kBadReaderName,
                fmt::format("{} reader(s) match '{}'; readers: {}", partial,
                            wanted, names));
  }
  if (!match->card_present) {
    return Fail(ClientErrc::kNoCard,
                fmt::format("no card in reader '{}'", match->name));
  }
  return match->name;
}

}  // namespace

struct PcscCard::Handles {
  SCARDCONTEXT context = 0;
  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  bool in_transaction = false;
};

Result<std::vector<ReaderInfo>> ListReaders() {
  Context context;
  OPENMYNA_RETURN_IF_ERROR(Establish(context));
  return List(context.value);
}

Result<std::unique_ptr<PcscCard>> PcscCard::Connect(std::string_view reader) {
  Context context;
  OPENMYNA_RETURN_IF_ERROR(Establish(context));
  OPENMYNA_ASSIGN_OR_RETURN(auto readers, List(context.value));
  OPENMYNA_ASSIGN_OR_RETURN(std::string name, Choose(readers, reader));
  auto handles = std::make_unique<Handles>();
  LONG rv = SCardConnect(context.value, name.c_str(), SCARD_SHARE_SHARED,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &handles->card,
                         &handles->protocol);
  if (rv != SCARD_S_SUCCESS) {
    return PcscFailed(fmt::format("connecting to '{}'", name), rv);
  }
  rv = SCardBeginTransaction(handles->card);
  if (rv != SCARD_S_SUCCESS) {
    SCardDisconnect(handles->card, SCARD_LEAVE_CARD);
    return PcscFailed("SCardBeginTransaction", rv);
  }
  handles->in_transaction = true;
  handles->context = context.value;
  context.valid = false;  // owned by the card object from here
  return std::unique_ptr<PcscCard>(
      new PcscCard(std::move(handles), std::move(name)));
}

PcscCard::PcscCard(std::unique_ptr<Handles> handles, std::string reader)
    : handles_(std::move(handles)), reader_(std::move(reader)) {}

PcscCard::~PcscCard() {
  if (handles_->in_transaction) {
    SCardEndTransaction(handles_->card, SCARD_LEAVE_CARD);
  }
  SCardDisconnect(handles_->card, SCARD_LEAVE_CARD);
  SCardReleaseContext(handles_->context);
}

Result<Bytes> PcscCard::Transmit(ByteView command_apdu) {
  const SCARD_IO_REQUEST* pci =
      handles_->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  Bytes response(MAX_BUFFER_SIZE_EXTENDED);
  DWORD length = static_cast<DWORD>(response.size());
  const LONG rv = SCardTransmit(handles_->card, pci, command_apdu.data(),
                                static_cast<DWORD>(command_apdu.size()),
                                nullptr, response.data(), &length);
  if (rv != SCARD_S_SUCCESS) return PcscFailed("SCardTransmit", rv);
  response.resize(length);
  return response;
}

}  // namespace openmyna::card::client
