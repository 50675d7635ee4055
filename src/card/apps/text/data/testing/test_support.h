// Test helpers of the card-face data tests: temporary folders, files, RSA
// keys made by OpenSSL, and running independent command-line tools
// (openssl, pngcheck, opj_decompress, zbarimg) whose verdict the tests
// compare against.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/testing/shell.h"

namespace openmyna::card::faces::test_support {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Hex test vectors; a malformed one is a bug in the test itself.
inline Bytes Hex(std::string_view text) { return FromHex(text).value(); }

// Bytes [from, to) of `b`.
inline Bytes Slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from),
               b.begin() + static_cast<std::ptrdiff_t>(to));
}

// A fresh RSA-2048 key pair (e = 65537), made by OpenSSL.
inline PkeyPtr NewRsaKey() { return PkeyPtr(EVP_RSA_gen(2048)); }

// A private folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("openmyna-faces-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const {
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size()));
}

inline Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)),
               std::istreambuf_iterator<char>());
}

inline void WritePublicKeyPem(EVP_PKEY* key, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
}

using CommandResult = testing_tools::ShellRun;

// Runs `command` through /bin/sh, capturing stdout and stderr.
inline CommandResult RunTool(const std::string& command) {
  return testing_tools::RunShell(command, testing_tools::Stderr::kCapture);
}

// SHA-256 of a file as `openssl dgst` prints it (lower-case hex).
inline std::string OpensslSha256(const std::string& path) {
  CommandResult r = RunTool("openssl dgst -sha256 -r " + path);
  return r.output.substr(0, 64);
}

}  // namespace openmyna::card::faces::test_support
