#include "cli/index_page.h"

#include <algorithm>

namespace openmyna::cli {
namespace {

struct Page {
  const char* service;
  const char* path;
  const char* ja;
  const char* en;
};

// The pages a person opens (docs/sign-in.md, portal.md, konbini.md,
// insurance.md, registry.md), in the order `up` prints them.
constexpr Page kPages[] = {
    {"demo_rp", "/demo-rp/", "デモ事業者（マイナンバーカードでサインイン）",
     "Demo relying party (Sign in with My Number Card)"},
    {"konbini", "/kiosk/", "コンビニ交付 マルチコピー機",
     "Convenience-store kiosk"},
    {"konbini", "/verify/", "コンビニ交付 証明書の確認",
     "Verify a convenience-store certificate"},
    {"portal", "/portal/", "マイナポータル", "Myna Portal"},
    {"insurance", "/clinic/", "顔認証付きカードリーダー（マイナ保険証の受付）",
     "Clinic's face-recognition reader"},
    {"sign_in", "/api/realms/main/.well-known/openid-configuration",
     "OpenID プロバイダの設定", "OpenID provider configuration"},
    {"registry", "/openapi.json", "住民基本台帳・カードの API（OpenAPI）",
     "Registry API (OpenAPI)"},
};

std::string Html(const std::vector<std::string>& services) {
  std::string items;
  for (const Page& page : kPages) {
    if (std::find(services.begin(), services.end(), page.service) ==
        services.end()) {
      continue;
    }
    items += std::string("<li><a href=\"") + page.path + "\">" + page.ja +
             "</a> <span lang=\"en\">(" + page.en + ")</span></li>\n";
  }
  if (items.empty()) items = "<li>ページのあるサービスは動いていません</li>\n";
  return "<!doctype html>\n<html lang=\"ja\">\n<head>\n"
         "<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, "
         "initial-scale=1\">\n"
         "<title>OpenMyna サンドボックス</title>\n</head>\n<body>\n"
         "<main>\n<h1>OpenMyna サンドボックス <span lang=\"en\">(OpenMyna "
         "sandbox)</span></h1>\n"
         "<p>マイナンバーカードのシステムのサンドボックスです（本物の JPKI "
         "ではありません）。<span lang=\"en\">A sandbox of the My Number "
         "Card system: NOT the real JPKI.</span></p>\n"
         "<h2>ページ <span lang=\"en\">(pages)</span></h2>\n<ul>\n" +
         items +
         "</ul>\n<p>ログインのあるページは HTTPS で開いてください"
         "（<code>openmyna up</code> が表示する https:// のアドレス）。"
         "<span lang=\"en\">Open the pages with a login over HTTPS (the "
         "https:// addresses <code>openmyna up</code> prints).</span></p>\n"
         "</main>\n</body>\n</html>\n";
}

}  // namespace

Status AddIndexPage(http::Router& router,
                    const std::vector<std::string>& services) {
  return router.Add("GET", "/", [body = Html(services)](const http::Request&) {
    http::Response response;
    response.content_type = "text/html; charset=utf-8";
    response.body = body;
    response.AddHeader("Cache-Control", "no-store");
    response.AddHeader("X-Content-Type-Options", "nosniff");
    return response;
  });
}

}  // namespace openmyna::cli
