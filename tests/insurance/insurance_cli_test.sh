#!/usr/bin/env bash
# The insurance sandbox through the binary: `db seed` makes the sample
# insurers and memberships; a clinic credential (`insurance credentials`)
# is accepted by `serve --only insurance`; the eligibility answers for 千曲
# 太郎's job change (old card 3, new card 1, OQSCD006 as in
# docs/insurance.md) come back over HTTP (curl, parsed by python3's json);
# a request file dropped in req/ is answered in res/ (python3 xml.etree);
# `insurance recheck` collates every link; `insurance document` writes the
# 資格確認書 of a member the test enrolled, read back by pdftotext and
# pdfinfo (poppler) against what the test put in, and says clearly why it
# cannot (no credential, unknown id, wrong secret, a clinic's credential,
# a lost membership, no folder).
# Usage: insurance_cli_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
work=$(mktemp -d)
server=
# A folder that refuses every new file: immutable for root (who ignores
# modes), read-only otherwise.
lock() { if [ "$(id -u)" = 0 ]; then chattr +i "$1"; else chmod 500 "$1"; fi; }
unlock() { if [ "$(id -u)" = 0 ]; then chattr -i "$1"; else chmod 700 "$1"; fi; }
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true
  for d in "$work/mail" "$work/doclock"; do [ -d "$d" ] && unlock "$d" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
data=$work/data
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
unset OPENMYNA_REGISTRY_DB

# The published 検証番号 rule (保険者番号設定要領), written here on its own.
check_digit() {
  python3 - "$1" <<'PY'
import sys
base = sys.argv[1]; total = 0
for i, c in enumerate(reversed(base)):
    p = int(c) * (2 if i % 2 == 0 else 1)
    total += p // 10 + p % 10
print(base + str((10 - total % 10) % 10))
PY
}
old_insurer=$(check_digit 0620991)
new_insurer=$(check_digit 0120991)

"$openmyna" --data "$data" init --base-url "http://127.0.0.1:$port" > /dev/null
"$openmyna" --data "$data" db seed > "$work/seed.txt"
grep -q "2010991001" "$work/seed.txt" || { cat "$work/seed.txt"; fail "no sample clinic"; }
"$openmyna" --data "$data" db seed > "$work/seed2.txt"
grep -q "memberships created now: 0" "$work/seed2.txt" || { cat "$work/seed2.txt"; fail "second seed created memberships"; }

"$openmyna" --data "$data" insurance credentials --institution 2010991001 --json > "$work/cred.json"
clinic=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["id"]+":"+c["secret"])' "$work/cred.json")
if "$openmyna" --data "$data" insurance credentials --institution 9999999999 2> "$work/err.txt"; then
  fail "an unknown institution got a credential"
fi

"$openmyna" --data "$data" serve --only insurance --port "$port" --no-tls > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/insurance/openapi.json" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "serve exited"; }
  sleep 0.2
done
ask() { # user:secret insurer symbol number branch birth -> validity
  local body
  body=$(printf '{"QualificationConfirmSearchInfo":{"InsurerNumber":"%s","InsuredCardSymbol":"%s","InsuredIdentificationNumber":"%s","InsuredBranchNumber":"%s","Birthdate":"%s"}}' "$2" "$3" "$4" "$5" "$6")
  local code
  code=$(curl -s -o "$work/answer.json" -w '%{http_code}' -u "$1" -H 'Content-Type: application/json' \
    -X POST "http://127.0.0.1:$port/insurance/v1/eligibility" -d "$body")
  [ "$code" = 200 ] || { cat "$work/answer.json"; fail "eligibility answered $code"; }
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["XmlMsg"]["MessageBody"]["QualificationValidity"])' "$work/answer.json"
}
[ "$(ask "$clinic" "$new_insurer" 3051207 15 00 19800505)" = 1 ] || fail "new card is not 1"
python3 - "$work/answer.json" <<'PY' || fail "the answer lacks the insurer or the ratio"
import json, sys
r = json.load(open(sys.argv[1]))["XmlMsg"]["MessageBody"]["ResultList"]["ResultOfQualificationConfirmation"][0]
assert "協会" in r["InsurerName"], r
assert r["InsuredPartialContributionRatio"] == "030", r
assert r["PersonalFamilyClassification"] == "1", r
PY
[ "$(ask "$clinic" "$old_insurer" 10 2001 00 19800505)" = 3 ] || fail "old card after the job change is not 3"
[ "$(ask "$clinic" "$new_insurer" "" 15 01 20170707)" = 1 ] || fail "the daughter (枝番 01) is not 1"
[ "$(ask "$clinic" "$new_insurer" "" 15 00 19800506)" = 4 ] || fail "a wrong birth date is not 4"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "${clinic%%:*}:00" -H 'Content-Type: application/json' \
  -X POST "http://127.0.0.1:$port/insurance/v1/eligibility" -d '{}')
