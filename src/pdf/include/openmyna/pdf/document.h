// A PDF drawn with cairo (PDF surface) and pango: the page set-up, the
// document information dictionary (ISO 32000-1 §14.3.3) and the units the
// layouts use. The drawing itself is the caller's, on a cairo_t, with the
// pieces of draw.h; fonts are embedded by cairo as subsets (pdffonts shows
// "emb yes" for every font of the text).
//
// Shared by the services that print (konbini certificates, the insurance
// documents); it knows no document's content.
#pragma once

#include <cairo.h>

#include <functional>
#include <string>

#include "openmyna/base/result.h"

namespace openmyna::pdf {

// PDF user space is in points (1/72 inch); layouts are given in millimetres.
inline constexpr double kMm = 72.0 / 25.4;

struct PageSize {
  double width_mm = 210;
  double height_mm = 297;
};
// ISO 216.
inline constexpr PageSize kA4{210, 297};

// The information dictionary; empty fields are left out. Keywords carries
// machine-readable data some documents need to find again (FindKeywords in
// signature.h); it must not contain an unbalanced parenthesis.
struct Metadata {
  std::string title;
  std::string author;
  std::string subject;
  std::string keywords;
  std::string creator;
};

// Draws page `index` (0-based) on `cr`, in points with the origin at the
// top left; `cr` is fresh (source black, no path) for every page.
using DrawPage = std::function<Status(cairo_t* cr, int index)>;

// Renders `pages` pages of `size` and returns the PDF's bytes. The first
// error `draw` returns stops the rendering and is returned as is; cairo's
// own failures are kInternal. Thread-safe (one cairo surface per call).
Result<std::string> Render(const PageSize& size, const Metadata& metadata,
                           int pages, const DrawPage& draw);

}  // namespace openmyna::pdf
