// openmyna_konbini_bench [PAGES] [OUT.pdf]
//
// Renders PAGES one-page documents with konbini::RenderDocumentPdf (the
// copy-warning background, the banner, the seal, the signed QR code) and,
// in the same process, the same lines drawn on an A4 PDF page by plain
// cairo/pango: the floor. Prints pages per second of both and their ratio
// (issue 11 goal: >= 0.5x of the floor), by the CPU time of this thread
// (so that other processes on a shared machine do not skew the ratio) and
// by the wall clock. Never fails on a time. OUT.pdf: the last document.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "openmyna/services/konbini/document.h"
#include "openmyna/services/konbini/pdf.h"

namespace {

using namespace openmyna;
using Steady = std::chrono::steady_clock;

double Seconds(Steady::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU seconds of this thread.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

cairo_status_t Discard(void* closure, const unsigned char*, unsigned int n) {
  *static_cast<std::size_t*>(closure) += n;
  return CAIRO_STATUS_SUCCESS;
}

// The floor: the same lines, one pango layout each, on an A4 PDF page.
std::size_t PlainPage(const konbini::DocumentPage& page) {
  std::size_t bytes = 0;
  const double mm = 72.0 / 25.4;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(&Discard, &bytes, 210 * mm, 297 * mm);
  cairo_t* cr = cairo_create(surface);
  PangoFontDescription* font =
      pango_font_description_from_string("IPAmjMincho, Noto Sans CJK JP 10.5");
  double y = 34;
  for (const std::string& line : page.lines) {
    PangoLayout* layout = pango_cairo_create_layout(cr);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_text(layout, line.data(), static_cast<int>(line.size()));
    cairo_move_to(cr, 20 * mm, y * mm);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    y += 6.4;
  }
  pango_font_description_free(font);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  const int pages = argc > 1 ? std::atoi(argv[1]) : 30;
  if (pages <= 0) {
    std::fprintf(stderr, "usage: %s [PAGES > 0]\n", argv[0]);
    return 2;
  }
  auto signer = konbini::DocumentSigner::Generate("bench");
  if (!signer) return 1;
  konbini::Document doc;
  doc.request_id = "req-00112233445566778899aabbccddeeff";
  doc.issuer_request_id = "iss-00112233445566778899aabbccddeeff";
  doc.municipality_code = "20218";
  doc.municipality_name = "千曲市";
  doc.subject = "r-bench";
  doc.issued_at = "2026-11-26T01:00:00Z";
  doc.fields = {
      {"address", "長野県千曲市大字杭瀬下84番地"},
      {"persons", {{{"name", "千曲 太郎"}}, {{"name", "千曲 花子"}}}}};
  konbini::DocumentPage page{1, 1, {"住民票の写し"}};
  for (const char* person : {"千曲 太郎", "千曲 花子", "千曲 一郎"}) {
    page.lines.push_back(std::string("氏名 ") + person);
    page.lines.push_back("生年月日 1980-05-05  性別 男");
    page.lines.push_back("住民となった年月日 2010-04-01");
    page.lines.push_back("住所を定めた年月日 2010-04-01");
    page.lines.push_back("本籍 長野県千曲市大字杭瀬下84番地  筆頭者 千曲 太郎");
    page.lines.push_back("");
  }
  page.lines.push_back("この写しは、住民票の原本と相違ないことを証明する。");
  doc.pages = {page};
  auto jws = (*signer)->Sign(doc);
  auto code = (*signer)->SignPage(doc, 1);
  if (!jws || !code) return 1;
  const konbini::PdfContent content{&doc, {*code}, *jws, ""};

  PlainPage(page);  // fonts loaded before either timing
  (void)konbini::RenderDocumentPdf(content);
  auto start = Steady::now();
  double cpu = CpuSeconds();
  std::size_t plain_bytes = 0;
  for (int i = 0; i < pages; ++i) plain_bytes = PlainPage(page);
  const double plain = Seconds(Steady::now() - start);
  const double plain_cpu = CpuSeconds() - cpu;

  start = Steady::now();
  cpu = CpuSeconds();
  std::string pdf;
  for (int i = 0; i < pages; ++i) {
    auto rendered = konbini::RenderDocumentPdf(content);
    if (!rendered) return 1;
    pdf = *std::move(rendered);
  }
  const double ours = Seconds(Steady::now() - start);
  const double ours_cpu = CpuSeconds() - cpu;

  std::printf(
      "plain cairo/pango page (floor): %8.1f pages/CPU-s %8.1f pages/s "
      "wall (%zu bytes)\n",
      pages / plain_cpu, pages / plain, plain_bytes);
  std::printf(
      "konbini document page:          %8.1f pages/CPU-s %8.1f pages/s "
      "wall (%zu bytes)\n",
      pages / ours_cpu, pages / ours, pdf.size());
  std::printf(
      "ratio konbini/floor: %.2f by CPU time, %.2f by wall clock "
      "(goal >= 0.50)\n",
      plain_cpu / ours_cpu, plain / ours);
  if (argc > 2) {
    std::FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr) return 1;
    std::fwrite(pdf.data(), 1, pdf.size(), out);
    std::fclose(out);
  }
  return 0;
}