[ "$code" = 401 ] || fail "a wrong secret got $code"

# The file interface.
mkdir -p "$work/oqs/req"
cat > "$work/oqs/req/OQSsiquc01req_visit1.xml" <<XML
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <QualificationConfirmationDate>20261201</QualificationConfirmationDate>
    <MedicalInstitutionCode>2010991001</MedicalInstitutionCode>
  </MessageHeader>
  <MessageBody>
    <QualificationConfirmSearchInfo>
      <InsurerNumber>$old_insurer</InsurerNumber>
      <InsuredCardSymbol>10</InsuredCardSymbol>
      <InsuredIdentificationNumber>2001</InsuredIdentificationNumber>
      <InsuredBranchNumber>00</InsuredBranchNumber>
      <Birthdate>19800505</Birthdate>
      <LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>
    </QualificationConfirmSearchInfo>
  </MessageBody>
</XmlMsg>
XML
"$openmyna" --data "$data" clinic files --dir "$work/oqs" > "$work/files.txt"
[ -f "$work/oqs/res/OQSsiquc01res_visit1.xml" ] || { cat "$work/files.txt"; fail "no answer in res/"; }
[ ! -f "$work/oqs/req/OQSsiquc01req_visit1.xml" ] || fail "the request was left in req/"
python3 - "$work/oqs/res/OQSsiquc01res_visit1.xml" <<'PY' || fail "the res/ answer"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "XmlMsg", root.tag
assert root.findtext("MessageHeader/SegmentOfResult") == "1"
assert root.findtext("MessageHeader/ReferenceClassification") == "2"
assert root.findtext("MessageBody/QualificationValidity") == "3"
r = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
assert r.findtext("ReasonOfLoss") == "03", ET.tostring(r, encoding="unicode")
assert r.findtext("DisqualificationDate") == "20260401"
PY

"$openmyna" --data "$data" insurance recheck --json > "$work/recheck.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["checked"] == 7 and r["verified"] == 7, r' "$work/recheck.json" \
  || { cat "$work/recheck.json"; fail "recheck"; }
# The 資格確認書 through `insurance document`: a member enrolled by the
# test's insurer without the individual number and matching nobody in the
# registry stays unlinked, so a 資格確認書 is due (docs/insurance.md).
kiyose=$(check_digit 13991)
"$openmyna" --data "$data" insurance credentials --insurer "$kiyose" --json > "$work/insurer.json"
insurer=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["id"]+":"+c["secret"])' "$work/insurer.json")
code=$(curl -s -o "$work/enrolled.json" -w '%{http_code}' -u "$insurer" -H 'Content-Type: application/json' \
  -X POST "http://127.0.0.1:$port/insurance/v1/enrolments" -d '{"membership": {
    "symbol": "清99", "number": "777001", "branch": "00", "name": "試験 花子",
    "name_kana": "シケン ハナコ", "date_of_birth": "1990-02-03", "sex": "female",
    "address": "東京都清瀬市竹丘一丁目17番地", "acquired_on": "2024-04-01",
    "contribution_percent": 30}}')
