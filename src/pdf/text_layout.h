// Internal: the pango layout every text piece of draw.h is made from.
#pragma once

#include <pango/pangocairo.h>

#include <memory>
#include <string_view>

#include "openmyna/pdf/draw.h"

namespace openmyna::pdf {

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;

// `text` in `style`'s font at `size_pt`, wrapped and aligned as it says.
LayoutPtr MakeLayout(cairo_t* cr, std::string_view text, double size_pt,
                     const TextStyle& style);

}  // namespace openmyna::pdf
