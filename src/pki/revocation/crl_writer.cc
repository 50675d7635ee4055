#include "openmyna/pki/revocation/crl_writer.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>

#include "openmyna/pki/der.h"
#include "openmyna/pki/revocation/errors.h"

namespace openmyna::pki::revocation {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

Unexpected<Error> CryptoFail(std::string_view what) {
  std::string message(what);
  if (const unsigned long e = ERR_get_error(); e != 0) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof buffer);
    message += ": ";
    message += buffer;
  }
  ERR_clear_error();
  return Fail(RevocationErrc::kCrypto, message);
}

// DER of an X509_EXTENSION built by OpenSSL from its internal structure.
Result<Bytes> ExtensionDer(int nid, bool critical, void* value) {
  X509_EXTENSION* ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);
  if (ext == nullptr) return CryptoFail("encoding a CRL extension");
  unsigned char* out = nullptr;
  const int n = i2d_X509_EXTENSION(ext, &out);
  X509_EXTENSION_free(ext);
  if (n <= 0) return CryptoFail("encoding a CRL extension");
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

// [0] EXPLICIT Extensions (RFC 5280 §5.1): AKI, CRL number, IDP.
Result<Bytes> CrlExtensions(const CrlParameters& p) {
  Bytes all;
  {
    AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
    aki->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(aki->keyid, p.issuer_key_identifier.data(),
                          static_cast<int>(p.issuer_key_identifier.size()));
    auto der = ExtensionDer(NID_authority_key_identifier, false, aki);
    AUTHORITY_KEYID_free(aki);
    if (!der) return Unexpected(der.error());
    Append(all, *der);
  }
  {
    ASN1_INTEGER* number = ASN1_INTEGER_new();
    ASN1_INTEGER_set_uint64(number, p.crl_number);
    auto der = ExtensionDer(NID_crl_number, false, number);
    ASN1_INTEGER_free(number);
    if (!der) return Unexpected(der.error());
    Append(all, *der);
  }
  if (p.distribution_point != nullptr) {
    ISSUING_DIST_POINT* idp = ISSUING_DIST_POINT_new();
    idp->distpoint = DIST_POINT_NAME_new();
    idp->distpoint->type = 0;  // fullName
    idp->distpoint->name.fullname = static_cast<GENERAL_NAMES*>(
        ASN1_item_dup(ASN1_ITEM_rptr(GENERAL_NAMES),
                      const_cast<GENERAL_NAMES*>(p.distribution_point)));
    // DER TRUE is FF (X.690 §11.1; RFC 5280 §5: the CRL is DER). OpenSSL
    // encodes the int as the content octet: 1 gave BER 01, which strict
    // decoders (Python cryptography 38) refuse.
    idp->onlyuser = 0xFF;
    auto der = ExtensionDer(NID_issuing_distribution_point, true, idp);
    ISSUING_DIST_POINT_free(idp);
    if (!der) return Unexpected(der.error());
    Append(all, *der);
  }
  Bytes sequence;
  der::AppendTlv(sequence, der::kSequence, all);
  Bytes out;
  der::AppendTlv(out, der::kContext0Constructed, sequence);
  return out;
}

// sha256WithRSAEncryption with NULL parameters (RFC 4055 §5).
const Bytes& Sha256WithRsa() {
  static const Bytes kAlg = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                             0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
  return kAlg;
}

