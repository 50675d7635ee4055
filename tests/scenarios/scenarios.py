#!/usr/bin/python3
"""Life-event scenarios of the registry, end to end (issue 5).

Usage (inside tests/pcsc/with-pcscd.sh, and for PostgreSQL also inside
tests/pg/with-postgres.sh):
    scenarios.py OPENMYNA_BINARY sqlite|postgres

A fresh sandbox (`openmyna init`, `db migrate`, `db seed`, `db credentials`),
`openmyna serve` on a free loopback port (restarted with `--now` to move the
sandbox's clock), driven over HTTP as the counter clerk and the hotline. Each
life event is then checked where a user would see it:
  - the card, through PC/SC (pcscd + vpcd): `openmyna card plug` of the image
    the registry keeps, read with OpenSC tools and pyscard;
  - revocation, with `openssl ocsp` against serve's responder and the CRL
    fetched from the certificate's own cRLDistributionPoints URL
    (`openssl crl -text`, `openssl verify -crl_check`).
Expected values come from the guidebook rules in shared/docs/domain.md
(validity, fees, 90 days, passwords) and from what openssl/OpenSC print,
never from the registry's own code. The individual number is never printed.

Exit status: 0 all passed, 1 a scenario failed, 77 skipped (no PostgreSQL).
"""
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from sandbox import (  # noqa: E402
    DELAY_SLACK_S, DOCUMENTED_DELAY_S, JST, PCSC_DIR, Sandbox, ScenarioFailure,
    add_months, add_years, check, check_digit, crl_entry, der_of, iso,
    nth_birthday_after, pkcs11_login, serial_of, sh, tries_left)


