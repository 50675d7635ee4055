// The PDF signature (pdf.h): an incremental update (ISO 32000-1 §7.5.6)
// that adds a signature field to the AcroForm (§12.7.4.5) whose value is a
// signature dictionary (§12.8.1) with SubFilter adbe.pkcs7.detached: a
// detached CMS SignedData (RFC 5652) over the bytes named by /ByteRange,
// i.e. the whole file except the /Contents hex string.
#include <fmt/format.h>

#include <charconv>

#include "openmyna/base/bytes.h"
#include "openmyna/pki/cms.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/pdf.h"

namespace openmyna::konbini {
namespace {

constexpr std::size_t kContentsBytes = 6144;  // room for the CMS DER
constexpr std::string_view kByteRangePlaceholder =
    "/ByteRange [0 0000000000 0000000000 0000000000]";

auto Malformed(std::string_view what) {
  return Fail(KonbiniErrc::kBadSignature, "PDF: " + std::string(what));
}

std::optional<long> NumberAfter(std::string_view text, std::string_view key,
                                std::size_t from_end = std::string_view::npos) {
  const std::size_t at = text.rfind(key, from_end);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t p = at + key.size();
  while (p < text.size() &&
         (text[p] == ' ' || text[p] == '\n' || text[p] == '\r')) {
    ++p;
  }
  long value = 0;
  auto [end, ec] =
      std::from_chars(text.data() + p, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

// "/Root 5 0 R" -> 5 in the last trailer.
std::optional<long> RootObject(std::string_view pdf) {
  const std::size_t trailer = pdf.rfind("trailer");
  if (trailer == std::string_view::npos) return std::nullopt;
  return NumberAfter(pdf.substr(trailer), "/Root");
}

std::string PdfDate(TimePoint t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(s);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{s - day};
  return fmt::format(
      "D:{:04}{:02}{:02}{:02}{:02}{:02}Z", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace

Result<std::string> SignPdf(std::string pdf, EVP_PKEY* key, X509* certificate,
                            const Clock& clock) {
  const auto root = RootObject(pdf);
  const auto size = NumberAfter(pdf, "/Size");
  const auto prev = NumberAfter(pdf, "startxref");
  if (!root || !size || !prev) return Malformed("no trailer");
  const std::string root_head = fmt::format("\n{} 0 obj", *root);
  const std::size_t obj = pdf.find(root_head);
  const std::size_t endobj =
      obj == std::string::npos ? obj : pdf.find("endobj", obj);
  if (endobj == std::string::npos) return Malformed("no catalog");
  std::string catalog =
      pdf.substr(obj + root_head.size(), endobj - obj - root_head.size());
  const std::size_t close = catalog.rfind(">>");
  if (close == std::string::npos) return Malformed("catalog not a dictionary");
  const long sig = *size, field = *size + 1, form = *size + 2;
  catalog.insert(close, fmt::format("/AcroForm {} 0 R\n", form));
  const std::string info = [&]() -> std::string {
    const auto n = NumberAfter(pdf.substr(pdf.rfind("trailer")), "/Info");
    return n ? fmt::format(" /Info {} 0 R", *n) : "";
  }();

  if (pdf.back() != '\n') pdf.push_back('\n');
  std::vector<std::pair<long, std::size_t>> offsets;
  offsets.emplace_back(*root, pdf.size());
  pdf += fmt::format("{} 0 obj{}endobj\n", *root, catalog);
  offsets.emplace_back(sig, pdf.size());
  pdf += fmt::format(
      "{} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite "
      "/SubFilter /adbe.pkcs7.detached\n",
      sig);
  const std::size_t byte_range_at = pdf.size();
  pdf += kByteRangePlaceholder;
  pdf += "\n/Contents ";
  const std::size_t contents_at = pdf.size();
  pdf += "<" + std::string(kContentsBytes * 2, '0') + ">";
  const std::size_t contents_end = pdf.size();
  pdf +=
      fmt::format("\n/M ({}) /Reason (SANDBOX konbini document) >>\nendobj\n",
                  PdfDate(clock.Now()));
  offsets.emplace_back(field, pdf.size());
  pdf += fmt::format(
      "{} 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig "
      "/T (Municipality) /V {} 0 R /F 132 /Rect [0 0 0 0] "
      ">>\nendobj\n",
      field, sig);
  offsets.emplace_back(form, pdf.size());
  pdf += fmt::format("{} 0 obj\n<< /Fields [{} 0 R] /SigFlags 3 >>\nendobj\n",
                     form, field);
  const std::size_t xref = pdf.size();
  pdf += fmt::format("xref\n{} 1\n{:010} 00000 n \n{} 3\n", *root,
                     offsets[0].second, sig);
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    pdf += fmt::format("{:010} 00000 n \n", offsets[i].second);
  }
  pdf += fmt::format(
      "trailer\n<< /Size {} /Root {} 0 R{} /Prev {} >>\nstartxref\n{}\n%%EOF\n",
      form + 1, *root, info, *prev, xref);

  const std::size_t tail = pdf.size() - contents_end;
  pdf.replace(byte_range_at, kByteRangePlaceholder.size(),
              fmt::format("/ByteRange [0 {:010} {:010} {:010}]", contents_at,
                          contents_end, tail));
  const std::string signed_bytes =
      pdf.substr(0, contents_at) + pdf.substr(contents_end);
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes cms,
      pki::SignDetached(ToBytes(signed_bytes), key, certificate, clock));
  if (cms.size() > kContentsBytes) return Malformed("signature too large");
  const std::string hex = ToHex(cms);
  pdf.replace(contents_at + 1, hex.size(), hex);
  return pdf;
}

Result<PdfSignature> ExtractPdfSignature(std::string_view pdf) {
  const std::size_t at = pdf.rfind("/ByteRange [");
  if (at == std::string_view::npos) return Malformed("not signed");
  long r[4] = {};
  std::size_t p = at + 12;
  for (long& v : r) {
    while (p < pdf.size() && pdf[p] == ' ') ++p;
    auto [end, ec] =
        std::from_chars(pdf.data() + p, pdf.data() + pdf.size(), v);
    if (ec != std::errc()) return Malformed("bad ByteRange");
    p = static_cast<std::size_t>(end - pdf.data());
  }
  const auto n = static_cast<long>(pdf.size());
  if (r[0] != 0 || r[1] <= 0 || r[2] <= r[1] || r[2] + r[3] != n ||
      pdf[static_cast<std::size_t>(r[1])] != '<' ||
      pdf[static_cast<std::size_t>(r[2] - 1)] != '>') {
    return Malformed("the signature does not cover the whole file");
  }
  PdfSignature s;
  s.signed_bytes = std::string(pdf.substr(0, static_cast<std::size_t>(r[1]))) +
                   std::string(pdf.substr(static_cast<std::size_t>(r[2])));
  std::string_view hex = pdf.substr(static_cast<std::size_t>(r[1]) + 1,
                                    static_cast<std::size_t>(r[2] - r[1] - 2));
  auto der = FromHex(hex);
  if (!der) return Malformed("bad /Contents");
  // The DER SEQUENCE's own length; the rest is the zero padding.
  Bytes& b = *der;
  if (b.size() < 4 || b[0] != 0x30) return Malformed("bad /Contents");
  std::size_t length = 0, header = 2;
  if (b[1] < 0x80) {
    length = b[1];
  } else {
    const std::size_t k = b[1] & 0x7f;
    if (k > 4 || b.size() < 2 + k) return Malformed("bad /Contents");
    for (std::size_t i = 0; i < k; ++i) length = length << 8 | b[2 + i];
    header = 2 + k;
  }
  if (header + length > b.size()) return Malformed("bad /Contents");
  s.cms_der.assign(b.begin(), b.begin() + static_cast<long>(header + length));
  return s;
}

}  // namespace openmyna::konbini
