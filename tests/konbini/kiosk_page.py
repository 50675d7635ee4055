#!/usr/bin/env python3
"""The touch-screen kiosk /kiosk/ of `openmyna serve` in headless Chromium,
with the card in the virtual reader of the private pcscd (run inside
tests/pcsc/with-pcscd.sh): tests/web/konbini_kiosk_page.mjs drives the
screens and takes the PDF; this script checks the PDF with tools nobody here
wrote against another path to the data: pdftotext (the household's names
from the registry API, the request id the page showed, 2 copies' fee from
the sandbox fee table of docs/konbini.md: Chikuma City counter ¥300 − ¥50),
pdfsig (the PDF signature).

Usage: kiosk_page.py OPENMYNA   (exit 77: no chromium, npm or namespaces)
"""
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
sys.path.insert(0, HERE)
from kiosk_pcsc import PIN, issue_day  # noqa: E402
from sandbox import Sandbox, ScenarioFailure, check, sh  # noqa: E402

WEB = os.path.join(HERE, "..", "web")


def https_base(log, before):
    """The HTTPS URL this start of serve announced (after `before` lines)."""
    announce = r"HTTPS on (https://[0-9.:]+) \(TLS root"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.findall(announce, open(log).read())
        if len(found) > before:
            return found[-1]
        time.sleep(0.1)
    raise ScenarioFailure("serve did not announce HTTPS")


def main(openmyna):
    if not os.path.exists("/usr/bin/chromium") or not shutil.which("node"):
        print("no /usr/bin/chromium or node: skipped")
        return 77
    subprocess.run([os.path.join(WEB, "install.sh")], check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    work = tempfile.mkdtemp(prefix="om-kiosk-page-")
    box = Sandbox(openmyna, "sqlite", work)
    try:
        box.setup()
        issued = issue_day()
        box.start(issued)
        taro = box.ok("POST", "/v1/residents/lookup",
                      {"individual_number": "123456789018"})
        app = box.ok("POST", "/v1/applications",
                     {"resident_id": taro["id"], "applicant_id": taro["id"]})
        card = box.ok("POST", "/v1/applications/%s/produce" % app["id"])
        card = box.ok("POST", "/v1/cards/%s/deliver" % card["id"],
                      {"receiver_id": taro["id"],
                       "passwords": {"signature": "ABC123",
                                     "authentication": PIN, "juki": "5678",
                                     "input_assist": "9012"}})
        household = box.ok("GET", "/v1/residents/%s/household" % taro["id"])
        names = [box.ok("GET", "/v1/residents/%s" % m["resident_id"])
                 ["resident"]["name"] for m in household["members"]]
        box.plug(card["chip_image_path"])
        # The next day 10:00 JST (next-day mapping), the kiosk page on it.
        box.stop()
        before = len(re.findall("HTTPS on", open(box.serve_log).read()))
        box.start(issued + dt.timedelta(days=1))
        base = https_base(box.serve_log, before)

        shots = os.environ.get("KIOSK_SHOTS", "")
        out = subprocess.run(
            ["node", "konbini_kiosk_page.mjs", base, work, PIN, shots],
            cwd=WEB, capture_output=True, text=True, timeout=400)
        check(out.returncode == 0, "browser /kiosk/: %s%s" % (out.stdout,
                                                              out.stderr))
        print(out.stdout.strip())
        shown = json.load(open(os.path.join(work, "kiosk.json")))
        pdf = os.path.join(work, "kiosk.pdf")
        text = sh("pdftotext", "-enc", "UTF-8", pdf, "-").stdout
        for expected in ["住民票の写し", "SANDBOX", shown["request_id"],
                         *names]:
            check(expected in text, "%r not in the PDF:\n%s" % (expected,
                                                               text))
        check(shown["fee"].startswith("500"),
              "fee of 2 copies at Chikuma City: %r" % shown["fee"])
        sig = sh("pdfsig", pdf, ok=False)
        check("Signature is Valid" in sig.stdout, "pdfsig: %s%s" % (
            sig.stdout, sig.stderr))
        # The ledger has the issuance with its fee and copies.
        ledger = subprocess.run(
            ["sqlite3", os.path.join(box.data, "registry.db"),
             "select json_extract(doc, '$.copies') from konbini_issuances "
             "where request_id = '%s'" % shown["request_id"]],
            capture_output=True, text=True, timeout=60)
        check(ledger.stdout.strip() == "2", "ledger: %s%s" % (
            ledger.stdout, ledger.stderr))
        print("konbini kiosk page: all checks passed")
        return 0
    except ScenarioFailure as e:
        box.report_failure("kiosk_page", e)
        return 1
    finally:
        box.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
