#include "openmyna/registry/civil_service.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <set>

#include "access.h"
#include "openmyna/base/bytes.h"
#include "openmyna/domain/civil.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {

using domain::Date;

struct CivilService::Impl : internal::ServiceAccess {
  explicit Impl(CivilService& service)
      : ServiceAccess{service.clock_, service.rng_}, s(service) {}
  CivilService& s;

  std::string TodayText() const { return domain::FormatDate(Today()); }

  Status AuditAll(RegistryTx& tx, const Actor& actor,
                  const std::vector<std::string>& residents,
                  std::string_view action) const {
    std::set<std::string> seen;
    for (const std::string& id : residents) {
      if (!seen.insert(id).second) continue;
      OPENMYNA_RETURN_IF_ERROR(Audit(tx, actor, id, action));
    }
    return Ok();
  }

  static std::vector<std::string> MembersOf(const Household& h) {
    std::vector<std::string> ids;
    for (const auto& m : h.members) ids.push_back(m.resident_id);
    return ids;
  }
  static std::vector<std::string> MembersOf(const FamilyRegister& r) {
    std::vector<std::string> ids;
    for (const auto& m : r.members) {
      if (!m.resident_id.empty()) ids.push_back(m.resident_id);
    }
    return ids;
  }

  static Status CheckDate(std::string_view field, std::string_view text,
                          bool required) {
    if (text.empty() && !required) return Ok();
    if (auto date = domain::ParseDate(text); !date) {
      return Fail(RegistryErrc::kInvalidInput,
                  fmt::format("{}: {}", field, date.error().message()));
    }
    return Ok();
  }

  static Status Require(std::string_view field, std::string_view value) {
    if (value.empty()) {
      return Fail(RegistryErrc::kInvalidInput,
                  fmt::format("{}: required", field));
    }
    return Ok();
  }

