#!/usr/bin/python3
"""The Myna Portal signed in, in headless Chromium, with the card through a
private pcscd (run inside tests/pcsc/with-pcscd.sh).

Usage: portal_signed_in_test.py /path/to/openmyna [SHOTS_DIR]

The sample card of `db seed --sample-card` (千曲 太郎, in a household with
千曲 花子) is plugged; this script plays the phone and the clerk while
portal_signed_in.mjs drives the browser:
- login by QR: the code decoded by zbarimg from a screenshot of the
  provider's page, `openmyna app login` answers with the card (PIN 1234);
- あなたの情報, its household and certificates compared with the registry
  API's record (another path);
- 健康保険証利用登録 from the portal (the seed's registration removed first),
  read back from the database with sqlite3;
- やりとり履歴 and its CSV hold the sign-in's own audit entry, as the
  registry API's audit trail does;
- an online application signed by the card's signature key through the
  provider's signing API (`openmyna app sign` on the portal's signing
  page); the clerk's copy checked by `openssl cms -verify` against the
  sandbox signature CA; the same signature with a field changed refused;
- the other procedures (納税証明書, 居所登録, the 利用登録申請 to the
  domicile, 健康保険証利用登録) filled and signed the same way, each in its
  municipality's inbox and verified by openssl; the clerk accepts the first
  and rejects the 利用登録申請 with a reason: both results are unread
  notices (one then read), the rejection with the clerk's reason;
- コンビニ交付: the fees (Chikuma's 住民票 = counter − ¥50, the guidebook),
  Kiyose's 戸籍 after the 利用登録申請, and its rejection with the reason;
- a clerk's read through the registry API appears in やりとり履歴;
- proxy (代理人): the parent switches to the child registered with them as
  legal representative, sees the child's record, and each view is in the
  child's audit trail;
- another resident's id, in the proxy switch or the pages' query, never
  shows their data;
- keyboard only: Tab reaches every control of the signed-in pages with a
  visible focus;
- CSRF refused, logout;
- then serve again with `--set portal.idle-timeout=10`: login through the
  link (the same-device path) and a session that expires when idle;
- serve once more with the default idle timeout: a face-authentication card
  (no PIN, no certificate) is refused with the guidebook's reason and no
  session.
axe-core finds no serious or critical WCAG finding on any signed-in page.
"""
import base64
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "scenarios"))
from browser_test import browser_test_main  # noqa: E402
from sandbox import check, sh  # noqa: E402
from scenarios import Scenarios  # noqa: E402

PIN = {"OPENMYNA_TEST_PIN": "1234", "OPENMYNA_TEST_SIGN": "ABC123"}
IDLE_TIMEOUT_S = 10


def wait_file(path, node, log, seconds=240):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        check(node.poll() is None, "browser ended: %s" % open(log).read()[-3000:])
        check(time.monotonic() < deadline, "no %s from the browser" % path)
        time.sleep(0.2)


