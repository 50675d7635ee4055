#!/usr/bin/env python3
"""`openmyna clinic reader` end to end through pcscd (docs/insurance.md "The
face-recognition reader"): registry-issued cards plugged into the private
pcscd, one visit per run of the binary. What is checked comes from
elsewhere than the reader's code: the sample memberships as docs/insurance.md
lists them (insurer, 記号・番号, 負担割合), the PIN tries as OpenSC's
pkcs15-tool reads them from the card, the card's state from the registry API,
and who a camera picture shows (the resident it was made for).

Usage: reader_pcsc.py OPENMYNA   (inside tests/pcsc/with-pcscd.sh)
"""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scenarios"))
from sandbox import Sandbox, ScenarioFailure, check, tries_left  # noqa: E402

PIN = "1234"
TARO = "123456789018"
HARU = "060122228102"   # 更級 ハル, 後期高齢者 (face-auth card here)
JIRO = "362473502703"   # 清瀬 次郎, another person's face
# docs/insurance.md "Sample data": 太郎 after his job change.
KYOKAI = "01209915"


def main(openmyna):
    work = tempfile.mkdtemp(prefix="om-reader-")
    box = Sandbox(openmyna, "sqlite", work)
    try:
        box.setup()
        box.start(dt.datetime.now(dt.timezone.utc))
        ids = {n: box.ok("POST", "/v1/residents/lookup",
                         {"individual_number": n})["id"]
               for n in (TARO, HARU, JIRO)}

        def issue(rid, face_auth=False):
            body = {"resident_id": rid, "applicant_id": rid}
            passwords = {"signature": "ABC123", "authentication": PIN,
                         "juki": "5678", "input_assist": "9012"}
            if face_auth:
                body.update(card_kind="face_auth",
                            signature_certificate=False)
                passwords = {}
            app = box.ok("POST", "/v1/applications", body)
            card = box.ok("POST", "/v1/applications/%s/produce" % app["id"])
            return box.ok("POST", "/v1/cards/%s/deliver" % card["id"],
                          {"receiver_id": rid, "passwords": passwords})

        taro_card = issue(ids[TARO])
        haru_card = issue(ids[HARU], face_auth=True)
        box.stop()  # the reader talks to the registry itself

        creds = box.run("insurance", "credentials", "--institution",
                        "2010991001", "--visual", "--json")
        visual = json.loads(creds.stdout)
        env = dict(box.env)
        env["READER_PIN"] = PIN
        env["BAD_PIN"] = "9999"
        env["VISUAL_PW"] = "%s:%s" % (visual["id"], visual["secret"])
        env["BAD_VISUAL_PW"] = "%s:wrong" % visual["id"]

        def files(card_id, rid, variant=0):
            data = os.path.join(work, "face-%s.json" % card_id)
            box.run("clinic", "face-data", "--card", card_id, "--out", data)
            camera = os.path.join(work, "camera-%s-%d.png" % (rid, variant))
            box.run("clinic", "camera", "--resident", rid, "--variant",
                    str(variant), "--out", camera)
            return data, camera

        def reader(*args):
            out = subprocess.run(
                [openmyna, "--data", box.data, "clinic", "reader", "--json",
                 *args], env=env, capture_output=True, text=True,
                timeout=180, cwd=work)
            doc = json.loads(out.stdout) if out.stdout.strip() else None
            return out.returncode, doc, out.stderr

        def result(doc):
            body = doc["eligibility"]["XmlMsg"]["MessageBody"]
            return body["QualificationValidity"], body.get("ResultList", {})

        def membership(doc):
            results = result(doc)[1]["ResultOfQualificationConfirmation"]
            return results[0] if isinstance(results, list) else results

        box.plug(taro_card["chip_image_path"])
        taro_data, taro_camera = files(taro_card["id"], ids[TARO])
        # Not yet registered as insurance card: 4 該当資格なし.
        rc, doc, err = reader("--pin-env", "READER_PIN")
        check(rc == 0 and doc["confirmed"], "pin: %d %s %s" % (rc, doc, err))
        check(result(doc)[0] == "4", "unregistered: %s" % doc)
        # Registered at the reader, by face: 1 with the insurer and 負担割合.
        rc, doc, err = reader("--camera", taro_camera, "--face-data",
                              taro_data, "--register", "--consent",
                              "drug,checkup")
        check(rc == 0 and doc["confirmed"] and doc["registered_now"],
              "face: %d %s %s" % (rc, doc, err))
        check(doc["face"]["outcome"] == "match", "face: %s" % doc["face"])
        check(result(doc)[0] == "1", "registered: %s" % doc)
        m = membership(doc)
        check(m["InsurerNumber"] == KYOKAI and
              m["InsuredCardSymbol"] == "3051207" and
              m["InsuredIdentificationNumber"] == "15" and
              m["InsuredPartialContributionRatio"] == "030",
              "membership: %s" % m)
        check(sorted(doc["consent"]["items"]) == ["checkup", "drug"] and
              doc["consent"]["method"] == "face", "consent: %s" % doc)
        # The consent state in the answer (OQSCD016) and as FHIR Consent.
        check(m["PharmacistsInfoConsFlg"] == "1" and
              m["SpecificHealthCheckupsInfoConsFlg"] == "1" and
              m["OperationInfoConsFlg"] == "0", "consent state: %s" % m)
        fhir = doc["consent_fhir"]
        check(fhir["resourceType"] == "Consent" and
              fhir["status"] == "active" and
              fhir["patient"]["identifier"]["value"].startswith(KYOKAI),
              "FHIR Consent: %s" % fhir)
        check(TARO not in json.dumps(doc), "the individual number was printed")
        # Another camera picture of him (other pose, light, noise) matches.
        _, taro_camera3 = files(taro_card["id"], ids[TARO], 3)
        shared = os.path.join(work, "shared")
        rc, doc, err = reader("--camera", taro_camera3, "--face-data",
                              taro_data, "--files", shared)
        check(rc == 0 and result(doc)[0] == "1",
              "variant 3: %d %s %s" % (rc, doc, err))
        # The result in face/ for the clinic system, read by xml.etree.
        dropped = os.listdir(os.path.join(shared, "face"))
        check(len(dropped) == 1 and dropped[0].startswith(
            "OQSsiquc01res_face_"), "face/: %s" % dropped)
        root = ET.parse(os.path.join(shared, "face", dropped[0])).getroot()
        check(root.tag == "XmlMsg" and
              root.findtext("MessageHeader/ReferenceClassification") == "1"
              and root.findtext("MessageBody/QualificationValidity") == "1"
              and root.findtext(".//InsurerNumber") == KYOKAI,
              "face/ XML: %s" % ET.tostring(root)[:400])
        # Another resident's face is refused; so is an empty room.
        _, jiro_camera = files(taro_card["id"], ids[JIRO])
        rc, doc, err = reader("--camera", jiro_camera, "--face-data",
                              taro_data)
        check(rc == 1 and not doc["confirmed"] and
              doc["face"]["outcome"] == "no-match" and
              "eligibility" not in doc, "other face: %d %s" % (rc, doc))
        empty = os.path.join(work, "empty.png")
        box.run("clinic", "camera", "--empty", "--out", empty)
        rc, doc, err = reader("--camera", empty, "--face-data", taro_data)
        check(rc == 1 and doc["face"]["outcome"] == "no-face",
              "empty room: %d %s" % (rc, doc))
        # The printed data of another card do not open this one.
        haru_data = os.path.join(work, "haru-face.json")
        box.run("clinic", "face-data", "--card", haru_card["id"], "--out",
                haru_data)
        rc, doc, err = reader("--camera", taro_camera, "--face-data",
                              haru_data)
        check(rc == 1 and "照合番号B" in doc["refusal"],
              "wrong face data: %d %s" % (rc, doc))
        # The knobs force the outcome.
        rc, doc, err = reader("--camera", taro_camera, "--face-data",
                              taro_data, "--match", "no-face")
        check(rc == 1 and doc["face"]["detail"] == "forced", "knob: %s" % doc)
        # PIN: a wrong one costs a try (OpenSC reads the counter), the right
        # one answers 1 and restores the tries.
        rc, doc, err = reader("--pin-env", "BAD_PIN")
        check(rc == 1 and doc["pin_tries_left"] == 2, "bad pin: %s" % doc)
        check(tries_left("User Authentication PIN") == 2, "tries after")
        rc, doc, err = reader("--pin-env", "READER_PIN")
        check(rc == 0 and result(doc)[0] == "1", "pin: %s %s" % (doc, err))
        check(tries_left("User Authentication PIN") == 3, "tries restored")
        # 目視 with the facility's password; a wrong one is refused.
        rc, doc, err = reader("--visual", "--visual-password-env",
                              "BAD_VISUAL_PW")
        check(rc == 1 and not doc["confirmed"], "bad visual: %s" % doc)
        rc, doc, err = reader("--visual", "--visual-password-env",
                              "VISUAL_PW", "--consent", "care")
        check(rc == 0 and result(doc)[0] == "1" and
              doc["consent"]["method"] == "visual", "visual: %s %s" % (
                  doc, err))

        # A suspended card is refused (the registry's record of the
        # certificate, read back through the registry API).
        box.start(dt.datetime.now(dt.timezone.utc))
        suspended = box.ok("POST", "/v1/cards/%s/suspend" % taro_card["id"],
                           role="hotline_operator")
        check(suspended["state"] == "suspended", suspended)
        box.stop()
        rc, doc, err = reader("--pin-env", "READER_PIN")
        check(rc == 1 and not doc["confirmed"] and
              "eligibility" not in doc and "revoked" in doc["refusal"],
              "suspended: %d %s %s" % (rc, doc, err))
        box.unplug()

        # The face-authentication card: no PIN at all, registers and works
        # by face.
        box.plug(haru_card["chip_image_path"])
        haru_data, haru_camera = files(haru_card["id"], ids[HARU], 1)
        rc, doc, err = reader("--pin-env", "READER_PIN")
        check(rc == 1 and "顔認証" in doc["refusal"], "face-auth pin: %s" % doc)
        rc, doc, err = reader("--camera", haru_camera, "--face-data",
                              haru_data, "--register")
        check(rc == 0 and doc["confirmed"] and result(doc)[0] == "1",
              "face-auth face: %d %s %s" % (rc, doc, err))
        check(membership(doc)["InsuredPartialContributionRatio"] == "010",
              "後期高齢者 10 %%: %s" % doc)
        box.unplug()
        print("reader_pcsc: all checks passed")
        return 0
    except ScenarioFailure as e:
        box.report_failure("reader_pcsc", e)
        return 1
    finally:
        box.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