  static Result<Resident> LoadActiveResident(RegistryTx& tx,
                                             std::string_view id) {
    OPENMYNA_ASSIGN_OR_RETURN(Resident r, LoadResident(tx, id));
    if (r.status != ResidentStatus::kActive) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("resident {} is not an active resident", id));
    }
    return r;
  }

  static Result<Household> LoadHousehold(CivilTx& civil, std::string_view id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.GetHousehold(id));
    if (!found) {
      return Fail(RegistryErrc::kNotFound, fmt::format("no household {}", id));
    }
    return *std::move(found);
  }

  static Result<FamilyRegister> LoadRegister(CivilTx& civil,
                                             std::string_view id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.GetFamilyRegister(id));
    if (!found) {
      return Fail(RegistryErrc::kNotFound,
                  fmt::format("no family register {}", id));
    }
    return *std::move(found);
  }

  static Status NotInAHousehold(CivilTx& civil, std::string_view resident_id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto existing, civil.HouseholdOf(resident_id));
    if (existing) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("resident {} is already in household {}",
                              resident_id, existing->id));
    }
    return Ok();
  }

  static Result<ResidentCivil> ItemsOf(CivilTx& civil,
                                       std::string_view resident_id) {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.GetResidentCivil(resident_id));
    if (found) return *std::move(found);
    ResidentCivil items;
    items.resident_id = std::string(resident_id);
    return items;
  }

  // The 住民票's 本籍・筆頭者 of a member who is a resident here follow the
  // register (or are cleared when the member leaves it).
  Status LinkMember(RegistryTx& tx, CivilTx& civil, const FamilyRegister& r,
                    const FamilyRegisterMember& m, bool in_register) const {
    if (m.resident_id.empty()) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(Resident resident,
                              LoadResident(tx, m.resident_id));
    if (in_register && resident.foreign) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("resident {} is a foreign resident: no family "
                              "register (konbini.md §2.1)",
                              m.resident_id));
    }
    OPENMYNA_ASSIGN_OR_RETURN(ResidentCivil items,
                              ItemsOf(civil, m.resident_id));
    if (in_register) {
      items.honseki = r.honseki;
      items.hittosha = r.head_name;
      items.family_register_id = r.id;
    } else if (items.family_register_id == r.id) {
      items.family_register_id.clear();
    }
    OPENMYNA_RETURN_IF_ERROR(civil.PutResidentCivil(items));
    if (in_register && resident.registered_domicile != r.honseki) {
      resident.registered_domicile = r.honseki;
      OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(resident));
    }
    return Ok();
  }

  static Status CheckMember(const FamilyRegisterMember& m) {
    OPENMYNA_RETURN_IF_ERROR(Require("name", m.name));
    OPENMYNA_RETURN_IF_ERROR(CheckDate("date_of_birth", m.date_of_birth, true));
    OPENMYNA_RETURN_IF_ERROR(CheckDate("entered_on", m.entered_on, false));
    OPENMYNA_RETURN_IF_ERROR(CheckDate("left_on", m.left_on, false));
    for (const AttachedAddress& a : m.addresses) {
      OPENMYNA_RETURN_IF_ERROR(Require("addresses[].address", a.address));
      OPENMYNA_RETURN_IF_ERROR(CheckDate("addresses[].set_on", a.set_on, true));
    }
    return Ok();
  }

  static Status CheckMemberIndex(const FamilyRegister& r, int member) {
    if (member < 0 || member >= static_cast<int>(r.members.size())) {
      return Fail(RegistryErrc::kInvalidInput,
                  fmt::format("member: {} is not a member index of register "
                              "{} (0-{})",
                              member, r.id, r.members.size() - 1));
    }
    return Ok();
  }

  static std::string Sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(),
               nullptr);
    return ToHex(ByteView(digest, size));
  }

  static bool IsPng(std::string_view bytes) {
    // PNG signature (ISO/IEC 15948 §5.2).
    return bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8));
  }

  Result<FamilyRegister> Transact(
      const Actor& actor, std::string_view action, std::string_view id,
      const std::function<Status(RegistryTx&, CivilTx&, FamilyRegister&)>&
          change) {
    OPENMYNA_RETURN_IF_ERROR(Authorize(actor, "civil.koseki.write"));
    FamilyRegister out;
    OPENMYNA_REGISTRY_TRANSACT(s.store_.Transact([&](RegistryTx& tx) -> Status {
      CivilTx civil(tx);
      OPENMYNA_ASSIGN_OR_RETURN(out, LoadRegister(civil, id));
      OPENMYNA_RETURN_IF_ERROR(change(tx, civil, out));
      OPENMYNA_RETURN_IF_ERROR(civil.PutFamilyRegister(out));
      return AuditAll(tx, actor, MembersOf(out), action);
    }));
    return out;
  }
};

CivilService::CivilService(RegistryStore& store, const Clock& clock, Rng& rng)
    : store_(store), clock_(clock), rng_(rng) {}

// --- households -------------------------------------------------------------

Result<Household> CivilService::FormHousehold(const Actor& actor,
                                              std::string_view head_id,
                                              std::string_view address) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.household.write"));
  Household h;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(Resident head,
                              Impl::LoadActiveResident(tx, head_id));
    OPENMYNA_RETURN_IF_ERROR(Impl::NotInAHousehold(civil, head_id));
    h.id = impl.NewId("hh-");
    h.municipality_code = head.municipality_code;
    h.address = address.empty() ? head.address : std::string(address);
    h.head_id = head.id;
    h.members = {{head.id, "世帯主"}};
    h.formed_on = impl.TodayText();
    OPENMYNA_RETURN_IF_ERROR(civil.PutHousehold(h));
    return impl.Audit(tx, actor, head.id, "household.form");
  }));
  return h;
}

