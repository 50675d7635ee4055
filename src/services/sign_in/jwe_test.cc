// The JWE of the signing API's result, decrypted by Debian's python3-authlib
// (an independent JOSE implementation) with the private key: RSA-OAEP-256
// to a key made by the `openssl` command, ECDH-ES to a P-256 key; the
// protected header is authenticated (one changed header byte: authlib
// refuses).
#include "openmyna/sign_in/jwe.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "openmyna/base/rng.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

fs::path WorkDir() {
  fs::path dir = fs::temp_directory_path() /
                 ("openmyna-jwe-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string Run(const std::string& command) {
  return testing_tools::RunShell(command).output;
}

// authlib's plaintext and header, or "ERROR ..." when it refuses.
std::string AuthlibDecrypt(const fs::path& dir, const std::string& jwe,
                           const fs::path& key_pem) {
  std::ofstream(dir / "token") << jwe;
  std::ofstream(dir / "decrypt.py")
      << "import json, sys\n"
         "from authlib.jose import JsonWebEncryption\n"
         "try:\n"
         "    r = JsonWebEncryption().deserialize_compact(\n"
         "        open(sys.argv[1]).read(), open(sys.argv[2], 'rb').read())\n"
         "    print(json.dumps({'header': r['header'],\n"
         "                      'payload': r['payload'].decode()}))\n"
         "except Exception as e:\n"
         "    print('ERROR', type(e).__name__, e)\n";
  return Run("/usr/bin/python3 " + (dir / "decrypt.py").string() + " " +
             (dir / "token").string() + " " + key_pem.string() + " 2>&1");
}

pki::EvpPkeyPtr ReadKey(const fs::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  EVP_PKEY* key =
      f ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  return pki::EvpPkeyPtr(key);
}

void Check(const fs::path& dir, const fs::path& pem, const std::string& alg) {
  pki::EvpPkeyPtr key = ReadKey(pem);
  ASSERT_TRUE(key) << pem;
  auto jwk = PublicJwk(key.get(), "client-key-1");
  ASSERT_TRUE(jwk) << jwk.error().message();
  OpenSslRng rng;
  const std::string plaintext =
      json{{"signature", "c2ln"}, {"note", "署名 ✓"}}.dump();
  auto jwe = EncryptJwe(plaintext, *jwk, rng);
  ASSERT_TRUE(jwe) << jwe.error().message();
  const std::string out = AuthlibDecrypt(dir, *jwe, pem);
  ASSERT_EQ(out.rfind("{", 0), 0u) << out;
  const json decrypted = json::parse(out);
  EXPECT_EQ(decrypted["payload"], plaintext);
  EXPECT_EQ(decrypted["header"]["alg"], alg);
  EXPECT_EQ(decrypted["header"]["enc"], "A256GCM");
  EXPECT_EQ(decrypted["header"]["kid"], "client-key-1");
  // The protected header is the AAD: change "kid" and authlib refuses.
  const std::string header_b64 = jwe->substr(0, jwe->find('.'));
  json header = json::parse(Base64UrlDecode(header_b64).value());
  header["kid"] = "client-key-2";
  const std::string tampered =
      Base64UrlEncode(header.dump()) + jwe->substr(jwe->find('.'));
  EXPECT_EQ(AuthlibDecrypt(dir, tampered, pem).rfind("ERROR", 0), 0u);
}

TEST(Jwe, AuthlibDecryptsRsaOaep256) {
  const fs::path dir = WorkDir();
  const fs::path pem = dir / "rsa.pem";
  ASSERT_EQ(
      std::system(("openssl genrsa -out " + pem.string() + " 2048 2>/dev/null")
                      .c_str()),
      0);
  Check(dir, pem, "RSA-OAEP-256");
  fs::remove_all(dir);
}

TEST(Jwe, AuthlibDecryptsEcdhEs) {
  const fs::path dir = WorkDir();
  const fs::path pem = dir / "ec.pem";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm EC -pkeyopt "
                         "ec_paramgen_curve:P-256 -out " +
                         pem.string() + " 2>/dev/null")
                            .c_str()),
            0);
  Check(dir, pem, "ECDH-ES");
  fs::remove_all(dir);
}

