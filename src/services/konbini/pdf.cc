// Drawing of the printed document (pdf.h) on the shared PDF pieces
// (openmyna/pdf): this file keeps what is a konbini certificate's own — the
// copy-warning background, the municipal seal, the page's layout. The layout
// is given in millimetres (A4 = 210 x 297 mm, ISO 216).
#include "openmyna/services/konbini/pdf.h"

#include <glib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "openmyna/pdf/document.h"
#include "openmyna/pdf/draw.h"
#include "openmyna/pdf/errors.h"
#include "openmyna/pdf/signature.h"
#include "openmyna/pdf/underlay.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {
namespace {

using pdf::kMm;
using pdf::Outline;
using pdf::PaintTiled;
using pdf::Text;

constexpr double kQrSide = 62;  // mm: ~0.35 mm a module at version 40

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

// The copy-warning background and the diagonal SANDBOX banner: the same
// under every page of every document, so drawn once per process and placed
// under each page (pdf::Underlay) — cairo formatting and compressing their
// outlines again was half of a page's drawing time (perf).
Result<const pdf::Underlay*> StaticLayer() {
  static const Result<pdf::Underlay> layer =
      pdf::Underlay::Draw(pdf::kA4, [](cairo_t* cr) {
        CopyWarningPattern(cr);
        pdf::SandboxBanner(cr, "SANDBOX — NOT AN OFFICIAL CERTIFICATE",
                           "見本・公的証明書ではありません");
        // The texts of every page, as text (with their own font subset).
        // Headings in the Mincho face's regular weight: a synthetic bold
        // could not be embedded as a font (cairo makes a Type 3 font).
        cairo_set_source_rgb(cr, 0.75, 0.0, 0.0);
        Text(cr,
             "SANDBOX — NOT AN OFFICIAL CERTIFICATE / "
             "見本・公的証明書ではありません",
             15, 8, 10);
        cairo_set_source_rgb(cr, 0, 0, 0);
        Text(cr,
             "この二次元コードは署名付きです。openmyna verify document または "
             "/verify/ で確認できます。",
             80, 262, 7);
      });
  if (!layer) return Unexpected(layer.error());
  return &*layer;
}

// The municipal seal of `name` on the last page, drawn once per
// municipality and placed as StaticLayer is (under the text, as a stamp).
Result<const pdf::Underlay*> SealLayer(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, Result<pdf::Underlay>> seals;
  std::lock_guard lock(mutex);
  auto it = seals.find(name);
  if (it == seals.end()) {
    it = seals
             .emplace(name, pdf::Underlay::Draw(pdf::kA4,
                                                [&](cairo_t* cr) {
                                                  MunicipalSeal(cr, name, 166,
                                                                196);
                                                }))
             .first;
  }
  if (!it->second) return Unexpected(it->second.error());
  return &*it->second;
}

// The rendered pages with the seal under the last and the static layer
// under every one.
Result<std::string> PlaceLayers(std::string pdf, const Document& d) {
  OPENMYNA_ASSIGN_OR_RETURN(const pdf::Underlay* seal,
                            SealLayer(d.municipality_name));
  OPENMYNA_ASSIGN_OR_RETURN(
      pdf, seal->PlaceUnder(std::move(pdf), static_cast<int>(d.pages.size())));
  OPENMYNA_ASSIGN_OR_RETURN(const pdf::Underlay* layer, StaticLayer());
  return layer->PlaceUnder(std::move(pdf));
}

// The page, over the static layer and the seal (PlaceLayers).
Status DrawPage(cairo_t* cr, const PdfContent& c, const DocumentPage& page) {
  const Document& d = *c.document;
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
    y += std::max(
        6.0, Text(cr, page.lines[i], 20, y, 10.5, {.width_mm = 122}) + 1.5);
  }
  if (d.certificate == domain::KonbiniCertificate::kInkan && page.number == 1 &&
      !c.seal_png.empty()) {
    Text(cr, "印影", 150, 40, 9);
    // At its registered size; an unreadable impression is left out.
    (void)pdf::PngImage(cr, c.seal_png, 150, 46,
                        d.fields.value("width_mm", 0.0),
                        d.fields.value("height_mm", 0.0));
  }
  auto qr =
      pdf::QrCode(cr, c.page_codes[static_cast<std::size_t>(page.number - 1)],
                  15, 214, kQrSide);
  if (!qr) {
    return Fail(KonbiniErrc::kInvalidInput,
                "the page's 2D code: " + qr.error().message());
  }
  // Each request id on its own line: both on one ran off the page's edge.
  Text(cr,
       std::to_string(page.number) + "/" + std::to_string(page.count) +
           "  交付番号 " + d.request_id,
       80, 267, 8);
  Text(cr, "発行番号 " + d.issuer_request_id, 80, 272, 8);
  Text(cr, "発行 " + d.issued_at + "  部数 " + std::to_string(d.copies), 80,
       277, 8);
  return Ok();
}

}  // namespace

Result<std::string> RenderDocumentPdf(const PdfContent& content) {
  if (content.document == nullptr ||
      content.page_codes.size() != content.document->pages.size()) {
    return Fail(KonbiniErrc::kInvalidInput, "one 2D code per page is needed");
  }
  const Document& d = *content.document;
  pdf::Metadata metadata;
  metadata.title = std::string(domain::KonbiniCertificateName(d.certificate)) +
                   " " + d.request_id;
  metadata.creator = "OpenMyna konbini (SANDBOX)";
  metadata.keywords = content.jws;
  auto rendered = pdf::Render(
      pdf::kA4, metadata, static_cast<int>(d.pages.size()),
      [&](cairo_t* cr, int index) {
        return DrawPage(cr, content, d.pages[static_cast<std::size_t>(index)]);
      });
  if (rendered) rendered = PlaceLayers(*std::move(rendered), d);
  if (!rendered && rendered.error().library() == "pdf") {
    return Fail(rendered.error().Is(pdf::PdfErrc::kInvalidInput)
                    ? KonbiniErrc::kInvalidInput
                    : KonbiniErrc::kInternal,
                rendered.error().message());
  }
  return rendered;
}

std::optional<std::string> FindDocumentJws(std::string_view file) {
  return pdf::FindKeywords(file);
}

}  // namespace openmyna::konbini
