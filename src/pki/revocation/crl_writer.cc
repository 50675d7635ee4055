#include "openmyna/pki/revocation/crl_writer.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>

#include "der.h"
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
    idp->onlyuser = 1;
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

// reasonCode extension (RFC 5280 §5.3.1) for one entry.
Bytes ReasonExtension(RevocationReason reason) {
  // SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED r } }
  return {0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d,
          0x15, 0x04, 0x03, 0x0a, 0x01, static_cast<std::uint8_t>(reason)};
}

// The DER of one revokedCertificates element.
void EncodeEntry(const RevokedEntry& entry, Bytes& out) {
  const Bytes serial = der::IntegerContents(entry.serial.bytes);
  const Bytes time = der::EncodeTime(entry.revocation_time);
  std::uint64_t content = der::TlvSize(serial.size()) + time.size();
  const bool with_reason = entry.reason != RevocationReason::kUnspecified;
  if (with_reason) content += der::TlvSize(12);  // SEQUENCE OF 1 extension
  der::AppendHeader(out, der::kSequence, content);
  der::AppendTlv(out, der::kInteger, serial);
  Append(out, time);
  if (with_reason) {
    const Bytes ext = ReasonExtension(entry.reason);
    der::AppendTlv(out, der::kSequence, ext);
  }
}

// Compares serial magnitudes as integers.
bool SerialLess(const Bytes& a, const Bytes& b) {
  auto strip = [](const Bytes& v) {
    std::size_t i = 0;
    while (i < v.size() && v[i] == 0) ++i;
    return ByteView(v).subspan(i);
  };
  const ByteView x = strip(a);
  const ByteView y = strip(b);
  if (x.size() != y.size()) return x.size() < y.size();
  return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
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

  // Pass 1: the length of revokedCertificates.
  std::uint64_t entries_length = 0;
  std::uint64_t entry_count = 0;
  Bytes previous;
  bool ordered = true;
  Bytes scratch;
  OPENMYNA_RETURN_IF_ERROR(source([&](const RevokedEntry& entry) {
    if (entry.revocation_time > this_update) return true;
    if (entry_count > 0 && !SerialLess(previous, entry.serial.bytes)) {
      ordered = false;
      return false;
    }
    previous = entry.serial.bytes;
    scratch.clear();
    EncodeEntry(entry, scratch);
    entries_length += scratch.size();
    ++entry_count;
    return true;
  }));
  if (!ordered) {
    return Fail(RevocationErrc::kUnorderedEntries,
                "revoked entries are not in ascending serial order");
  }

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

  Bytes buffer;
  buffer.reserve(kChunk + 1024);
  std::uint64_t written = 0;
  bool digesting = false;
  auto flush = [&]() -> Status {
    if (buffer.empty()) return Ok();
    if (digesting &&
        EVP_DigestSignUpdate(ctx.get(), buffer.data(), buffer.size()) != 1) {
      return CryptoFail("EVP_DigestSignUpdate");
    }
    written += buffer.size();
    OPENMYNA_RETURN_IF_ERROR(sink(buffer));
    buffer.clear();
    return Ok();
  };

  // Outer SEQUENCE header (not signed), then the TBSCertList (signed).
  der::AppendHeader(buffer, der::kSequence, list_content);
  OPENMYNA_RETURN_IF_ERROR(flush());
  digesting = true;
  der::AppendHeader(buffer, der::kSequence, tbs_content);
  Append(buffer, version);
  Append(buffer, Sha256WithRsa());
  Append(buffer, issuer_name);
  Append(buffer, this_time);
  Append(buffer, next_time);

  // Pass 2: stream the entries.
  std::uint64_t streamed_length = 0;
  std::uint64_t streamed_count = 0;
  Status sink_status = Ok();
  if (entry_count > 0) {
    der::AppendHeader(buffer, der::kSequence, entries_length);
    OPENMYNA_RETURN_IF_ERROR(source([&](const RevokedEntry& entry) {
      if (entry.revocation_time > this_update) return true;
      const std::size_t before = buffer.size();
      EncodeEntry(entry, buffer);
      streamed_length += buffer.size() - before;
      ++streamed_count;
      if (streamed_length > entries_length) return false;
      if (buffer.size() >= kChunk) {
        sink_status = flush();
        if (!sink_status) return false;
      }
      return true;
    }));
    OPENMYNA_RETURN_IF_ERROR(sink_status);
    if (streamed_length != entries_length || streamed_count != entry_count) {
      return Fail(RevocationErrc::kStoreChanged,
                  "the revoked entries changed while the CRL was written");
    }
  }
  Append(buffer, *extensions);
  OPENMYNA_RETURN_IF_ERROR(flush());
  digesting = false;

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
  OPENMYNA_RETURN_IF_ERROR(flush());
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
  for (int attempt = 0;; ++attempt) {
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Fail(RevocationErrc::kIo, "cannot create " + temp.string());
    }
    auto result = WriteCrl(parameters, source, [fd](ByteView chunk) -> Status {
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
      if (result.error().Is(RevocationErrc::kStoreChanged) && attempt < 3) {
        continue;
      }
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