[ "$code" = 201 ] || { cat "$work/enrolled.json"; fail "enrolment answered $code"; }
member=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["membership"]["id"])' "$work/enrolled.json")
document() { # expected-exit [args...]: runs `insurance document`, stderr in err.txt
  local want=$1 got=0
  shift
  "$openmyna" --data "$data" insurance document "$@" > "$work/doc.out" 2> "$work/err.txt" || got=$?
  [ "$got" = "$want" ] || { cat "$work/doc.out" "$work/err.txt"; fail "insurance document $* exited $got, not $want"; }
}
export OPENMYNA_INSURER_CREDENTIAL=$insurer
document 0 "$member" --out "$work/kakunin.pdf"
grep -q "^資格確認書 qd-.* written to $work/kakunin.pdf" "$work/doc.out" || { cat "$work/doc.out"; fail "what was written"; }
[ "$(stat -c %a "$work/kakunin.pdf")" = 600 ] || fail "the document is not 0600"
pdfinfo "$work/kakunin.pdf" > "$work/pdfinfo.txt"
grep -Eq '^Pages: +1$' "$work/pdfinfo.txt" || { cat "$work/pdfinfo.txt"; fail "not one page"; }
grep -Eq '^Page size: +595\.[0-9]+ x 841\.[0-9]+ pts \(A4\)' "$work/pdfinfo.txt" || { cat "$work/pdfinfo.txt"; fail "not A4"; }
pdftotext -enc UTF-8 "$work/kakunin.pdf" "$work/kakunin.txt"
for expected in 資格確認書 "$kiyose" 清99 777001 "試験 花子" "シケン ハナコ" 1990年2月3日 女 \
    東京都清瀬市竹丘一丁目17番地 2024年4月1日 3割 SANDBOX; do
  grep -qF "$expected" "$work/kakunin.txt" || { cat "$work/kakunin.txt"; fail "the PDF lacks $expected"; }
done
! grep -q 資格情報のお知らせ "$work/kakunin.txt" || fail "an unlinked member got the notice"
document 0 "$member" --out "$work/again.pdf" --json --url "http://127.0.0.1:$port/"
python3 - "$work/doc.out" "$work/again.pdf" <<'PY' || fail "--json"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "certificate" and d["number"].startswith("qd-"), d
assert d["file"] == sys.argv[2] and d["bytes"] == os.path.getsize(sys.argv[2]), d
PY
# Issued but not written (the folder refuses the file): the issued number
# is named, as the registry recorded it (read with sqlite3).
mkdir -m 700 "$work/doclock"
lock "$work/doclock"
document 3 "$member" --out "$work/doclock/x.pdf"
unlock "$work/doclock"
lost_number=$(grep -o 'qd-[0-9A-Za-z_-]*' "$work/err.txt" | head -1)
[ -n "$lost_number" ] && grep -q "membership $member" "$work/err.txt" || fail "unwritten document not named: $(cat "$work/err.txt")"
[ "$(sqlite3 "$data/registry.db" "SELECT membership_id FROM insurance_documents WHERE number = '$lost_number'")" = "$member" ] \
  || fail "$lost_number is not the recorded document"
