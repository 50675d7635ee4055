#include <cstdio>
#include <string>

#include "openmyna/card/image.h"

namespace openmyna::card {
namespace {

std::string Fid4(Fid fid) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", fid);
  return buf;
}

std::string RuleText(const AccessRule& rule) {
  switch (rule.kind) {
    case AccessRule::Kind::kFree:
      return "free";
    case AccessRule::Kind::kNever:
      return "never";
    case AccessRule::Kind::kAnyOf: {
      std::string out = "after";
      for (std::size_t i = 0; i < rule.pins.size(); ++i) {
        out += (i == 0 ? " " : " or ") + Fid4(rule.pins[i]);
      }
      return out;
    }
  }
  return "?";
}

}  // namespace

std::string DescribeImage(const CardImage& image) {
  std::string out = "card: " + std::string(CardKindName(image.kind)) +
                    ", state " +
                    (image.state == ChipState::kErased ? "ERASED" : "active") +
                    ", generation " + image.generation + "\n";
  out += "MF objects:";
  for (const auto& [tag, value] : image.mf_objects) {
    out += " " + Fid4(tag) + "(" + std::to_string(value.size()) + " B)";
  }
  out += "\n";
  for (const auto& app : image.applications) {
    out +=
        "application " + app.name + " AID " + ToHex(app.aid, ' ', true) + "\n";
    for (const auto& ef : app.files) {
      out += "  " + Fid4(ef.fid) + " " + ef.label + ": ";
      switch (ef.kind) {
        case EfKind::kBinary:
          out += "binary, " + std::to_string(ef.data.size()) + " B, read " +
                 RuleText(ef.read);
          break;
        case EfKind::kRecord:
          out += "records, " + std::to_string(ef.records.size()) +
                 " record(s), read " + RuleText(ef.read);
          break;
        case EfKind::kPin:
          out += "PIN (" + std::string(PinRuleName(ef.pin.rule)) + "), ";
          if (!ef.pin.is_set) {
            out += "not set";
          } else if (ef.pin.tries_left == 0) {
            out += "BLOCKED (0/" + std::to_string(ef.pin.max_tries) + ")";
          } else {
            out += "tries " + std::to_string(ef.pin.tries_left) + "/" +
                   std::to_string(ef.pin.max_tries);
          }
          break;
        case EfKind::kKey:
          out += "RSA key, ";
          out += ef.key.public_key_spki.empty() ? "not generated" : "generated";
          out += ", use " + RuleText(ef.key.use);
          break;
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace openmyna::card
