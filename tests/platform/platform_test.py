#!/usr/bin/env python3
"""The platform verification API as a bank sees it (docs/sign-in.md,
"Platform verification API"): the sample card of `openmyna db seed
--sample-card` (issued through the registry) signs with its own keys through
pcscd and OpenSC's pkcs11-tool; python requests (and curl once) post to
`openmyna serve`. Every status of the taxonomy is shown:
200 registration/login/replacement, 400, 401, 404, 409, 410, 503. Expected
values come from the card (certificates read with OpenSC, serials with
openssl), from the registry API (another path) and from openssl.
Usage (inside tests/pcsc/with-pcscd.sh): platform_test.py OPENMYNA
"""
import base64
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scenarios"))
from sandbox import Sandbox, ScenarioFailure, check, der_of, sh  # noqa: E402

NEW_ADDRESS = "長野県千曲市大字屋代5番地"


def b64(data):
    return base64.b64encode(data).decode()


def platform_credential(box):
    out = box.run("db", "credentials").stdout
    m = re.search(r"^\s*platform\s+(\S+):(\S+)\s*$", out, re.M)
    check(m, "no platform credential in: %s" % out)
    return (m.group(1), m.group(2))


def serial_hex(pem):
    out = sh("openssl", "x509", "-in", pem, "-noout", "-serial").stdout
    return "%x" % int(out.strip().split("=", 1)[1], 16)


class Bank:
    """A relying party: its platform credential and the card it talks to."""

    def __init__(self, box, work, credential, passwords):
        self.box = box
        self.w = work
        self.auth = credential
        self.pw = passwords

    def card_sign(self, key, data):
        """The card signs SHA-256(data) (PKCS#1 v1.5) through OpenSC."""
        src = os.path.join(self.w, "data.bin")
        sig = os.path.join(self.w, "data.sig")
        open(src, "wb").write(data.encode())
        slot, pin, ident = (("1", self.pw["signature"], "02") if key == "sign"
                            else ("0", self.pw["authentication"], "01"))
        sh("pkcs11-tool", "--slot-index", slot, "--login", "--pin", pin,
           "--sign", "--id", ident, "-m", "SHA256-RSA-PKCS", "-i", src,
           "-o", sig)
        return open(sig, "rb").read()

    def read_cert(self, key, name):
        pem = os.path.join(self.w, name + ".pem")
        if key == "auth":
            out = sh("pkcs15-tool", "--reader", "0", "--read-certificate", "01")
            open(pem, "w").write(out.stdout)
        else:
            der = os.path.join(self.w, name + ".der")
            sh("pkcs11-tool", "--slot-index", "1", "--login", "--pin",
               self.pw["signature"], "--read-object", "--type", "cert", "--id",
               "02", "-o", der)
            sh("openssl", "x509", "-inform", "DER", "-in", der, "-out", pem)
        return pem

    def body(self, mode, pem, data, signature=None):
        if signature is None:
            signature = self.card_sign("auth" if mode == "login" else "sign",
                                       data)
        if mode == "login":
            return {"certificateForUser": b64(der_of(pem)), "nonceData": data,
                    "nonceSign": b64(signature)}
        return {"certificateForSign": b64(der_of(pem)), "applicantData": data,
                "sign": b64(signature),
                "requestInfo": {"transactionId": "t-1", "sender": "BANK01"}}

    def post(self, mode, body, want):
        r = requests.post(self.box.base + "/verify/" + mode, json=body,
                          auth=self.auth, timeout=60)
        check(r.status_code == want, "POST /verify/%s: want %d, got %d %s" % (
            mode, want, r.status_code, r.text))
        if want != 200:
            check(r.headers["Content-Type"].startswith(
                "application/problem+json"), "not a problem: %s" % r.headers)
        return r.json()


def main():
    openmyna = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="om-platform-") as work:
        box = Sandbox(openmyna, "sqlite", work)
        try:
            run(box, work)
        except ScenarioFailure as e:
            box.report_failure("platform_test", e)
            return 1
        finally:
            box.close()
    print("platform_test: passed")
    return 0


