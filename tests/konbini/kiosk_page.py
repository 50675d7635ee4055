#!/usr/bin/env python3
"""The touch-screen kiosk /kiosk/ of `openmyna serve` in headless Chromium,
with the card in the virtual reader of the private pcscd (run inside
tests/pcsc/with-pcscd.sh): tests/web/konbini_kiosk_page.mjs drives the
screens and takes the PDF; this script checks the PDF with tools nobody here
wrote against another path to the data: pdftotext (the household's names
from the registry API, the request id the page showed, 2 copies' fee from
the sandbox fee table of docs/konbini.md: Chikuma City counter ¥300 − ¥50),
pdfsig (the PDF signature); a document paid for and left behind on the
page is void in the ledger (sqlite3). The page's 利用登録申請 (full mode): filed with
the 本籍 and 筆頭者 the registry API has, it is in the domicile's
online_applications (sqlite3) as a kiosk application of this resident with
the serial of the authentication certificate OpenSC reads from the card.

With "remote" the page drives a centre in another process, as a kiosk of a
store does: an issuer (`serve --only issuer`, instance 20218-remote) and a
centre (`serve --only centre`) that enrols only kiosk shop-0007, and the
page's serve with konbini.centre=URL and konbini.kiosk-id=shop-0007. The
session runs in the browser to the PDF (checked as above), and the ledger
(sqlite3, once every process has stopped) says the remote instance issued
that request id: no centre or issuer of the page's own process made it.

Usage: kiosk_page.py OPENMYNA [remote]
       (exit 77: no chromium, npm or namespaces)
"""
import datetime as dt
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
sys.path.insert(0, HERE)
from kiosk_pcsc import PIN, card_serial, issue_day  # noqa: E402
from browser_test import WEB, browser_test_main  # noqa: E402
from sandbox import ScenarioFailure, check, sh  # noqa: E402
from separate_processes import Serve  # noqa: E402

REMOTE_INSTANCE = "20218-remote"
REMOTE_KIOSK = "shop-0007"


def registry_row(box, sql):
    """The row `sql` selects from the registry's SQLite file, read with
    sqlite3 ("a|b|…"), and sqlite3's errors."""
    out = subprocess.run(
        ["sqlite3", os.path.join(box.data, "registry.db"), sql],
        capture_output=True, text=True, timeout=60)
    return out.stdout.strip(), out.stderr


def ledger_row(box, request_id):
    """"copies|issuer instance" of the ledger row of `request_id`."""
    return registry_row(
        box, "select json_extract(doc, '$.copies'), "
        "json_extract(doc, '$.issuer_instance') from konbini_issuances "
        "where request_id = '%s'" % request_id)


def application_row(box, application_id):
    """"channel|resident|municipality|serial" of the online application
    `application_id`."""
    return registry_row(
        box, "select json_extract(doc, '$.channel'), resident_id, "
        "municipality_code, json_extract(doc, '$.signer_serial') from "
        "online_applications where id = '%s'" % application_id)