Result<Household> CivilService::AddHouseholdMember(
    const Actor& actor, std::string_view household_id,
    std::string_view resident_id, std::string_view relationship) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.household.write"));
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("relationship", relationship));
  if (relationship == "世帯主") {
    return Fail(RegistryErrc::kRefused,
                "a household has one head (世帯主); give the member's 続柄");
  }
  Household h;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(h, Impl::LoadHousehold(civil, household_id));
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadActiveResident(tx, resident_id));
    if (r.municipality_code != h.municipality_code) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("resident {} lives in {}, the household in {}",
                              r.id, r.municipality_code, h.municipality_code));
    }
    OPENMYNA_RETURN_IF_ERROR(Impl::NotInAHousehold(civil, resident_id));
    h.members.push_back({r.id, std::string(relationship)});
    OPENMYNA_RETURN_IF_ERROR(civil.PutHousehold(h));
    return impl.Audit(tx, actor, r.id, "household.add_member");
  }));
  return h;
}

Result<Household> CivilService::RemoveHouseholdMember(
    const Actor& actor, std::string_view household_id,
    std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.household.write"));
  Household h;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(h, Impl::LoadHousehold(civil, household_id));
    auto it = std::find_if(
        h.members.begin(), h.members.end(),
        [&](const HouseholdMember& m) { return m.resident_id == resident_id; });
    if (it == h.members.end()) {
      return Fail(
          RegistryErrc::kNotFound,
          fmt::format("resident {} is not in household {}", resident_id, h.id));
    }
    if (resident_id == h.head_id && h.members.size() > 1) {
      return Fail(RegistryErrc::kRefused,
                  "the head (世帯主) leaves last: the other members must "
                  "leave or another head be chosen first");
    }
    h.members.erase(it);
    OPENMYNA_RETURN_IF_ERROR(civil.PutHousehold(h));
    return impl.Audit(tx, actor, resident_id, "household.remove_member");
  }));
  return h;
}

Result<Household> CivilService::GetHousehold(const Actor& actor,
                                             std::string_view id) {
  Impl impl{*this};
  Household h;
  // One statement and its audit entries (store.h ReadOneStatement).
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        CivilTx civil(tx);
        OPENMYNA_ASSIGN_OR_RETURN(h, Impl::LoadHousehold(civil, id));
        // A resident may read the household they belong to.
        const auto ids = Impl::MembersOf(h);
        const bool member =
            std::find(ids.begin(), ids.end(), actor.id) != ids.end();
        OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(
            actor, "civil.household.read", member ? actor.id : std::string()));
        return impl.AuditAll(tx, actor, ids, "household.read");
      }));
  return h;
}

Result<Household> CivilService::HouseholdOf(const Actor& actor,
                                            std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::Authorize(actor, "civil.household.read", resident_id));
  Household h;
  // One statement and its audit entries (store.h ReadOneStatement).
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        CivilTx civil(tx);
        OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.HouseholdOf(resident_id));
        if (!found) {
          return Fail(
              RegistryErrc::kNotFound,
              fmt::format("resident {} is in no household", resident_id));
        }
        h = *std::move(found);
        return impl.AuditAll(tx, actor, Impl::MembersOf(h), "household.read");
      }));
  return h;
}

// --- 住民票 items
// -------------------------------------------------------------

