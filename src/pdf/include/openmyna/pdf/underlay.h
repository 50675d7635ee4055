// Drawing that is the same under every page of many documents (a
// copy-warning background, a banner), drawn by cairo ONCE and then placed
// under the content of each page of later PDFs as one Form XObject (ISO
// 32000-1 §8.10) by an incremental update (§7.5.6). A document then costs a
// copy of the underlay's compressed bytes, not cairo formatting and
// compressing its paths again (most of a konbini page's drawing time, perf).
//
// The underlay is the content stream of a one-page PDF cairo made of the
// drawing, with the objects its resources reach (patterns, forms, images),
// renumbered into each PDF it is placed in. The page's own content draws
// over it, as if the underlay had been drawn first on the page.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/pdf/document.h"

namespace openmyna::pdf {

class Underlay {
 public:
  // Draws `draw` on one page of `size` (points, origin at the top left, as
  // Render's DrawPage). kInternal when cairo fails, kMalformed when its PDF
  // is not one this library reads.
  static Result<Underlay> Draw(const PageSize& size,
                               const std::function<void(cairo_t*)>& draw);

  // `pdf` (a file as Render makes it, or with underlays placed already:
  // classic xref sections, pages with indirect resources whose /XObject is
  // inline or an object of its own) with the underlay
  // under the content of every page, or of page `only` (1-based) alone.
  // kMalformed when a page is not of that form, kInvalidInput when there is
  // no page `only`.
  Result<std::string> PlaceUnder(std::string pdf,
                                 std::optional<int> only = {}) const;

 private:
  // One object to write: its text with references to other objects of
  // the underlay between, as (text, index of the referenced object or -1).
  struct Object {
    std::vector<std::pair<std::string, int>> parts;
  };
  std::vector<Object> objects_;  // objects_[0]: the Form XObject
};

}  // namespace openmyna::pdf
