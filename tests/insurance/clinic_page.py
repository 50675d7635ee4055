#!/usr/bin/env python3
"""The clinic reader's page /clinic/ of `openmyna serve` in headless
Chromium, with a registry-issued card in the virtual reader of the private
pcscd (run inside tests/pcsc/with-pcscd.sh) and the reader's camera a file
of the serving machine (serve --set clinic.camera=FILE). The browser side,
tests/web/clinic_reader_page.mjs, drives three visits and reports what the
done screens showed; this script checks that against other paths to the
data: the registry database read with sqlite3 (the current membership's
insurer and 負担割合, the consent row the page recorded, the audit entries
naming the reader's facility), OpenSC's pkcs15-tool (the PIN tries after a
wrong and a right PIN) and the docs' sample table (協会けんぽ 01209915).

Usage: clinic_page.py OPENMYNA   (exit 77: no chromium, npm or namespaces)
"""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
from browser_test import WEB, browser_test_main  # noqa: E402
from sandbox import STANDARD_PASSWORDS, check, tries_left  # noqa: E402

PIN = STANDARD_PASSWORDS["authentication"]
TARO = "123456789018"
JIRO = "362473502703"  # another person's face
CLINIC = "2010991001"  # the sample clinic
KYOKAI = "01209915"    # docs/insurance.md "Sample data": 太郎 after his job change


def sql(box, query):
    out = subprocess.run(["sqlite3", "-json",
                          os.path.join(box.data, "registry.db"), query],
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "sqlite3: %s" % out.stderr)
    return json.loads(out.stdout or "[]")


def visits(box):
    work = box.work
    box.setup()
    box.start(dt.datetime.now(dt.timezone.utc))
    ids = {n: box.lookup(n)["id"] for n in (TARO, JIRO)}
    card = box.issue_card(ids[TARO])
    box.stop()
    visual = json.loads(box.run("insurance", "credentials",
                                "--institution", CLINIC, "--visual",
                                "--json").stdout)
    face_data = os.path.join(work, "face-data.json")
    box.run("clinic", "face-data", "--card", card["id"], "--out",
            face_data)
    holder = os.path.join(work, "taro.png")
    other = os.path.join(work, "jiro.png")
    box.run("clinic", "camera", "--resident", ids[TARO], "--variant", "2",
            "--out", holder)
    box.run("clinic", "camera", "--resident", ids[JIRO], "--out", other)
    camera = os.path.join(work, "camera.png")
    shutil.copyfile(other, camera)

    box.plug(card["chip_image_path"])
    base = box.start_https(
        dt.datetime.now(dt.timezone.utc),
        ["--set", "clinic.camera=" + camera,
         "--set", "clinic.face-data=" + face_data])[0]
    shots = os.environ.get("CLINIC_SHOTS", "")
    out = subprocess.run(
        ["node", "clinic_reader_page.mjs", base, work, PIN,
         "%s:%s" % (visual["id"], visual["secret"]), camera, holder,
         other, shots],
        cwd=WEB, capture_output=True, text=True, timeout=400)
    check(out.returncode == 0, "browser /clinic/: %s%s" % (out.stdout,
                                                           out.stderr))
    print(out.stdout.strip())
    shown = json.load(open(os.path.join(work, "clinic.json")))
    # The wrong PIN cost a try, the right one restored them (OpenSC).
    check(tries_left("User Authentication PIN") == 3, "PIN tries")

    # Visit 1, before registration: 4 該当資格なし, no insurer shown.
    first = shown["unregistered"]
    check(first["validity"] == "4" and first["insurer"] is None and
          first["method"] == "暗証番号", "unregistered: %s" % first)
    # Visit 2: registered here, 1 with the current membership as the
    # registry holds it.
    current = sql(box, "select insurer_number, "
                  "json_extract(doc, '$.contribution_percent') as p "
                  "from memberships where resident_id = '%s' and "
                  "coalesce(json_extract(doc, '$.lost_on'), '') = ''"
                  % ids[TARO])
    check(len(current) == 1 and current[0]["insurer_number"] == KYOKAI,
          "registry: %s" % current)
    face = shown["byFace"]
    check(face["validity"] == "1" and face["registered"] and
          face["method"] == "顔認証" and
          face["insurer"] == current[0]["insurer_number"] and
          face["percent"] == str(current[0]["p"]) and
          face["ratio"] == "%d割" % (current[0]["p"] // 10) and
          face["consent"] == "drug", "by face: %s" % face)
    seen = shown["byVisual"]
    check(seen["validity"] == "1" and seen["method"] == "目視" and
          seen["consent"] == "" and not seen["registered"],
          "目視: %s" % seen)
    # The questions asked: the items the clinic enabled, as the
    # registry holds them.
    enabled = sql(box, "select json_extract(doc, '$.consent_items') as i "
                  "from medical_institutions where code = '%s'" % CLINIC)
    check(sorted(shown["asked"]) == sorted(json.loads(enabled[0]["i"])),
          "questions %s, enabled %s" % (shown["asked"], enabled))
    # The consent the page recorded: this clinic, drug only, by face.
    consents = sql(box, "select institution_code, doc from "
                   "insurance_consents where resident_id = '%s'"
                   % ids[TARO])
    check(len(consents) == 1 and
          consents[0]["institution_code"] == CLINIC, consents)
    doc = json.loads(consents[0]["doc"])
    check(doc["items"] == ["drug"] and doc["method"] == "face",
          "consent: %s" % doc)
    # The resident's audit trail names the reader's facility for each
    # check (what the portal's やりとり履歴 shows).
    audit = [json.loads(r["doc"]) for r in sql(
        box, "select doc from audit_log where resident_id = '%s'"
        % ids[TARO])]
    by_reader = [a for a in audit
                 if CLINIC in json.dumps(a, ensure_ascii=False) and
                 "顔認証付きカードリーダー" in json.dumps(
                     a, ensure_ascii=False)]
    check(len(by_reader) >= 3, "audit: %s" % audit[-6:])
    check(TARO not in open(box.serve_log).read(),
          "the individual number is in serve's log")


def main(openmyna):
    return browser_test_main("clinic_page", openmyna, visits,
                             prefix="om-clinic-page-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