Result<ResidentCivil> CivilService::SetResidentItems(
    const Actor& actor, const ResidentCivil& items) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.resident.write"));
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("resident_id", items.resident_id));
  for (auto [field, value] :
       {std::pair{"became_resident_on", &items.became_resident_on},
        std::pair{"address_set_on", &items.address_set_on},
        std::pair{"address_notified_on", &items.address_notified_on},
        std::pair{"move_out_planned_on", &items.move_out_planned_on}}) {
    OPENMYNA_RETURN_IF_ERROR(Impl::CheckDate(field, *value, false));
  }
  if (items.move_out_planned_on.empty() != items.move_out_address.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "move_out_planned_on and move_out_address: both or neither");
  }
  if (items.hittosha.empty() != items.honseki.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "honseki and hittosha: both or neither");
  }
  ResidentCivil out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadResident(tx, items.resident_id));
    if (r.foreign && !items.honseki.empty()) {
      return Fail(RegistryErrc::kRefused,
                  "a foreign resident has no 本籍 (住民基本台帳法 §30-45)");
    }
    OPENMYNA_ASSIGN_OR_RETURN(out, Impl::ItemsOf(civil, r.id));
    auto support = out.support_measure;
    auto link = out.family_register_id;
    out = items;
    out.support_measure = support;
    out.family_register_id = link;
    OPENMYNA_RETURN_IF_ERROR(civil.PutResidentCivil(out));
    if (r.registered_domicile != out.honseki) {
      r.registered_domicile = out.honseki;
      OPENMYNA_RETURN_IF_ERROR(tx.UpdateResident(r));
    }
    return impl.Audit(tx, actor, r.id, "resident.set_items");
  }));
  return out;
}

Result<ResidentCivil> CivilService::GetResidentItems(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::Authorize(actor, "civil.resident.read", resident_id));
  ResidentCivil out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(out, Impl::ItemsOf(civil, resident_id));
    return impl.Audit(tx, actor, resident_id, "resident.read_items");
  }));
  return out;
}

Result<ResidentCivil> CivilService::GrantSupportMeasure(
    const Actor& actor, std::string_view resident_id, std::string_view kind) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.support_measure"));
  if (kind != "dv" && kind != "stalking" && kind != "child_abuse" &&
      kind != "other") {
    return Fail(RegistryErrc::kInvalidInput,
                "kind: one of dv, stalking, child_abuse, other");
  }
  ResidentCivil out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadActiveResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(out, Impl::ItemsOf(civil, resident_id));
    const Date today = impl.Today();
    SupportMeasure m{std::string(kind), domain::FormatDate(today),
                     domain::FormatDate(domain::SupportMeasureLastDay(today))};
    if (out.support_measure) {
      auto since = domain::ParseDate(out.support_measure->since);
      auto last = domain::ParseDate(out.support_measure->last_day);
      if (since && last &&
          domain::SupportMeasureInForce(*since, *last, today)) {
        // Extension (延長): one more year after the current last day.
        m.since = out.support_measure->since;
        m.last_day = domain::FormatDate(
            domain::SupportMeasureLastDay(domain::AddDays(*last, 1)));
      }
    }
    out.support_measure = m;
    OPENMYNA_RETURN_IF_ERROR(civil.PutResidentCivil(out));
    return impl.Audit(tx, actor, resident_id, "resident.support_measure");
  }));
  return out;
}

Result<ResidentCivil> CivilService::EndSupportMeasure(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.support_measure"));
  ResidentCivil out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(out, Impl::ItemsOf(civil, resident_id));
    if (!out.support_measure) {
      return Fail(
          RegistryErrc::kRefused,
          fmt::format("resident {} has no support measure", resident_id));
    }
    out.support_measure.reset();
    OPENMYNA_RETURN_IF_ERROR(civil.PutResidentCivil(out));
    return impl.Audit(tx, actor, resident_id, "resident.support_measure_end");
  }));
  return out;
}

// --- family registers --------------------------------------------------------

