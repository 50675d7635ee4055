#!/usr/bin/env bash
# The insurance sandbox through the binary: `db seed` makes the sample
# insurers and memberships; a clinic credential (`insurance credentials`)
# is accepted by `serve --only insurance`; the eligibility answers for 千曲
# 太郎's job change (old card 3, new card 1, OQSCD006 as in
# docs/insurance.md) come back over HTTP (curl, parsed by python3's json);
# a request file dropped in req/ is answered in res/ (python3 xml.etree);
# `insurance recheck` collates every link.
# Usage: insurance_cli_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
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
echo "insurance_cli_test: passed"
