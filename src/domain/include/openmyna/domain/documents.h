// The number documents and their uses (domain.md §7; guidebook p.4
// "通知カードと通知書とマイナンバーカードの違い"), the former-surname notation
// (domain.md §6) and who applies for a card (guidebook Q&A).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/domain/date.h"

namespace openmyna::domain {

enum class NumberDocument {
  kNotificationCard,  // 通知カード (abolished 2020-05-25)
  kNotificationLetter,  // 個人番号通知書 (numbers assigned from 2020-05-25)
  kMyNumberCard,        // 個人番号カード
};

// The notification card was abolished on 令和2年5月25日.
inline constexpr Date kNotificationCardAbolished{
    std::chrono::year{2020}, std::chrono::month{5}, std::chrono::day{25}};
// A former surname (旧氏) can be written beside the name from 令和元年11月5日.
inline constexpr Date kFormerSurnameSince{
    std::chrono::year{2019}, std::chrono::month{11}, std::chrono::day{5}};

// Whether `document` proves the holder's number (番号確認書類). The card does
// (back face); the letter never does; the notification card does unless its
// data changed (a move, a new name) on or after 2020-05-25 ("令和2年5月25日
// 以降に…変更が生じた場合は…利用できなくなります"). `data_changed_on` is the
// latest such change, nullopt when none. For the card, `card_valid` must be
// true (an expired card proves nothing, domain.md §5).
bool ProvesNumber(NumberDocument document,
                  std::optional<Date> data_changed_on = {},
                  bool card_valid = true);

// Only a valid My Number Card is an identity document (its front face).
bool IsIdentityDocument(NumberDocument document, bool card_valid = true);

// Only the My Number Card can be reissued; the other two cannot.
bool CanBeReissued(NumberDocument document);

// The name with the former surname as the card writes it (guidebook p.4):
// "番号 [旧氏] 花子" = surname, space, [former surname], space, given name.
// With an empty former surname: "surname given".
std::string NameWithFormerSurname(std::string_view surname,
                                  std::string_view former_surname,
                                  std::string_view given_name);

// A legal representative (法定代理人) applies for a person under 15 on the
// day of application, and acts for an adult ward (成年被後見人) (guidebook
// Q&A "15歳未満の場合は、法定代理人により申請"; p.5 ※1).
bool NeedsLegalRepresentative(int age, bool adult_ward);

}  // namespace openmyna::domain
