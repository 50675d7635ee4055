// InsuranceService: the registry's rules for health-insurance records
// (issue 12; ../shared/docs/insurance.md §1.4–1.6, §4):
//  - insurers enrol memberships; a membership is linked to a resident only
//    by the individual number or by an exact five-item match with exactly
//    one resident (0 or several candidates: left unlinked), and every link
//    carries a verification state (LinkState);
//  - a batch collation re-checks every link against the registry and blocks
//    viewing (kMismatch) until the insurer corrects the record or confirms it
//    with a reason;
//  - residents register their card as insurance card (保険証利用登録);
//  - clinics check eligibility by the card's authentication certificate or by
//    insurance-card data and get the result codes of the national system.
// Same conventions as RegistryService: role check, rule, records and an
// audit entry on the resident in ONE transaction; dates are the JST day of
// the injected Clock. The individual number is only ever an input here: no
// result, note or log line carries it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/identity_match.h"
#include "openmyna/domain/qualification_document.h"
#include "openmyna/registry/insurance.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

// An insurer's enrolment (資格取得届 as registered in the 中間サーバー).
// `membership` carries the insurer's data (id, link fields are assigned).
struct EnrolmentRequest {
  Membership membership;
  // 12 digits, or "" when the form lacks it (then the five-item rule).
  std::string individual_number;
};

struct EnrolmentOutcome {
  Membership membership;  // as stored (link_state tells the result)
  // Five-item search: residents that matched all five items, and those
  // that matched three or four (near namesakes: reported as a count only).
  int exact_candidates = 0;
  int partial_candidates = 0;
};

struct RecheckReport {
  int checked = 0;
  int verified = 0;
  int mismatched = 0;  // newly or still blocked
  int overridden = 0;  // kept as the insurer confirmed them
};

// QualificationValidity (OQSCD006, insurance.md §2.4).
enum class Validity {
  kValid = 1,               // 有効
  kInvalid = 2,             // 無効
  kInvalidNewerExists = 3,  // 無効（新しい資格あり）
  kNoQualification = 4,     // 該当資格なし
  kMultiple = 5,            // 複数該当
};

// Look-up by insurance-card data (QualificationConfirmSearchInfo).
struct CardDataQuery {
  std::string insurer_number;  // 6 or 8 digits (space padding accepted)
  std::string symbol;          // "" = not given
  std::string number;
  std::string branch;  // "" = not given
  std::string date_of_birth;
};

struct EligibilityAnswer {
  Validity validity = Validity::kNoQualification;
  int reference_classification = 2;  // 1 マイナンバーカード, 2 被保険者証情報
  std::string confirmation_date;  // the JST day of the check
  // The memberships answered (ResultOfQualificationConfirmation): the
  // current one(s) for 1, the queried one for 2/3, none for 4, the
  // candidates for 5.
  std::vector<Membership> memberships;
  std::vector<Insurer> insurers;  // one per distinct insurer_number above
  // Only the registry knows the resident; services get the linkage code.
  std::string linkage_code;
  std::string message;  // ProcessingResultMessage (informational)
  // By card (reference 1): this institution's latest consent of the person
  // (valid or lapsed), for the answer's consent state (…ConsFlg, ConsTime,
  // AvailableTime; OQSCD016).
  std::optional<Consent> consent;
};

// A 資格確認書 or 資格情報のお知らせ as issued (issue 12 item 7; the rule in
// domain/qualification_document.h). The printed data is the insurer's
// record; the resident stays behind the registry (no id, no number).
struct QualificationDocument {
  std::string number;  // 交付番号, "qd-…"
  domain::QualificationDocumentKind kind =
      domain::QualificationDocumentKind::kCertificate;
  domain::QualificationDocumentReason reason =
      domain::QualificationDocumentReason::kNotRegistered;
  std::string issued_on;    // the JST day of issue
  std::string valid_until;  // "" when none is printed
  Membership membership;
  Insurer insurer;
};

// A membership the ex officio batch could not decide (its record is
// wrong: an unknown insurer, a malformed date) or record (a conflict that
// stayed after a retry): named, and left for the next run.
struct SkippedMembership {
  std::string membership_id;
  std::string reason;  // never a name or an individual number
};