// One revokedCertificates element, encoded by hand (RFC 5280 §5.1):
//   SEQUENCE { INTEGER userCertificate, Time revocationDate,
//              SEQUENCE { SEQUENCE { OID 2.5.29.21,
//                                    OCTET STRING { ENUMERATED reason } } } }
// The reasonCode extension (§5.3.1) is omitted for unspecified. The
// revocation time's encoding is cached: a partition's entries often share
// it.
class EntryEncoder {
 public:
  // Appends the entry to `out`; returns its size.
  std::size_t Encode(const RevokedEntry& entry, Bytes& out) {
    const Bytes& magnitude_bytes = entry.serial.bytes;
    std::size_t start = 0;
    while (start + 1 < magnitude_bytes.size() && magnitude_bytes[start] == 0) {
      ++start;
    }
    const std::uint8_t* magnitude = magnitude_bytes.data() + start;
    const std::size_t magnitude_size = magnitude_bytes.size() - start;
    // X.690 §8.3.2: a leading 0x00 keeps a high-bit serial positive.
    const bool pad = magnitude_size == 0 || (magnitude[0] & 0x80) != 0;
    const std::size_t integer_size = magnitude_size + (pad ? 1 : 0);
    if (entry.revocation_time != cached_time_ || time_.empty()) {
      cached_time_ = entry.revocation_time;
      time_ = der::EncodeTime(entry.revocation_time);
    }
    const bool with_reason = entry.reason != RevocationReason::kUnspecified;
    const std::size_t content =
        2 + integer_size + time_.size() + (with_reason ? 14 : 0);
    // Serials are at most 20 octets (RFC 5280 §4.1.2.2), so the content
    // is < 128 bytes and every length here is one octet.
    std::uint8_t e[160];
    std::size_t n = 0;
    e[n++] = der::kSequence;
    e[n++] = static_cast<std::uint8_t>(content);
    e[n++] = der::kInteger;
    e[n++] = static_cast<std::uint8_t>(integer_size);
    if (pad) e[n++] = 0;
    std::memcpy(e + n, magnitude, magnitude_size);
    n += magnitude_size;
    std::memcpy(e + n, time_.data(), time_.size());
    n += time_.size();
    if (with_reason) {
      const std::uint8_t ext[14] = {
          0x30, 0x0c,
          0x30, 0x0a,
          0x06, 0x03,
          0x55, 0x1d,
          0x15, 0x04,
          0x03, 0x0a,
          0x01, static_cast<std::uint8_t>(entry.reason)};
      std::memcpy(e + n, ext, sizeof ext);
      n += sizeof ext;
    }
    out.insert(out.end(), e, e + n);
    return n;
  }

 private:
  TimePoint cached_time_{};
  Bytes time_;
};

// An anonymous file for the encoded entries: O_TMPFILE (never linked), or
// a mkstemp file unlinked at once where O_TMPFILE is unsupported.
class SpillFile {
 public:
  ~SpillFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::filesystem::path& directory) {
    const std::filesystem::path dir =
        directory.empty() ? std::filesystem::temp_directory_path() : directory;
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string pattern = (dir / ".crl-spill-XXXXXX").string();
      fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
      if (fd_ >= 0) ::unlink(pattern.c_str());
    }
    if (fd_ < 0) {
      return Fail(RevocationErrc::kIo,
                  "cannot create a spill file in " + dir.string());
    }
    return Ok();
  }
  Status Write(ByteView bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(RevocationErrc::kIo, "writing the CRL spill file failed");
      }
      done += static_cast<std::size_t>(n);
    }
    return Ok();
  }
  // Reads from the start, in chunks of `buffer`'s capacity.
  template <typename Visit>
  Status ReadAll(Bytes& buffer, std::size_t chunk, Visit&& visit) {
    if (::lseek(fd_, 0, SEEK_SET) != 0) {
      return Fail(RevocationErrc::kIo, "rewinding the CRL spill file failed");
    }
    buffer.resize(chunk);
    for (;;) {
      const ssize_t n = ::read(fd_, buffer.data(), chunk);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(RevocationErrc::kIo, "reading the CRL spill file failed");
      }
      if (n == 0) return Ok();
      OPENMYNA_RETURN_IF_ERROR(
          visit(ByteView(buffer.data(), static_cast<std::size_t>(n))));
    }
  }

 private:
  int fd_ = -1;
};

// Compares serial magnitudes (no leading zeros) as integers.
bool SerialLess(ByteView x, ByteView y) {
  if (x.size() != y.size()) return x.size() < y.size();
  return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
}

ByteView Magnitude(const Bytes& v) {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return ByteView(v).subspan(i);
}

struct DigestCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

