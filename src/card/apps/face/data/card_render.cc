#include "openmyna/card/faces/card_render.h"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <cmath>
#include <memory>
#include <string>

#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/images.h"
#include "openmyna/qr/qr_code.h"

namespace openmyna::card::faces {
namespace {

struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

// "1980年4月1日" (the card prints Gregorian dates with 年月日).
std::string JapaneseDate(domain::Date d) {
  return std::to_string(int(d.year())) + "年" +
         std::to_string(unsigned(d.month())) + "月" +
         std::to_string(unsigned(d.day())) + "日";
}

std::string_view SexWord(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "男";
    case Sex::kFemale:
      return "女";
    case Sex::kNotApplicable:
    case Sex::kUnknown:
      return "―";
  }
  return "―";
}

// Draws `text` at (x, y) (top left), `px` high, wrapped at `width` (0 = no
// wrapping), in grey level `grey`.
void Text(cairo_t* cr, std::string_view text, double x, double y, int px,
          int width = 0, double grey = 0.0, bool bold = false) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font =
      pango_font_description_from_string(std::string(kCardFont).c_str());
  pango_font_description_set_absolute_size(font, px * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, font);
  if (width > 0) {
    pango_layout_set_width(layout, width * PANGO_SCALE);
    pango_layout_set_wrap(layout, PANGO_WRAP_CHAR);
  }
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  cairo_set_source_rgb(cr, grey, grey, grey);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(font);
  g_object_unref(layout);
}

void Background(cairo_t* cr) {
  // Pale background with a guilloche-like pattern of thin curves
  // (domain.md §1 security printing, drawn as decoration only).
  cairo_set_source_rgb(cr, 0.96, 0.97, 0.99);
  cairo_paint(cr);
  cairo_set_line_width(cr, 0.8);
  cairo_set_source_rgba(cr, 0.55, 0.65, 0.85, 0.35);
  for (int i = 0; i < 40; ++i) {
    cairo_move_to(cr, 0, 20.0 + i * 16);
    for (int x = 0; x <= kCardWidthPx; x += 8) {
      cairo_line_to(cr, x, 20.0 + i * 16 + 7 * std::sin(x / 37.0 + i * 0.7));
    }
    cairo_stroke(cr);
  }
  cairo_set_source_rgb(cr, 0.2, 0.3, 0.55);
  cairo_set_line_width(cr, 3);
  cairo_rectangle(cr, 1.5, 1.5, kCardWidthPx - 3, kCardHeightPx - 3);
  cairo_stroke(cr);
  Text(cr, "SANDBOX — NOT A REAL CARD / 見本（OpenMyna）", 24, 600, 22, 0, 0.75,
       true);
}

void DrawGray(cairo_t* cr, const GrayImage& image, double x, double y) {
  std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, image.width,
                                 image.height));
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int row = 0; row < image.height; ++row) {
    auto* out = reinterpret_cast<std::uint32_t*>(data + row * stride);
    for (int col = 0; col < image.width; ++col) {
      std::uint32_t v =
          image.pixels[static_cast<std::size_t>(row) * image.width + col];
      out[col] = (v << 16) | (v << 8) | v;
    }
  }
  cairo_surface_mark_dirty(surface.get());
  cairo_set_source_surface(cr, surface.get(), x, y);
  cairo_paint(cr);
}

void Front(cairo_t* cr, const CardFaceView& v, const std::string& name,
           const GrayImage& photo) {
  Text(cr, "個人番号カード", 24, 18, 30, 0, 0.15, true);
  Text(cr, "氏名", 24, 80, 20, 0, 0.35);
  Text(cr, name, 90, 68, 40, 620, 0.0, true);
  Text(cr, "住所", 24, 150, 20, 0, 0.35);
  Text(cr, v.info.address, 90, 146, 26, 620);
  Text(cr, JapaneseDate(v.info.birth) + "生", 90, 250, 26);
  Text(cr, "性別", 470, 254, 20, 0, 0.35);
  Text(cr, SexWord(v.info.sex), 530, 250, 26);
  Text(cr, JapaneseDate(v.card_expiry) + "まで有効", 90, 300, 26, 0, 0.0, true);
  Text(cr, "セキュリティコード " + v.security_code, 90, 345, 20, 0, 0.35);
  DrawGray(cr, photo, 780, 60);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 1.5);
  cairo_rectangle(cr, 780, 60, photo.width, photo.height);
  cairo_stroke(cr);
  // 追記欄 (notes area).
  cairo_rectangle(cr, 24, 390, kCardWidthPx - 48, 195);
  cairo_stroke(cr);
  Text(cr, "追記欄", 34, 396, 18, 0, 0.35);
  double y = 424;
  for (const std::string& note : v.notes) {
    Text(cr, note, 34, y, 20, kCardWidthPx - 68);
    y += 30;
    if (y > 560) break;
  }
}

