// The 資格確認書 and the 資格情報のお知らせ as PDFs (issue 12 item 7;
// ../shared/docs/insurance.md §3.4; which one is due:
// registry::InsuranceService::IssueQualificationDocument). A4, text that
// pdftotext reads, fonts embedded (openmyna/pdf), "SANDBOX" across the
// page. Printed: the insurer (保険者番号, 名称), 記号・番号・枝番, the
// holder's name, kana, birth date and sex, 本人/家族, the acquisition
// date, 一部負担金割合, 高齢受給者 / 限度額 / 特定疾病 when present, the
// issue date and validity; a 資格確認書 adds the address. Never the
// individual number. A QR code holds the insurance-card data a clinic
// types into a look-up by card data (our convention, docs/insurance.md):
//   OMQ1|<保険者番号>|<記号>|<番号>|<枝番>|<生年月日 YYYYMMDD>
#pragma once

#include <string>

#include "openmyna/base/result.h"
#include "openmyna/registry/insurance_service.h"

namespace openmyna::services {

// The QR code's text (above).
std::string QualificationCardData(const registry::QualificationDocument& d);

// The PDF's bytes. Errors: the pdf library's (kInternal from cairo).
Result<std::string> RenderQualificationPdf(
    const registry::QualificationDocument& document);

}  // namespace openmyna::services
