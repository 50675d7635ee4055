// The ceremony: files, private key modes, idempotent re-run (jpki.md §2;
// the brief of issue 4 item 1).
#include "openmyna/pki/sandbox.h"

#include <gtest/gtest.h>

#include "openmyna/base/file_io.h"
#include "openmyna/pki/errors.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

namespace fs = std::filesystem;

TEST(SandboxTest, InitWritesPrivateKeysAndRerunChangesNothing) {
  Sandbox& sandbox = testing::SharedSandbox();
  const fs::perms kPrivate = fs::perms::owner_read | fs::perms::owner_write;
  std::vector<std::pair<fs::path, std::string>> before;
  for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
    const CaGeneration& g = sandbox.current(kind);
    EXPECT_EQ(g.number, 1);
    for (const fs::path& key : {g.key_pem, g.ocsp_key_pem}) {
      EXPECT_EQ(fs::status(key).permissions() & fs::perms::all, kPrivate)
          << key;
    }
    for (const fs::path& file :
         {g.certificate_pem, g.key_pem, g.ocsp_certificate_pem, g.ocsp_key_pem,
          sandbox.bundle_pem(kind)}) {
      before.emplace_back(file, ReadFileText(file).value());
    }
  }
  EXPECT_EQ(fs::status(sandbox.store_path()).permissions() & fs::perms::all,
            kPrivate);
  EXPECT_EQ(fs::status(sandbox.ca_dir()).permissions() & fs::perms::all,
            fs::perms::owner_all);

  FixedClock clock(testing::FixtureNow() + std::chrono::hours(5));
  DeterministicRng rng(1234);
  auto again = Sandbox::Init(sandbox.dir(), {}, clock, rng);
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->written.empty());
  for (const auto& [file, text] : before) {
    EXPECT_EQ(ReadFileText(file).value(), text) << file;
  }
  EXPECT_EQ(again->sandbox.base_url(), "http://127.0.0.1:8390");
}

TEST(SandboxTest, OpenFailsWithoutSandboxAndBaseUrlMustBeHttp) {
  auto missing = Sandbox::Open(testing::TempDir("empty"));
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(PkiErrc::kBadSandbox));
  FixedClock clock(testing::FixtureNow());
  DeterministicRng rng(1);
  SandboxOptions options;
  options.base_url = "https://example.invalid";
  auto bad = Sandbox::Init(testing::TempDir("https"), options, clock, rng);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(PkiErrc::kInvalidRequest));
}

}  // namespace
}  // namespace openmyna::pki