Result<FamilyRegister> CivilService::CreateFamilyRegister(
    const Actor& actor, FamilyRegister draft) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.koseki.write"));
  OPENMYNA_RETURN_IF_ERROR(
      Impl::Require("municipality_code", draft.municipality_code));
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("honseki", draft.honseki));
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("head_name", draft.head_name));
  if (draft.members.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "members: at least the head");
  }
  for (const auto& m : draft.members) {
    OPENMYNA_RETURN_IF_ERROR(Impl::CheckMember(m));
  }
  if (!draft.events.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "events: file them after creation (FileFamilyRegisterEvent)");
  }
  draft.id = impl.NewId("kr-");
  if (draft.created_on.empty()) draft.created_on = impl.TodayText();
  OPENMYNA_RETURN_IF_ERROR(
      Impl::CheckDate("created_on", draft.created_on, true));
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto municipality,
                              tx.GetMunicipality(draft.municipality_code));
    if (!municipality) {
      return Fail(RegistryErrc::kNotFound,
                  "no municipality " + draft.municipality_code);
    }
    for (const auto& m : draft.members) {
      if (m.resident_id.empty() || !m.left_on.empty()) continue;
      OPENMYNA_ASSIGN_OR_RETURN(auto other,
                                civil.FamilyRegisterOf(m.resident_id));
      if (other) {
        return Fail(RegistryErrc::kRefused,
                    fmt::format("resident {} is in family register {}",
                                m.resident_id, other->id));
      }
    }
    OPENMYNA_RETURN_IF_ERROR(civil.PutFamilyRegister(draft));
    for (const auto& m : draft.members) {
      OPENMYNA_RETURN_IF_ERROR(
          impl.LinkMember(tx, civil, draft, m, m.left_on.empty()));
    }
    return impl.AuditAll(tx, actor, Impl::MembersOf(draft), "koseki.create");
  }));
  return draft;
}

Result<FamilyRegister> CivilService::AddFamilyRegisterMember(
    const Actor& actor, std::string_view register_id,
    FamilyRegisterMember member) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::CheckMember(member));
  if (!member.left_on.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "left_on: a new member is in");
  }
  if (member.entered_on.empty()) member.entered_on = impl.TodayText();
  return impl.Transact(
      actor, "koseki.add_member", register_id,
      [&](RegistryTx& tx, CivilTx& civil, FamilyRegister& r) -> Status {
        if (!member.resident_id.empty()) {
          OPENMYNA_ASSIGN_OR_RETURN(auto other,
                                    civil.FamilyRegisterOf(member.resident_id));
          if (other) {
            return Fail(RegistryErrc::kRefused,
                        fmt::format("resident {} is in family register {}: "
                                    "remove them there first",
                                    member.resident_id, other->id));
          }
        }
        r.members.push_back(member);
        return impl.LinkMember(tx, civil, r, member, true);
      });
}

Result<FamilyRegister> CivilService::RemoveFamilyRegisterMember(
    const Actor& actor, std::string_view register_id, int member,
    std::string_view cause, std::string_view on) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("cause", cause));
  OPENMYNA_RETURN_IF_ERROR(Impl::CheckDate("on", on, true));
  return impl.Transact(
      actor, "koseki.remove_member", register_id,
      [&](RegistryTx& tx, CivilTx& civil, FamilyRegister& r) -> Status {
        OPENMYNA_RETURN_IF_ERROR(Impl::CheckMemberIndex(r, member));
        FamilyRegisterMember& m = r.members[static_cast<std::size_t>(member)];
        if (!m.left_on.empty()) {
          return Fail(RegistryErrc::kRefused,
                      fmt::format("member {} left the register on {}", member,
                                  m.left_on));
        }
        m.left_on = std::string(on);
        m.left_cause = std::string(cause);
        return impl.LinkMember(tx, civil, r, m, false);
      });
}

Result<FamilyRegister> CivilService::FileFamilyRegisterEvent(
    const Actor& actor, std::string_view register_id,
    FamilyRegisterEvent event) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("kind", event.kind));
  OPENMYNA_RETURN_IF_ERROR(Impl::CheckDate("on", event.on, true));
  if (!event.reflected_on.empty()) {
    return Fail(RegistryErrc::kInvalidInput,
                "reflected_on: a filing is reflected later "
                "(ReflectFamilyRegisterEvent)");
  }
  event.id = impl.NewId("ke-");
  event.filed_on = impl.TodayText();
  return impl.Transact(
      actor, "koseki.file_event", register_id,
      [&](RegistryTx&, CivilTx&, FamilyRegister& r) -> Status {
        OPENMYNA_RETURN_IF_ERROR(Impl::CheckMemberIndex(r, event.member));
        if (event.filed_with.empty()) event.filed_with = r.municipality_code;
        r.events.push_back(event);
        return Ok();
      });
}