class Scenarios:
    def __init__(self, box):
        self.box = box
        self.w = box.work
        self.passed = []
        self.next_number = 100000000
        self.delays = []      # event -> OCSP shows it, seconds
        self.crl_delays = []  # event -> the CRL lists it, seconds

    def step(self, name):
        self.passed.append(name)
        print("  ok  %s" % name, flush=True)

    # --- helpers --------------------------------------------------------
    def number(self):
        self.next_number += 7
        base = "%011d" % (31000000000 + self.next_number)
        return base + check_digit(base)

    def resident(self, name, born, sex="female", code="20218",
                 address="長野県千曲市杭瀬下84", **extra):
        body = {"individual_number": self.number(), "name": name,
                "date_of_birth": born, "sex": sex, "address": address,
                "municipality_code": code}
        body.update(extra)
        doc = self.box.ok("POST", "/v1/residents", body)
        doc["_number"] = body["individual_number"]
        return doc

    def file(self, rid):
        return self.box.ok("GET", "/v1/residents/%s" % rid)

    def issue(self, rid, passwords, applicant=None, receiver=None, **app):
        return self.box.issue_card(rid, passwords, applicant, receiver, **app)

    def certs(self, rid, kind, good=True):
        return [c for c in self.file(rid)["certificates"]
                if c["type"] == kind and (not good or not c["revoked"])]

    def read_auth_cert(self, name):
        pem = os.path.join(self.w, name + ".pem")
        out = sh("pkcs15-tool", "--reader", "0", "--read-certificate", "01")
        open(pem, "w").write(out.stdout)
        return pem

    def read_sign_cert(self, name, pin):
        der = os.path.join(self.w, name + ".der")
        pem = os.path.join(self.w, name + ".pem")
        sh("pkcs11-tool", "--slot-index", "1", "--login", "--pin", pin,
           "--read-object", "--type", "cert", "--id", "02", "-o", der)
        sh("openssl", "x509", "-inform", "DER", "-in", der, "-out", pem)
        return pem

    def verify(self, pem, kind, crl=None):
        args = ["openssl", "verify", "-CAfile", self.box.ca_pem(kind),
                "-attime", str(int(self.box.sandbox_now().timestamp()))]
        if crl:
            args += ["-crl_check", "-CRLfile", crl]
        return sh(*args, pem, ok=False)

    def ocsp(self, pem, kind):
        """(status, reason) as `openssl ocsp` prints them."""
        url = sh("openssl", "x509", "-in", pem, "-noout",
                 "-ocsp_uri").stdout.strip()
        check(url.startswith(self.box.base), "OCSP URL %r not serve's" % url)
        # The sandbox runs ahead of the machine's clock by `offset`; tolerate
        # exactly that in thisUpdate (RFC 6960 §4.2.2.1 validity check).
        period = int(max(self.box.offset.total_seconds(), 0)) + 600
        out = sh("openssl", "ocsp", "-url", url, "-issuer", self.box.ca_pem(kind),
                 "-cert", pem, "-CAfile", self.box.ca_pem(kind), "-no_nonce",
                 "-validity_period", str(period))
        check("Response verify OK" in out.stderr + out.stdout,
              "OCSP response not verified: %s%s" % (out.stdout, out.stderr))
        m = re.search(r"^%s: (\w+)" % re.escape(pem), out.stdout, re.M)
        check(m, "no OCSP status in %s" % out.stdout)
        reason = re.search(r"Reason: (\w+)", out.stdout)
        return m.group(1), reason.group(1) if reason else None

    def wait_ocsp(self, pem, kind, want, since):
        deadline = since + DOCUMENTED_DELAY_S + DELAY_SLACK_S
        while True:
            got = self.ocsp(pem, kind)
            if got == want:
                self.delays.append(time.monotonic() - since)
                check(self.delays[-1] <= deadline - since,
                      "OCSP showed %s only after %.1f s" % (want,
                                                            self.delays[-1]))
                return
            check(time.monotonic() < deadline,
                  "OCSP still %s %.1f s after the event (want %s)" % (
                      got, time.monotonic() - since, want))
            time.sleep(0.2)

    def crl(self, pem, name):
        """Downloads the CRL named by the certificate's cRLDistributionPoints
        and returns (pem path, `openssl crl -text`)."""
        ext = sh("openssl", "x509", "-in", pem, "-noout", "-ext",
                 "crlDistributionPoints").stdout
        m = re.search(r"URI:(\S+)", ext)
        check(m and m.group(1).startswith(self.box.base),
              "no serve URL in cRLDistributionPoints: %s" % ext)
        der = urllib.request.urlopen(m.group(1), timeout=30).read()
        path = os.path.join(self.w, name + ".crl")
        open(path + ".der", "wb").write(der)
        sh("openssl", "crl", "-inform", "DER", "-in", path + ".der", "-out", path)
        text = sh("openssl", "crl", "-in", path, "-noout", "-text").stdout
        return path, text

    def wait_crl_lists(self, pem, name, reason_text, since):
        serial = serial_of(pem)
        deadline = since + DOCUMENTED_DELAY_S + DELAY_SLACK_S
        while True:
            path, text = self.crl(pem, name)
            entry = crl_entry(text, serial)
            if entry is not None:
                self.crl_delays.append(time.monotonic() - since)
                check(self.crl_delays[-1] <= deadline - since,
                      "the CRL listed %X only after %.1f s" % (
                          serial, self.crl_delays[-1]))
                check(reason_text in entry, "CRL entry of %X without %r: %s" % (
                    serial, reason_text, entry))
                return path
            check(time.monotonic() < deadline,
                  "CRL does not list %X %.1f s after the event" % (
                      serial, time.monotonic() - since))
            time.sleep(0.3)

    # --- the scenarios ----------------------------------------------------
    def run(self):
        box = self.box
        # Night: the hotline must work while the counter is closed. The
        # sandbox is started at the next 22:30 or 02:00 JST (never in the
        # past, so certificates start after the CA's own notBefore).
        now = dt.datetime.now(dt.timezone.utc)
        night = None
        for days in range(0, 3):
            for hh, mm in ((2, 0), (22, 30)):
                jst_day = now.astimezone(JST).date() + dt.timedelta(days=days)
                t = dt.datetime(jst_day.year, jst_day.month, jst_day.day, hh, mm,
                                tzinfo=JST)
                if t > now + dt.timedelta(minutes=1) and (night is None or t < night):
                    night = t
        box.start(night)
        t0 = box.today()
        print("sandbox clock %s (JST %s)" % (iso(night), night.astimezone(JST)))

        pw = {"signature": "ABC123", "authentication": "1234",
              "juki": "5678", "input_assist": "9012"}

        # 1. First issue of an adult (18+): application -> production ->
        #    delivery with the four passwords; validity from domain.md §5.
        a_born = dt.date(1990, 4, 1)
        a = self.resident("番号 花子", a_born.isoformat())
        card_a = self.issue(a["id"], pw)
        check(card_a["issued_on"] == t0.isoformat(), "issued_on %s" % card_a)
        want_expiry = nth_birthday_after(a_born, t0, 10)
        check(card_a["expires_on"] == want_expiry.isoformat(),
              "adult card expires %s, domain.md §5 says %s" % (
                  card_a["expires_on"], want_expiry))
        cert_expiry = nth_birthday_after(a_born, t0, 5)
        box.plug(card_a["chip_image_path"])
        check(sh("opensc-tool", "--reader", "0", "-n").stdout.strip() == "jpki",
              "OpenSC does not see a JPKI card")
        auth1 = self.read_auth_cert("a-auth1")
        sign1 = self.read_sign_cert("a-sign1", pw["signature"])
        for pem, kind in ((auth1, "auth"), (sign1, "sign")):
            check(self.verify(pem, kind).returncode == 0,
                  "%s certificate on the chip does not verify" % kind)
            check(self.ocsp(pem, kind)[0] == "good", "%s not good" % kind)
            not_after = sh("openssl", "x509", "-in", pem, "-noout",
                           "-enddate").stdout
            last = dt.datetime.strptime(
                not_after.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
            last = last.replace(tzinfo=dt.timezone.utc).astimezone(JST).date()
            check(last == cert_expiry,
                  "%s certificate ends %s, domain.md §5: 5th birthday %s" % (
                      kind, not_after.strip(), cert_expiry))
        # domain.md §4: the signature certificate carries the four basic data,
        # the authentication certificate none of them.
        check(a["address"].encode() in der_of(sign1),
              "the signature certificate does not carry the address")
        for field in (a["address"], "番号"):
            check(field.encode() not in der_of(auth1),
                  "the authentication certificate carries personal data")
        regs = {int(c["serial"], 16) for c in self.file(a["id"])["certificates"]}
        check(regs == {serial_of(auth1), serial_of(sign1)},
              "chip certificates are not the registry's")
        profile = {"number": a["_number"], "name": a["name"],
                   "address": a["address"], "birth_date": a["date_of_birth"],
                   "sex": "female", "passwords": {"input_assist": "9012"}}
        self.read_text(profile, "a-profile1")
        box.unplug()
        self.step("first issue: 10-year card, 5-year certificates, chip readable "
                  "by OpenSC/pyscard, OCSP good")

        # Renewal before the window (domain.md §5: ~3 months before expiry).
        box.refused("POST", "/v1/residents/%s/renewal" % a["id"], rid=a["id"])
        self.step("renewal refused before the window")

        # 2. Hotline suspension at night: both certificates revoked, OCSP and
        #    CRL within the documented delay.
        check(night.astimezone(JST).hour in (2, 22), "not night")
        card = box.ok("POST", "/v1/cards/%s/suspend" % card_a["id"],
                      role="hotline_operator")
        t = time.monotonic()  # the event is committed when the answer comes
        check(card["state"] == "suspended", "suspend: %s" % card)
        for pem, kind in ((auth1, "auth"), (sign1, "sign")):
            self.wait_ocsp(pem, kind, ("revoked", "certificateHold"), t)
        crls = [self.wait_crl_lists(pem, "a-%s-hold" % kind,
                                    "Certificate Hold", t)
                for pem, kind in ((auth1, "auth"), (sign1, "sign"))]
        for (pem, kind), crl in zip(((auth1, "auth"), (sign1, "sign")), crls):
            v = self.verify(pem, kind, crl)
            check(v.returncode != 0 and "certificate revoked" in v.stdout + v.stderr,
                  "openssl verify -crl_check accepted a held certificate: %s%s"
                  % (v.stdout, v.stderr))
        # Architecture §4: the hotline's access is in the resident's audit
        # trail, with who, role and why (the X-Purpose header).
        audit = box.ok("GET", "/v1/residents/%s/audit" % a["id"])
        check(any(e["role"] == "hotline_operator" and
                  e["action"] == "card.suspend" and
                  e["reason"] == "scenario test" for e in audit),
              "no audit entry of the hotline's suspension: %s" % audit[-3:])
        # The hotline may suspend but not lift (counter only).
        box.refused("POST", "/v1/cards/%s/lift-suspension" % card_a["id"],
                    role="hotline_operator", want=403)
        self.step("hotline suspension at %s JST: OCSP revoked (certificateHold) "
                  "and CRL lists both, verify -crl_check rejects" %
                  night.astimezone(JST).strftime("%H:%M"))

        # 3. Lifting at the counter (card found): new certificates on the
        #    chip, good; the held ones stay revoked.
        card = box.ok("POST", "/v1/cards/%s/lift-suspension" % card_a["id"])
        check(card["state"] == "active", "lift: %s" % card)
        box.plug(card_a["chip_image_path"])
        auth2 = self.read_auth_cert("a-auth2")
        sign2 = self.read_sign_cert("a-sign2", pw["signature"])
        box.unplug()
        check(serial_of(auth2) != serial_of(auth1) and
              serial_of(sign2) != serial_of(sign1), "lift kept the held certs")
        for pem, kind in ((auth2, "auth"), (sign2, "sign")):
            check(self.verify(pem, kind).returncode == 0, "new %s" % kind)
            check(self.ocsp(pem, kind) == ("good", None), "new %s not good" % kind)
        check(self.ocsp(auth1, "auth")[0] == "revoked", "held auth came back")
        self.step("suspension lifted at the counter: new certificates on the "
                  "chip verify and are good")

        # 4. Change of address: notes area + chip text; signature revoked
        #    (affiliationChanged), authentication still good; a new signature
        #    certificate on the chip.
        new_address = "長野県千曲市屋代2"
        changed = box.ok("POST", "/v1/residents/%s/address" % a["id"],
                         {"address": new_address})
        t = time.monotonic()
        check(any(new_address in n["text"] for n in changed["card"]["notes"]),
              "no notes entry: %s" % changed["card"]["notes"])
        self.wait_ocsp(sign2, "sign", ("revoked", "affiliationChanged"), t)
        self.wait_crl_lists(sign2, "a-sign-moved", "Affiliation Changed", t)
        check(self.ocsp(auth2, "auth") == ("good", None),
              "authentication certificate touched by an address change")
        box.plug(card_a["chip_image_path"])
        profile["address"] = new_address
        self.read_text(profile, "a-profile2")
        sign3 = self.read_sign_cert("a-sign3", pw["signature"])
        check(serial_of(sign3) != serial_of(sign2), "signature not re-issued")
        check(self.verify(sign3, "sign").returncode == 0, "new signature cert")
        check(new_address.encode() in der_of(sign3) and
              a["address"].encode() not in der_of(sign3),
              "the new signature certificate does not carry the new address")
        check(self.ocsp(sign3, "sign") == ("good", None), "new signature not good")
        self.step("address change: input-assist AP shows the new address, "
                  "signature revoked (OCSP+CRL), auth good, new signature "
                  "certificate verifies")

        # 5. PIN locked by wrong entries, reset at the counter: full tries and
        #    the new PIN accepted through PC/SC.
        check(tries_left("User Authentication PIN") == 3, "auth tries before")
        for _ in range(3):
            check(not pkcs11_login(0, "0000"), "wrong auth PIN accepted")
        check(tries_left("User Authentication PIN") == 0, "auth PIN not blocked")
        check(not pkcs11_login(0, "1234"), "blocked PIN accepted")
        check(tries_left("Digital Signature PIN") == 5, "sign tries before")
        for _ in range(5):
            check(not pkcs11_login(1, "WRONG1"), "wrong signature PW accepted")
        check(tries_left("Digital Signature PIN") == 0, "sign PW not blocked")
        box.unplug()
        box.refused("POST", "/v1/cards/%s/password-reset" % card_a["id"],
                    {"kind": "authentication", "new_password": "12a4"}, want=400)
        box.ok("POST", "/v1/cards/%s/password-reset" % card_a["id"],
               {"kind": "authentication", "new_password": "4321"})
        box.ok("POST", "/v1/cards/%s/password-reset" % card_a["id"],
               {"kind": "signature", "new_password": "NEWPW9"})
        box.plug(card_a["chip_image_path"])
        check(tries_left("Digital Signature PIN") == 5,
              "domain.md §3: 5 tries after a reset")
        check(pkcs11_login(1, "NEWPW9"), "new signature password refused")
        check(not pkcs11_login(1, pw["signature"]), "old signature password")
        check(tries_left("User Authentication PIN") == 3,
              "domain.md §3: 3 tries after a reset")
        check(pkcs11_login(0, "4321"), "new PIN refused by the card")
        check(not pkcs11_login(0, "1234"), "old PIN still accepted")
        check(pkcs11_login(0, "4321"), "a correct entry did not reset the count")
        check(tries_left("User Authentication PIN") == 3, "tries after success")
        box.unplug()
        self.step("PINs blocked, reset at the counter: the card accepts the "
                  "new authentication PIN with 3 tries, the new signature "
                  "password with 5")

        # 5b. Change of name: like an address, one of the four basic data
        #     (domain.md §6): chip text rewritten, signature re-issued.
        renamed = box.ok("POST", "/v1/residents/%s/name" % a["id"],
                         {"name": "信濃 花子"})
        t = time.monotonic()
        check(renamed["card"]["state"] == "active", "renamed: %s" % renamed)
        self.wait_ocsp(sign3, "sign", ("revoked", "affiliationChanged"), t)
        check(self.ocsp(auth2, "auth") == ("good", None),
              "authentication certificate touched by a name change")
        box.plug(card_a["chip_image_path"])
        profile["name"] = "信濃 花子"
        self.read_text(profile, "a-profile3")
        sign4 = self.read_sign_cert("a-sign4", "NEWPW9")
        box.unplug()
        check("信濃".encode() in der_of(sign4) and
              "番号".encode() not in der_of(sign4),
              "the new signature certificate does not carry the new name")
        check(self.verify(sign4, "sign").returncode == 0 and
              self.ocsp(sign4, "sign") == ("good", None), "renamed signature")
        self.step("name change: input-assist AP shows the new name, signature "
                  "re-issued with it, auth good")

        # 6. Certificates declined at application, added later at the counter.
        b = self.resident("番号 太郎", "1985-09-10", sex="male")
        card_b = self.issue(b["id"], {k: v for k, v in pw.items()
                                       if k != "signature"},
                            signature_certificate=False)
        check(self.certs(b["id"], "signature") == [], "declined signature issued")
        box.ok("POST", "/v1/cards/%s/certificates" % card_b["id"],
               {"signature": True, "passwords": {"signature": "XYZ789"}})
        box.plug(card_b["chip_image_path"])
        b_sign = self.read_sign_cert("b-sign", "XYZ789")
        b_auth = self.read_auth_cert("b-auth")
        box.unplug()
        check(self.verify(b_sign, "sign").returncode == 0, "added signature")
        check(self.ocsp(b_sign, "sign") == ("good", None), "added sign not good")
        self.step("signature certificate added later: on the chip, verifies, good")

        # 7. Loss with a police report, reissue with certificates: ¥1,000.
        # domain.md §6: for loss, the police report comes first.
        box.refused("POST", "/v1/residents/%s/reissue" % b["id"],
                    {"reason": "loss", "with_certificates": True}, rid=b["id"])
        box.refused("POST", "/v1/cards/%s/report-loss" % card_b["id"],
                    {"reason": "loss"}, want=400, rid=b["id"])
        lost = box.ok("POST", "/v1/cards/%s/report-loss" % card_b["id"],
                      {"reason": "loss", "police_report": "千曲署 R8-123"})
        t = time.monotonic()
        check(lost["state"] == "void", "lost card: %s" % lost)
        self.wait_ocsp(b_auth, "auth", ("revoked", "cessationOfOperation"), t)
        self.wait_ocsp(b_sign, "sign", ("revoked", "cessationOfOperation"), t)
        app = box.ok("POST", "/v1/residents/%s/reissue" % b["id"],
                     {"reason": "loss", "with_certificates": True})
        check(app["fee_yen"] == 1000, "domain.md §6: ¥1,000 with certificates, "
              "got %s" % app["fee_yen"])
        fees = [f["amount_yen"] for f in self.file(b["id"])["fees"]]
        check(fees == [1000], "fees recorded: %s" % fees)
        self.step("loss with police report: certificates revoked; reissue "
                  "with certificates charges ¥1,000")

        # 8. Under 15: the legal representative applies and receives; no
        #    signature certificate; damaged card reissued without
        #    certificates: ¥800.
        c_born = dt.date(t0.year - 10, 7, 7)
        c = self.resident("番号 次郎", c_born.isoformat(), sex="male",
                          legal_representative_id=a["id"])
        box.refused("POST", "/v1/applications",
                    {"resident_id": c["id"], "applicant_id": a["id"],
                     "signature_certificate": True}, rid=c["id"])
        card_c = self.issue(c["id"], {"authentication": "2468", "juki": "1357",
                                      "input_assist": "1122"},
                            applicant=a["id"], receiver=a["id"],
                            signature_certificate=False)
        check(card_c["expires_on"] == nth_birthday_after(c_born, t0, 5).isoformat(),
              "under-15 card expiry %s" % card_c["expires_on"])
        check(self.certs(c["id"], "signature", good=False) == [],
              "a signature certificate for a child")
        check(len(self.certs(c["id"], "authentication")) == 1, "child auth cert")
        box.refused("POST", "/v1/cards/%s/password-reset" % card_c["id"],
                    {"kind": "signature", "new_password": "ABC123"})
        app = box.ok("POST", "/v1/residents/%s/reissue" % c["id"],
                     {"reason": "damage", "with_certificates": False})
        check(app["fee_yen"] == 800, "domain.md §6: ¥800 without certificates, "
              "got %s" % app["fee_yen"])
        check(self.file(c["id"])["cards"][0]["state"] == "void",
              "damaged card still in force")
        self.step("under 15: no signature certificate, representative applies; "
                  "damage reissue without certificates charges ¥800")

        # 9. Face-authentication card: no passwords at all, no certificates.
        d = self.resident("番号 三郎", "1950-01-20", sex="male")
        application = box.ok("POST", "/v1/applications",
                             {"resident_id": d["id"], "applicant_id": d["id"],
                              "card_kind": "face_auth",
                              "signature_certificate": False,
                              "authentication_certificate": False})
        card_d = box.ok("POST", "/v1/applications/%s/produce" % application["id"])
        status, _, _ = box.api("POST", "/v1/cards/%s/deliver" % card_d["id"],
                               {"receiver_id": d["id"],
                                "passwords": {"juki": "1234"}})
        check(status in (400, 409), "a password on a face-auth card: %d" % status)
        card_d = box.ok("POST", "/v1/cards/%s/deliver" % card_d["id"],
                        {"receiver_id": d["id"]})
        check(card_d["state"] == "active" and card_d["kind"] == "face_auth",
              "face-auth card: %s" % card_d)
        check(self.file(d["id"])["certificates"] == [], "face-auth certificates")
        self.step("face-authentication card delivered without passwords or "
                  "certificates")

        # 9b. A foreign mid- to long-term resident (domain.md §5): the card
        #     ends with the period of stay; a longer stay moves it, never
        #     beyond what a Japanese national would get; no certificate
        #     outlives the card.
        h_born = dt.date(1992, 8, 8)
        stay = add_years(t0, 2)
        h = self.resident("ミラー エマ", h_born.isoformat(), foreign={
            "status_of_residence": "技術・人文知識・国際業務",
            "category": "mid-to-long-term",
            "period_of_stay_ends": stay.isoformat()})
        card_h = self.issue(h["id"], pw)
        check(card_h["expires_on"] == stay.isoformat(),
              "card of a mid-to-long-term resident ends %s, stay ends %s" % (
                  card_h["expires_on"], stay))
        card_end = dt.datetime(stay.year, stay.month, stay.day,
                               tzinfo=JST) + dt.timedelta(days=1)
        for cert in self.file(h["id"])["certificates"]:
            check(cert["not_after"] < card_end.timestamp(),
                  "a certificate outlives the card: %s" % cert)
        longer = add_years(t0, 3)
        moved = box.ok("POST", "/v1/residents/%s/period-of-stay" % h["id"],
                       {"period_of_stay_ends": longer.isoformat()})
        check(moved["expires_on"] == longer.isoformat(),
              "longer stay: card ends %s" % moved["expires_on"])
        capped = box.ok("POST", "/v1/residents/%s/period-of-stay" % h["id"],
                        {"period_of_stay_ends": add_years(t0, 30).isoformat()})
        check(capped["expires_on"] ==
              nth_birthday_after(h_born, t0, 10).isoformat(),
              "a 30-year stay: card ends %s, a national's would %s" % (
                  capped["expires_on"], nth_birthday_after(h_born, t0, 10)))
        self.step("foreign resident: card ends with the stay, moves with it, "
                  "capped at a national's expiry")

        # 10. Moves to another municipality (Kiyose, 13221): E presents in
        #     time, F does not (domain.md §6: within 90 days, else void).
        e = self.resident("番号 四郎", "1970-02-02", sex="male")
        f = self.resident("番号 五子", "1975-03-03")
        card_e = self.issue(e["id"], pw)
        card_f = self.issue(f["id"], pw)
        for r in (e, f):
            box.ok("POST", "/v1/residents/%s/move-in" % r["id"],
                   {"municipality_code": "13221", "address": "東京都清瀬市中里5",
                    "moved_in_on": t0.isoformat()})
        box.plug(card_f["chip_image_path"])
        f_auth = self.read_auth_cert("f-auth")
        box.unplug()

        # 11. Death: card void, certificates revoked.
        g = self.resident("番号 六子", "1940-06-06")
        card_g = self.issue(g["id"], pw)
        box.plug(card_g["chip_image_path"])
        g_auth = self.read_auth_cert("g-auth")
        box.unplug()
        box.ok("POST", "/v1/residents/%s/death" % g["id"],
               {"died_on": t0.isoformat()})
        t = time.monotonic()
        self.wait_ocsp(g_auth, "auth", ("revoked", "cessationOfOperation"), t)
        g_file = self.file(g["id"])
        check(g_file["cards"][0]["state"] == "void" and
              g_file["cards"][0]["void_reason"] == "death", "dead card: %s" %
              g_file["cards"][0])
        box.refused("POST", "/v1/residents/%s/renewal" % g["id"])
        self.step("death: card void, OCSP revoked (cessationOfOperation)")

        # Day 89 after the move: in time.
        box.start(night + dt.timedelta(days=89))
        card = box.ok("POST", "/v1/cards/%s/present" % card_e["id"])
        check(card["state"] == "active" and card["presented_in"] == "13221",
              "presented card: %s" % card)
        check(len(self.certs(e["id"], "signature")) == 1,
              "no new signature certificate after presenting")
        # domain.md §6: when the notes area is full the card is reissued free.
        capacity = card["notes_capacity"]
        changes = 0
        while True:
            changes += 1
            out = box.ok("POST", "/v1/residents/%s/address" % e["id"],
                         {"address": "東京都清瀬市元町%d" % changes})
            if len(card["notes"]) == capacity:
                break
            card = out["card"]
            check(out["notes_full_reissue"] is None, "reissue before full")
            check(changes <= capacity, "notes never fill: %s" % card["notes"])
        reissue = out["notes_full_reissue"]
        check(reissue is not None and reissue["fee_yen"] == 0 and
              reissue["kind"] == "notes_full",
              "full notes area: %s" % reissue)
        check(all(f["amount_yen"] == 0 for f in self.file(e["id"])["fees"]),
              "a fee for the notes-full reissue")
        self.step("notes area full after %d changes: free reissue" % (
            changes - 1))
        # Day 91: F's card is void and its certificates revoked.
        box.start(night + dt.timedelta(days=91))
        box.refused("POST", "/v1/cards/%s/present" % card_f["id"])
        t = time.monotonic()
        f_file = self.file(f["id"])
        check(f_file["cards"][0]["state"] == "void" and
              f_file["cards"][0]["void_reason"] == "not_presented_in_time",
              "late card: %s" % f_file["cards"][0])
        check(all(x["revoked"] for x in f_file["certificates"]),
              "certificates of a void card still good")
        self.wait_ocsp(f_auth, "auth", ("revoked", "cessationOfOperation"), t)
        self.wait_crl_lists(f_auth, "f-auth-late", "Cessation Of Operation", t)
        self.step("move to another municipality: presented on day 89 accepted, "
                  "not presented by day 91 void with certificates revoked")

        # 12. Renewal window: refused the day before "3 months before
        #     expiry", accepted in it, free (domain.md §5, §6).
        window = add_months(want_expiry, -3)
        box.start(dt.datetime(window.year, window.month, window.day, 10, 0,
                              tzinfo=JST) - dt.timedelta(days=2))
        box.refused("POST", "/v1/residents/%s/renewal" % a["id"])
        box.start(dt.datetime(window.year, window.month, window.day, 10, 0,
                              tzinfo=JST) + dt.timedelta(days=14))
        app = box.ok("POST", "/v1/residents/%s/renewal" % a["id"])
        check(app["kind"] == "renewal" and app["fee_yen"] == 0,
              "renewal application: %s" % app)
        self.step("renewal refused 2 days before the window, accepted 14 days "
                  "into it, free")
        box.stop()

    def read_text(self, profile, name):
        path = os.path.join(self.w, name + ".json")
        json.dump(profile, open(path, "w"), ensure_ascii=False)
        out = sh("/usr/bin/python3", os.path.join(PCSC_DIR, "read_text_ap.py"),
                 path, ok=False)
        check(out.returncode == 0, "input-assist AP: %s%s" % (out.stdout,
                                                              out.stderr))


def main(argv):
    openmyna, backend = argv[1], argv[2]
    if backend == "postgres" and not os.environ.get("OPENMYNA_TEST_PG_URL"):
        print("SKIP: no PostgreSQL (run inside tests/pg/with-postgres.sh)")
        return 77
    work = tempfile.mkdtemp(prefix="openmyna-scenarios-")
    box = Sandbox(openmyna, backend, work)
    scenarios = Scenarios(box)
    started = time.monotonic()
    rc = 1
    try:
        box.setup()
        box.check_bad_clock()
        scenarios.run()
        rc = 0
    except ScenarioFailure as failure:
        # domain.md §2: never show an individual number, even in a failure.
        print("FAIL: %s" % re.sub(r"(?<!\d)\d{12}(?!\d)", "<12 digits>",
                                  str(failure)), file=sys.stderr)
        try:
            print("---- serve.log (tail) ----\n" +
                  open(box.serve_log).read()[-3000:], file=sys.stderr)
        except OSError:
            pass
    finally:
        box.unplug()
        box.stop()
        if rc == 0 or not os.environ.get("KEEP_SCENARIO_WORK"):
            shutil.rmtree(work, ignore_errors=True)
    print("%s: observed after an event (documented %.0f s, deadline %.0f s): "
          "OCSP %s s; CRL %s s" % (
              backend, DOCUMENTED_DELAY_S, DOCUMENTED_DELAY_S + DELAY_SLACK_S,
              ", ".join("%.1f" % d for d in scenarios.delays),
              ", ".join("%.1f" % d for d in scenarios.crl_delays)))
    print("%s: took %.0f s" % (backend, time.monotonic() - started))
    print("%s: %d passed, %d failed" % (
        backend, len(scenarios.passed), 0 if rc == 0 else 1))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