bool Back(cairo_t* cr, const CardFaceView& v, const std::string& name) {
  Text(cr, "個人番号", 24, 30, 22, 0, 0.35);
  Text(cr,
       v.number.substr(0, 4) + " " + v.number.substr(4, 4) + " " +
           v.number.substr(8, 4),
       150, 18, 48, 0, 0.0, true);
  Text(cr, "氏名", 24, 110, 20, 0, 0.35);
  Text(cr, name, 90, 100, 32);
  Text(cr, "生年月日", 24, 160, 20, 0, 0.35);
  Text(cr, JapaneseDate(v.info.birth), 130, 155, 26);
  // IC chip contacts (decoration).
  cairo_set_source_rgb(cr, 0.8, 0.7, 0.35);
  cairo_rectangle(cr, 820, 110, 110, 90);
  cairo_fill(cr);
  // QR code of the number, lower left (domain.md §1).
  const auto code =
      qr::Encode(v.number, qr::Level::kM, qr::Mask::kLowestPenalty);
  if (!code) return false;
  const int quiet = qr::kQuietZone;
  const double module = 300.0 / (code->width + 2 * quiet);
  const double x0 = 30, y0 = 250;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x0, y0, module * (code->width + 2 * quiet),
                  module * (code->width + 2 * quiet));
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < code->width; ++row) {
    for (int col = 0; col < code->width; ++col) {
      if (code->Dark(col, row)) {
        cairo_rectangle(cr, x0 + (col + quiet) * module,
                        y0 + (row + quiet) * module, module, module);
      }
    }
  }
  cairo_fill(cr);
  return true;
}

}  // namespace

Result<Bytes> RenderCardSidePng(const CardFaceView& view, CardSide side) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string number, CheckedNumber(view.number));
  OPENMYNA_ASSIGN_OR_RETURN(std::string name, CardName(view.info.name));
  if (view.info.address.empty() || !IsUtf8(view.info.address)) {
    return Fail(FacesErrc::kInvalidAddress, "address must be non-empty UTF-8");
  }
  OPENMYNA_RETURN_IF_ERROR(CardDate(view.info.birth));
  OPENMYNA_RETURN_IF_ERROR(CardDate(view.card_expiry));
  if (view.security_code.size() != 4 ||
      view.security_code.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(FacesErrc::kInvalidSecurityCode,
                "security code must be 4 digits");
  }
  for (const std::string& note : view.notes) {
    if (!IsUtf8(note)) {
      return Fail(FacesErrc::kInvalidArgument, "a note is not UTF-8");
    }
  }
  GrayImage photo = PlaceholderPortrait(200, 266);
  if (!view.photo_png.empty()) {
    OPENMYNA_ASSIGN_OR_RETURN(photo, PhotoFromPng(view.photo_png, 200, 266));
  }

  std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, kCardWidthPx,
                                 kCardHeightPx));
  std::unique_ptr<cairo_t, CairoFree> cr(cairo_create(surface.get()));
  Background(cr.get());
  if (side == CardSide::kFront) {
    Front(cr.get(), view, name, photo);
  } else if (!Back(cr.get(), view, name)) {
    return Fail(FacesErrc::kRender, "libqrencode failed");
  }
  cairo_surface_flush(surface.get());
  Bytes png;
  auto write = [](void* closure, const unsigned char* data,
                  unsigned int length) -> cairo_status_t {
    auto* out = static_cast<Bytes*>(closure);
    out->insert(out->end(), data, data + length);
    return CAIRO_STATUS_SUCCESS;
  };
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS ||
      cairo_surface_write_to_png_stream(surface.get(), write, &png) !=
          CAIRO_STATUS_SUCCESS) {
    return Fail(FacesErrc::kRender, "cairo could not write the PNG");
  }
  return png;
}

}  // namespace openmyna::card::faces