Result<FamilyRegister> CivilService::ReflectFamilyRegisterEvent(
    const Actor& actor, std::string_view register_id,
    std::string_view event_id) {
  Impl impl{*this};
  return impl.Transact(
      actor, "koseki.reflect_event", register_id,
      [&](RegistryTx&, CivilTx&, FamilyRegister& r) -> Status {
        auto it = std::find_if(
            r.events.begin(), r.events.end(),
            [&](const FamilyRegisterEvent& e) { return e.id == event_id; });
        if (it == r.events.end()) {
          return Fail(
              RegistryErrc::kNotFound,
              fmt::format("no event {} in register {}", event_id, r.id));
        }
        if (!it->reflected_on.empty()) {
          return Fail(RegistryErrc::kRefused,
                      fmt::format("event {} was reflected on {}", event_id,
                                  it->reflected_on));
        }
        it->reflected_on = impl.TodayText();
        return Ok();
      });
}

Result<FamilyRegister> CivilService::AddAttachedAddress(
    const Actor& actor, std::string_view register_id, int member,
    std::string_view address, std::string_view set_on) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("address", address));
  OPENMYNA_RETURN_IF_ERROR(Impl::CheckDate("set_on", set_on, true));
  return impl.Transact(
      actor, "koseki.attached_address", register_id,
      [&](RegistryTx&, CivilTx&, FamilyRegister& r) -> Status {
        OPENMYNA_RETURN_IF_ERROR(Impl::CheckMemberIndex(r, member));
        auto& lines = r.members[static_cast<std::size_t>(member)].addresses;
        if (!lines.empty() && lines.back().set_on > set_on) {
          return Fail(RegistryErrc::kRefused,
                      "set_on: before the member's last address line");
        }
        lines.push_back({std::string(address), std::string(set_on)});
        return Ok();
      });
}

Result<FamilyRegister> CivilService::GetFamilyRegister(const Actor& actor,
                                                       std::string_view id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.koseki.read"));
  FamilyRegister out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(out, Impl::LoadRegister(civil, id));
    return impl.AuditAll(tx, actor, Impl::MembersOf(out), "koseki.read");
  }));
  return out;
}

Result<FamilyRegister> CivilService::FamilyRegisterOf(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.koseki.read"));
  FamilyRegister out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.FamilyRegisterOf(resident_id));
    if (!found) {
      return Fail(RegistryErrc::kNotFound,
                  fmt::format("resident {} is in no family register held "
                              "here",
                              resident_id));
    }
    out = *std::move(found);
    return impl.AuditAll(tx, actor, Impl::MembersOf(out), "koseki.read");
  }));
  return out;
}

// --- seals -------------------------------------------------------------------

