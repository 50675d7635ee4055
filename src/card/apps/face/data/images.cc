#include "openmyna/card/faces/images.h"

#include <cairo.h>
#include <openjpeg.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <string>

#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/errors.h"

namespace openmyna::card::faces {
namespace {

struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceFree>;
struct CairoFree {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;

// BT.601 luma of a cairo RGB24/ARGB32 pixel (premultiplied; alpha ignored
// because the surfaces here are painted opaque).
std::uint8_t Luma(std::uint32_t argb) {
  const double r = (argb >> 16) & 0xFF, g = (argb >> 8) & 0xFF, b = argb & 0xFF;
  return static_cast<std::uint8_t>(
      std::lround(0.299 * r + 0.587 * g + 0.114 * b));
}

GrayImage ToGray(cairo_surface_t* surface) {
  cairo_surface_flush(surface);
  GrayImage out;
  out.width = cairo_image_surface_get_width(surface);
  out.height = cairo_image_surface_get_height(surface);
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < out.height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
    for (int x = 0; x < out.width; ++x) {
      out.pixels[static_cast<std::size_t>(y) * out.width + x] = Luma(row[x]);
    }
  }
  return out;
}

}  // namespace

Result<Bitmap> RenderTextBitmap(std::string_view text, int width, int height,
                                int max_font_px) {
  if (text.empty() || !IsUtf8(text)) {
    return Fail(FacesErrc::kInvalidArgument, "text must be non-empty UTF-8");
  }
  if (width <= 0 || height <= 0 || max_font_px <= 0 || width > 4096 ||
      height > 4096) {
    return Fail(FacesErrc::kInvalidArgument, "bad image size");
  }
  SurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  CairoPtr cr(cairo_create(surface.get()));
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());

  PangoLayout* layout = pango_cairo_create_layout(cr.get());
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_NONE);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_FULL);
  pango_cairo_context_set_font_options(pango_layout_get_context(layout),
                                       options);
  cairo_font_options_destroy(options);
  pango_layout_context_changed(layout);
  pango_layout_set_width(layout, width * PANGO_SCALE);
  pango_layout_set_wrap(layout, PANGO_WRAP_CHAR);
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));

  PangoFontDescription* font =
      pango_font_description_from_string(std::string(kCardFont).c_str());
  bool fits = false;
  PangoRectangle ink{}, logical{};
  for (int px = max_font_px; px >= 4 && !fits; --px) {
    pango_font_description_set_absolute_size(font, px * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_layout_get_pixel_extents(layout, &ink, &logical);
    fits = logical.height <= height && logical.width <= width;
    if (!fits && ink.height <= height && ink.width <= width && ink.y >= 0 &&
        px <= 12) {
      fits = true;  // tiny images: fit the glyphs, not the line box
    }
  }
  pango_font_description_free(font);
  if (!fits) {
    g_object_unref(layout);
    return Fail(FacesErrc::kRender, "text does not fit a " +
                                        std::to_string(width) + "x" +
                                        std::to_string(height) + " image");
  }
  // Vertically centre the inked part.
  const double y = (height - ink.height) / 2.0 - ink.y;
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  cairo_move_to(cr.get(), 0, std::floor(y));
  pango_cairo_show_layout(cr.get(), layout);
  g_object_unref(layout);

  GrayImage gray = ToGray(surface.get());
  Bitmap out(width, height);
  for (std::size_t i = 0; i < gray.pixels.size(); ++i) {
    out.ink[i] = gray.pixels[i] < 128 ? 1 : 0;
  }
  return out;
}

GrayImage PlaceholderPortrait(int width, int height) {
  SurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  CairoPtr cr(cairo_create(surface.get()));
  cairo_set_source_rgb(cr.get(), 0.85, 0.85, 0.85);  // background
  cairo_paint(cr.get());
  cairo_set_source_rgb(cr.get(), 0.45, 0.45, 0.45);  // silhouette
  const double w = width, h = height;
  // Shoulders: the top half of an ellipse standing on the bottom edge.
  cairo_save(cr.get());
  cairo_translate(cr.get(), w / 2, h * 1.02);
  cairo_scale(cr.get(), w * 0.46, h * 0.30);
  cairo_arc(cr.get(), 0, 0, 1, std::numbers::pi, 2 * std::numbers::pi);
  cairo_restore(cr.get());
  cairo_fill(cr.get());
  // Neck and head.
  cairo_rectangle(cr.get(), w * 0.42, h * 0.55, w * 0.16, h * 0.2);
  cairo_fill(cr.get());
  cairo_save(cr.get());
  cairo_translate(cr.get(), w / 2, h * 0.42);
  cairo_scale(cr.get(), w * 0.22, h * 0.2);
  cairo_arc(cr.get(), 0, 0, 1, 0, 2 * std::numbers::pi);
  cairo_restore(cr.get());
  cairo_fill(cr.get());
  return ToGray(surface.get());
}