class Portal:
    def __init__(self, box, shots):
        self.box = box
        self.work = box.work
        self.shots = shots
        self.env = dict(self.box.env, **PIN)
        self.scen = Scenarios(self.box)

    def start(self, extra=(), now=None):
        """serve (at `now`, an aware datetime, when given: serve --now)."""
        self.https, _ = self.box.start_https(
            now or dt.datetime.now(dt.timezone.utc), extra)
        self.issuer = self.https + "/api/realms/main"

    def browser(self, mode, *extra, env=None):
        log = os.path.join(self.work, "browser-%s.log" % mode)
        node = subprocess.Popen(
            ["node", "portal_signed_in.mjs", mode, self.https, self.work, *extra],
            cwd=here, stdout=open(log, "w"), stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})))
        return node, log

    def app(self, command, link, *secret):
        """`openmyna app login|sign LINK` with the card; it must succeed and
        name the portal."""
        check(link.startswith(self.issuer + "/app/requests/"), "link %r" % link)
        out = subprocess.run([self.box.openmyna, "--data", self.box.data, "app",
                              command, link, *secret],
                             env=self.env, capture_output=True, text=True,
                             timeout=180)
        check(out.returncode == 0, "app %s: %s%s" % (command, out.stdout, out.stderr))
        check("マイナポータル" in out.stdout, "the app did not name the portal")

    def app_login(self, link):
        self.app("login", link, "--pin-env", "OPENMYNA_TEST_PIN")

    def app_sign(self, link):
        self.app("sign", link, "--password-env", "OPENMYNA_TEST_SIGN")

    def clerk_verifies(self, one, shown):
        """The clerk's copy of an application: the bytes the confirm page
        showed, and openssl's verdict on its CMS with the sandbox signature
        CA; returns the signer's serial (openssl's reading)."""
        box = self.box
        content = os.path.join(self.work, "signed-content.json")
        open(content, "w").write(one["signed_content"])
        check(open(shown).read() == one["signed_content"],
              "the page showed other bytes than signed (%s)" % shown)
        der = os.path.join(self.work, "apply.p7s")
        open(der, "wb").write(base64.b64decode(one["signature"]))
        signer = os.path.join(self.work, "signer.pem")
        sh("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", der,
           "-content", content, "-CAfile",
           os.path.join(box.data, "ca", "sign-ca-all.pem"),
           "-purpose", "any", "-out", "/dev/null", "-signer", signer)
        return sh("openssl", "x509", "-in", signer, "-noout",
                  "-serial").stdout.strip().split("=")[1]

    def finish(self, node, log):
        try:
            node.wait(timeout=300)
        finally:
            if node.poll() is None:
                node.kill()
                node.wait()
        out = open(log).read()
        check(node.returncode == 0, "browser: %s" % out[-4000:])
        print(out.strip().splitlines()[-1], flush=True)

    def load(self, name):
        return json.load(open(os.path.join(self.work, name)))

    def run(self):
        box = self.box
        box.setup()
        box.run("db", "seed", "--sample-card")
        sample = json.load(open(os.path.join(box.data, "sample-card.json")))
        rid = sample["resident_id"]
        # db seed registers the sample card as insurance card; the resident
        # registers it from the portal here, so that registration is removed
        # first (sqlite3, before serve opens the database).
        db = os.path.join(box.data, "registry.db")
        sh("sqlite3", db, "DELETE FROM insurance_registrations WHERE "
           "resident_id = '%s'" % rid)
        self.start()
        # A child this resident represents (proxy) and a stranger whose id
        # the browser tries in URLs.
        child = self.scen.resident("千曲 次郎", "2016-04-01", sex="male",
                                   legal_representative_id=rid)
        stranger = self.scen.resident("更埴 三郎", "1971-07-07", sex="male")
        me_doc = box.ok("GET", "/v1/residents/" + rid)
        open(os.path.join(self.work, "others.json"), "w").write(json.dumps({
            "child": child["id"], "member": stranger["id"],
            "member_name": "更埴 三郎",
            "self_name": me_doc.get("resident", me_doc)["name"]}))
        box.plug(sample["image"])

        # --- the browser walks every signed-in page -------------------------
        reason = "本籍の記載が戸籍と一致しません（テスト）"
        node, log = self.browser("pages", self.shots)
        try:
            qr_png = os.path.join(self.work, "qr.png")
            wait_file(qr_png, node, log)
            self.app_login(sh("zbarimg", "--quiet", "--raw", qr_png).stdout.strip())
            print("  ok  QR decoded by zbarimg, app login with the card", flush=True)

            wait_file(os.path.join(self.work, "insurance-registered"), node, log)
            reg = json.loads(sh("sqlite3", db, "SELECT doc FROM insurance_registrations "
                                "WHERE resident_id = '%s'" % rid).stdout)
            check(reg.get("channel") == "portal" and reg.get("certificate_serials"),
                  "insurance registration in the database: %s" % reg)
            print("  ok  健康保険証利用登録 from the portal: the registry's row "
                  "(sqlite3) has channel portal and the card's certificate",
                  flush=True)

            # A clerk reads the record through the registry API: the read
            # must appear in the resident's やりとり履歴.
            box.ok("GET", "/v1/residents/" + rid)
            open(os.path.join(self.work, "clerk-read"), "w").write("yes")

            # The portal's signing page at the provider: the card signs
            # through `openmyna app sign` (the signature password).
            sign_link = os.path.join(self.work, "sign-link.txt")
            wait_file(sign_link, node, log)
            self.app_sign(open(sign_link).read().strip())
            print("  ok  the application signed by the card through `openmyna "
                  "app sign` (the portal's sign transaction)", flush=True)

            wait_file(os.path.join(self.work, "applied"), node, log)
            code = box.ok("GET", "/v1/residents/" + rid)
            resident = code.get("resident", code)
            inbox = box.ok("GET", "/v1/inbox/%s?state=submitted" %
                           resident["municipality_code"])
            mine = [a for a in inbox["applications"] if a["resident_id"] == rid]
            check(len(mine) == 1, "inbox %s" % inbox)
            # The clerk's own check of what arrived: openssl verifies the CMS
            # over the signed content with the sandbox signature CA, and the
            # signer is the card's signature certificate (pkcs15 on the card
            # is not read here: the registry's record of the card is).
            one = box.ok("GET", "/v1/online-applications/" + mine[0]["id"])
            serial = self.clerk_verifies(one, os.path.join(self.work, "apply.json"))
            der = os.path.join(self.work, "apply.p7s")
            norm = lambda x: x.lower().lstrip("0")  # noqa: E731
            registered = [c for c in code.get("certificates", [])
                          if norm(c["serial"]) == norm(serial)]
            check(norm(serial) == norm(one["signer_serial"]) and registered and
                  registered[0].get("type", "signature") == "signature",
                  "signer %s vs registry %s / %s" % (
                      serial, one["signer_serial"], code.get("certificates")))
            sh("openssl", "cms", "-cmsout", "-inform", "DER", "-in", der,
               "-outform", "PEM", "-out", os.path.join(self.work, "apply.pem.tmp"))
            os.rename(os.path.join(self.work, "apply.pem.tmp"),
                      os.path.join(self.work, "apply.pem"))
            print("  ok  the clerk's copy: openssl cms -verify with the sandbox "
                  "signature CA, signer = the resident's signature certificate",
                  flush=True)
            wait_file(os.path.join(self.work, "tampered"), node, log)
            print("  ok  the same signature with a field changed: refused (422)",
                  flush=True)

            # The other procedures, signed in turn on their signing pages;
            # each reaches the inbox of its municipality (the 利用登録申請
            # the domicile's, 13221) with the bytes the page showed, and
            # openssl verifies each signature.
            others = {"tax_certificate": resident["municipality_code"],
                      "delivery_address": resident["municipality_code"],
                      "konbini_registration": "13221",
                      "insurance_registration": resident["municipality_code"]}
            for kind in others:
                link_file = os.path.join(self.work, "sign-link-%s.txt" % kind)
                wait_file(link_file, node, log)
                self.app_sign(open(link_file).read().strip())
                wait_file(os.path.join(self.work, "applied-%s" % kind), node, log)
            submitted = {}
            for kind, municipality in others.items():
                inbox = box.ok("GET", "/v1/inbox/%s?state=submitted" % municipality)
                got = [a for a in inbox["applications"]
                       if a["resident_id"] == rid and a["kind"] == kind]
                check(len(got) == 1, "%s in the inbox of %s: %s" % (kind, municipality, inbox))
                one = box.ok("GET", "/v1/online-applications/" + got[0]["id"])
                check(norm(self.clerk_verifies(one, os.path.join(
                    self.work, "apply-%s.json" % kind))) == norm(serial),
                    "%s: another signer" % kind)
                submitted[kind] = got[0]["id"]
            print("  ok  納税証明書, 居所登録, 利用登録申請 (to 13221) and 健康保険証利用登録 "
                  "submitted in Chromium, each signed with `openmyna app sign`, in "
                  "its municipality's inbox, verified by openssl cms", flush=True)

            box.ok("POST", "/v1/online-applications/%s/accept" % mine[0]["id"], {})
            box.ok("POST", "/v1/online-applications/%s/reject" %
                   submitted["konbini_registration"], {"reason": reason})
            open(os.path.join(self.work, "decided.tmp"), "w").write(
                json.dumps({"reason": reason}))
            os.rename(os.path.join(self.work, "decided.tmp"),
                      os.path.join(self.work, "decided"))
            print("  ok  the clerk accepted the first and rejected the 利用登録申請 "
                  "with a reason through the inbox API", flush=True)
        except BaseException:
            node.kill()
            node.wait()
            raise
        self.finish(node, log)

        # --- what the pages showed, against the registry API ---------------
        doc = box.ok("GET", "/v1/residents/" + rid)
        resident = doc.get("resident", doc)
        me = self.load("me.json")
        basic = {row[0]: row[1] for row in me["basic"]}
        check(resident["name"] in basic.values() and
              resident["address"] in basic.values() and
              resident["date_of_birth"] in basic.values(),
              "あなたの情報 %s vs registry %s" % (basic, resident))
        household = box.ok("GET", "/v1/residents/%s/household" % rid)
        want = []
        for m in household["members"]:
            person = box.ok("GET", "/v1/residents/" + m["resident_id"])
            person = person.get("resident", person)
            want.append([person["name"], m["relationship"], person["date_of_birth"]])
        shown = [row for row in me["household"] if len(row) == 3 and row != me["household"][0]]
        check(shown == want, "世帯 %s vs registry %s" % (shown, want))
        serials = sorted(c["serial"] for c in doc["certificates"])
        shown = sorted(row[1] for row in me["certs"][1:])
        check([s.lower() for s in shown] == [s.lower() for s in serials],
              "certificates %s vs registry %s" % (shown, serials))
        print("  ok  あなたの情報 = the registry API's record (basic four, "
              "household of %d, certificates)" % len(want), flush=True)

        audit = box.ok("GET", "/v1/residents/%s/audit" % rid)
        entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
        signins = [e for e in entries if e["action"] == "sign_in.release" and
                   e["actor_id"] == "MynaPortal"]
        check(signins, "no sign-in audit entry in the registry: %s" % entries)
        history = self.load("history.json")
        check(any("MynaPortal" in " ".join(row) and "OpenMyna sign-in" in " ".join(row)
                  and "利用者証明" in " ".join(row) for row in history),
              "やりとり履歴 has no sign-in row: %s" % history)
        raw = open(os.path.join(self.work, "history.csv"), "rb").read()
        check(raw.startswith(b"\xef\xbb\xbf"), "the CSV has no UTF-8 BOM")
        rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
        check(len(rows) == len(history) + 1 and
              any("MynaPortal" in " ".join(r) for r in rows),
              "CSV %s vs page %s" % (rows, history))
        print("  ok  やりとり履歴 and its CSV hold the sign-in (audit entry of "
              "the registry API)", flush=True)
        clerk_reads = [e for e in entries if e["role"] == "counter_clerk"]
        check(clerk_reads, "no clerk read in the audit trail: %s" % entries)
        check(any(clerk_reads[-1]["actor_id"] in " ".join(row) for row in history),
              "やりとり履歴 lacks the clerk's read %s: %s" % (clerk_reads[-1], history))
        print("  ok  a clerk's read through the registry API is in やりとり履歴",
              flush=True)
        proxy_me = self.load("proxy-me.json")
        child_doc = box.ok("GET", "/v1/residents/" + child["id"])
        child_doc = child_doc.get("resident", child_doc)
        basic = " ".join(" ".join(r) for r in proxy_me["basic"])
        check(child_doc["name"] in basic and child_doc["date_of_birth"] in basic,
              "proxy あなたの情報 %s vs registry %s" % (proxy_me, child_doc))
        child_audit = box.ok("GET", "/v1/residents/%s/audit" % child["id"])
        child_entries = (child_audit.get("entries", child_audit)
                         if isinstance(child_audit, dict) else child_audit)
        views = [e for e in child_entries if e["action"] == "portal.proxy_view"
                 and e["actor_id"] == rid]
        check(len(views) >= 2, "the child's history lacks the proxy views: %s"
              % child_entries)
        print("  ok  proxy: the parent saw the child's あなたの情報 (= the registry "
              "API's record), %d views in the child's audit trail" % len(views),
              flush=True)
        print("  ok  another resident's id in the proxy switch (404) or in the "
              "query of 7 pages: never their data", flush=True)
        notices = self.load("notices.json")
        check(any("受理" in n and "不受理" not in n for n in notices),
              "no accepted notice: %s" % notices)
        check(any("不受理" in n and reason in n for n in notices),
              "no rejection notice with the reason: %s" % notices)
        states = self.load("apply-list.json")
        check(len(states) == 5 and sum("不受理" in " ".join(r) for r in states) == 1,
              "ぴったりサービス list: %s" % states)
        print("  ok  お知らせ: the acceptance and the rejection (with the clerk's "
              "reason) as unread notices; ぴったりサービス lists the five", flush=True)
        # コンビニ交付: Chikuma's 住民票 at the guidebook's "50円安く" than
        # the counter (¥300 in the sandbox table, docs/konbini.md); Kiyose's
        # family register certificates after the 利用登録申請, whose rejection
        # the page states with the clerk's reason.
        konbini = self.load("konbini.json")
        chikuma = {r[0]: r[1:] for r in konbini["tables"].get("m-20218", [])}
        kiyose = {r[0]: r[1:] for r in konbini["tables"].get("m-13221", [])}
        check(chikuma.get("住民票の写し", [None, None])[1:] == ["¥%d" % (300 - 50), "¥300"],
              "Chikuma's 住民票 fees: %s" % chikuma)
        check(kiyose.get("戸籍証明書（全部事項証明書）", [""])[0].startswith("△"),
              "Kiyose's 戸籍: %s" % kiyose)
        check("不受理" in konbini["registration"] and reason in konbini["main"],
              "利用登録申請 state: %s" % konbini["registration"])
        print("  ok  コンビニ交付: fees (Chikuma 住民票 = counter − ¥50), Kiyose's 戸籍 "
              "after the 利用登録申請, which shows the clerk's rejection", flush=True)
        print("  ok  お知らせ: the result is unread, then read; CSRF refused; "
              "logout", flush=True)

        # --- same-device login (the link) and the idle timeout -------------
        for name in ("link.txt", "home.json"):
            if os.path.exists(os.path.join(self.work, name)):
                os.remove(os.path.join(self.work, name))
        self.start(["--set", "portal.idle-timeout=%d" % IDLE_TIMEOUT_S])
        node, log = self.browser("idle", env={"IDLE_WAIT_MS": str((IDLE_TIMEOUT_S + 5) * 1000)})
        link = os.path.join(self.work, "link.txt")
        try:
            wait_file(link, node, log)
            self.app_login(open(link).read().strip())
        except BaseException:
            node.kill()
            node.wait()
            raise
        self.finish(node, log)
        check(resident["name"] in self.load("home.json")["header"],
              "the header does not name the resident")
        print("  ok  same-device login through the link; idle session expired",
              flush=True)

        # --- a face-authentication card cannot log in ----------------------
        # As the guidebook has it: no PIN and no certificate (jpki.md §6.2).
        # On a serve without the 10 s idle timeout: the login page's own
        # session (its CSRF token) would otherwise time out while the
        # browser runs axe on the refusal on a loaded machine, and /portal/me
        # would answer 401 "timed out" instead of sending a visitor with no
        # signed-in session to the login page, which the browser checks.
        self.start()
        face = self.scen.resident("顔認 ハナ", "1948-02-03")
        app = box.ok("POST", "/v1/applications", {
            "resident_id": face["id"], "card_kind": "face_auth",
            "signature_certificate": False, "authentication_certificate": False})
        card = box.ok("POST", "/v1/applications/%s/produce" % app["id"])
        card = box.ok("POST", "/v1/cards/%s/deliver" % card["id"],
                      {"receiver_id": face["id"]})
        check(card["kind"] == "face_auth" and card["state"] == "active", card)
        box.plug(card["chip_image_path"])
        os.remove(os.path.join(self.work, "link.txt"))
        node, log = self.browser("faceauth", self.shots)
        try:
            wait_file(os.path.join(self.work, "link.txt"), node, log)
            link = open(os.path.join(self.work, "link.txt")).read().strip()
            out = subprocess.run([box.openmyna, "--data", box.data, "app", "login",
                                  link, "--pin-env", "OPENMYNA_TEST_PIN"],
                                 env=self.env, capture_output=True, text=True,
                                 timeout=180)
            check(out.returncode != 0 and "face_auth_card" in out.stderr,
                  "app login with a face-auth card: %d %s%s" % (
                      out.returncode, out.stdout, out.stderr))
        except BaseException:
            node.kill()
            node.wait()
            raise
        self.finish(node, log)
        print("  ok  a face-auth card: the app says face_auth_card, the portal "
              "gives the guidebook's reason", flush=True)


def main(argv):
    # Screenshots only when asked for (scripts/portal-screenshots).
    shots = os.path.abspath(argv[2]) if len(argv) > 2 else ""
    if shots:
        os.makedirs(shots, exist_ok=True)
    return browser_test_main("portal_signed_in_test", argv[1],
                             lambda box: Portal(box, shots).run(),
                             prefix="openmyna-portal-web-")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
