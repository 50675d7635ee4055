// Drawing pieces for PDF pages (document.h): text that stays text (so that
// pdftotext reads it) in Japanese fonts, text as outlines (part of the
// picture), ruled tables, QR codes (ISO/IEC 18004, libqrencode), PNG images
// at a given size, tiling patterns, the SANDBOX banner. Positions and sizes
// in millimetres from the page's top left, font sizes in points. Every
// function leaves the cairo state (source, transformation) as it found it,
// except Outline, which fills with the current source.
#pragma once

#include <cairo.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/qr/qr_code.h"

namespace openmyna::pdf {

// IPAmj明朝 (fonts-ipamj-mincho: the 58,000 characters of the 文字情報基盤,
// names beyond JIS X 0208), Noto Sans CJK JP for anything it lacks.
inline constexpr const char* kMincho = "IPAmjMincho, Noto Sans CJK JP";
// Noto Sans CJK JP (fonts-noto-cjk), which has a true bold.
inline constexpr const char* kGothic = "Noto Sans CJK JP";

enum class Align { kLeft, kCenter, kRight };

struct TextStyle {
  const char* family = kMincho;
  // A synthetic bold of a face without one is drawn by cairo as a Type 3
  // font of outlines: use kGothic for bold text.
  bool bold = false;
  // Wrapped at this width (words, else characters) when > 0; also the box
  // that kCenter and kRight align in.
  double width_mm = 0;
  Align align = Align::kLeft;
};

// Draws `text` (UTF-8; '\n' breaks lines) with its top left at (x, y) and
// returns its height in mm.
double Text(cairo_t* cr, std::string_view text, double x_mm, double y_mm,
            double size_pt, const TextStyle& style = {});

// The width in mm `text` takes in one line.
double TextWidth(cairo_t* cr, std::string_view text, double size_pt,
                 const TextStyle& style = {});

// Appends and fills `text` as outlines at the current point of the current
// transformation (origin = the text's top left), in bold kGothic: text
// extraction does not see it. Each (text, size) is shaped once per process
// and kept (pango's shaping and FreeType's outlines cost more than the path
// itself); thread-safe.
void Outline(cairo_t* cr, const std::string& text, double size_pt);

// Paints `draw`'s picture, drawn once into a `w_pt` x `h_pt` tile, repeated
// over the whole clip (a tiling pattern, ISO 32000-1 §8.7.3.1: the page's
// content stream stays small).
void PaintTiled(cairo_t* cr, double w_pt, double h_pt,
                const std::function<void(cairo_t*)>& draw);

// The two lines across an A4 page, diagonally from bottom left, in a pale
// red, as outlines (text extraction reads the page's lines undisturbed).
// Draw it before the text: it is opaque and needs no transparency.
void SandboxBanner(cairo_t* cr, const std::string& line1,
                   const std::string& line2);

// A QR code of `data` (byte mode, error correction L, the smallest version
// that holds it) with its 4-module quiet zone, `side_mm` square including the
// quiet zone, on white. Drawn as a 1-bit stencil image (/ImageMask, ISO
// 32000-1 §8.9.6.2), one pixel a module, scaled without smoothing.
// kInvalidInput when the data does not fit version 40. Documents use mask
// pattern 000 by default (qr_code.h: ≈ 2 ms less a page at version 26;
// pdf_test reads such codes from degraded prints).
Status QrCode(cairo_t* cr, std::string_view data, double x_mm, double y_mm,
              double side_mm, qr::Mask mask = qr::Mask::kPattern000);

// A PNG image scaled to `w_mm` x `h_mm` without smoothing. kInvalidInput
// when `png` is not a PNG cairo can read or a size is not positive.
Status PngImage(cairo_t* cr, std::string_view png, double x_mm, double y_mm,
                double w_mm, double h_mm);

// A ruled table: one row a vector of cells, one width a column. Cells wrap
// at their column's width; a row is as tall as its tallest cell plus the
// padding. The first `shaded_columns` columns (labels) are drawn on a pale
// grey. Returns the table's height in mm.
struct TableStyle {
  double size_pt = 10;
  double padding_mm = 1.5;
  double rule_pt = 0.5;
  int shaded_columns = 0;
  TextStyle text;
};
double Table(cairo_t* cr, const std::vector<std::vector<std::string>>& rows,
             const std::vector<double>& column_widths_mm, double x_mm,
             double y_mm, const TableStyle& style = {});

}  // namespace openmyna::pdf