Result<GrayImage> PhotoFromPng(ByteView png, int width, int height) {
  struct Reader {
    ByteView data;
    std::size_t pos = 0;
  } reader{png, 0};
  auto read = [](void* closure, unsigned char* out,
                 unsigned int length) -> cairo_status_t {
    auto* r = static_cast<Reader*>(closure);
    if (r->data.size() - r->pos < length) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(out, r->data.data() + r->pos, length);
    r->pos += length;
    return CAIRO_STATUS_SUCCESS;
  };
  SurfacePtr photo(cairo_image_surface_create_from_png_stream(read, &reader));
  if (cairo_surface_status(photo.get()) != CAIRO_STATUS_SUCCESS ||
      cairo_image_surface_get_width(photo.get()) <= 0) {
    return Fail(FacesErrc::kInvalidImage, "the photo is not a readable PNG");
  }
  const double pw = cairo_image_surface_get_width(photo.get());
  const double ph = cairo_image_surface_get_height(photo.get());
  SurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  CairoPtr cr(cairo_create(surface.get()));
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  const double scale = std::max(width / pw, height / ph);  // cover, crop
  cairo_translate(cr.get(), (width - pw * scale) / 2,
                  (height - ph * scale) / 2);
  cairo_scale(cr.get(), scale, scale);
  cairo_set_source_surface(cr.get(), photo.get(), 0, 0);
  // Repeat the edge pixels when filtering, instead of fading to the
  // background at the borders.
  cairo_pattern_set_extend(cairo_get_source(cr.get()), CAIRO_EXTEND_PAD);
  cairo_paint(cr.get());
  return ToGray(surface.get());
}

namespace {

struct MemoryStream {
  Bytes data;
  std::size_t pos = 0;
};

OPJ_SIZE_T StreamWrite(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->pos + n > s->data.size()) s->data.resize(s->pos + n);
  std::memcpy(s->data.data() + s->pos, buffer, n);
  s->pos += n;
  return n;
}
OPJ_OFF_T StreamSkip(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0 && static_cast<std::size_t>(-n) > s->pos) return -1;
  s->pos = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(s->pos) + n);
  if (s->pos > s->data.size()) s->data.resize(s->pos);
  return n;
}
OPJ_BOOL StreamSeek(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0) return OPJ_FALSE;
  s->pos = static_cast<std::size_t>(n);
  if (s->pos > s->data.size()) s->data.resize(s->pos);
  return OPJ_TRUE;
}

}  // namespace

Result<Bytes> EncodeJp2(const GrayImage& image, float compression_ratio) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() !=
          static_cast<std::size_t>(image.width) * image.height ||
      !(compression_ratio >= 1.0f)) {
    return Fail(FacesErrc::kInvalidArgument, "empty image or bad ratio");
  }
  opj_cparameters_t params;
  opj_set_default_encoder_parameters(&params);
  params.tcp_numlayers = 1;
  params.tcp_rates[0] = compression_ratio;
  params.cp_disto_alloc = 1;
  params.irreversible = 1;  // 9/7 wavelet, lossy like a photo on a chip
  int levels = 1;
  while (levels < 5 && (std::min(image.width, image.height) >> levels) >= 8) {
    ++levels;
  }
  params.numresolution = levels;

  opj_image_cmptparm_t component{};
  component.dx = component.dy = 1;
  component.w = static_cast<OPJ_UINT32>(image.width);
  component.h = static_cast<OPJ_UINT32>(image.height);
  component.prec = 8;
  component.sgnd = 0;
  opj_image_t* raw = opj_image_create(1, &component, OPJ_CLRSPC_GRAY);
  if (raw == nullptr) return Fail(FacesErrc::kRender, "openjpeg: no image");
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> jimage(
      raw, opj_image_destroy);
  jimage->x0 = jimage->y0 = 0;
  jimage->x1 = component.w;
  jimage->y1 = component.h;
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    jimage->comps[0].data[i] = image.pixels[i];
  }
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(
      opj_create_compress(OPJ_CODEC_JP2), opj_destroy_codec);
  MemoryStream memory;
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(
      opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE),
      opj_stream_destroy);
  if (!codec || !stream ||
      !opj_setup_encoder(codec.get(), &params, jimage.get())) {
    return Fail(FacesErrc::kRender, "openjpeg: encoder setup failed");
  }
  opj_stream_set_write_function(stream.get(), StreamWrite);
  opj_stream_set_skip_function(stream.get(), StreamSkip);
  opj_stream_set_seek_function(stream.get(), StreamSeek);
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  if (!opj_start_compress(codec.get(), jimage.get(), stream.get()) ||
      !opj_encode(codec.get(), stream.get()) ||
      !opj_end_compress(codec.get(), stream.get())) {
    return Fail(FacesErrc::kRender, "openjpeg: encoding failed");
  }
  stream.reset();  // flushes
  return memory.data;
}

}  // namespace openmyna::card::faces