Result<CrlSummary> WriteCrl(const CrlParameters& p,
                            const RevokedEntrySource& source,
                            const ByteSink& sink) {
  if (p.issuer == nullptr || p.signing_key == nullptr) {
    return Fail(RevocationErrc::kInvalidParameters, "issuer or key missing");
  }
  if (EVP_PKEY_get_base_id(p.signing_key) != EVP_PKEY_RSA) {
    return Fail(RevocationErrc::kInvalidParameters,
                "the CRL signing key must be RSA (sha256WithRSAEncryption)");
  }
  if (p.next_update <= p.this_update) {
    return Fail(RevocationErrc::kInvalidParameters,
                "nextUpdate must be after thisUpdate");
  }
  if (p.issuer_key_identifier.empty()) {
    return Fail(RevocationErrc::kInvalidParameters,
                "issuer key identifier missing");
  }
  const auto this_update =
      std::chrono::floor<std::chrono::seconds>(p.this_update);

  // Fixed parts.
  Bytes issuer_name;
  {
    unsigned char* out = nullptr;
    const int n = i2d_X509_NAME(X509_get_subject_name(p.issuer), &out);
    if (n <= 0) return CryptoFail("encoding the issuer name");
    issuer_name.assign(out, out + n);
    OPENSSL_free(out);
  }
  auto extensions = CrlExtensions(p);
  if (!extensions) return Unexpected(extensions.error());
  const Bytes version = {0x02, 0x01, 0x01};  // v2
  const Bytes this_time = der::EncodeTime(this_update);
  const Bytes next_time = der::EncodeTime(p.next_update);
  const int signature_size = EVP_PKEY_get_size(p.signing_key);

  // The one walk: encode, check the order, spill.
  SpillFile spill;
  OPENMYNA_RETURN_IF_ERROR(spill.Open(p.spill_directory));
  std::uint64_t entries_length = 0;
  std::uint64_t entry_count = 0;
  std::uint8_t previous[32];
  std::size_t previous_size = 0;
  bool ordered = true;
  EntryEncoder encoder;
  Bytes buffer;
  buffer.reserve(kChunk + 256);
  Status spill_status = Ok();
  OPENMYNA_RETURN_IF_ERROR(source([&](const RevokedEntry& entry) {
    if (entry.revocation_time > this_update) return true;
    const ByteView magnitude = Magnitude(entry.serial.bytes);
    if (magnitude.size() > 20) {  // RFC 5280 §4.1.2.2
      ordered = false;
      return false;
    }
    if (entry_count > 0 &&
        !SerialLess(ByteView(previous, previous_size), magnitude)) {
      ordered = false;
      return false;
    }
    std::memcpy(previous, magnitude.data(), magnitude.size());
    previous_size = magnitude.size();
    entries_length += encoder.Encode(entry, buffer);
    ++entry_count;
    if (buffer.size() >= kChunk) {
      spill_status = spill.Write(buffer);
      buffer.clear();
      if (!spill_status) return false;
    }
    return true;
  }));
  OPENMYNA_RETURN_IF_ERROR(spill_status);
  if (!ordered) {
    return Fail(RevocationErrc::kUnorderedEntries,
                "revoked entries are not in strictly ascending serial order "
                "(or a serial is longer than 20 octets)");
  }
  OPENMYNA_RETURN_IF_ERROR(spill.Write(buffer));
  buffer.clear();

  std::uint64_t tbs_content = version.size() + Sha256WithRsa().size() +
                              issuer_name.size() + this_time.size() +
                              next_time.size() + extensions->size();
  // RFC 5280 §5.1.2.6: absent when there are no revoked certificates.
  if (entry_count > 0) tbs_content += der::TlvSize(entries_length);
  const std::uint64_t tbs_size = der::TlvSize(tbs_content);
  const std::uint64_t signature_bits_size =
      der::TlvSize(static_cast<std::uint64_t>(signature_size) + 1);
  const std::uint64_t list_content =
      tbs_size + Sha256WithRsa().size() + signature_bits_size;

  std::unique_ptr<EVP_MD_CTX, DigestCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                                 p.signing_key) != 1) {
    return CryptoFail("EVP_DigestSignInit");
  }
  std::uint64_t written = 0;
  auto emit = [&](ByteView bytes, bool signed_part) -> Status {
    if (bytes.empty()) return Ok();
    if (signed_part &&
        EVP_DigestSignUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) {
      return CryptoFail("EVP_DigestSignUpdate");
    }
    written += bytes.size();
    return sink(bytes);
  };

  // Outer SEQUENCE header (not signed), then the TBSCertList (signed).
  der::AppendHeader(buffer, der::kSequence, list_content);
  OPENMYNA_RETURN_IF_ERROR(emit(buffer, false));
  buffer.clear();
  der::AppendHeader(buffer, der::kSequence, tbs_content);
  Append(buffer, version);
  Append(buffer, Sha256WithRsa());
  Append(buffer, issuer_name);
  Append(buffer, this_time);
  Append(buffer, next_time);
  if (entry_count > 0) {
    der::AppendHeader(buffer, der::kSequence, entries_length);
    OPENMYNA_RETURN_IF_ERROR(emit(buffer, true));
    Bytes chunk;
    std::uint64_t copied = 0;
    OPENMYNA_RETURN_IF_ERROR(
        spill.ReadAll(chunk, kChunk, [&](ByteView bytes) -> Status {
          copied += bytes.size();
          return emit(bytes, true);
        }));
    if (copied != entries_length) {
      return Fail(RevocationErrc::kIo, "the CRL spill file lost entries");
    }
    buffer.clear();
  }
  Append(buffer, *extensions);
  OPENMYNA_RETURN_IF_ERROR(emit(buffer, true));
  buffer.clear();

  // signatureAlgorithm and signatureValue (RFC 5280 §5.1.1.2, §5.1.1.3).
  std::size_t sig_len = 0;
  if (EVP_DigestSignFinal(ctx.get(), nullptr, &sig_len) != 1) {
    return CryptoFail("EVP_DigestSignFinal");
  }
  Bytes signature(sig_len);
  if (EVP_DigestSignFinal(ctx.get(), signature.data(), &sig_len) != 1) {
    return CryptoFail("EVP_DigestSignFinal");
  }
  signature.resize(sig_len);
  if (sig_len != static_cast<std::size_t>(signature_size)) {
    return Fail(RevocationErrc::kCrypto, "unexpected signature size");
  }
  Append(buffer, Sha256WithRsa());
  der::AppendHeader(buffer, der::kBitString, sig_len + 1);
  buffer.push_back(0);  // no unused bits
  Append(buffer, signature);
  OPENMYNA_RETURN_IF_ERROR(emit(buffer, false));
  if (written != der::TlvSize(list_content)) {
    return Fail(RevocationErrc::kCrypto, "CRL length mismatch");
  }
  return CrlSummary{entry_count, written};
}