Result<SealRegistration> CivilService::RegisterSeal(
    const Actor& actor, std::string_view resident_id,
    std::string impression_png, double width_mm, double height_mm) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.seal.register"));
  if (!Impl::IsPng(impression_png)) {
    return Fail(RegistryErrc::kInvalidInput,
                "impression: a PNG image of the seal is required");
  }
  if (auto why = domain::SealImpressionRefusal(width_mm, height_mm)) {
    return Fail(RegistryErrc::kRefused, *why);
  }
  SealRegistration seal;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(Resident r,
                              Impl::LoadActiveResident(tx, resident_id));
    auto birth = domain::ParseDate(r.date_of_birth);
    if (!birth) return Unexpected(birth.error());
    const int age = domain::AgeAt(*birth, impl.Today());
    if (auto why = domain::SealRegistrationRefusal(age, r.adult_ward)) {
      return Fail(RegistryErrc::kRefused, *why);
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto existing, civil.RegisteredSealOf(r.id));
    if (existing) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("resident {} has registered seal {}: one seal "
                              "per person (印鑑登録証明事務処理要領 第2-2)",
                              r.id, existing->number));
    }
    const std::string digest = Impl::Sha256Hex(impression_png);
    OPENMYNA_ASSIGN_OR_RETURN(auto household, civil.HouseholdOf(r.id));
    if (household) {
      for (const HouseholdMember& m : household->members) {
        if (m.resident_id == r.id) continue;
        OPENMYNA_ASSIGN_OR_RETURN(auto theirs,
                                  civil.RegisteredSealOf(m.resident_id));
        if (theirs && theirs->impression_sha256 == digest) {
          return Fail(RegistryErrc::kRefused,
                      "the seal is registered by another member of the "
                      "household (印鑑登録証明事務処理要領 第2-2)");
        }
      }
    }
    OPENMYNA_ASSIGN_OR_RETURN(std::int64_t count,
                              civil.CountSeals(r.municipality_code));
    seal.number = fmt::format("{}-{:06d}", r.municipality_code, count + 1);
    seal.resident_id = r.id;
    seal.municipality_code = r.municipality_code;
    seal.impression_png = std::move(impression_png);
    seal.impression_sha256 = digest;
    seal.width_mm = width_mm;
    seal.height_mm = height_mm;
    seal.registered_on = impl.TodayText();
    OPENMYNA_RETURN_IF_ERROR(civil.PutSeal(seal));
    return impl.Audit(tx, actor, r.id, "seal.register");
  }));
  return seal;
}

Result<SealRegistration> CivilService::DeregisterSeal(const Actor& actor,
                                                      std::string_view number,
                                                      std::string_view reason) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(Impl::Authorize(actor, "civil.seal.deregister"));
  OPENMYNA_RETURN_IF_ERROR(Impl::Require("reason", reason));
  SealRegistration seal;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.GetSeal(number));
    if (!found) {
      return Fail(RegistryErrc::kNotFound, fmt::format("no seal {}", number));
    }
    seal = *std::move(found);
    if (seal.state != SealState::kRegistered) {
      return Fail(RegistryErrc::kRefused,
                  fmt::format("seal {} was deregistered on {}", number,
                              seal.deregistered_on));
    }
    seal.state = SealState::kDeregistered;
    seal.deregistered_on = impl.TodayText();
    seal.deregistration_reason = std::string(reason);
    OPENMYNA_RETURN_IF_ERROR(civil.PutSeal(seal));
    return impl.Audit(tx, actor, seal.resident_id, "seal.deregister");
  }));
  return seal;
}

Result<SealRegistration> CivilService::GetSeal(const Actor& actor,
                                               std::string_view number) {
  Impl impl{*this};
  SealRegistration seal;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto found, civil.GetSeal(number));
    if (!found) {
      return Fail(RegistryErrc::kNotFound, fmt::format("no seal {}", number));
    }
    seal = *std::move(found);
    OPENMYNA_RETURN_IF_ERROR(
        Impl::Authorize(actor, "civil.seal.read", seal.resident_id));
    return impl.Audit(tx, actor, seal.resident_id, "seal.read");
  }));
  return seal;
}

Result<std::vector<SealRegistration>> CivilService::SealsOf(
    const Actor& actor, std::string_view resident_id) {
  Impl impl{*this};
  OPENMYNA_RETURN_IF_ERROR(
      Impl::Authorize(actor, "civil.seal.read", resident_id));
  std::vector<SealRegistration> seals;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    CivilTx civil(tx);
    OPENMYNA_RETURN_IF_ERROR(Impl::LoadResident(tx, resident_id));
    OPENMYNA_ASSIGN_OR_RETURN(seals, civil.ListSeals(resident_id));
    return impl.Audit(tx, actor, resident_id, "seal.read");
  }));
  return seals;
}

}  // namespace openmyna::registry