// The other way round: authlib encrypts to the public key, DecryptJwe
// opens it with the private one; a changed protected header is refused.
void CheckDecrypt(const fs::path& dir, const fs::path& pem,
                  const std::string& alg) {
  pki::EvpPkeyPtr key = ReadKey(pem);
  ASSERT_TRUE(key) << pem;
  std::ofstream(dir / "encrypt.py")
      << "import sys\n"
         "from authlib.jose import JsonWebEncryption, JsonWebKey\n"
         "key = JsonWebKey.import_key(open(sys.argv[1], 'rb').read())\n"
         "pub = JsonWebKey.import_key(key.as_dict(is_private=False))\n"
         "jwe = JsonWebEncryption().serialize_compact(\n"
         "    {'alg': sys.argv[2], 'enc': 'A256GCM'},\n"
         "    '署名の結果 ✓'.encode(), pub)\n"
         "print(jwe.decode())\n";
  std::string jwe = Run("/usr/bin/python3 " + (dir / "encrypt.py").string() +
                        " " + pem.string() + " " + alg + " 2>&1");
  while (!jwe.empty() && jwe.back() == '\n') jwe.pop_back();
  auto plaintext = DecryptJwe(jwe, key.get());
  ASSERT_TRUE(plaintext) << plaintext.error().message() << " " << jwe;
  EXPECT_EQ(*plaintext, "署名の結果 ✓");
  json header =
      json::parse(Base64UrlDecode(jwe.substr(0, jwe.find('.'))).value());
  header["x"] = 1;
  EXPECT_FALSE(DecryptJwe(
      Base64UrlEncode(header.dump()) + jwe.substr(jwe.find('.')), key.get()));
}

TEST(Jwe, DecryptsWhatAuthlibEncrypts) {
  const fs::path dir = WorkDir();
  const fs::path ec = dir / "ec2.pem", rsa = dir / "rsa2.pem";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm EC -pkeyopt "
                         "ec_paramgen_curve:P-256 -out " +
                         ec.string() + " 2>/dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(
      std::system(("openssl genrsa -out " + rsa.string() + " 2048 2>/dev/null")
                      .c_str()),
      0);
  CheckDecrypt(dir, ec, "ECDH-ES");
  CheckDecrypt(dir, rsa, "RSA-OAEP-256");
  fs::remove_all(dir);
}

// Debian's authlib writes an EC JWK's x, y and d with the integer's minimal
// octets (31 or fewer for 1 key in 256 each); such a JWK is the same key as
// the PEM cryptography wrote for it. Keys are drawn until each case occurs.
TEST(Jwk, AuthlibKeysWithShortCoordinatesAreTheSameKey) {
  const fs::path dir = WorkDir();
  std::ofstream(dir / "short.py")
      << "import json, sys\n"
         "from cryptography.hazmat.primitives import serialization as s\n"
         "from cryptography.hazmat.primitives.asymmetric import ec\n"
         "from authlib.jose import JsonWebKey\n"
         "for i, part in enumerate(['x', 'y', 'd']):\n"
         "    while True:\n"
         "        k = ec.generate_private_key(ec.SECP256R1())\n"
         "        n = k.private_numbers()\n"
         "        v = {'x': n.public_numbers.x, 'y': n.public_numbers.y,\n"
         "             'd': n.private_value}[part]\n"
         "        if v < 1 << 248: break\n"
         "    pem = k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8,\n"
         "                          s.NoEncryption())\n"
         "    open(sys.argv[1] + '/short-%d.pem' % i, 'wb').write(pem)\n"
         "    jwk = JsonWebKey.import_key(pem).as_dict(is_private=True)\n"
         "    open(sys.argv[1] + '/short-%d.json' % i, 'w').write(\n"
         "        json.dumps(jwk))\n";
  ASSERT_EQ(testing_tools::RunShell("/usr/bin/python3 " +
                                    (dir / "short.py").string() + " " +
                                    dir.string() + " 2>&1")
                .output,
            "");
  const char* parts[] = {"x", "y", "d"};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(parts[i]);
    const std::string stem = (dir / ("short-" + std::to_string(i))).string();
    pki::EvpPkeyPtr expected = ReadKey(stem + ".pem");
    ASSERT_TRUE(expected);
    std::ifstream in(stem + ".json");
    json jwk = json::parse(in);
    // 32 octets are 43 base64url characters: authlib wrote fewer.
    ASSERT_LT(jwk[parts[i]].get<std::string>().size(), 43u) << jwk.dump();
    auto made = KeyFromJwk(jwk);
    ASSERT_TRUE(made) << made.error().message();
    EXPECT_EQ(EVP_PKEY_eq(made->get(), expected.get()), 1);
    jwk.erase("d");
    auto public_only = KeyFromJwk(jwk);
    ASSERT_TRUE(public_only) << public_only.error().message();
    EXPECT_EQ(EVP_PKEY_eq(public_only->get(), expected.get()), 1);
  }
  // More than 32 octets, or none: refused.
  std::ifstream in(dir / "short-0.json");
  json jwk = json::parse(in);
  jwk.erase("d");
  json longer = jwk;
  longer["y"] = Base64UrlEncode(std::string(33, '\x01'));
  EXPECT_FALSE(KeyFromJwk(longer));
  json empty = jwk;
  empty["x"] = "";
  EXPECT_FALSE(KeyFromJwk(empty));
  fs::remove_all(dir);
}

TEST(Jwe, RefusesKeysItCannotEncryptTo) {
  OpenSslRng rng;
  EXPECT_FALSE(EncryptJwe("x", json{{"kty", "oct"}, {"k", "AAAA"}}, rng));
  EXPECT_FALSE(EncryptJwe("x", json{{"kty", "EC"}, {"crv", "P-384"}}, rng));
}

}  // namespace
}  // namespace openmyna::sign_in
