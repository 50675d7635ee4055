// やりとり履歴: the Art. 23 record, filtered, as a page or a CSV file.
#include <algorithm>

#include "openmyna/domain/date.h"
#include "openmyna/registry/disclosure.h"
#include "portal_internal.h"

namespace openmyna::portal {
namespace {

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

}  // namespace

http::Response Portal::Impl::History(const http::Request& request, bool csv) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  auto query = web::ParseQuery(request);
  if (!query) return Error(request, 400, "web_bad_form");
  const std::string from = query->GetOr("from");
  const std::string to = query->GetOr("to");
  const std::string body = query->GetOr("body");

  registry::DisclosureFilter filter;
  filter.body = body;
  std::string error;
  if (!from.empty()) {
    auto date = domain::ParseDate(from);
    if (date)
      filter.from = domain::StartOfJapanDay(*date);
    else
      error = T(lang, "portal_bad_date");
  }
  if (!to.empty()) {  // the whole "to" day is included
    auto date = domain::ParseDate(to);
    if (date)
      filter.to = domain::StartOfJapanDay(domain::AddDays(*date, 1));
    else
      error = T(lang, "portal_bad_date");
  }
  std::vector<registry::DisclosureRecord> records, all;
  const TimePoint now = clock.Now();
  // One statement (the audit log's rows of the resident), on a reader.
  auto read = store.ReadOneStatement([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        all, registry::ListDisclosures(tx, v.resident_id, now, {}));
    return Ok();
  });
  if (!read) return Error(request, 503, "portal_login_failed");
  // The filter runs on the one read (same rules as ListDisclosures).
  for (const auto& record : all) {
    if (filter.from && record.provided_at < *filter.from) continue;
    if (filter.to && record.provided_at >= *filter.to) continue;
    if (!body.empty() && body != registry::DisclosureBodyOf(record)) continue;
    records.push_back(record);
  }

  auto requester = [&](const registry::DisclosureRecord& r) {
    const std::string who =
        r.requester.empty() ? RoleName(lang, r.requester_role) : r.requester;
    // The id once: a writer may have put it in the requester's name already
    // ("Sample Bank (RP…)", as the provider does).
    const bool named =
        r.requester_id.empty() || who.find(r.requester_id) != std::string::npos;
    return who + (named ? "" : "（" + r.requester_id + "）");
  };
  auto provider = [&](const registry::DisclosureRecord& r) {
    return r.provider.empty() ? T(lang, "portal_body_registry") : r.provider;
  };
  auto items = [&](const registry::DisclosureRecord& r) {
    std::vector<std::string> names;
    for (const auto& item : r.items)
      names.push_back(T(lang, "portal_item_" + item));
    return Join(names, lang == web::Language::kJa ? "、" : ", ");
  };
  auto purpose = [&](const registry::DisclosureRecord& r) {
    return r.purpose.empty() ? r.action : r.purpose + "（" + r.action + "）";
  };

  if (csv) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({T(lang, "portal_requested_at"),
                    T(lang, "portal_provided_at"), T(lang, "portal_requester"),
                    T(lang, "portal_provider"), T(lang, "portal_items"),
                    T(lang, "portal_purpose"), T(lang, "portal_withheld")});
    for (const auto& r : records) {
      if (r.withheld) {
        rows.push_back({registry::FormatJst(r.requested_at),
                        registry::FormatJst(r.provided_at),
                        T(lang, "portal_withheld_text"), "", "", "", "1"});
        continue;
      }
      rows.push_back({registry::FormatJst(r.requested_at),
                      registry::FormatJst(r.provided_at), requester(r),
                      provider(r), items(r), purpose(r), "0"});
    }
    http::Response response;
    response.content_type = "text/csv; charset=utf-8";
    // A byte order mark, so spreadsheet programs read the Japanese as UTF-8.
    response.body = "\xEF\xBB\xBF" + registry::ToCsv(rows);
    response
        .AddHeader("Content-Disposition",
                   "attachment; filename=\"yaritori-rireki.csv\"")
        .AddHeader("Cache-Control", "no-store")
        .AddHeader("X-Content-Type-Options", "nosniff");
    return response;
  }

  // One page of kRowsPerPage rows, newest first (?page=1 is the newest).
  constexpr std::size_t kRowsPerPage = 100;
  const std::size_t pages = std::max<std::size_t>(
      1, (records.size() + kRowsPerPage - 1) / kRowsPerPage);
  std::size_t page = 1;
  if (auto asked = query->Get("page")) {
    try {
      page = std::clamp<std::size_t>(std::stoul(*asked), 1, pages);
    } catch (const std::exception&) {
      page = 1;
    }
  }
  const std::size_t first = (page - 1) * kRowsPerPage;
  const std::size_t last = std::min(records.size(), first + kRowsPerPage);
  auto page_href = [&](std::size_t n) {
    return Url("/history") + "?from=" + web::FormEncode(from) +
           "&to=" + web::FormEncode(to) + "&body=" + web::FormEncode(body) +
           "&page=" + std::to_string(n);
  };
  web::View rows = web::View::List();
  for (std::size_t i = first; i < last; ++i) {
    const auto& r = records[i];
    rows.Push(web::View()
                  .Set("requested_at", registry::FormatJst(r.requested_at))
                  .Set("provided_at", registry::FormatJst(r.provided_at))
                  .Set("withheld", r.withheld)
                  .Set("requester", requester(r))
                  .Set("provider", provider(r))
                  .Set("items", items(r))
                  .Set("purpose", purpose(r)));
  }
  web::View bodies = web::View::List();
  for (const auto& b : registry::DisclosureBodies(all)) {
    std::string label = b;
    if (auto role = registry::ParseRole(b)) label = RoleName(lang, *role);
    bodies.Push(web::View()
                    .Set("value", b)
                    .Set("label", label)
                    .Set("selected", b == body));
  }
  web::View view;
  view.Set("rows", std::move(rows))
      .Set("has_rows", !records.empty())
      .Set("count", std::to_string(records.size()))
      .Set("bodies", std::move(bodies))
      .Set("from", from)
      .Set("to", to)
      .Set("error", error)
      .Set("csv_href", Url("/history.csv") + "?from=" + web::FormEncode(from) +
                           "&to=" + web::FormEncode(to) +
                           "&body=" + web::FormEncode(body))
      .Set("range", records.empty() ? std::string("0")
                                    : std::to_string(first + 1) + "–" +
                                          std::to_string(last))
      .Set("page_label",
           Fill(T(lang, "portal_page_of"), {{"page", std::to_string(page)},
                                            {"pages", std::to_string(pages)}}))
      .Set("has_pages", pages > 1)
      .Set("prev_href", page > 1 ? page_href(page - 1) : std::string())
      .Set("next_href", page < pages ? page_href(page + 1) : std::string());
  return Page(request, v, "portal_history", "history", std::move(view),
              "/history");
}

}  // namespace openmyna::portal