[ -z "$(ls "$work/doclock")" ] || fail "a file was left in the refusing folder"
# Clear refusals, none of which leaves a file.
document 2 "$member" --out "$work/nofolder/x.pdf"
grep -q "no folder" "$work/err.txt" || fail "no folder: $(cat "$work/err.txt")"
document 2 m-none --out "$work/none.pdf"
grep -q "answered 404" "$work/err.txt" || fail "unknown id: $(cat "$work/err.txt")"
document 2 "../enrolments" --out "$work/none.pdf"
grep -q "MEMBERSHIP_ID" "$work/err.txt" || fail "../enrolments: $(cat "$work/err.txt")"
OPENMYNA_INSURER_CREDENTIAL= document 2 "$member" --out "$work/none.pdf"
grep -q "OPENMYNA_INSURER_CREDENTIAL is not set" "$work/err.txt" || fail "no credential: $(cat "$work/err.txt")"
OPENMYNA_INSURER_CREDENTIAL="${insurer%%:*}:00" document 3 "$member" --out "$work/none.pdf"
grep -q "answered 401" "$work/err.txt" || fail "wrong secret: $(cat "$work/err.txt")"
MY_CLINIC=$clinic document 3 "$member" --out "$work/none.pdf" --credential-env MY_CLINIC
grep -q "answered 403" "$work/err.txt" || fail "clinic: $(cat "$work/err.txt")"
code=$(curl -s -o "$work/lost.json" -w '%{http_code}' -u "$insurer" -H 'Content-Type: application/json' \
  -X POST "http://127.0.0.1:$port/insurance/v1/memberships/$member/loss" -d "{\"lost_on\": \"$(date -u +%F)\", \"reason\": \"03\"}")
[ "$code" = 200 ] || { cat "$work/lost.json"; fail "loss answered $code"; }
document 3 "$member" --out "$work/none.pdf"
grep -q "answered 409" "$work/err.txt" || fail "lost membership: $(cat "$work/err.txt")"
[ ! -e "$work/none.pdf" ] || fail "a refused document left a file"
"$openmyna" insurance document --help | grep -q -- "--credential-env" || fail "help"

# Ex officio: `insurance issue-due` gives every member valid today one
# document. Without a card registered (none is plugged here) that is a
# 資格確認書 for each of the five sample memberships valid today
# (docs/insurance.md "Sample data": 太郎's and 花子's 協会けんぽ, SMITH,
# ハル, 次郎; 太郎's and 花子's 組合 ones ended 2026-04-01, the test's own
# was lost above). ハル is 後期高齢者: valid to the next 7/31 (shared
# insurance.md §3.4).
# A folder open to others is refused before anything is issued.
mkdir -m 755 "$work/open"
code=0; "$openmyna" --data "$data" insurance issue-due --out-dir "$work/open" 2> "$work/err.txt" || code=$?
[ "$code" = 2 ] && grep -q "chmod 700" "$work/err.txt" || fail "open folder: $code $(cat "$work/err.txt")"
[ -z "$(ls "$work/open")" ] || fail "files in the open folder"
# A folder that refuses the files: every document is named (number and
# membership) and the run fails; the next run writes the same documents.
mkdir -m 700 "$work/mail"
lock "$work/mail"
code=0; "$openmyna" --data "$data" insurance issue-due --out-dir "$work/mail" --json > "$work/due0.json" 2> "$work/err.txt" || code=$?
unlock "$work/mail"
[ "$code" = 3 ] || { cat "$work/err.txt"; fail "issue-due into a refusing folder exited $code"; }
python3 - "$work/due0.json" "$work/err.txt" "$work/mail" <<'PY' || { cat "$work/due0.json" "$work/err.txt"; fail "unwritten documents"; }
import json, os, sys
due = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
assert due["written"] == [] and due["skipped"] == [], due
assert len(due["unwritten"]) == 5, due
for u in due["unwritten"]:
    assert u["number"].startswith("qd-"), u
    assert f'{u["number"]} (membership {u["membership"]})' in err, (u, err)
assert os.listdir(sys.argv[3]) == []
PY
"$openmyna" --data "$data" insurance issue-due --out-dir "$work/mail" --json > "$work/due.json"
python3 - "$work/due.json" "$work/mail" "$work/due0.json" <<'PY' || { cat "$work/due.json"; fail "issue-due"; }
import datetime, json, os, subprocess, sys
due = json.load(open(sys.argv[1]))
issued = due["written"]
assert len(issued) == 5 and due["unwritten"] == [] and due["skipped"] == [], due
before = json.load(open(sys.argv[3]))["unwritten"]
assert sorted((d["number"], d["membership"]) for d in issued) == \
    sorted((u["number"], u["membership"]) for u in before), (issued, before)
