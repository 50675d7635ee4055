// The test fixture of the konbini tests (konbini_test.cc,
// konbini_remote_test.cc): the konbini world of testing/konbini_sandbox.h
// (the registry with the sample data, cards whose certificates come from
// the real sandbox CA, slow issuers) made before each test, an issuer that
// swaps documents on purpose, and helpers that ask openssl and poppler.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "openmyna/base/file_io.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/pdf.h"
#include "testing/konbini_sandbox.h"
#include "testing/pki_fixture.h"

namespace openmyna::konbini::testing {

using namespace std::chrono;
using domain::KonbiniCertificate;
using registry::Actor;
using registry::Role;

// The Yokohama bug on purpose: answers with the document of the PREVIOUS
// request it saw (a shared slot instead of the request's own).
class SwappingIssuer final : public IssuerPort {
 public:
  explicit SwappingIssuer(std::shared_ptr<IssuerPort> inner)
      : inner_(std::move(inner)) {}
  Result<SignedDocument> Issue(const IssueRequest& r) override {
    auto mine = inner_->Issue(r);
    std::lock_guard lock(mutex_);
    if (!mine) return mine;
    std::optional<SignedDocument> previous = std::move(slot_);
    slot_ = *mine;
    return previous ? *previous : *mine;
  }
  Status Void(const VoidRequest& r) override { return inner_->Void(r); }
  Status Confirm(const PrintConfirmation& p) override {
    return inner_->Confirm(p);
  }

 private:
  std::shared_ptr<IssuerPort> inner_;
  std::mutex mutex_;
  std::optional<SignedDocument> slot_;
};

// An instance in front of a real issuer that may lose the answer after the
// issuer recorded it (`answer_error`: a lost connection kTimeout, a broken
// instance kInternal, an answer naming another instance kBinding) and may
// fail every void (`void_error`: a 503 kUnavailable or 500 kInternal).
class LosingIssuer final : public IssuerPort {
 public:
  LosingIssuer(std::shared_ptr<IssuerPort> inner,
               std::optional<KonbiniErrc> answer_error,
               std::optional<KonbiniErrc> void_error = std::nullopt)
      : inner_(std::move(inner)),
        answer_error_(answer_error),
        void_error_(void_error) {}
  Result<SignedDocument> Issue(const IssueRequest& r) override {
    auto document = inner_->Issue(r);
    if (!document || !answer_error_) return document;
    return Fail(*answer_error_,
                "the answer was lost after the issuer "
                "recorded the document");
  }
  Status Void(const VoidRequest& r) override {
    if (void_error_) return Fail(*void_error_, "this instance fails voids");
    return inner_->Void(r);
  }
  Status Confirm(const PrintConfirmation& p) override {
    return inner_->Confirm(p);
  }

 private:
  std::shared_ptr<IssuerPort> inner_;
  std::optional<KonbiniErrc> answer_error_;
  std::optional<KonbiniErrc> void_error_;
};

class KonbiniTest : public ::testing::Test, public KonbiniSandbox {
 protected:
  using KonbiniSandbox::Run;  // not ::testing::Test's private Run()
  void SetUp() override {
    const Status opened = Open();
    ASSERT_TRUE(opened) << opened.error();
  }
  // The ledger row of the centre's `request_id`, read back, or nullopt.
  std::optional<registry::KonbiniIssuance> LedgerRow(
      const std::string& request_id) {
    std::optional<registry::KonbiniIssuance> row;
    EXPECT_TRUE(store_->Read([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(row,
                                registry::FindKonbiniIssuance(tx, request_id));
      return Ok();
    }));
    return row;
  }
};

// Verifies the JWS with the openssl command line (RS256 = RSASSA-PKCS1-v1_5
// SHA-256 over "header.payload", RFC 7515 §5.2).
inline bool OpensslVerifies(const std::string& jws,
                            const std::string& public_pem,
                            const std::filesystem::path& dir) {
  const auto dot = jws.rfind('.');
  const auto signature = FromBase64Url(jws.substr(dot + 1));
  if (!signature) return false;
  std::ofstream(dir / "input") << jws.substr(0, dot);
  std::ofstream(dir / "sig", std::ios::binary) << *signature;
  std::ofstream(dir / "pub.pem") << public_pem;
  const std::string cmd = "openssl dgst -sha256 -verify " +
                          (dir / "pub.pem").string() + " -signature " +
                          (dir / "sig").string() + " " +
                          (dir / "input").string() + " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// The standard output of a shell command, or nullopt when it fails
// (testing_tools::RunShell).
inline std::optional<std::string> Output(const std::string& command) {
  testing_tools::ShellRun run = testing_tools::RunShell(command);
  if (run.status != 0) return std::nullopt;
  return std::move(run.output);
}

inline void WriteBytes(const std::filesystem::path& path,
                       const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace openmyna::konbini::testing