def run(box, work):
    box.setup()
    bank = platform_credential(box)
    shop = platform_credential(box)
    box.run("db", "seed", "--sample-card")
    sample_file = os.path.join(box.data, "sample-card.json")
    check(oct(os.stat(sample_file).st_mode & 0o777) == "0o600",
          "sample-card.json is not 0600")
    sample = json.load(open(sample_file))
    rid = sample["resident_id"]
    box.start(dt.datetime.now(dt.timezone.utc))
    record = box.ok("GET", "/v1/residents/" + rid)["resident"]
    box.plug(sample["image"])
    b = Bank(box, work, bank, sample["passwords"])

    sign1 = b.read_cert("sign", "sign1")
    auth = b.read_cert("auth", "auth")
    # 200 registration: the identity the platform returns is the registry's
    # record of the card's holder (read through the registry API).
    reg = b.post("registration", b.body("registration", sign1, "apply-1"), 200)
    check(reg["identityInfo"]["name"] == record["name"] and
          reg["identityInfo"]["address"] == record["address"],
          "identity %s is not the registry's %s" % (reg, record))
    check(reg["certificate"]["serial"] == serial_hex(sign1),
          "registered serial %s is not the card's" % reg["certificate"])
    check(reg["responseInfo"]["transactionId"] == "t-1", "no responseInfo echo")
    user = reg["userId"]
    print("registration 200: userId %s" % user)
    # 409 already registered.
    b.post("registration", b.body("registration", sign1, "apply-2"), 409)
    # 200 login with the authentication certificate.
    login = b.post("login", b.body("login", auth, "nonce-1"), 200)
    check(login["userId"] == user, "login user %s != %s" % (login, user))
    print("login 200, 409 on a second registration")
    # 400: malformed body, and the signature certificate at login.
    r = requests.post(box.base + "/verify/login", data="{not json",
                      headers={"Content-Type": "application/json"},
                      auth=bank, timeout=60)
    check(r.status_code == 400, "malformed: %d" % r.status_code)
    wrong_type = b.body("registration", sign1, "n-2")
    b.post("login", {"certificateForUser": wrong_type["certificateForSign"],
                     "nonceData": "n-2", "nonceSign": wrong_type["sign"]}, 400)
    # 401: a signature over other data; a certificate from outside the
    # sandbox (openssl self-signed); no credentials (curl).
    forged = b.body("login", auth, "nonce-signed")
    forged["nonceData"] = "nonce-claimed"
    b.post("login", forged, 401)
    key = os.path.join(work, "self.key")
    self_pem = os.path.join(work, "self.pem")
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
       key, "-out", self_pem, "-subj", "/CN=not jpki", "-days", "1")
    open(os.path.join(work, "x"), "w").write("x")
    sh("openssl", "dgst", "-sha256", "-sign", key, "-out",
       os.path.join(work, "x.sig"), os.path.join(work, "x"))
    b.post("registration", {
        "certificateForSign": b64(der_of(self_pem)), "applicantData": "x",
        "sign": b64(open(os.path.join(work, "x.sig"), "rb").read())}, 401)
    code = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
         "-H", "Content-Type: application/json", "-d", "{}",
         box.base + "/verify/login"], capture_output=True, text=True).stdout
    check(code == "401", "curl without credentials: %s" % code)
    print("400 malformed / wrong certificate, 401 forged / foreign / anonymous")
    # 404: another relying party never registered this person; a
    # replacement naming a serial nobody holds.
    s = Bank(box, work, shop, sample["passwords"])
    s.post("login", s.body("login", auth, "nonce-shop"), 404)
    stray = b.body("replacement", sign1, "r-0")
    stray["oldSerial"] = "7fff0001"
    b.post("replacement", stray, 404)
    print("404 not registered / old serial unknown")

    # Change of address at the counter: the chip is rewritten and a new
    # signature certificate issued, the old one revoked.
    box.unplug()
    box.ok("POST", "/v1/residents/%s/address" % rid, {"address": NEW_ADDRESS})
    box.plug(sample["image"])
    sign2 = b.read_cert("sign", "sign2")
    check(serial_hex(sign2) != serial_hex(sign1), "no new signature cert")
    # 401: registering with the revoked old certificate is refused (the
    # key on the chip is the same, the CA has revoked the certificate).
    b.post("registration", {
        "certificateForSign": b64(der_of(sign1)), "applicantData": "late",
        "sign": b64(b.card_sign("sign", "late"))}, 401)
    # 410 at login: the signature certificate on file was revoked; the
    # successor named is the one now on the card.
    gone = b.post("login", b.body("login", auth, "nonce-3"), 410)
    check(gone["onFile"]["serial"] == serial_hex(sign1) and
          gone["successor"]["serial"] == serial_hex(sign2),
          "410 links %s, card has %s" % (gone, serial_hex(sign2)))
    # The successor link: the new certificate, chaining to the sandbox
    # signature CA (openssl verify) and carrying the new address.
    r = requests.get(box.base + "/verify/successor/" + serial_hex(sign1),
                     auth=bank, timeout=60)
    check(r.status_code == 200, "successor: %d %s" % (r.status_code, r.text))
    link = r.json()
    new_der = base64.b64decode(link["successor"]["certificate"])
    check(new_der == der_of(sign2), "the successor is not the card's cert")
    check(NEW_ADDRESS.encode() in new_der, "new address not in the successor")
    new_pem = os.path.join(work, "successor.pem")
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-out", new_pem],
                       input=new_der, capture_output=True)
    check(p.returncode == 0, "successor is not a certificate")
    out = sh("openssl", "verify", "-CAfile", box.ca_pem("sign"), new_pem)
    check("OK" in out.stdout, "successor does not chain: %s" % out.stdout)
    check(link["onFile"]["reason"] == "affiliationChanged",
          "reason %s" % link["onFile"])
    print("410 gone with the successor; GET /verify/successor chains, "
          "carries the new address")
    # 200 replacement, then login again.
    rep = b.body("replacement", sign2, "r-1")
    rep["oldSerial"] = serial_hex(sign1)
    replaced = b.post("replacement", rep, 200)
    check(replaced["identityInfo"]["address"] == NEW_ADDRESS and
          replaced["userId"] == user, "replacement: %s" % replaced)
    b.post("login", b.body("login", auth, "nonce-4"), 200)
    print("replacement 200 with the new address; login 200 again")

    # 503: the registry database is locked by another writer beyond its
    # busy timeout (5 s): the call cannot be recorded.
    con = sqlite3.connect(os.path.join(box.data, "registry.db"),
                          isolation_level=None, timeout=30)
    con.execute("BEGIN IMMEDIATE")
    try:
        b.post("login", b.body("login", auth, "nonce-5"), 503)
    finally:
        con.execute("ROLLBACK")
        con.close()
    b.post("login", b.body("login", auth, "nonce-6"), 200)
    print("503 while the registry is locked, 200 after")

    # 401: the hotline suspends the card; the CA holds the certificate.
    cards = box.ok("GET", "/v1/residents/" + rid)["cards"]
    active = [c for c in cards if c["state"] == "active"]
    box.ok("POST", "/v1/cards/%s/suspend" % active[0]["id"], {},
           role="hotline_operator")
    held = b.post("login", b.body("login", auth, "nonce-7"), 401)
    check(held.get("revocationReason") == "certificateHold",
          "suspension: %s" % held)
    print("401 after a suspension (certificateHold)")
    # Every call is in the resident's audit trail under the bank's id.
    trail = box.ok("GET", "/v1/residents/%s/audit" % rid)
    mine = [e for e in trail if e.get("actor_id") == bank[0]]
    check(len(mine) >= 8, "audit: %d entries of the bank" % len(mine))


if __name__ == "__main__":
    sys.exit(main())
