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
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
sys.path.insert(0, HERE)
from kiosk_pcsc import PIN, issue_day  # noqa: E402
from browser_test import WEB, browser_test_main  # noqa: E402
from sandbox import check, sh  # noqa: E402


def session(box):
    work = box.work
    box.setup()
    issued = issue_day()
    box.start(issued)
    taro = box.lookup("123456789018")
    card = box.issue_card(taro["id"])
    household = box.ok("GET", "/v1/residents/%s/household" % taro["id"])
    names = [box.ok("GET", "/v1/residents/%s" % m["resident_id"])
             ["resident"]["name"] for m in household["members"]]
    box.plug(card["chip_image_path"])
    # The next day 10:00 JST (next-day mapping), the kiosk page on it.
    base = box.start_https(issued + dt.timedelta(days=1))[0]

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
    for expected in ["住民票の写し", "SANDBOX", shown["request_id"], *names]:
        check(expected in text, "%r not in the PDF:\n%s" % (expected, text))
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


def main(openmyna):
    return browser_test_main("kiosk_page", openmyna, session,
                             prefix="om-kiosk-page-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
