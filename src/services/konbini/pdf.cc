// Drawing of the printed document (pdf.h). Units are PDF points; the layout
// is given in millimetres (A4 = 210 x 297 mm, ISO 216).
#include "openmyna/services/konbini/pdf.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {
namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 210 * kMm;
constexpr double kPageHeight = 297 * kMm;
// IPAmj明朝 (fonts-ipamj-mincho: the 58,000 characters of the 文字情報基盤,
// names beyond JIS X 0208), Noto Sans CJK JP for anything it lacks.
constexpr const char* kFont = "IPAmjMincho, Noto Sans CJK JP";
constexpr const char* kBoldFont = "Noto Sans CJK JP";
constexpr double kQrSide = 62 * kMm;  // ~0.35 mm a module at version 40

cairo_status_t AppendTo(void* closure, const unsigned char* data,
                        unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct PngReader {
  std::string_view bytes;
  std::size_t at = 0;
};

cairo_status_t ReadFrom(void* closure, unsigned char* data,
                        unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->bytes.size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(r->bytes.data() + r->at, length, data);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;

LayoutPtr Layout(cairo_t* cr, std::string_view text, double size_pt,
                 bool bold = false, const char* family = kFont) {
  LayoutPtr layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_from_string(family);
  pango_font_description_set_absolute_size(font, size_pt * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_text(layout.get(), text.data(),
                        static_cast<int>(text.size()));
  return layout;
}

// Text that stays text in the PDF (pdftotext reads it), wrapped at
// `width_mm` when given; returns its height in mm.
double Text(cairo_t* cr, std::string_view text, double x_mm, double y_mm,
            double size_pt, bool bold = false, double width_mm = 0) {
  auto layout = Layout(cr, text, size_pt, bold);
  if (width_mm > 0) {
    pango_layout_set_width(layout.get(),
                           static_cast<int>(width_mm * kMm * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  cairo_move_to(cr, x_mm * kMm, y_mm * kMm);
  pango_cairo_show_layout(cr, layout.get());
  cairo_new_path(cr);
  int width = 0, height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  return static_cast<double>(height) / PANGO_SCALE / kMm;
}

// Text drawn as outlines: part of the picture, not of the extracted text.
// In a sans face with a true bold (a synthetic bold of the Mincho face
// doubles the outline points the PDF must carry). The same texts are on
// every page of every document: each outline is shaped once per process
// and kept (pango's shaping and FreeType's outlines cost more than the
// path itself).
void Outline(cairo_t* cr, const std::string& text, double size_pt) {
  struct PathDeleter {
    void operator()(cairo_path_t* p) const { cairo_path_destroy(p); }
  };
  static std::mutex mutex;
  static std::map<std::pair<std::string, double>,
                  std::unique_ptr<cairo_path_t, PathDeleter>>
      cache;
  std::lock_guard lock(mutex);
  auto& path = cache[{text, size_pt}];
  if (!path) {
    cairo_surface_t* scratch =
        cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, nullptr);
    cairo_t* sc = cairo_create(scratch);
    auto layout = Layout(sc, text, size_pt, true, kBoldFont);
    cairo_move_to(sc, 0, 0);
    pango_cairo_layout_path(sc, layout.get());
    path.reset(cairo_copy_path(sc));
    cairo_destroy(sc);
    cairo_surface_destroy(scratch);
  }
  cairo_new_path(cr);
  cairo_append_path(cr, path.get());
  cairo_fill(cr);
}

// Paints `draw` (in millimetre-free PDF units) as a tiling pattern of
// `w` x `h` points over the page: the tile is drawn once per document and
// repeated by the viewer (PDF 32000-1 §8.7.3.1), so the page's content
// stream stays small.
template <typename Draw>
void PaintTiled(cairo_t* cr, double w, double h, Draw draw) {
  const cairo_rectangle_t tile{0, 0, w, h};
  cairo_surface_t* cell =
      cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &tile);
  cairo_t* tc = cairo_create(cell);
  draw(tc);
  cairo_destroy(tc);
  cairo_pattern_t* pattern = cairo_pattern_create_for_surface(cell);
  cairo_pattern_set_extend(pattern, CAIRO_EXTEND_REPEAT);
  cairo_set_source(cr, pattern);
  cairo_paint(cr);
  cairo_pattern_destroy(pattern);
  cairo_surface_destroy(cell);
}

// The copy-warning background (地紋): fine guilloche waves and a lattice of
// 複製 outlines in a pale tint, which a photocopy coarsens. Both are tiles.
void CopyWarningPattern(cairo_t* cr) {
  cairo_save(cr);
  // Five waves of one period (8π mm), each a quarter period behind the
  // last, in a tile 16 mm high: the rows keep a guilloche's drift.
  constexpr int kRows = 5;
  constexpr double kPeriod = 8 * M_PI;  // mm: sin(x / 4)
  PaintTiled(cr, kPeriod * kMm, kRows * 3.2 * kMm, [](cairo_t* tc) {
    cairo_set_source_rgb(tc, 0.80, 0.88, 0.95);
    cairo_set_line_width(tc, 0.25);
    for (int row = 0; row < kRows; ++row) {
      const double y = 1.6 + row * 3.2;
      const double phase = row * 2 * M_PI / kRows;
      for (int i = 0; i <= 16; ++i) {
        const double x = kPeriod * i / 16;
        const double wave = y + 1.1 * std::sin(x / 4.0 + phase);
        if (i == 0) {
          cairo_move_to(tc, x * kMm, wave * kMm);
        } else {
          cairo_line_to(tc, x * kMm, wave * kMm);
        }
      }
      cairo_stroke(tc);
    }
  });
  PaintTiled(cr, 40 * kMm, 34 * kMm, [](cairo_t* tc) {
    cairo_set_source_rgb(tc, 0.86, 0.90, 0.96);
    cairo_translate(tc, 2 * kMm, 22 * kMm);
    cairo_rotate(tc, -M_PI / 12);
    Outline(tc, "複製 COPY", 14);
  });
  cairo_restore(cr);
}

// "SANDBOX — NOT AN OFFICIAL CERTIFICATE" across the page in a pale red,
// under the text (drawn before it, opaque: the PDF needs no transparency).
// Outlines, so that text extraction reads the page's lines undisturbed.
void SandboxBanner(cairo_t* cr) {
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.97, 0.80, 0.80);
  cairo_translate(cr, 30 * kMm, 240 * kMm);
  cairo_rotate(cr, -std::atan2(190.0, 150.0));
  Outline(cr, "SANDBOX — NOT AN OFFICIAL CERTIFICATE", 30);
  cairo_translate(cr, 30 * kMm, 16 * kMm);
  Outline(cr, "見本・公的証明書ではありません", 30);
  cairo_restore(cr);
}

// The municipal seal (a sandbox drawing): a red square with
// "<name>長之印" in vertical columns, right to left.
void MunicipalSeal(cairo_t* cr, const std::string& name, double x_mm,
                   double y_mm) {
  const double side = 24;
  cairo_save(cr);
  cairo_set_source_rgba(cr, 0.8, 0.05, 0.05, 0.85);
  cairo_set_line_width(cr, 1.2 * kMm);
  cairo_rectangle(cr, x_mm * kMm, y_mm * kMm, side * kMm, side * kMm);
  cairo_stroke(cr);
  std::vector<std::string> glyphs;
  const std::string text = name + "長之印";
  for (const char* p = text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
    glyphs.emplace_back(p, g_utf8_next_char(p) - p);
  }
  const int rows = 3;
  const int cols = std::max<int>(1, (glyphs.size() + rows - 1) / rows);
  const double cell_w = (side - 4) / cols;
  const double cell_h = (side - 4) / rows;
  for (std::size_t i = 0; i < glyphs.size(); ++i) {
    const int col = static_cast<int>(i) / rows;
    const int row = static_cast<int>(i) % rows;
    cairo_save(cr);
    cairo_translate(cr, (x_mm + side - 2 - (col + 1) * cell_w) * kMm,
                    (y_mm + 2 + row * cell_h) * kMm);
    Outline(cr, glyphs[i], std::min(cell_w, cell_h) * kMm * 0.8);
    cairo_restore(cr);
  }
  cairo_restore(cr);
}

// The registered impression at its registered size (印鑑登録証明書).
void SealImpression(cairo_t* cr, const std::string& png, double width_mm,
                    double height_mm, double x_mm, double y_mm) {
  PngReader reader{png};
  cairo_surface_t* image =
      cairo_image_surface_create_from_png_stream(&ReadFrom, &reader);
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS && width_mm > 0 &&
      height_mm > 0) {
    const int w = cairo_image_surface_get_width(image);
    const int h = cairo_image_surface_get_height(image);
    cairo_save(cr);
    cairo_translate(cr, x_mm * kMm, y_mm * kMm);
    cairo_scale(cr, width_mm * kMm / w, height_mm * kMm / h);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
  }
  cairo_surface_destroy(image);
}

Status QrCode(cairo_t* cr, const std::string& code, double x_mm, double y_mm) {
  QRcode* qr = QRcode_encodeData(
      static_cast<int>(code.size()),
      reinterpret_cast<const unsigned char*>(code.data()), 0, QR_ECLEVEL_L);
  if (qr == nullptr) {
    return Fail(KonbiniErrc::kInvalidInput,
                "the page's 2D code does not fit a QR code (" +
                    std::to_string(code.size()) + " bytes)");
  }
  const int quiet = 4;
  const int side = qr->width + 2 * quiet;
  // One pixel a module in a 1-bit mask (A1), painted black through it and
  // scaled without smoothing: the PDF holds a small stencil image
  // (/ImageMask, PDF 32000-1 §8.9.6.2) instead of a path per run.
  cairo_surface_t* mask =
      cairo_image_surface_create(CAIRO_FORMAT_A1, side, side);
  cairo_surface_flush(mask);
  unsigned char* bits = cairo_image_surface_get_data(mask);
  const int stride = cairo_image_surface_get_stride(mask);
  for (int y = 0; y < qr->width; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(bits + (y + quiet) * stride);
    for (int x = 0; x < qr->width; ++x) {
      if (qr->data[y * qr->width + x] & 1) {
        const int at = x + quiet;
        // A1 pixels are bits of native-endian 32-bit words (cairo.h).
        if constexpr (std::endian::native == std::endian::little) {
          row[at / 32] |= 1u << (at % 32);
        } else {
          row[at / 32] |= 1u << (31 - at % 32);
        }
      }
    }
  }
  cairo_surface_mark_dirty(mask);
  cairo_save(cr);
  cairo_translate(cr, x_mm * kMm, y_mm * kMm);
  cairo_scale(cr, kQrSide / side, kQrSide / side);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_pattern_t* modules = cairo_pattern_create_for_surface(mask);
  cairo_pattern_set_filter(modules, CAIRO_FILTER_NEAREST);
  cairo_mask(cr, modules);
  cairo_pattern_destroy(modules);
  cairo_restore(cr);
  cairo_surface_destroy(mask);
  QRcode_free(qr);
  return Ok();
}

Status DrawPage(cairo_t* cr, const PdfContent& c, const DocumentPage& page) {
  const Document& d = *c.document;
  CopyWarningPattern(cr);
  SandboxBanner(cr);
  // Headings in the Mincho face's regular weight: a synthetic bold could
  // not be embedded as a font (cairo makes a Type 3 font of outlines).
  cairo_set_source_rgb(cr, 0.75, 0.0, 0.0);
  Text(cr,
       "SANDBOX — NOT AN OFFICIAL CERTIFICATE / 見本・公的証明書ではありません",
       15, 8, 10);
  cairo_set_source_rgb(cr, 0, 0, 0);
  std::size_t first = 0;
  if (page.number == 1 && !page.lines.empty()) {
    Text(cr, page.lines[0], 15, 18, 22);
    first = 1;
  }
  Text(cr,
       d.municipality_name.empty() ? d.municipality_code : d.municipality_name,
       150, 20, 12);
  double y = 34;
  for (std::size_t i = first; i < page.lines.size(); ++i) {
    y += std::max(6.0, Text(cr, page.lines[i], 20, y, 10.5, false, 122) + 1.5);
  }
  if (d.certificate == domain::KonbiniCertificate::kInkan && page.number == 1 &&
      !c.seal_png.empty()) {
    Text(cr, "印影", 150, 40, 9);
    SealImpression(cr, c.seal_png, d.fields.value("width_mm", 0.0),
                   d.fields.value("height_mm", 0.0), 150, 46);
  }
  if (page.number == page.count) {
    MunicipalSeal(cr, d.municipality_name, 166, 196);
  }
  OPENMYNA_RETURN_IF_ERROR(QrCode(
      cr, c.page_codes[static_cast<std::size_t>(page.number - 1)], 15, 214));
  Text(cr,
       "この二次元コードは署名付きです。openmyna verify document または "
       "/verify/ で確認できます。",
       80, 262, 7);
  Text(cr,
       std::to_string(page.number) + "/" + std::to_string(page.count) +
           "  交付番号 " + d.request_id + "  " + d.issuer_request_id,
       80, 270, 8);
  Text(cr, "発行 " + d.issued_at + "  部数 " + std::to_string(d.copies), 80,
       276, 8);
  return Ok();
}

}  // namespace

Result<std::string> RenderDocumentPdf(const PdfContent& content) {
  if (content.document == nullptr ||
      content.page_codes.size() != content.document->pages.size()) {
    return Fail(KonbiniErrc::kInvalidInput, "one 2D code per page is needed");
  }
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(
      &AppendTo, &out, kPageWidth, kPageHeight);
  const Document& d = *content.document;
  cairo_pdf_surface_set_metadata(
      surface, CAIRO_PDF_METADATA_TITLE,
      (std::string(domain::KonbiniCertificateName(d.certificate)) + " " +
       d.request_id)
          .c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                 "OpenMyna konbini (SANDBOX)");
  if (!content.jws.empty()) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS,
                                   content.jws.c_str());
  }
  cairo_t* cr = cairo_create(surface);
  Status drawn = Ok();
  for (const DocumentPage& page : d.pages) {
    drawn = DrawPage(cr, content, page);
    if (!drawn) break;
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  OPENMYNA_RETURN_IF_ERROR(drawn);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(KonbiniErrc::kInternal,
                std::string("cairo: ") + cairo_status_to_string(status));
  }
  return out;
}

std::optional<std::string> FindDocumentJws(std::string_view pdf) {
  const std::string_view key = "/Keywords (";
  const std::size_t at = pdf.rfind(key);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = at + key.size();
  const std::size_t end = pdf.find(')', start);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(pdf.substr(start, end - start));
}

}  // namespace openmyna::konbini
