#include "openmyna/web/templates.h"

#include <fstream>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <sstream>

#include "openmyna/web/errors.h"

namespace openmyna::web {

View::View() = default;
View::View(std::string text) : kind_(Kind::kText), text_(std::move(text)) {}
View::View(std::string_view text) : kind_(Kind::kText), text_(text) {}
View::View(const char* text) : kind_(Kind::kText), text_(text) {}
View::View(bool flag) : kind_(Kind::kFlag), flag_(flag) {}

View View::List() {
  View view;
  view.kind_ = Kind::kList;
  return view;
}

View& View::Set(std::string key, View value) {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) {
      items_[i] = std::move(value);
      return *this;
    }
  }
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
  return *this;
}

View& View::Push(View value) {
  items_.push_back(std::move(value));
  return *this;
}

const View* View::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &items_[i];
  }
  return nullptr;
}

namespace {

using Data = kainjow::mustache::data;

Data ToData(const View& view) {
  switch (view.kind()) {
    case View::Kind::kText:
      // An empty text is false in a section, as in mustache.js (kainjow
      // would take it as true); as a variable it renders nothing either way.
      return view.text().empty() ? Data(Data::type::bool_false)
                                 : Data(view.text());
    case View::Kind::kFlag:
      return view.flag() ? Data(Data::type::bool_true)
                         : Data(Data::type::bool_false);
    case View::Kind::kList: {
      Data list(Data::type::list);
      for (const View& item : view.items()) list.push_back(ToData(item));
      return list;
    }
    case View::Kind::kObject:
      break;
  }
  Data object(Data::type::object);
  for (std::size_t i = 0; i < view.keys().size(); ++i) {
    object.set(view.keys()[i], ToData(view.items()[i]));
  }
  return object;
}

}  // namespace

struct SharedView::Converted {
  Data data;
};

SharedView::SharedView(const View& view)
    : converted_(std::make_shared<const Converted>(Converted{ToData(view)})) {}

struct Templates::Compiled {
  explicit Compiled(const std::string& source) : mustache(source) {}
  // kainjow's render() is not const (it records errors of partials and
  // lambdas); one render at a time per template.
  std::mutex mutex;
  kainjow::mustache::mustache mustache;
};

Templates::Templates() = default;

Status Templates::Add(std::string name, std::string_view source) {
  auto compiled = std::make_shared<Compiled>(std::string(source));
  if (!compiled->mustache.is_valid()) {
    return Fail(WebErrc::kBadTemplate,
                name + ": " + compiled->mustache.error_message());
  }
  compiled_[std::move(name)] = std::move(compiled);
  return Ok();
}

void Templates::Merge(const Templates& other) {
  for (const auto& [name, compiled] : other.compiled_) {
    compiled_[name] = compiled;
  }
}

bool Templates::Has(std::string_view name) const {
  return compiled_.contains(name);
}

Result<std::string> Templates::Render(std::string_view name,
                                      const View& view) const {
  static const SharedView kNothing{View()};
  return Render(name, view, kNothing);
}

Result<std::string> Templates::Render(std::string_view name, const View& view,
                                      const SharedView& outer) const {
  auto it = compiled_.find(name);
  if (it == compiled_.end()) {
    return Fail(WebErrc::kBadTemplate,
                "no template named '" + std::string(name) + "'");
  }
  const Data data = ToData(view);
  // Searched from the last pushed: the page's view, then `outer`.
  kainjow::mustache::context<std::string> context(&outer.converted().data);
  context.push(&data);
  std::lock_guard lock(it->second->mutex);
  std::string html = it->second->mustache.render(context);
  if (!it->second->mustache.is_valid()) {
    return Fail(
        WebErrc::kBadTemplate,
        std::string(name) + ": " + it->second->mustache.error_message());
  }
  return html;
}

Result<Templates> Templates::FromAssets(std::span<const Asset> assets) {
  static constexpr std::string_view kExt = ".mustache";
  Templates templates;
  for (const Asset& asset : assets) {
    if (!asset.name.ends_with(kExt)) continue;
    auto added = templates.Add(
        std::string(asset.name.substr(0, asset.name.size() - kExt.size())),
        asset.content);
    if (!added) return Unexpected(added.error());
  }
  return templates;
}

Result<Templates> Templates::FromDirectory(const std::filesystem::path& dir) {
  Templates templates;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream source;
    source << in.rdbuf();
    auto added = templates.Add(entry.path().stem().string(), source.str());
    if (!added) return Unexpected(added.error());
  }
  if (ec) {
    return Fail(WebErrc::kBadTemplate, dir.string() + ": " + ec.message());
  }
  return templates;
}

}  // namespace openmyna::web
