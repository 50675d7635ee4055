// Underlay (underlay.h). Objects are found through the cross-reference
// table (ISO 32000-1 §7.5.4) of the file cairo wrote, streams by their
// /Length (§7.3.8.1); the update appends objects, an xref section and a
// trailer with /Prev (§7.5.6), as signature.cc does.
#include "openmyna/pdf/underlay.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "openmyna/pdf/errors.h"

namespace openmyna::pdf {
namespace {

auto Malformed(std::string_view what) {
  return Fail(PdfErrc::kMalformed, "PDF underlay: " + std::string(what));
}

std::optional<long> Number(std::string_view text, std::size_t at) {
  while (at < text.size() &&
         std::isspace(static_cast<unsigned char>(text[at]))) {
    ++at;
  }
  long value = 0;
  auto [end, ec] =
      std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() + at) return std::nullopt;
  return value;
}

// The number after the last `key` in `text`.
std::optional<long> NumberAfter(std::string_view text, std::string_view key) {
  const std::size_t at = text.rfind(key);
  if (at == std::string_view::npos) return std::nullopt;
  return Number(text, at + key.size());
}

// "key N 0 R" in a dictionary's text -> N.
std::optional<long> RefAfter(std::string_view dict, std::string_view key) {
  const std::size_t at = dict.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const auto n = Number(dict, at + key.size());
  if (!n) return std::nullopt;
  const std::string ref = fmt::format("{} 0 R", *n);
  const std::size_t r = dict.find(ref, at + key.size());
  if (r == std::string_view::npos || r > at + key.size() + 2) {
    return std::nullopt;  // a direct value, not a reference
  }
  return n;
}

// One object of a classic PDF: its dictionary (or value) and, for a
// stream, the stream's bytes.
struct Parsed {
  std::string_view head;
  std::optional<std::string_view> stream;
};

class File {
 public:
  explicit File(std::string_view pdf) : pdf_(pdf) {}

  // Reads the last trailer and the xref sections back through /Prev (an
  // object's newest offset wins).
  Status Read() {
    const std::size_t trailer = pdf_.rfind("trailer");
    if (trailer == std::string_view::npos) return Malformed("no trailer");
    const std::string_view tail = pdf_.substr(trailer);
    const auto root = NumberAfter(tail, "/Root");
    const auto size = NumberAfter(tail, "/Size");
    const auto xref = NumberAfter(tail, "startxref");
    if (!root || !size || !xref) return Malformed("no /Root, /Size, startxref");
    root_ = *root;
    size_ = *size;
    prev_ = *xref;
    if (auto info = NumberAfter(tail, "/Info")) info_ = *info;
    std::optional<long> section = xref;
    for (int sections = 0; section; ++sections) {
      if (sections > 64 || *section < 0 ||
          static_cast<std::size_t>(*section) >= pdf_.size()) {
        return Malformed("xref chain");
      }
      OPENMYNA_ASSIGN_OR_RETURN(section,
                                Section(static_cast<std::size_t>(*section)));
    }
    return Ok();
  }

  // `length_may_refer`: whether a stream's /Length may be another object
  // (ISO 32000-1 §7.3.10); that object's own /Length may not, so a /Length
  // that refers to itself is refused rather than followed for ever.
  Result<Parsed> Get(long number, bool length_may_refer = true) const {
    auto it = offsets_.find(number);
    if (it == offsets_.end())
      return Malformed(fmt::format("no object {}", number));
    const std::string header = fmt::format("{} 0 obj", number);
    std::size_t at = static_cast<std::size_t>(it->second);
    if (pdf_.substr(at, header.size()) != header) {
      return Malformed(fmt::format("object {} not at its offset", number));
    }
    at += header.size();
    const std::size_t endobj = pdf_.find("endobj", at);
    const std::size_t stream = pdf_.find("stream", at);
    if (endobj == std::string_view::npos) return Malformed("no endobj");
    if (stream == std::string_view::npos || stream > endobj) {
      return Parsed{pdf_.substr(at, endobj - at), std::nullopt};
    }
    // The stream: its /Length, direct or in another object.
    const std::string_view head = pdf_.substr(at, stream - at);
    // "/Length " (not /Length1, a font file's other length).
    const std::size_t key = head.find("/Length ");
    std::optional<long> length;
    if (key != std::string_view::npos) length = Number(head, key + 8);
    if (auto ref = RefAfter(head, "/Length ")) {
      if (!length_may_refer) {
        return Malformed(fmt::format("object {}: /Length refers on", number));
      }
      OPENMYNA_ASSIGN_OR_RETURN(Parsed value, Get(*ref, false));
      length = Number(value.head, 0);
    }
    std::size_t data = stream + 6;
    if (data < pdf_.size() && pdf_[data] == '\r') ++data;
    if (data < pdf_.size() && pdf_[data] == '\n') ++data;
    if (!length || *length < 0 ||
        data + static_cast<std::size_t>(*length) > pdf_.size()) {
      return Malformed(fmt::format("object {}: stream length", number));
    }
    return Parsed{head, pdf_.substr(data, static_cast<std::size_t>(*length))};
  }

