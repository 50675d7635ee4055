// Table (draw.h): rows measured first, then shaded, ruled and filled.
#include <algorithm>

#include "openmyna/pdf/document.h"
#include "openmyna/pdf/draw.h"
#include "text_layout.h"

namespace openmyna::pdf {

double Table(cairo_t* cr, const std::vector<std::vector<std::string>>& rows,
             const std::vector<double>& column_widths_mm, double x_mm,
             double y_mm, const TableStyle& style) {
  const double pad = style.padding_mm;
  double width = 0;
  for (double w : column_widths_mm) width += w;
  std::vector<double> heights;
  for (const auto& row : rows) {
    double tallest = 0;
    for (std::size_t c = 0; c < row.size() && c < column_widths_mm.size();
         ++c) {
      TextStyle cell = style.text;
      cell.width_mm = column_widths_mm[c] - 2 * pad;
      auto layout = MakeLayout(cr, row[c], style.size_pt, cell);
      int w = 0, h = 0;
      pango_layout_get_size(layout.get(), &w, &h);
      tallest = std::max(tallest, static_cast<double>(h) / PANGO_SCALE / kMm);
    }
    heights.push_back(tallest + 2 * pad);
  }
  double total = 0;
  for (double h : heights) total += h;

  cairo_save(cr);
  if (style.shaded_columns > 0) {
    double shaded = 0;
    for (int c = 0; c < style.shaded_columns &&
                    c < static_cast<int>(column_widths_mm.size());
         ++c) {
      shaded += column_widths_mm[static_cast<std::size_t>(c)];
    }
    cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
    cairo_rectangle(cr, x_mm * kMm, y_mm * kMm, shaded * kMm, total * kMm);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, style.rule_pt);
  cairo_rectangle(cr, x_mm * kMm, y_mm * kMm, width * kMm, total * kMm);
  double y = y_mm;
  for (std::size_t r = 0; r + 1 < heights.size(); ++r) {
    y += heights[r];
    cairo_move_to(cr, x_mm * kMm, y * kMm);
    cairo_line_to(cr, (x_mm + width) * kMm, y * kMm);
  }
  double x = x_mm;
  for (std::size_t c = 0; c + 1 < column_widths_mm.size(); ++c) {
    x += column_widths_mm[c];
    cairo_move_to(cr, x * kMm, y_mm * kMm);
    cairo_line_to(cr, x * kMm, (y_mm + total) * kMm);
  }
  cairo_stroke(cr);
  y = y_mm;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    x = x_mm;
    for (std::size_t c = 0; c < rows[r].size() && c < column_widths_mm.size();
         ++c) {
      TextStyle cell = style.text;
      cell.width_mm = column_widths_mm[c] - 2 * pad;
      Text(cr, rows[r][c], x + pad, y + pad, style.size_pt, cell);
      x += column_widths_mm[c];
    }
    y += heights[r];
  }
  cairo_restore(cr);
  return total;
}

}  // namespace openmyna::pdf
