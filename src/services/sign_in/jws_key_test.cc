// JwsKey against the openssl command line: signatures openssl made verify
// (RS256's PKCS#1 v1.5 and ES256's ECDSA, SHA-256), again and again from the
// one set-up, and a changed byte does not; signatures JwsKey makes, also
// from two threads at once, verify with `openssl dgst -verify`.
#include "openmyna/sign_in/jws_key.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "openmyna/base/testing/shell.h"

namespace openmyna::sign_in {
namespace {

namespace fs = std::filesystem;
using testing_tools::RunShell;

class JwsKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jws_key_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
    Write("input", input_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(Path(name), std::ios::binary) << bytes;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(Path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  // openssl makes a key pair (`algorithm` options of genpkey), its public
  // half and its signature over input_.
  void OpensslKey(const std::string& name, const std::string& algorithm) {
    ASSERT_EQ(
        RunShell("openssl genpkey " + algorithm + " -out " +
                 Path(name + ".key") + " 2>/dev/null && openssl pkey -in " +
                 Path(name + ".key") + " -pubout -out " + Path(name + ".pub") +
                 " && openssl dgst -sha256 -sign " + Path(name + ".key") +
                 " -out " + Path(name + ".sig") + " " + Path("input"))
            .status,
        0);
  }
  std::shared_ptr<const JwsKey> Load(const std::string& file, bool priv) {
    const std::string pem = Read(file);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key =
        priv ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
             : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    auto made = JwsKey::Make(pki::EvpPkeyPtr(key));
    EXPECT_TRUE(made);
    return made ? *made : nullptr;
  }
  static ByteView View(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }
  bool OpensslVerifies(const std::string& pub, const Bytes& signature,
                       const std::string& name) {
    Write(name, std::string(signature.begin(), signature.end()));
    return RunShell("openssl dgst -sha256 -verify " + Path(pub) +
                    " -signature " + Path(name) + " " + Path("input"))
               .output == "Verified OK\n";
  }

  fs::path dir_;
  const std::string input_ = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UifQ";
};

TEST_F(JwsKeyTest, VerifiesOpensslSignaturesEveryTime) {
  for (const std::string algorithm :
       {"-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
        "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"}) {
    SCOPED_TRACE(algorithm);
    OpensslKey("k", algorithm);
    auto key = Load("k.pub", false);
    ASSERT_TRUE(key);
    EXPECT_FALSE(key->can_sign());
    const std::string signature = Read("k.sig");
    std::string changed = signature;
    changed[changed.size() / 2] ^= 0x01;
    std::string other_input = input_;
    other_input.back() ^= 0x01;
    for (int i = 0; i < 3; ++i) {  // the set-up is copied, never used up
      EXPECT_TRUE(key->Verify(input_, View(signature)));
      EXPECT_FALSE(key->Verify(input_, View(changed)));
      EXPECT_FALSE(key->Verify(other_input, View(signature)));
    }
  }
}

TEST_F(JwsKeyTest, Es256SignaturesVerifyWithOpenssl) {
  OpensslKey("ec", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
  auto key = Load("ec.key", true);
  ASSERT_TRUE(key);
  ASSERT_TRUE(key->can_sign());
  std::vector<Bytes> signatures(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 8; i += 2) {
        signatures[i] = key->Sign(input_).value_or(Bytes{});
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    EXPECT_TRUE(OpensslVerifies("ec.pub", signatures[i],
                                "made" + std::to_string(i) + ".sig"))
        << i;
  }
  // ECDSA draws a fresh k each time (FIPS 186-4 §6.3).
  EXPECT_NE(signatures[0], signatures[1]);
  // An RSA key verifies only: it never signs ES256.
  OpensslKey("rsa", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048");
  auto rsa = Load("rsa.key", true);
  ASSERT_TRUE(rsa);
  EXPECT_FALSE(rsa->can_sign());
  EXPECT_FALSE(rsa->Sign(input_));
}

}  // namespace
}  // namespace openmyna::sign_in
