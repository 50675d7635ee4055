// The issuers' sweep of their ledgers (konbini_ledger.h): every `every`,
// each issuer voids the rows of documents never confirmed printed by their
// session's deadline (MunicipalIssuer::Sweep). It runs beside the issuers,
// not in the centre, so a centre killed while a kiosk held a document
// leaves no fee in the ledger (docs/konbini.md "Print confirmation").
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "openmyna/services/konbini/issuer.h"

namespace openmyna::konbini {

class LedgerSweeper {
 public:
  // `issuers` are borrowed and must outlive the sweeper; a first sweep runs
  // at once (rows a previous process left).
  explicit LedgerSweeper(
      std::vector<MunicipalIssuer*> issuers,
      std::chrono::milliseconds every = std::chrono::seconds(30));
  // Stops the thread (a sweep under way ends first).
  ~LedgerSweeper();
  LedgerSweeper(const LedgerSweeper&) = delete;
  LedgerSweeper& operator=(const LedgerSweeper&) = delete;

 private:
  void Loop();

  std::vector<MunicipalIssuer*> issuers_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace openmyna::konbini
