// Sign, ExtractSignature, FindKeywords (signature.h). The update appends a
// new catalog (with /AcroForm), the signature dictionary, its widget field
// and the form, an xref section for them and a trailer with /Prev
// (ISO 32000-1 §7.5.6); /Contents is reserved as zeros, /ByteRange written
// once the offsets are known, then the CMS over the two ranges put in.
#include "openmyna/pdf/signature.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <utility>
#include <vector>

#include "openmyna/pdf/errors.h"

namespace openmyna::pdf {
namespace {

constexpr std::size_t kContentsBytes = 6144;  // room for the CMS DER
constexpr std::string_view kByteRangePlaceholder =
    "/ByteRange [0 0000000000 0000000000 0000000000]";

auto Malformed(std::string_view what) {
  return Fail(PdfErrc::kMalformed, "PDF: " + std::string(what));
}
auto BadSignature(std::string_view what) {
  return Fail(PdfErrc::kBadSignature, "PDF: " + std::string(what));
}

std::optional<long> NumberAfter(std::string_view text, std::string_view key) {
  const std::size_t at = text.rfind(key);
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

// A PDF date (ISO 32000-1 §7.9.4) in UTC.
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

// A literal string's content (§7.3.4.2): the three characters that end or
// escape one are escaped.
std::string Literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<std::string> Sign(std::string pdf, const SignatureField& field,
                         const CmsSigner& sign) {
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
  const long sig = *size, widget = *size + 1, form = *size + 2;
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
  pdf += fmt::format("\n/M ({}) /Reason ({}) >>\nendobj\n",
                     PdfDate(field.signing_time), Literal(field.reason));
  offsets.emplace_back(widget, pdf.size());
  pdf += fmt::format(
      "{} 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig "
      "/T ({}) /V {} 0 R /F 132 /Rect [0 0 0 0] "
      ">>\nendobj\n",
      widget, Literal(field.name), sig);
  offsets.emplace_back(form, pdf.size());
  pdf += fmt::format("{} 0 obj\n<< /Fields [{} 0 R] /SigFlags 3 >>\nendobj\n",
                     form, widget);
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
  OPENMYNA_ASSIGN_OR_RETURN(Bytes cms, sign(ToBytes(signed_bytes)));
  if (cms.size() > kContentsBytes) {
    return Fail(PdfErrc::kInvalidInput, "PDF: signature too large");
  }
  const std::string hex = ToHex(cms);
  pdf.replace(contents_at + 1, hex.size(), hex);
  return pdf;
}

Result<Signature> ExtractSignature(std::string_view pdf) {
  const std::size_t at = pdf.rfind("/ByteRange [");
  if (at == std::string_view::npos) return BadSignature("not signed");
  long r[4] = {};
  std::size_t p = at + 12;
  for (long& v : r) {
    while (p < pdf.size() && pdf[p] == ' ') ++p;
    auto [end, ec] =
        std::from_chars(pdf.data() + p, pdf.data() + pdf.size(), v);
    if (ec != std::errc()) return BadSignature("bad ByteRange");
    p = static_cast<std::size_t>(end - pdf.data());
  }
  const auto n = static_cast<long>(pdf.size());
  if (r[0] != 0 || r[1] <= 0 || r[2] <= r[1] || r[2] + r[3] != n ||
      pdf[static_cast<std::size_t>(r[1])] != '<' ||
      pdf[static_cast<std::size_t>(r[2] - 1)] != '>') {
    return BadSignature("the signature does not cover the whole file");
  }
  Signature s;
  s.signed_bytes = std::string(pdf.substr(0, static_cast<std::size_t>(r[1]))) +
                   std::string(pdf.substr(static_cast<std::size_t>(r[2])));
  std::string_view hex = pdf.substr(static_cast<std::size_t>(r[1]) + 1,
                                    static_cast<std::size_t>(r[2] - r[1] - 2));
  auto der = FromHex(hex);
  if (!der) return BadSignature("bad /Contents");
  // The DER SEQUENCE's own length (X.690 §8.1.3); the rest is the padding.
  Bytes& b = *der;
  if (b.size() < 4 || b[0] != 0x30) return BadSignature("bad /Contents");
  std::size_t length = 0, header = 2;
  if (b[1] < 0x80) {
    length = b[1];
  } else {
    const std::size_t k = b[1] & 0x7f;
    if (k > 4 || b.size() < 2 + k) return BadSignature("bad /Contents");
    for (std::size_t i = 0; i < k; ++i) length = length << 8 | b[2 + i];
    header = 2 + k;
  }
  if (header + length > b.size()) return BadSignature("bad /Contents");
  s.cms_der.assign(b.begin(), b.begin() + static_cast<long>(header + length));
  return s;
}

std::optional<std::string> FindKeywords(std::string_view pdf) {
  const std::string_view key = "/Keywords (";
  const std::size_t at = pdf.rfind(key);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = at + key.size();
  const std::size_t end = pdf.find(')', start);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(pdf.substr(start, end - start));
}

}  // namespace openmyna::pdf
