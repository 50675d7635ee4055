// Text, outlines, tiles, the banner, QR codes and images (draw.h).
#include "openmyna/pdf/draw.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "openmyna/pdf/document.h"
#include "openmyna/pdf/errors.h"
#include "text_layout.h"

namespace openmyna::pdf {
namespace {

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

}  // namespace

LayoutPtr MakeLayout(cairo_t* cr, std::string_view text, double size_pt,
                     const TextStyle& style) {
  LayoutPtr layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_from_string(style.family);
  pango_font_description_set_absolute_size(font, size_pt * PANGO_SCALE);
  if (style.bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_text(layout.get(), text.data(),
                        static_cast<int>(text.size()));
  if (style.width_mm > 0) {
    pango_layout_set_width(
        layout.get(), static_cast<int>(style.width_mm * kMm * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(
        layout.get(), style.align == Align::kCenter  ? PANGO_ALIGN_CENTER
                      : style.align == Align::kRight ? PANGO_ALIGN_RIGHT
                                                     : PANGO_ALIGN_LEFT);
  }
  return layout;
}

double Text(cairo_t* cr, std::string_view text, double x_mm, double y_mm,
            double size_pt, const TextStyle& style) {
  auto layout = MakeLayout(cr, text, size_pt, style);
  cairo_move_to(cr, x_mm * kMm, y_mm * kMm);
  pango_cairo_show_layout(cr, layout.get());
  cairo_new_path(cr);
  int width = 0, height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  return static_cast<double>(height) / PANGO_SCALE / kMm;
}

double TextWidth(cairo_t* cr, std::string_view text, double size_pt,
                 const TextStyle& style) {
  TextStyle one_line = style;
  one_line.width_mm = 0;
  auto layout = MakeLayout(cr, text, size_pt, one_line);
  int width = 0, height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  return static_cast<double>(width) / PANGO_SCALE / kMm;
}

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
    auto layout =
        MakeLayout(sc, text, size_pt, {.family = kGothic, .bold = true});
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

void PaintTiled(cairo_t* cr, double w_pt, double h_pt,
                const std::function<void(cairo_t*)>& draw) {
  const cairo_rectangle_t tile{0, 0, w_pt, h_pt};
  cairo_surface_t* cell =
      cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &tile);
  cairo_t* tc = cairo_create(cell);
  draw(tc);
  cairo_destroy(tc);
  cairo_save(cr);
  cairo_pattern_t* pattern = cairo_pattern_create_for_surface(cell);
  cairo_pattern_set_extend(pattern, CAIRO_EXTEND_REPEAT);
  cairo_set_source(cr, pattern);
  cairo_paint(cr);
  cairo_pattern_destroy(pattern);
  cairo_surface_destroy(cell);
  cairo_restore(cr);
}

void SandboxBanner(cairo_t* cr, const std::string& line1,
                   const std::string& line2) {
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.97, 0.80, 0.80);
  // Along the diagonal from (30, 240) mm towards the top right.
  cairo_translate(cr, 30 * kMm, 240 * kMm);
  cairo_rotate(cr, -std::atan2(190.0, 150.0));
  Outline(cr, line1, 30);
  cairo_translate(cr, 30 * kMm, 16 * kMm);
  Outline(cr, line2, 30);
  cairo_restore(cr);
}

Status QrCode(cairo_t* cr, std::string_view data, double x_mm, double y_mm,
              double side_mm, qr::Mask mask) {
  const auto code = qr::Encode(data, qr::Level::kL, mask);
  if (!code) {
    return Fail(PdfErrc::kInvalidInput, "the data does not fit a QR code (" +
                                            std::to_string(data.size()) +
                                            " bytes)");
  }
  const int quiet = qr::kQuietZone;
  const int side = code->width + 2 * quiet;
  cairo_surface_t* stencil =
      cairo_image_surface_create(CAIRO_FORMAT_A1, side, side);
  cairo_surface_flush(stencil);
  unsigned char* bits = cairo_image_surface_get_data(stencil);
  const int stride = cairo_image_surface_get_stride(stencil);
  for (int y = 0; y < code->width; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(bits + (y + quiet) * stride);
    for (int x = 0; x < code->width; ++x) {
      if (code->Dark(x, y)) {
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
  cairo_surface_mark_dirty(stencil);
  cairo_save(cr);
  cairo_translate(cr, x_mm * kMm, y_mm * kMm);
  cairo_scale(cr, side_mm * kMm / side, side_mm * kMm / side);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_pattern_t* modules = cairo_pattern_create_for_surface(stencil);
  cairo_pattern_set_filter(modules, CAIRO_FILTER_NEAREST);
  cairo_mask(cr, modules);
  cairo_pattern_destroy(modules);
  cairo_restore(cr);
  cairo_surface_destroy(stencil);
  return Ok();
}

Status PngImage(cairo_t* cr, std::string_view png, double x_mm, double y_mm,
                double w_mm, double h_mm) {
  PngReader reader{png};
  cairo_surface_t* image =
      cairo_image_surface_create_from_png_stream(&ReadFrom, &reader);
  const bool readable = cairo_surface_status(image) == CAIRO_STATUS_SUCCESS &&
                        w_mm > 0 && h_mm > 0;
  if (readable) {
    const int w = cairo_image_surface_get_width(image);
    const int h = cairo_image_surface_get_height(image);
    cairo_save(cr);
    cairo_translate(cr, x_mm * kMm, y_mm * kMm);
    cairo_scale(cr, w_mm * kMm / w, h_mm * kMm / h);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
  }
  cairo_surface_destroy(image);
  if (!readable) {
    return Fail(PdfErrc::kInvalidInput, "not a readable PNG of some size");
  }
  return Ok();
}

}  // namespace openmyna::pdf