assert all(d["again"] for d in issued), issued
assert due["checked"] >= 8, due
assert sorted(os.listdir(sys.argv[2])) == sorted(d["number"] + ".pdf" for d in issued)
assert oct(os.stat(sys.argv[2]).st_mode & 0o777) == "0o700"
jst = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=9)).date()
end = datetime.date(jst.year if (jst.month, jst.day) <= (7, 31) else jst.year + 1, 7, 31)
names = []
for d in issued:
    assert d["kind"] == "certificate" and d["file"].endswith(d["number"] + ".pdf"), d
    assert oct(os.stat(d["file"]).st_mode & 0o777) == "0o600", d
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", d["file"], "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "資格確認書" in text and "資格情報のお知らせ" not in text, text
    if "更級 ハル" in text:
        assert f"{end.year}年7月31日" in text, text
    names += [n for n in ("千曲 太郎", "千曲 花子", "SMITH JOHN", "更級 ハル", "清瀬 次郎") if n in text]
assert sorted(set(names)) == sorted(["千曲 太郎", "千曲 花子", "SMITH JOHN", "更級 ハル", "清瀬 次郎"]), names
PY
"$openmyna" --data "$data" insurance issue-due --out-dir "$work/mail" > "$work/due2.txt"
grep -q "written 0 " "$work/due2.txt" || { cat "$work/due2.txt"; fail "a later run wrote again"; }
[ "$(ls "$work/mail" | wc -l)" = 5 ] || fail "a later run wrote files"
# A record the batch cannot decide (a birth date that is not a date, put
# in with sqlite3 behind the service's validation, copied from a member
# valid today): skipped and named by its id, never by the value; exit 3;
# nothing else is issued.
sqlite3 "$data/registry.db" "INSERT INTO memberships (id, insurer_number, symbol, number, branch, resident_id, link_state, doc)
  SELECT 'ms-bad-record', insurer_number, symbol, '999999', branch, NULL, 'unlinked',
         json_set(doc, '\$.id', 'ms-bad-record', '\$.number', '999999', '\$.resident_id', '',
                  '\$.link_state', 'unlinked', '\$.date_of_birth', '1990-02-30')
  FROM memberships WHERE json_extract(doc, '\$.lost_on') = '' AND insurer_number = '$new_insurer' LIMIT 1"
code=0; "$openmyna" --data "$data" insurance issue-due --out-dir "$work/mail" --json > "$work/due3.json" 2> "$work/err.txt" || code=$?
[ "$code" = 3 ] || { cat "$work/due3.json" "$work/err.txt"; fail "a skipped member exited $code"; }
python3 - "$work/due3.json" <<'PY' || { cat "$work/due3.json"; fail "the skipped member"; }
import json, sys
due = json.load(open(sys.argv[1]))
assert due["written"] == [] and due["unwritten"] == [], due
assert [s["membership"] for s in due["skipped"]] == ["ms-bad-record"], due
assert "date_of_birth" in due["skipped"][0]["reason"], due
PY
grep -q "membership ms-bad-record skipped" "$work/err.txt" || fail "not named: $(cat "$work/err.txt")"
! grep -q "1990-02-30" "$work/err.txt" "$work/due3.json" || fail "the value was printed"
[ "$(ls "$work/mail" | wc -l)" = 5 ] || fail "the skipped member got a file"
code=0; "$openmyna" --data "$data" insurance issue-due --out-dir "$work/mail" --page 0 2> "$work/err.txt" || code=$?
[ "$code" = 2 ] && grep -q -- "--page" "$work/err.txt" || fail "--page 0: $code $(cat "$work/err.txt")"
echo "insurance_cli_test: passed"