  // The page objects, in order (the page tree as cairo writes it: one
  // /Pages node with its /Kids).
  Result<std::vector<long>> Pages() const {
    OPENMYNA_ASSIGN_OR_RETURN(Parsed catalog, Get(root_));
    const auto pages = RefAfter(catalog.head, "/Pages");
    if (!pages) return Malformed("no /Pages");
    OPENMYNA_ASSIGN_OR_RETURN(Parsed tree, Get(*pages));
    const std::size_t kids = tree.head.find("/Kids");
    const std::size_t open = tree.head.find('[', kids);
    const std::size_t close = tree.head.find(']', open);
    if (kids == std::string_view::npos || open == std::string_view::npos ||
        close == std::string_view::npos) {
      return Malformed("no /Kids");
    }
    std::vector<long> out;
    std::string_view list = tree.head.substr(open + 1, close - open - 1);
    for (std::size_t at = 0; at < list.size();) {
      const auto n = Number(list, at);
      const std::size_t r = list.find('R', at);
      if (!n || r == std::string_view::npos) break;
      out.push_back(*n);
      at = r + 1;
    }
    if (out.empty()) return Malformed("no page");
    return out;
  }

  long root() const { return root_; }
  long size() const { return size_; }
  long prev() const { return prev_; }
  std::optional<long> info() const { return info_; }

 private:
  // One xref section (§7.5.4): subsections "first count" of 20-byte
  // entries "offset gen n|f", then its trailer; returns the trailer's /Prev.
  Result<std::optional<long>> Section(std::size_t at) {
    if (pdf_.substr(at, 4) != "xref") return Malformed("no xref table");
    at += 4;
    while (true) {
      while (at < pdf_.size() &&
             std::isspace(static_cast<unsigned char>(pdf_[at]))) {
        ++at;
      }
      if (pdf_.substr(at, 7) == "trailer") break;
      const std::size_t space = pdf_.find(' ', at);
      const std::size_t line = pdf_.find('\n', at);
      if (space == std::string_view::npos || line == std::string_view::npos) {
        return Malformed("xref subsection");
      }
      const auto first = Number(pdf_, at);
      const auto count = Number(pdf_, space + 1);
      if (!first || !count) return Malformed("xref subsection");
      at = line + 1;
      for (long i = 0; i < *count; ++i, at += 20) {
        if (at + 20 > pdf_.size()) return Malformed("xref entry");
        const auto offset = Number(pdf_, at);
        if (!offset) return Malformed("xref entry");
        if (pdf_[at + 17] == 'n') offsets_.emplace(*first + i, *offset);
      }
    }
    const std::size_t end = pdf_.find(">>", at);
    if (end == std::string_view::npos) return Malformed("trailer");
    const std::string_view dict = pdf_.substr(at, end - at);
    if (dict.find("/Prev") == std::string_view::npos) {
      return std::optional<long>();
    }
    return NumberAfter(dict, "/Prev");
  }

