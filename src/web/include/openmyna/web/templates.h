// HTML templates in Mustache (https://mustache.github.io/mustache.5.html),
// rendered by Debian's kainjow mustache. {{name}} is HTML-escaped (& < > " '),
// {{{name}}} is not and is reserved for HTML this library made itself (the
// page body inside the layout). Partials are not used: the layout wraps the
// body instead.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/web/assets.h"

namespace openmyna::web {

// What a template sees: a text, a flag, a list or an object (key → View).
class View {
 public:
  View();                  // an empty object
  View(std::string text);  // NOLINT: a text converts implicitly
  View(std::string_view text);
  View(const char* text);
  View(bool flag);
  static View List();

  // On an object: sets `key` (replacing an earlier value). Returns *this.
  View& Set(std::string key, View value);
  // On a list: appends. Returns *this.
  View& Push(View value);
  // The value at `key` of an object, or nullptr.
  const View* Find(std::string_view key) const;

  enum class Kind { kObject, kList, kText, kFlag };
  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  bool flag() const { return flag_; }
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<View>& items() const { return items_; }

 private:
  Kind kind_ = Kind::kObject;
  std::string text_;
  bool flag_ = false;
  std::vector<std::string> keys_;  // object keys, parallel to items_
  std::vector<View> items_;        // object values or list elements
};

// A view converted once for many renders: what every page of a site sees
// besides its own view (the messages of one language). Render looks a name
// up in the page's view first, then here. Immutable; copies share it.
class SharedView {
 public:
  explicit SharedView(const View& view);
  struct Converted;  // the renderer's form (templates.cc)
  const Converted& converted() const { return *converted_; }

 private:
  std::shared_ptr<const Converted> converted_;
};

// A set of compiled templates by name. Copies share the compiled templates;
// Render is thread-safe.
class Templates {
 public:
  Templates();
  // Every "*.mustache" asset, named without the extension.
  static Result<Templates> FromAssets(std::span<const Asset> assets);
  // Every "*.mustache" file in `dir` (for development without a rebuild).
  static Result<Templates> FromDirectory(const std::filesystem::path& dir);

  // kBadTemplate when `source` does not parse.
  Status Add(std::string name, std::string_view source);
  bool Has(std::string_view name) const;
  // Adds `other`'s templates; they replace ours of the same name.
  void Merge(const Templates& other);
  // kBadTemplate for an unknown name.
  Result<std::string> Render(std::string_view name, const View& view) const;
  // The same with `outer` behind `view`: a name `view` lacks is looked up
  // there (a mustache context stack), so a large common part is converted
  // once, not at every render.
  Result<std::string> Render(std::string_view name, const View& view,
                             const SharedView& outer) const;

 private:
  struct Compiled;
  std::map<std::string, std::shared_ptr<Compiled>, std::less<>> compiled_;
};

}  // namespace openmyna::web
