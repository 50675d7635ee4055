// The req/ → res/ file interface (insurance_files.h). Requests are parsed
// with libxml2 (no network, no entity loading); answers are written by hand
// from the same JSON tree the Web API returns.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "openmyna/base/file_io.h"
#include "openmyna/registry/errors.h"
#include "openmyna/services/insurance_api.h"
#include "openmyna/services/insurance_files.h"

namespace openmyna::services {
namespace {

using nlohmann::json;

void Escape(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

void Element(std::string& out, const std::string& name, const json& value,
             int depth) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_array()) {
    for (const json& item : value) Element(out, name, item, depth);
    return;
  }
  out += indent + "<" + name + ">";
  if (value.is_object()) {
    out += "\n";
    for (const auto& [key, child] : value.items()) {
      Element(out, key, child, depth + 1);
    }
    out += indent;
  } else if (value.is_string()) {
    Escape(out, value.get<std::string>());
  } else if (!value.is_null()) {
    Escape(out, value.dump());
  }
  out += "</" + name + ">\n";
}

// The text of the first descendant element named `name`, or "".
std::string Text(xmlNode* node, const char* name) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      xmlChar* content = xmlNodeGetContent(n);
      std::string out = content ? reinterpret_cast<char*>(content) : "";
      xmlFree(content);
      return out;
    }
    std::string inner = Text(n->children, name);
    if (!inner.empty()) return inner;
  }
  return "";
}

std::string Compact(const std::string& dashed) {
  std::string out;
  for (char c : dashed) {
    if (c != '-') out += c;
  }
  return out;
}

std::string Dashed(const std::string& compact) {
  if (compact.size() != 8) return compact;
  return compact.substr(0, 4) + "-" + compact.substr(4, 2) + "-" +
         compact.substr(6, 2);
}

json ErrorMessage(std::string_view institution, std::string_view file_id,
                  std::string code, std::string message) {
  json header = {{"MedicalInstitutionCode", std::string(institution)},
                 {"SegmentOfResult", "9"},  // 異常終了 (OQSCD003)
                 {"ErrorCode", std::move(code)},
                 {"ErrorMessage", std::move(message)},
                 {"CharacterCodeIdentifier", "0"}};
  if (!file_id.empty()) header["ArbitraryFileIdentifier"] = file_id;
  return {{"XmlMsg",
           {{"MessageHeader", header},
            {"MessageBody", {{"ProcessingResultStatus", "2"}}}}}};
}

}  // namespace

std::string XmlOf(const json& message) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
  for (const auto& [key, value] : message.items()) {
    Element(out, key, value, 0);
  }
  return out;
}

Result<QualificationRequest> ParseQualificationRequest(std::string_view xml) {
  xmlDoc* doc = xmlReadMemory(
      xml.data(), static_cast<int>(xml.size()), "request.xml", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) {
    return Fail(registry::RegistryErrc::kInvalidInput,
                "the request is not well-formed XML");
  }
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> owner(doc, xmlFreeDoc);
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr ||
      xmlStrcmp(root->name, reinterpret_cast<const xmlChar*>("XmlMsg")) != 0) {
    return Fail(registry::RegistryErrc::kInvalidInput,
                "the root element must be XmlMsg");
  }
  QualificationRequest r;
  r.institution_code = Text(root, "MedicalInstitutionCode");
  r.arbitrary_file_identifier = Text(root, "ArbitraryFileIdentifier");
  if (Text(root, "InsuredIdentificationNumber").empty()) {
    return Fail(registry::RegistryErrc::kInvalidInput,
                "QualificationConfirmSearchInfo/InsuredIdentificationNumber "
                "is required");
  }
  r.query.insurer_number = Text(root, "InsurerNumber");
  r.query.symbol = Text(root, "InsuredCardSymbol");
  r.query.number = Text(root, "InsuredIdentificationNumber");
  r.query.branch = Text(root, "InsuredBranchNumber");
  r.query.date_of_birth = Dashed(Text(root, "Birthdate"));
  return r;
}

Result<FolderRun> AnswerRequestFolder(const std::filesystem::path& dir,
                                      registry::InsuranceService& service,
                                      const registry::Actor& clinic,
                                      const Clock& clock) {
  FolderRun run;
  std::error_code ec;
  std::filesystem::create_directories(dir / "res", ec);
  std::vector<std::filesystem::path> requests;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir / "req", ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(".xml") &&
        name.find("req") != std::string::npos) {
      requests.push_back(entry.path());
    }
  }
  if (ec) {
    return Fail(registry::RegistryErrc::kUnavailable,
                "cannot read " + (dir / "req").string() + ": " + ec.message());
  }
  std::sort(requests.begin(), requests.end());
  for (const auto& path : requests) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    json answer;
    auto request = ParseQualificationRequest(text.str());
    if (!request) {
      answer = ErrorMessage(clinic.id, "", "OMQ001", request.error().message());
    } else if (request->institution_code != clinic.id) {
      answer =
          ErrorMessage(clinic.id, request->arbitrary_file_identifier, "OMQ002",
                       "MedicalInstitutionCode is not this terminal's");
    } else {
      auto eligibility = service.CheckByCardData(clinic, request->query);
      if (!eligibility) {
        answer = ErrorMessage(clinic.id, request->arbitrary_file_identifier,
                              "OMQ003", eligibility.error().message());
      } else {
        answer = EligibilityMessage(*eligibility, clinic.id, clock.Now());
        if (!request->arbitrary_file_identifier.empty()) {
          answer["XmlMsg"]["MessageHeader"]["ArbitraryFileIdentifier"] =
              request->arbitrary_file_identifier;
        }
        answer["XmlMsg"]["MessageBody"]["QualificationConfirmSearchInfo"] = {
            {"InsurerNumber", request->query.insurer_number},
            {"InsuredIdentificationNumber", request->query.number},
            {"Birthdate", Compact(request->query.date_of_birth)}};
      }
    }
    std::string name = path.filename().string();
    name.replace(name.find("req"), 3, "res");  // OQSsiquc01req_ → res_
    OPENMYNA_RETURN_IF_ERROR(
        WriteFileAtomically(dir / "res" / name, ToBytes(XmlOf(answer))));
    std::filesystem::remove(path, ec);
    run.answered.push_back(name);
  }
  return run;
}

}  // namespace openmyna::services