  std::string_view pdf_;
  std::map<long, long> offsets_;
  long root_ = 0, size_ = 0, prev_ = 0;
  std::optional<long> info_;
};

// The references "N 0 R" in a dictionary's text, in order, with where each
// starts and ends.
struct Ref {
  std::size_t begin, end;
  long number;
};
std::vector<Ref> Refs(std::string_view text) {
  std::vector<Ref> out;
  for (std::size_t at = text.find(" 0 R"); at != std::string_view::npos;
       at = text.find(" 0 R", at + 1)) {
    const std::size_t end = at + 4;
    if (end < text.size() &&
        std::isalnum(static_cast<unsigned char>(text[end]))) {
      continue;  // "0 RG" and the like
    }
    std::size_t begin = at;
    while (begin > 0 &&
           std::isdigit(static_cast<unsigned char>(text[begin - 1]))) {
      --begin;
    }
    if (begin == at) continue;
    long n = 0;
    std::from_chars(text.data() + begin, text.data() + at, n);
    out.push_back({begin, end, n});
  }
  return out;
}

}  // namespace

Result<Underlay> Underlay::Draw(const PageSize& size,
                                const std::function<void(cairo_t*)>& draw) {
  OPENMYNA_ASSIGN_OR_RETURN(
      std::string pdf, Render(size, {}, 1, [&](cairo_t* cr, int) -> Status {
        draw(cr);
        return Ok();
      }));
  File file(pdf);
  OPENMYNA_RETURN_IF_ERROR(file.Read());
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<long> pages, file.Pages());
  OPENMYNA_ASSIGN_OR_RETURN(Parsed page, file.Get(pages[0]));
  const auto contents = RefAfter(page.head, "/Contents");
  const auto resources = RefAfter(page.head, "/Resources");
  if (!contents || !resources) return Malformed("page without its refs");
  OPENMYNA_ASSIGN_OR_RETURN(Parsed content, file.Get(*contents));
  if (!content.stream) return Malformed("page content is not a stream");

  // Everything the resources reach, each once: index 1.. (0 is the form).
  Underlay out;
  std::map<long, int> index;
  std::vector<long> order;
  const auto add = [&](long n) {
    if (index.emplace(n, static_cast<int>(order.size()) + 1).second) {
      order.push_back(n);
    }
  };
  add(*resources);
  for (std::size_t i = 0; i < order.size(); ++i) {
    OPENMYNA_ASSIGN_OR_RETURN(Parsed o, file.Get(order[i]));
    for (const Ref& r : Refs(o.head)) add(r.number);
  }
  out.objects_.resize(order.size() + 1);
  for (std::size_t i = 0; i < order.size(); ++i) {
    OPENMYNA_ASSIGN_OR_RETURN(Parsed o, file.Get(order[i]));
    auto& parts = out.objects_[i + 1].parts;
    std::size_t at = 0;
    for (const Ref& r : Refs(o.head)) {
      parts.emplace_back(std::string(o.head.substr(at, r.begin - at)),
                         index.at(r.number));
      at = r.end;
    }
    std::string rest(o.head.substr(at));
    if (o.stream) {
      rest += "stream\n" + std::string(*o.stream) + "\nendstream\n";
    }
    parts.emplace_back(std::move(rest), -1);
  }
  // The form: the page's content with the page's resources (§8.10.2).
  const bool deflated =
      content.head.find("/FlateDecode") != std::string_view::npos;
  out.objects_[0].parts = {
      {fmt::format("\n<< /Type /XObject /Subtype /Form /BBox [ 0 0 {:.6f} "
                   "{:.6f} ] /Resources ",
                   size.width_mm * kMm, size.height_mm * kMm),
       index.at(*resources)},
      {fmt::format(" /Length {}{} >>\nstream\n", content.stream->size(),
                   deflated ? " /Filter /FlateDecode" : "") +
           std::string(*content.stream) + "\nendstream\n",
       -1}};
  return out;
}

