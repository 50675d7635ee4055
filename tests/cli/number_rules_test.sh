#!/usr/bin/env bash
# End-to-end test of `openmyna number` and `openmyna rules` (issue 2 item 5).
# Usage: number_rules_test.sh /path/to/openmyna
#
# Expected values are not computed by OpenMyna:
#  - individual numbers: the published vectors of jpki.md §5.1, and an
#    independent check of generated numbers written here in bash from the
#    ordinance's formula (Pn from the right, Qn = n+1 / n-5);
#  - dates: the real certificate of jpki.md §3.1/§6.2 (issued 2022-11-24,
#    birthday 09-23, notAfter 2027-09-23) and hand-worked cases of the
#    guidebook's tables (domain.md §5), spelled out beside each check.
set -u
BIN=${1:?usage: $0 /path/to/openmyna}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# run <args...>: sets RC, OUT, ERR.
run() {
  "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

expect_rc() {  # expect_rc <code> <what>
  [[ $RC -eq $1 ]] || fail "$2: exit $RC, expected $1 (stderr: $ERR)"
}
expect_out() {  # expect_out <text> <what>
  [[ $OUT == "$1" ]] || fail "$2: stdout '$OUT', expected '$1'"
}
# A bad-input error is exactly one line on stderr that names the argument.
expect_one_line_error_naming() {  # <argument> <what>
  local lines
  lines=$(printf '%s\n' "$ERR" | wc -l)
  [[ $lines -eq 1 ]] || fail "$2: stderr has $lines lines: $ERR"
  [[ $ERR == *"$1"* ]] || fail "$2: stderr does not name $1: $ERR"
  [[ $ERR != *terminate* && $ERR != *Aborted* ]] || fail "$2: crash: $ERR"
}

# --- number check: published valid vectors (jpki.md §5.1) -> exit 0
for n in 123456789018 614106526000 510136263801 060122228102 362473502703 \
         467430101604 763727588705 734220726006 450817747707 207304711608 \
         407508284309 983205673214; do
  run number check "$n"
  expect_rc 0 "number check $n"
  expect_out "valid" "number check $n"
done

# --- published invalid vectors -> exit 1 with the reason
run number check 123456789010
expect_rc 1 "wrong check digit"
expect_out "invalid: check digit should be 8" "wrong check digit"
run number check 614106526006
expect_rc 1 "wrong check digit 0"
expect_out "invalid: check digit should be 0" "wrong check digit 0"
run number check 12345678901
expect_rc 1 "11 digits"
expect_out "invalid: must be 12 digits, got 11" "11 digits"
run number check 1234567890180
expect_rc 1 "13 digits"
run number check --json 123456789010
expect_rc 1 "json invalid"
expect_out '{"reason":"check digit should be 8","valid":false}' "json invalid"
run number check --json 123456789018
expect_rc 0 "json valid"
expect_out '{"reason":null,"valid":true}' "json valid"

# --- a number with letters is bad input: exit 2, one line naming it
run number check 1234a6789018
expect_rc 2 "letters"
expect_one_line_error_naming "number" "letters"
[[ $ERR == *"character 5 is not a digit"* ]] || fail "letters: $ERR"
run number check
expect_rc 2 "missing number"

# --- number new: valid by an independent check, distinct, count honoured
ordinance_check_digit() {  # 11-digit base -> check digit
  local base=$1 sum=0 n p q
  for ((n = 1; n <= 11; n++)); do
    p=${base:$((11 - n)):1}
    if ((n <= 6)); then q=$((n + 1)); else q=$((n - 5)); fi
    sum=$((sum + p * q))
  done
  local r=$((sum % 11))
  if ((r <= 1)); then echo 0; else echo $((11 - r)); fi
}
[[ $(ordinance_check_digit 12345678901) == 8 ]] || fail "oracle self-check"
run number new --count 60
expect_rc 0 "number new"
count=0
while read -r line; do
  count=$((count + 1))
  [[ $line =~ ^[0-9]{12}$ ]] || { fail "number new: '$line'"; continue; }
  [[ $(ordinance_check_digit "${line:0:11}") == "${line:11:1}" ]] ||
    fail "number new produced an invalid number $line"
done <<<"$OUT"
[[ $count -eq 60 ]] || fail "number new --count 60 printed $count lines"
[[ $(sort -u <<<"$OUT" | wc -l) -eq 60 ]] || fail "number new: duplicates"
run number new
[[ $(wc -l <<<"$OUT") -eq 1 ]] || fail "number new default count"
run number new --count 0
expect_rc 2 "count 0"
run number new --count 5 --seed 9
first=$OUT
run number new --count 5 --seed 9
[[ $OUT == "$first" ]] || fail "--seed is not reproducible"

# --- rules validity (JSON keys of the issue; values worked by hand)
json_field() {  # json_field <key>: the value of <key> in $OUT, "null" if null
  python3 -c 'import json,sys; v=json.loads(sys.stdin.read())[sys.argv[1]]; print("null" if v is None else v)' "$1" <<<"$OUT"
}
expect_json() {  # expect_json <what> card auth sign renewal
  local got
  got=$(python3 -c 'import json,sys
d=json.loads(sys.stdin.read())
print(",".join(d.keys()), *["null" if v is None else v for v in d.values()])' <<<"$OUT")
  local want="card_expiry,auth_cert_expiry,sign_cert_expiry,renewal_opens $2 $3 $4 $5"
  [[ $got == "$want" ]] || fail "$1: got '$got', expected '$want'"
}

# The real certificate (jpki.md §6.2): born 09-23, issued 2022-11-24 ->
# certificates 2027-09-23; an adult's card to the 10th birthday 2032-09-23;
# renewal 3 months before.
run rules validity --born 1990-09-23 --issued 2022-11-24 --json
expect_rc 0 "adult"
expect_json "adult" 2032-09-23 2027-09-23 2027-09-23 2032-06-23

run rules validity --born 1990-09-23 --issued 2022-11-24
expect_rc 0 "adult text"
[[ $OUT == *"card_expiry       2032-09-23"* ]] || fail "text output: $OUT"

# Day before / of the 18th birthday (born 2006-04-02): 5 vs 10 years.
run rules validity --born 2006-04-02 --issued 2024-04-01 --json
expect_json "17 at issue" 2028-04-02 2028-04-02 2028-04-02 2028-01-02
run rules validity --born 2006-04-02 --issued 2024-04-02 --json
expect_json "18 at issue" 2034-04-02 2029-04-02 2029-04-02 2034-01-02

# Under 15: no signature certificate (null).
run rules validity --born 2010-01-01 --issued 2022-11-24 --json
expect_json "under 15" 2027-01-01 2027-01-01 null 2026-10-01
# Adult ward: no signature certificate.
run rules validity --born 1950-05-05 --issued 2024-06-01 --ward --json
expect_json "ward" 2034-05-05 2029-05-05 null 2034-02-05
# 29 February birth: the 10th birthday in a common year is 28 February.
run rules validity --born 2000-02-29 --issued 2023-03-01 --json
expect_json "29 Feb" 2033-02-28 2028-02-29 2028-02-29 2032-11-28
# Mid- to long-term resident: the card ends with the period of stay.
run rules validity --born 1990-09-23 --issued 2024-04-10 \
  --status mid-to-long-term --stay-until 2026-03-31 --json
expect_json "stay" 2026-03-31 2026-03-31 2026-03-31 2025-12-31
# Transitional stay after birth: 60 days (born 2024-05-01 -> 2024-06-30).
run rules validity --born 2024-05-01 --issued 2024-06-10 \
  --status transitional-birth --json
expect_json "transitional" 2024-06-30 2024-06-30 null 2024-03-30

# --- bad input: one line naming the argument, exit 2
run rules validity --born 1990-02-30 --issued 2022-11-24
expect_rc 2 "impossible date"
expect_one_line_error_naming "--born" "impossible date"
run rules validity --born 1990-09-23 --issued 2022/11/24
expect_rc 2 "malformed date"
expect_one_line_error_naming "--issued" "malformed date"
run rules validity --born 1990-09-23 --issued 2022-11-24 --status tourist
expect_rc 2 "unknown status"
expect_one_line_error_naming "--status" "unknown status"
run rules validity --born 1990-09-23 --issued 2022-11-24 \
  --status mid-to-long-term
expect_rc 2 "missing stay-until"
expect_one_line_error_naming "stay-until" "missing stay-until"
run rules validity --born 1990-09-23
expect_rc 2 "missing --issued"
run rules validity --born 2000-01-02 --issued 2000-01-01
expect_rc 2 "issued before birth"
# A refusal of the rules (the stay ended before issue) is a failure: 3.
run rules validity --born 1990-09-23 --issued 2024-04-10 \
  --status provisional-stay --stay-until 2024-04-09
expect_rc 3 "stay ended"

# --- rules era (era table; card-apdu.md §9.1 example 1980-02-17 -> 550217)
run rules era 1980-02-17 --json
expect_rc 0 "era"
[[ $(json_field era_yymmdd) == 550217 ]] || fail "era_yymmdd: $OUT"
[[ $(json_field jpki_date_of_birth) == 319800217 ]] || fail "jpki dob: $OUT"
run rules era 1868-01-24
expect_rc 2 "before Meiji"

# --- --help on each command, --version
for cmd in "number" "number check" "number new" "rules" "rules validity" \
           "rules era"; do
  # shellcheck disable=SC2086
  run $cmd --help
  expect_rc 0 "$cmd --help"
  [[ $OUT == *Usage* ]] || fail "$cmd --help prints no usage"
done
run --version
expect_rc 0 "--version"
[[ $OUT == openmyna* ]] || fail "--version: $OUT"
# serve's help lists its services one per line under the options; its line
# in the top-level help stays one short line.
run serve --help
expect_rc 0 "serve --help"
for service in sign_in registry ocsp portal konbini insurance; do
  grep -q "^  $service: " <<<"$OUT" || fail "serve --help: no line for $service"
done
run --help
serve_line=$(grep -E '^  serve ' <<<"$OUT")
[[ -n $serve_line && $serve_line != *sign_in* ]] ||
  fail "--help: serve's line lists the services: $serve_line"

finish
