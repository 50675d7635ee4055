// The file interface clinic systems use with the 資格確認端末 (insurance.md
// §2.2, issue 12 item 4): a request XML dropped in `<dir>/req/` is answered
// in `<dir>/res/` under the same name with `req` → `res`
// (OQSsiquc01req_<free>.xml → OQSsiquc01res_<free>.xml), as an XmlMsg with
// MessageHeader and MessageBody, UTF-8, `standalone="no"`. The request is
// removed once answered. Element names: insurance.md §2.3.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/insurance_service.h"

namespace openmyna::services {

// XmlMsg as XML text from its JSON form ({"XmlMsg": {...}}): objects are
// elements in key order, arrays repeat their element, strings are escaped.
std::string XmlOf(const nlohmann::json& message);

// A 資格確認 request (OQSsiquc01req): the search info and the header's
// institution code. kInvalidInput (registry) for XML that is not a request.
struct QualificationRequest {
  std::string institution_code;
  std::string arbitrary_file_identifier;
  registry::CardDataQuery query;
};
Result<QualificationRequest> ParseQualificationRequest(std::string_view xml);

struct FolderRun {
  std::vector<std::string> answered;  // response file names written
};

// Answers every `req/*.xml` of `dir` as `clinic` (actor id = institution
// code): a request for another institution code, or one that cannot be
// parsed, gets an answer with SegmentOfResult 9 (異常終了) and an
// ErrorCode/ErrorMessage of OpenMyna's own (docs/insurance.md). Files are
// written atomically (temp name, rename) so a watcher never reads half.
Result<FolderRun> AnswerRequestFolder(const std::filesystem::path& dir,
                                      registry::InsuranceService& service,
                                      const registry::Actor& clinic,
                                      const Clock& clock);

}  // namespace openmyna::services