Result<std::string> Underlay::PlaceUnder(std::string pdf,
                                         std::optional<int> only) const {
  File file(pdf);
  OPENMYNA_RETURN_IF_ERROR(file.Read());
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<long> pages, file.Pages());
  if (only) {
    if (*only < 1 || static_cast<std::size_t>(*only) > pages.size()) {
      return Fail(PdfErrc::kInvalidInput, "no such page");
    }
    pages = {pages[static_cast<std::size_t>(*only - 1)]};
  }
  const long base = file.size();  // the underlay's objects: base, base + 1..
  // Its name in the pages' resources: one per update, so that several
  // underlays can lie under one page.
  const std::string name = fmt::format("/OmUnderlay{}", base);
  long next = base + static_cast<long>(objects_.size());
  std::map<long, std::string> written;  // object number -> its text
  for (std::size_t i = 0; i < objects_.size(); ++i) {
    std::string text;
    for (const auto& [literal, ref] : objects_[i].parts) {
      text += literal;
      if (ref >= 0) text += fmt::format("{} 0 R", base + ref);
    }
    written[base + static_cast<long>(i)] = std::move(text);
  }
  std::set<long> resources_done;
  std::set<long> xobjects_done;  // indirect /XObject dictionaries patched
  for (const long number : pages) {
    OPENMYNA_ASSIGN_OR_RETURN(Parsed page, file.Get(number));
    const auto resources = RefAfter(page.head, "/Resources");
    const std::size_t key = page.head.find("/Contents");
    if (!resources || page.stream || key == std::string_view::npos) {
      return Malformed("a page without its content and resources");
    }
    // Its content: the underlay first, then what the page had (one stream
    // as cairo writes it, or the array of an earlier underlay).
    const long under = next++;
    const std::string draw = "q " + name + " Do Q";
    written[under] = fmt::format("\n<< /Length {} >>\nstream\n{}\nendstream\n",
                                 draw.size(), draw);
    std::string head(page.head);
    std::size_t value = key + 9;
    while (value < head.size() && head[value] == ' ') ++value;
    if (value < head.size() && head[value] == '[') {
      head.insert(value + 1, fmt::format(" {} 0 R", under));
    } else if (const auto contents = RefAfter(page.head, "/Contents")) {
      const std::string old = fmt::format("{} 0 R", *contents);
      head.replace(value, old.size(),
                   fmt::format("[ {} 0 R {} 0 R ]", under, *contents));
    } else {
      return Malformed("a page's /Contents");
    }
    written[number] = std::move(head);
    if (!resources_done.insert(*resources).second) continue;
    OPENMYNA_ASSIGN_OR_RETURN(Parsed res, file.Get(*resources));
    std::string dict(res.head);
    const std::string entry = fmt::format(" {} {} 0 R ", name, base);
    if (const auto xobjects = RefAfter(dict, "/XObject")) {
      // The page's XObjects in a dictionary object of their own.
      if (!xobjects_done.insert(*xobjects).second) continue;
      OPENMYNA_ASSIGN_OR_RETURN(Parsed names, file.Get(*xobjects));
      std::string table(names.head);
      const std::size_t open = table.find("<<");
      if (names.stream || open == std::string::npos) {
        return Malformed("/XObject is not a dictionary");
      }
      table.insert(open + 2, entry);
      written[*xobjects] = std::move(table);
      continue;
    } else if (const std::size_t x = dict.find("/XObject");
               x != std::string::npos) {
      std::size_t open = x + 8;
      while (open < dict.size() &&
             std::isspace(static_cast<unsigned char>(dict[open]))) {
        ++open;
      }
      if (dict.compare(open, 2, "<<") != 0) {
        return Malformed("/XObject is neither a dictionary nor a reference");
      }
      dict.insert(open + 2, entry);
    } else {
      const std::size_t close = dict.rfind(">>");
      if (close == std::string::npos) return Malformed("resources");
      dict.insert(close, "/XObject <<" + entry + ">> ");
    }
    written[*resources] = std::move(dict);
  }
  if (pdf.back() != '\n') pdf.push_back('\n');
  std::map<long, std::size_t> offsets;
  for (const auto& [number, text] : written) {
    offsets[number] = pdf.size();
    pdf += fmt::format("{} 0 obj", number);
    pdf += text;
    pdf += "endobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n";
  for (const auto& [number, offset] : offsets) {
    pdf += fmt::format("{} 1\n{:010} 00000 n \n", number, offset);
  }
  pdf += fmt::format("trailer\n<< /Size {} /Root {} 0 R", next, file.root());
  if (auto info = file.info()) pdf += fmt::format(" /Info {} 0 R", *info);
  pdf += fmt::format(" /Prev {} >>\nstartxref\n{}\n%%EOF\n", file.prev(), xref);
  return pdf;
}

}  // namespace openmyna::pdf
