// Render (document.h): one cairo PDF surface writing into a string.
#include "openmyna/pdf/document.h"

#include <cairo-pdf.h>

#include "openmyna/pdf/errors.h"

namespace openmyna::pdf {
namespace {

cairo_status_t AppendTo(void* closure, const unsigned char* data,
                        unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void SetMetadata(cairo_surface_t* surface, cairo_pdf_metadata_t key,
                 const std::string& value) {
  if (!value.empty()) {
    cairo_pdf_surface_set_metadata(surface, key, value.c_str());
  }
}

}  // namespace

Result<std::string> Render(const PageSize& size, const Metadata& metadata,
                           int pages, const DrawPage& draw) {
  if (pages < 1 || size.width_mm <= 0 || size.height_mm <= 0) {
    return Fail(PdfErrc::kInvalidInput, "a PDF needs a page of some size");
  }
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(
      &AppendTo, &out, size.width_mm * kMm, size.height_mm * kMm);
  SetMetadata(surface, CAIRO_PDF_METADATA_TITLE, metadata.title);
  SetMetadata(surface, CAIRO_PDF_METADATA_AUTHOR, metadata.author);
  SetMetadata(surface, CAIRO_PDF_METADATA_SUBJECT, metadata.subject);
  SetMetadata(surface, CAIRO_PDF_METADATA_KEYWORDS, metadata.keywords);
  SetMetadata(surface, CAIRO_PDF_METADATA_CREATOR, metadata.creator);
  cairo_t* cr = cairo_create(surface);
  Status drawn = Ok();
  for (int i = 0; i < pages && drawn; ++i) {
    cairo_save(cr);
    drawn = draw(cr, i);
    cairo_restore(cr);
    cairo_new_path(cr);
    if (drawn) cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  OPENMYNA_RETURN_IF_ERROR(drawn);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Fail(PdfErrc::kInternal,
                std::string("cairo: ") + cairo_status_to_string(status));
  }
  return out;
}

}  // namespace openmyna::pdf
