// RenderQualificationPdf (insurance_documents.h): one A4 page on the shared
// PDF pieces; positions in millimetres from the top left.
#include "openmyna/services/insurance_documents.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "openmyna/pdf/document.h"
#include "openmyna/pdf/draw.h"
#include "openmyna/registry/labels_ja.h"

namespace openmyna::services {
namespace {

using domain::QualificationDocumentKind;
using Rows = std::vector<std::vector<std::string>>;

// "2026-12-02" -> "2026年12月2日".
std::string JapaneseDate(const std::string& iso) {
  if (iso.size() != 10) return iso;
  return fmt::format("{}年{}月{}日", iso.substr(0, 4),
                     std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2)));
}

std::string Percent(int percent) {
  return percent % 10 == 0 ? fmt::format("{}割", percent / 10)
                           : fmt::format("{}%", percent);
}

Rows Fields(const registry::QualificationDocument& d) {
  const registry::Membership& m = d.membership;
  const bool certificate = d.kind == QualificationDocumentKind::kCertificate;
  Rows rows = {
      {"保険者番号", m.insurer_number},
      {"保険者名称", d.insurer.name},
      {"記号", m.symbol.empty() ? "（なし）" : m.symbol},
      {"番号", m.number},
      {"枝番", m.branch},
      {"氏名", m.name},
      {"フリガナ", m.name_kana},
      {"生年月日", JapaneseDate(m.date_of_birth)},
      {"性別", std::string(registry::SexKanji(m.sex))},
      {"本人・家族の別",
       m.relationship == registry::Relationship::kInsured ? "本人" : "家族"},
  };
  if (!m.insured_name.empty() &&
      m.relationship == registry::Relationship::kDependent) {
    rows.push_back({"被保険者氏名", m.insured_name});
  }
  if (certificate) rows.push_back({"住所", m.address});
  rows.push_back({"資格取得年月日", JapaneseDate(m.acquired_on)});
  rows.push_back({"一部負担金の割合", Percent(m.contribution_percent)});
  if (m.elderly) {
    rows.push_back({"高齢受給者 負担割合",
                    fmt::format("{}（{}から{}まで）",
                                Percent(m.elderly->contribution_percent),
                                JapaneseDate(m.elderly->valid_from),
                                JapaneseDate(m.elderly->valid_to))});
  }
  if (m.limit) {
    rows.push_back(
        {"限度額適用区分", fmt::format("{}（{}まで）", m.limit->category,
                                       JapaneseDate(m.limit->valid_to))});
  }
  for (const registry::SpecificDisease& s : m.specific_diseases) {
    rows.push_back(
        {"特定疾病",
         fmt::format("区分{} 自己負担限度額 月{}円（{}まで）", s.category,
                     s.self_pay_limit_yen, JapaneseDate(s.valid_to))});
  }
  rows.push_back({"交付年月日", JapaneseDate(d.issued_on)});
  rows.push_back({"有効期限", d.valid_until.empty()
                                  ? "なし"
                                  : JapaneseDate(d.valid_until)});
  return rows;
}

Status Draw(cairo_t* cr, const registry::QualificationDocument& d) {
  const bool notice = d.kind == QualificationDocumentKind::kNotice;
  pdf::SandboxBanner(cr, "SANDBOX — NOT AN OFFICIAL DOCUMENT",
                     "見本・公的書類ではありません");
  cairo_set_source_rgb(cr, 0.75, 0.0, 0.0);
  pdf::Text(cr,
            "SANDBOX — NOT AN OFFICIAL DOCUMENT / 見本・公的書類ではありません",
            15, 8, 10);
  cairo_set_source_rgb(cr, 0, 0, 0);
  pdf::Text(cr, std::string(domain::QualificationDocumentName(d.kind)), 15, 18,
            24, {.family = pdf::kGothic, .bold = true});
  pdf::Text(cr, d.insurer.name, 120, 22, 12, {.width_mm = 75});
  double y = 36;
  y += pdf::Text(cr,
                 std::string(domain::QualificationDocumentReasonText(d.reason)),
                 15, y, 10.5, {.width_mm = 180}) +
       2;
  y += pdf::Text(
           cr,
           notice
               ? "このお知らせだけでは受診できません。医療機関・薬局では"
                 "マイナンバーカードと一緒に提示してください"
                 "（カードを読み取れないときに資格を確認するためのものです）。"
               : "医療機関・薬局の窓口で、これまでの被保険者証と同じように"
                 "提示してください。",
           15, y, 10.5, {.width_mm = 180}) +
       4;
  y += pdf::Table(cr, Fields(d), {50, 130}, 15, y,
                  {.size_pt = 11, .shaded_columns = 1}) +
       6;
  OPENMYNA_RETURN_IF_ERROR(
      pdf::QrCode(cr, QualificationCardData(d), 15, y, 32));
  pdf::Text(cr,
            "二次元コード: 保険者番号・記号・番号・枝番・生年月日"
            "（資格確認の入力用）",
            52, y + 2, 8, {.width_mm = 140});
  pdf::Text(cr, "交付番号 " + d.number, 52, y + 10, 9);
  pdf::Text(cr, "発行 " + d.insurer.name + "（" + d.insurer.number + "）", 52,
            y + 16, 9, {.width_mm = 140});
  return Ok();
}

}  // namespace

std::string QualificationCardData(const registry::QualificationDocument& d) {
  const registry::Membership& m = d.membership;
  std::string birth = m.date_of_birth;
  std::erase(birth, '-');
  return fmt::format("OMQ1|{}|{}|{}|{}|{}", m.insurer_number, m.symbol,
                     m.number, m.branch, birth);
}

Result<std::string> RenderQualificationPdf(
    const registry::QualificationDocument& document) {
  pdf::Metadata metadata;
  metadata.title =
      std::string(domain::QualificationDocumentName(document.kind)) + " " +
      document.number;
  metadata.author = document.insurer.name;
  metadata.creator = "OpenMyna insurance (SANDBOX)";
  return pdf::Render(pdf::kA4, metadata, 1,
                     [&](cairo_t* cr, int) { return Draw(cr, document); });
}

}  // namespace openmyna::services