// An ex officio document recorded by an earlier run and never written,
// replaced by a newer one of this page: it is not to be written any more.
struct SupersededDocument {
  std::string number;
  std::string membership_id;
};

// One page of the ex officio batch (InsuranceService::IssueDueDocuments).
struct DueDocumentsPage {
  int checked = 0;                            // memberships looked at
  std::vector<QualificationDocument> issued;  // recorded by this call
  // Recorded by an earlier run whose PDF was never reported written
  // (IssuedQualificationDocument::awaiting_output): the same number and dates
  // again.
  std::vector<QualificationDocument> unwritten;
  std::vector<SkippedMembership> skipped;
  std::vector<SupersededDocument> superseded;
  std::string next_after;  // the last id looked at; "" when none is left
};

class InsuranceService {
 public:
  InsuranceService(RegistryStore& store, const Clock& clock, Rng& rng);

  // --- reference data (system role) ------------------------------------
  Status PutInsurer(const Actor& actor, const Insurer& insurer);
  Status PutInstitution(const Actor& actor, const MedicalInstitution& inst);
  Result<std::optional<MedicalInstitution>> GetInstitution(
      std::string_view code);
  Result<std::optional<Insurer>> GetInsurer(std::string_view number);
  // The institution or insurer whose API credential is `credential_id`
  // (the HTTP services map a Basic credential to its holder this way).
  Result<std::optional<MedicalInstitution>> InstitutionByCredential(
      std::string_view credential_id);
  Result<std::optional<Insurer>> InsurerByCredential(
      std::string_view credential_id);

  // --- enrolment and links (insurer role; system for seeding) ----------
  // Validates the record (insurer number and check digit, dates, 枝番,
  // ratio), then links as described above. The actor must be the insurer
  // (actor.id == insurer number) or the system.
  Result<EnrolmentOutcome> Enrol(const Actor& actor,
                                 const EnrolmentRequest& request);
  // The insurer corrects its copy of the five items (and may now give the
  // number); the link is re-collated.
  Result<EnrolmentOutcome> Correct(const Actor& actor,
                                   std::string_view membership_id,
                                   const domain::IdentityItems& items,
                                   std::string_view individual_number = {});
  // 理由付き疑いなし: a kMismatch link confirmed by the insurer with a reason.
  Result<Membership> Override(const Actor& actor,
                              std::string_view membership_id,
                              std::string_view reason);
  // 資格喪失: the membership ends on `lost_on` (last day + 1 as on the card)
  // for `reason` (OQSCD008).
  Result<Membership> Lose(const Actor& actor, std::string_view membership_id,
                          std::string_view lost_on, std::string_view reason);
  // The batch collation (system role): every linked membership against the
  // resident's current registry record.
  Result<RecheckReport> RecheckLinks(const Actor& actor);
  // A resident's memberships (the resident, or the system).
  Result<std::vector<Membership>> MembershipsOf(const Actor& actor,
                                                std::string_view resident_id);

  // The document the membership's holder is due today (資格確認書 or
  // 資格情報のお知らせ), decided from the registry: the 保険証利用登録 and
  // whether the resident holds an active card with a good authentication
  // certificate. Refused for a lost membership or a link blocked by the
  // collation (kMismatch). Audited on the linked resident
  // ("insurance.document"). Actor: the membership's insurer, or the system.
  // Recorded (IssuedQualificationDocument, DocumentChannel::kRequest).
  Result<QualificationDocument> IssueQualificationDocument(
      const Actor& actor, std::string_view membership_id);

