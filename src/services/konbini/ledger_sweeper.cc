#include "openmyna/services/konbini/ledger_sweeper.h"

#include "openmyna/base/log.h"

namespace openmyna::konbini {

LedgerSweeper::LedgerSweeper(std::vector<MunicipalIssuer*> issuers,
                             std::chrono::milliseconds every)
    : issuers_(std::move(issuers)),
      every_(every),
      thread_([this] { Loop(); }) {}

LedgerSweeper::~LedgerSweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LedgerSweeper::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    for (MunicipalIssuer* issuer : issuers_) {
      auto voided = issuer->Sweep();
      if (!voided) {
        log::Get("konbini")->error("the ledger sweep of {} failed: {}",
                                   issuer->municipality_code(),
                                   voided.error().message());
      } else if (*voided > 0) {
        log::Get("konbini")->info(
            "ledger of {}: {} document(s) never confirmed printed are void",
            issuer->municipality_code(), *voided);
      }
    }
    lock.lock();
    wake_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace openmyna::konbini
