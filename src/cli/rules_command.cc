// `openmyna rules ...`: the guidebook's pure rules (openmyna::domain) from
// the command line. This file parses, calls and renders; no rule lives here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/era.h"
#include "openmyna/domain/residence.h"
#include "openmyna/domain/validity.h"

namespace openmyna::cli {
namespace {

using domain::Date;

struct ValidityOptions {
  std::string born, issued, status = "japanese", stay_until, event, renewing,
                            applied;
  bool ward = false;
  bool face_auth = false;
  bool no_auth_cert = false;
  bool no_sign_cert = false;
  bool json = false;
};

// Parses the date option `name` into `out`; on failure reports bad input
// naming the option and returns false.
bool ParseDateOption(std::string_view name, const std::string& text,
                     Context& context, Date& out) {
  const Result<Date> date = domain::ParseDate(text);
  if (!date) {
    context.BadInput(name, date.error().message());
    return false;
  }
  out = *date;
  return true;
}

bool ParseOptionalDate(std::string_view name, const std::string& text,
                       Context& context, std::optional<Date>& out) {
  if (text.empty()) return true;
  Date date;
  if (!ParseDateOption(name, text, context, date)) return false;
  out = date;
  return true;
}

nlohmann::ordered_json DateOrNull(const std::optional<Date>& d) {
  return d ? nlohmann::ordered_json(domain::FormatDate(*d))
           : nlohmann::ordered_json(nullptr);
}

std::string DateOrNotIssued(const std::optional<Date>& d) {
  return d ? domain::FormatDate(*d) : std::string("not issued");
}

void RunValidity(const ValidityOptions& o, Context& context) {
  domain::ValidityInput in;
  if (!ParseDateOption("--born", o.born, context, in.birth) ||
      !ParseDateOption("--issued", o.issued, context, in.issued) ||
      !ParseOptionalDate("--stay-until", o.stay_until, context,
                         in.stay_until) ||
      !ParseOptionalDate("--event", o.event, context, in.status_event) ||
      !ParseOptionalDate("--renewing", o.renewing, context,
                         in.previous_cert_expiry) ||
      !ParseOptionalDate("--applied", o.applied, context, in.applied)) {
    return;
  }
  const Result<domain::ResidenceStatus> status =
      domain::ParseResidenceStatus(o.status);
  if (!status) {
    context.BadInput("--status", status.error().message());
    return;
  }
  in.status = *status;
  in.adult_ward = o.ward;
  in.face_auth_card = o.face_auth;
  in.decline_auth_cert = o.no_auth_cert;
  in.decline_sign_cert = o.no_sign_cert;

  const Result<domain::Validity> v = domain::ComputeValidity(in);
  if (!v) {
    context.Failed(v.error());
    return;
  }
  if (o.json) {
    const nlohmann::ordered_json out = {
        {"card_expiry", domain::FormatDate(v->card_expiry)},
        {"auth_cert_expiry", DateOrNull(v->auth_cert_expiry)},
        {"sign_cert_expiry", DateOrNull(v->sign_cert_expiry)},
        {"renewal_opens", domain::FormatDate(v->renewal_opens)},
    };
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("card_expiry       %s\n",
                domain::FormatDate(v->card_expiry).c_str());
    std::printf("auth_cert_expiry  %s\n",
                DateOrNotIssued(v->auth_cert_expiry).c_str());
    std::printf("sign_cert_expiry  %s\n",
                DateOrNotIssued(v->sign_cert_expiry).c_str());
    std::printf("renewal_opens     %s\n",
                domain::FormatDate(v->renewal_opens).c_str());
  }
  context.SetExitCode(kExitOk);
}

void AddValidity(CLI::App& rules, Context& context) {
  auto o = std::make_shared<ValidityOptions>();
  std::string statuses;
  for (domain::ResidenceStatus s : domain::AllResidenceStatuses()) {
    if (!statuses.empty()) statuses += ", ";
    statuses += domain::ResidenceStatusName(s);
  }
  CLI::App* cmd = rules.add_subcommand(
      "validity",
      "Card and certificate expiry dates for a card issued on a date "
      "(domain.md §5, jpki.md §6)");
  cmd->add_option("--born", o->born, "Date of birth, YYYY-MM-DD")->required();
  cmd->add_option("--issued", o->issued,
                  "Issuance date (card made), YYYY-MM-DD, JST")
      ->required();
  cmd->add_option("--status", o->status,
                  "Status of residence (default japanese): " + statuses);
  cmd->add_option("--stay-until", o->stay_until,
                  "End of the period of stay / landing / provisional stay "
                  "(mid-to-long-term, temporary-refuge, provisional-stay)");
  cmd->add_option("--event", o->event,
                  "Date of birth or loss of nationality for the transitional "
                  "statuses (60-day rule)");
  cmd->add_option("--renewing", o->renewing,
                  "Expiry of the certificate being renewed (renewal inside "
                  "its last 3 months runs to the 6th birthday)");
  cmd->add_option("--applied", o->applied,
                  "Date the application was accepted (before 2022-04-01 the "
                  "10-year card needed age 20)");
  cmd->add_flag("--ward", o->ward,
                "Adult ward (成年被後見人): no signature certificate");
  cmd->add_flag("--face-auth", o->face_auth,
                "Face-authentication card: no signature certificate");
  cmd->add_flag("--no-auth-cert", o->no_auth_cert,
                "The authentication certificate was declined");
  cmd->add_flag("--no-sign-cert", o->no_sign_cert,
                "The signature certificate was declined");
  cmd->add_flag("--json", o->json,
                "Print JSON: card_expiry, auth_cert_expiry, sign_cert_expiry "
                "(null when not issued), renewal_opens");
  cmd->callback([o, &context] { RunValidity(*o, context); });
}

struct EraOptions {
  std::string date;
  bool json = false;
};

void RunEra(const EraOptions& o, Context& context) {
  Date date;
  if (!ParseDateOption("date", o.date, context, date)) return;
  const Result<domain::EraDate> era = domain::ToEra(date);
  if (!era) {
    context.Failed(era.error());
    return;
  }
  if (o.json) {
    const nlohmann::ordered_json out = {
        {"era", domain::EraNameEn(era->era)},
        {"era_ja", domain::EraNameJa(era->era)},
        {"year", era->year},
        {"month", era->month},
        {"day", era->day},
        {"jpki_date_of_birth", domain::JpkiDateOfBirth(date)},
        {"era_yymmdd", domain::EraYymmdd(date)},
    };
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%s %d-%02u-%02u  %s%d年%u月%u日  jpki=%s  yymmdd=%s\n",
                std::string(domain::EraNameEn(era->era)).c_str(), era->year,
                era->month, era->day,
                std::string(domain::EraNameJa(era->era)).c_str(), era->year,
                era->month, era->day, domain::JpkiDateOfBirth(date).c_str(),
                domain::EraYymmdd(date).c_str());
  }
  context.SetExitCode(kExitOk);
}

void AddEra(CLI::App& rules, Context& context) {
  auto o = std::make_shared<EraOptions>();
  CLI::App* cmd = rules.add_subcommand(
      "era", "A Gregorian date in its Japanese era (Meiji to Reiwa)");
  cmd->add_option("date", o->date, "YYYY-MM-DD")->required();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, &context] { RunEra(*o, context); });
}

void AddRules(CLI::App& app, Context& context) {
  CLI::App* rules = app.add_subcommand(
      "rules", "The guidebook's rules: validity dates, eras");
  rules->require_subcommand(1);
  AddValidity(*rules, context);
  AddEra(*rules, context);
}

const CommandGroup kGroup{"rules", 20, &AddRules};

}  // namespace
}  // namespace openmyna::cli