  // Ex officio issue (issue 12 item 7; `openmyna insurance issue-due`): of
  // the memberships after `after_id` (at most `limit`, by id), each one
  // valid today and not blocked whose holder is due a new document gets
  // the one decided as above, recorded (DocumentChannel::kExOfficio) and
  // audited
  // ("… 職権交付 …"). Due: nothing recorded yet; or the kind decided today
  // differs from the last one recorded (registration cancelled, the
  // certificate expired or revoked, the card returned → 資格確認書; a new
  // registration with a usable card → お知らせ); or the last one's
  // validity has ended. The page is read and decided in one read snapshot
  // (RegistryStore::Read, beside the writer); the due documents are then
  // recorded in short write transactions, each one decided again there
  // from the membership, its facts and its last document as they are then
  // (a loss, a block, a revoked card or an issue on request meanwhile make
  // it not due, or due another). A document replacing one that was never
  // written clears that one's awaiting_output (DueDocumentsPage::superseded). A
  // membership whose record cannot be decided, or whose write fails again
  // alone, is skipped and named (DueDocumentsPage::skipped); storage errors
  // fail the page. Documents are recorded awaiting output: until
  // MarkDocumentsWritten, every later run gives them again (`unwritten`) while
  // they are still the ones due. A second run after that issues nothing new.
  // Actor: the system.
  Result<DueDocumentsPage> IssueDueDocuments(const Actor& actor,
                                             std::string_view after_id,
                                             int limit);
  // The batch's PDFs of `numbers` are written: no longer awaiting output.
  // kNotFound for an unknown number (nothing is marked). Actor: the system.
  Status MarkDocumentsWritten(const Actor& actor,
                              const std::vector<std::string>& numbers);

  // --- medical information (system writes; reads: resident or system) --
  Status AddMedication(const Actor& actor, MedicationRecord record);
  Status AddCheckup(const Actor& actor, CheckupRecord record);
  Status AddExpense(const Actor& actor, MedicalExpense expense);
  Result<std::vector<MedicationRecord>> MedicationOf(
      const Actor& actor, std::string_view resident_id);
  Result<std::vector<CheckupRecord>> CheckupsOf(const Actor& actor,
                                                std::string_view resident_id);
  Result<std::vector<MedicalExpense>> ExpensesOf(const Actor& actor,
                                                 std::string_view resident_id);

  // --- 保険証利用登録 ----------------------------------------------------
  // Registers the resident's card as insurance card: the resident must
  // hold an active card with a good authentication certificate (`serial`
  // when given must be it). A face-authentication card registers only at
  // a reader (RegistrationChannel::kReader, insurance.md §1.4). Idempotent
  // while registered. Actor: the resident, or the system.
  Result<InsuranceRegistration> RegisterCard(const Actor& actor,
                                             std::string_view resident_id,
                                             RegistrationChannel channel,
                                             std::string_view serial = {});
  // The same at a clinic's reader, where the card gives only its
  // authentication certificate (verified by the reader): the holder is
  // found by the registry's certificate look-up (audited), never told to
  // the clinic. Actor: the clinic.
  Result<InsuranceRegistration> RegisterCardAtReader(const Actor& actor,
                                                     std::string_view serial);
  Result<InsuranceRegistration> CancelRegistration(
      const Actor& actor, std::string_view resident_id);

  // --- consent and medical information for doctors (clinic role) -------
  // The patient's answers on the facility's reader (insurance.md §3.1):
  // `items` must be among those the facility enabled; valid 24 hours.
  // The card is named by its authentication certificate (verified by the
  // caller); `method` is how the holder was confirmed (face, pin, visual).
  Result<Consent> RecordConsent(const Actor& actor, std::string_view serial,
                                const std::vector<std::string>& items,
                                std::string_view method);
  // Medication and check-ups of the patient whose insurance-card data the
  // clinic gives (as in the national 薬剤/特定健診 requests, which carry
  // 保険者番号・記号・番号・枝番 in their header), only within a valid consent
  // of this clinic and only the consented items; kRefused otherwise
  // (kNotFound when the card data fits no linked membership). Audited with
  // the institution's name.
  struct MedicalInformation {
    Consent consent;
    std::vector<MedicationRecord> medication;  // when "drug" was consented
    std::vector<CheckupRecord> checkups;       // when "checkup"
  };
  Result<MedicalInformation> MedicalInformationFor(const Actor& actor,
                                                   const CardDataQuery& card);

  // --- eligibility (clinic role: actor.id is the institution code) -----
  // By insurance-card data.
  Result<EligibilityAnswer> CheckByCardData(const Actor& actor,
                                            const CardDataQuery& query);
  // By the card's authentication certificate, which the caller has
  // verified (signature, chain, validity with the 3-month grace, OCSP).
  // 4 when the certificate belongs to no registered resident.
  Result<EligibilityAnswer> CheckByCertificate(const Actor& actor,
                                               std::string_view serial);

 private:
  struct Impl;
  RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
};

}  // namespace openmyna::registry