Result<CrlSummary> WriteCrlFile(const CrlParameters& parameters,
                                const RevokedEntrySource& source,
                                const std::filesystem::path& path,
                                const CrlCheck& check) {
  const std::filesystem::path temp =
      path.parent_path() /
      ("." + path.filename().string() + ".tmp" + std::to_string(::getpid()) +
       "-" + std::to_string(std::random_device{}()));
  CrlParameters local = parameters;
  if (local.spill_directory.empty()) {
    local.spill_directory =
        path.parent_path().empty() ? "." : path.parent_path();
  }
  {
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Fail(RevocationErrc::kIo, "cannot create " + temp.string());
    }
    auto result = WriteCrl(local, source, [fd](ByteView chunk) -> Status {
      std::size_t done = 0;
      while (done < chunk.size()) {
        const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
        if (n < 0) {
          if (errno == EINTR) continue;
          return Fail(RevocationErrc::kIo, "writing the CRL failed");
        }
        done += static_cast<std::size_t>(n);
      }
      return Ok();
    });
    const bool synced = result && ::fsync(fd) == 0;
    ::close(fd);
    if (!result) {
      ::unlink(temp.c_str());
      return result;
    }
    if (synced && check) {
      if (Status checked = check(temp); !checked) {
        ::unlink(temp.c_str());
        return Unexpected(checked.error());
      }
    }
    if (!synced || std::rename(temp.c_str(), path.c_str()) != 0) {
      ::unlink(temp.c_str());
      return Fail(RevocationErrc::kIo, "cannot publish " + path.string());
    }
    const int dir =
        ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
               O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    return result;
  }
}

}  // namespace openmyna::pki::revocation