def session(box, remote=False):
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
    serial = card_serial()
    civil = box.ok("GET", "/v1/residents/%s/civil" % taro["id"])
    with open(os.path.join(work, "registration.json"), "w") as f:
        json.dump({"municipality": "13221", "domicile": civil["honseki"],
                   "head_of_family": civil["hittosha"]}, f)
    # The next day 10:00 JST (next-day mapping), the kiosk page on it.
    now = issued + dt.timedelta(days=1)
    services = []
    extra = []
    if remote:
        box.stop()
        issuer = Serve(box, "issuer", now, [
            "--only", "issuer", "--municipality", "20218",
            "--set", "konbini.instance=" + REMOTE_INSTANCE])
        services.append(issuer)
        issuer.wait_url()
        # No OCSP here (the registry's revocation flag alone): the page is
        # what this test is about; separate_processes.py runs the centre
        # with a responder.
        centre = Serve(box, "centre", now, [
            "--only", "centre", "--set", "konbini.issuers.20218=" + issuer.url,
            "--set", "konbini.kiosks=" + REMOTE_KIOSK,
            "--set", "konbini.ocsp-url=none"])
        services.append(centre)
        centre.wait_url()
        extra = ["--set", "konbini.centre=" + centre.url,
                 "--set", "konbini.kiosk-id=" + REMOTE_KIOSK]
    try:
        base = box.start_https(now, extra)[0]
        shown = browse(box, base, "session" if remote else "full")
    except ScenarioFailure:
        for s in services:
            print("--- %s ---\n%s" % (s.name, open(s.log).read()[-3000:]),
                  file=sys.stderr)
        raise
    finally:
        box.stop()  # the ledger is read once every writer has stopped
        for s in services:
            s.stop()
    check_pdf(box, shown, names)
    row, errors = ledger_row(box, shown["request_id"])
    expected = "2|" + REMOTE_INSTANCE if remote else "2|20218-1"
    check(row == expected, "ledger: %r, expected %r %s" % (row, expected,
                                                           errors))
    if not remote:
        # The document paid for and left behind was never printed: its
        # ledger row is void (cancelled); the one taken stands.
        for request, want in ((shown["untaken_id"], "cancelled"),
                              (shown["request_id"], "")):
            out = subprocess.run(
                ["sqlite3", os.path.join(box.data, "registry.db"),
                 "select count(*), ifnull(json_extract(doc, "
                 "'$.void_reason'), '') from konbini_issuances where "
                 "request_id = '%s'" % request],
                capture_output=True, text=True, timeout=60)
            check(out.stdout.strip() == "1|" + want,
                  "ledger row of %s: %r, expected void reason %r %s" % (
                      request, out.stdout, want, out.stderr))
        row, errors = application_row(box, shown["application_id"])
        fields = row.split("|")
        check(len(fields) == 4 and fields[:3] == ["kiosk", taro["id"],
                                                  "13221"] and
              int(fields[3], 16) == int(serial, 16),
              "application %s: %r (card serial %s) %s" % (
                  shown["application_id"], row, serial, errors))


def browse(box, base, mode):
    """Drives the page in Chromium; what it showed (request id, fee)."""
    work = box.work
    shots = os.environ.get("KIOSK_SHOTS", "")
    out = subprocess.run(
        ["node", "konbini_kiosk_page.mjs", base, work, PIN, shots, mode],
        cwd=WEB, capture_output=True, text=True, timeout=400)
    check(out.returncode == 0, "browser /kiosk/: %s%s" % (out.stdout,
                                                          out.stderr))
    print(out.stdout.strip())
    return json.load(open(os.path.join(work, "kiosk.json")))


def check_pdf(box, shown, names):
    """The PDF the page handed out: the registry's names, the request id
    the page showed, the fee of 2 copies, pdfsig's verdict."""
    pdf = os.path.join(box.work, "kiosk.pdf")
    text = sh("pdftotext", "-enc", "UTF-8", pdf, "-").stdout
    for expected in ["住民票の写し", "SANDBOX", shown["request_id"], *names]:
        check(expected in text, "%r not in the PDF:\n%s" % (expected, text))
    check(shown["fee"].startswith("500"),
          "fee of 2 copies at Chikuma City: %r" % shown["fee"])
    sig = sh("pdfsig", pdf, ok=False)
    check("Signature is Valid" in sig.stdout, "pdfsig: %s%s" % (
        sig.stdout, sig.stderr))


def main(openmyna, mode=""):
    if mode not in ("", "remote"):
        print("usage: kiosk_page.py OPENMYNA [remote]", file=sys.stderr)
        return 2
    remote = mode == "remote"
    return browser_test_main(
        "kiosk_page_remote" if remote else "kiosk_page", openmyna,
        lambda box: session(box, remote),
        prefix="om-kiosk-page-remote-" if remote else "om-kiosk-page-")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
