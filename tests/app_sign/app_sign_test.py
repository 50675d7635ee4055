#!/usr/bin/python3
"""Signing for relying parties, end to end, with software nobody here wrote.

Usage (inside tests/pcsc/with-pcscd.sh): app_sign_test.py /path/to/openmyna

- The relying party is Debian's python3-authlib: the client_credentials
  grant with private_key_jwt, then POST /api/sign-transactions with the
  SHA-256 of its document, the authorization request with scope "sign" and
  sign_transaction_id (PKCE, state, nonce), the code exchange, and
  GET /api/sign-transactions/{id}/result, whose JWE authlib decrypts with
  the client's own private key (ECDH-ES for the ES256 key `rp add` made,
  RSA-OAEP-256 for an RSA key the openssl command made).
- The card is issued through the registry and plugged into a private pcscd;
  `openmyna app sign <link>` signs with its signature key.
- The signature is checked with `openssl dgst -verify` over the document
  against the returned certificate, which is the card's (read with
  pkcs11-tool) and chains to the sandbox signature CA (`openssl verify`);
  `openmyna verify sign-result` accepts the result and refuses it for
  another document.
- Negatives: a wrong password (one try spent, per pkcs15-tool; the app says
  so; nothing posted), the result before the code exchange, read by another
  client, read twice, a bad hash length and other malformed input (RFC 9457
  problems), no token, an expired transaction (serve restarted with a short
  lifetime).
"""
import base64
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests
from authlib.jose import JsonWebEncryption, JsonWebKey, jwt

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "scenarios"))
from sandbox import Sandbox, ScenarioFailure, check, sh, tries_left  # noqa: E402
from browser_qr import browser_qr  # noqa: E402
from relying_party import RelyingParty  # noqa: E402
from scenarios import Scenarios  # noqa: E402

PW = {"signature": "ABC123", "authentication": "1234", "juki": "5678",
      "input_assist": "9012"}
DOCUMENT = "売買契約書 — contract of sale, signed with My Number Card\n".encode()
PROBLEM = "application/problem+json"


def b64(data):
    return base64.b64encode(data).decode()


class SignFlow(RelyingParty):
    def __init__(self, openmyna, work):
        self.box = Sandbox(openmyna, "sqlite", work)
        self.work = work
        self.scen = Scenarios(self.box)
        self.passed = 0

    def step(self, name):
        self.passed += 1
        print("  ok  %s" % name, flush=True)

    # --- setup --------------------------------------------------------------
    def start(self, *extra):
        self.https, self.root = self.box.start_https(
            dt.datetime.now(dt.timezone.utc), extra)
        self.issuer = self.https + "/api/realms/main"
        self.api = self.https + "/api/sign-transactions"
        self.http = requests.Session()
        self.http.verify = self.root
        self.conf = self.http.get(
            self.issuer + "/.well-known/openid-configuration").json()
        check("client_credentials" in self.conf["grant_types_supported"],
              "discovery: %s" % self.conf["grant_types_supported"])

    def client_session(self, client, scope):
        return self.session(client["client_id"], client["key"], client["alg"],
                            scope)

    def service_token(self, client):
        """RFC 6749 §4.4 through authlib: the signing API's Bearer token."""
        token = self.client_session(client, "sign").fetch_token(
            self.conf["token_endpoint"], grant_type="client_credentials")
        check(token["token_type"].lower() == "bearer" and
              "refresh_token" not in token and token["scope"] == "sign",
              "client_credentials token %s" % token)
        return token["access_token"]

    def create(self, token, body, want=201):
        r = self.http.post(self.api, json=body,
                           headers={"Authorization": "Bearer " + token})
        check(r.status_code == want, "create %s: %d %s" % (
            body, r.status_code, r.text))
        if want != 201:
            check(r.headers["Content-Type"].startswith(PROBLEM),
                  "not a problem document: %s" % r.headers["Content-Type"])
        return r.json()

    def result(self, token, tid, want=200):
        r = self.http.get("%s/%s/result" % (self.api, tid),
                          headers={"Authorization": "Bearer " + token})
        check(r.status_code == want, "result: %d %s (want %d)" % (
            r.status_code, r.text, want))
        if want != 200:
            check(r.headers["Content-Type"].startswith(PROBLEM), r.headers)
            return r.json()
        check(r.headers["Content-Type"] == "application/jose", r.headers)
        return r.text

    def authorize(self, client, tid, acr="aal3 ocsp"):
        s = self.client_session(client, "openid sign")
        self.verifier = secrets.token_urlsafe(48)
        uri, self.state = s.create_authorization_url(
            self.conf["authorization_endpoint"], code_verifier=self.verifier,
            nonce=secrets.token_urlsafe(16), acr_values=acr,
            sign_transaction_id=tid)
        self.open_authorization(uri)
        return s

    def app_sign(self, password, want_rc=0):
        env = dict(self.box.env, OPENMYNA_SIGN_PASSWORD=password)
        out = subprocess.run([self.box.openmyna, "--data", self.box.data,
                              "app", "sign", self.link, "--password-env",
                              "OPENMYNA_SIGN_PASSWORD"], env=env,
                             capture_output=True, text=True, timeout=120,
                             stdin=subprocess.DEVNULL)
        check(out.returncode == want_rc, "app sign exit %d (want %d): %s%s" % (
            out.returncode, want_rc, out.stdout, out.stderr))
        return out

    def decrypt(self, jwe, client):
        key = JsonWebKey.import_key(client["key"])
        out = JsonWebEncryption().deserialize_compact(jwe, key)
        return out["header"], json.loads(out["payload"])

    # --- the flows ----------------------------------------------------------
    def run(self):
        box, scen = self.box, self.scen
        box.setup()
        self.start()
        a = scen.resident("署名 花子", "1990-07-07",
                          address="長野県千曲市杭瀬下12")
        card = scen.issue(a["id"], PW)
        box.plug(card["chip_image_path"])
        es = self.rp_add("Sample Notary")
        es.update(key=json.load(open(es["key_file"])), alg="ES256")
        rsa_pem = os.path.join(self.work, "rp-rsa.pem")
        sh("openssl", "genrsa", "-out", rsa_pem, "2048")
        rsa_pub = JsonWebKey.import_key(open(rsa_pem).read()).as_dict(
            is_private=False)
        rsa_pub["alg"] = "RS256"
        jwks = os.path.join(self.work, "rp-rsa.jwks")
        json.dump({"keys": [rsa_pub]}, open(jwks, "w"))
        rs = self.rp_add("Sample Lender", "--jwks-file", jwks)
        rs.update(key=open(rsa_pem).read(), alg="RS256")

        # 1. The ES256 client signs a contract: ECDH-ES result.
        es_token = self.service_token(es)
        rs_token = self.service_token(rs)
        self.step("client_credentials grant through authlib (private_key_jwt "
                  "ES256 and RS256): Bearer tokens with scope sign")
        digest = hashlib.sha256(DOCUMENT).digest()
        created = self.create(es_token, {"hash": b64(digest)})
        tid = created["sign_transaction_id"]
        check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]"
                           r"{3}-[0-9a-f]{12}", tid), "not a UUID v4: %s" % tid)
        # The DigestInfo is the DER openssl itself writes for SHA-256.
        check(base64.b64decode(created["digest_info"]) ==
              bytes.fromhex("3031300d060960864801650304020105000420") + digest,
              "digest_info %s" % created)
        s = self.authorize(es, tid)
        self.result(es_token, tid, want=409)  # not signed yet
        login = subprocess.run([box.openmyna, "--data", box.data, "app",
                                "login", self.link, "--pin-env", "NONE"],
                               env=box.env, capture_output=True, text=True,
                               timeout=120, stdin=subprocess.DEVNULL)
        check(login.returncode == 2 and "openmyna app sign" in login.stderr,
              "app login on a signing link: %d %s" % (login.returncode,
                                                      login.stderr))
        out = self.app_sign(PW["signature"].lower())  # typed in any case
        check("Sample Notary" in out.stdout and digest.hex() in out.stdout,
              "the app did not show who asks and the hash: %s" % out.stdout)
        check(tries_left("Digital Signature PIN") == 5, "tries not back to 5")
        self.result(es_token, tid, want=409)  # code not exchanged yet
        location, q = self.back_to_rp()
        check(q["state"] == self.state and q.get("code"), "callback %s" % q)
        token = s.fetch_token(self.conf["token_endpoint"],
                              authorization_response=location,
                              code_verifier=self.verifier)
        check("sign" in token["scope"].split(), token)
        self.step("transaction (UUID v4, DigestInfo = SHA-256 prefix + hash), "
                  "authorization with scope sign + sign_transaction_id, "
                  "`openmyna app sign` with the card (`app login` on its "
                  "link: exit 2, names app sign), code exchanged")
        self.result(rs_token, tid, want=404)  # another client
        jwe = self.result(es_token, tid)
        header, result = self.decrypt(jwe, es)
        check(header["alg"] == "ECDH-ES" and header["enc"] == "A256GCM",
              "JWE header %s" % header)
        check(result["sign_transaction_id"] == tid, result)
        self.result(es_token, tid, want=410)
        self.step("result: 409 before signing and before the code exchange, "
                  "404 to another client, a JWE (ECDH-ES, A256GCM) authlib "
                  "decrypts with the client's key, 410 when read twice")
        self.check_signature(result, DOCUMENT, "es")
        audit = box.ok("GET", "/v1/residents/%s/audit" % a["id"])
        entries = audit if isinstance(audit, list) else audit.get(
            "entries", audit.get("audit", []))
        check(any(e.get("action") == "sign_in.sign" and
                  digest.hex() in json.dumps(e) and
                  es["client_id"] in json.dumps(e) for e in entries),
              "no signing in the audit trail: %s" % audit)
        self.step("the signing is in the resident's audit trail (client, "
                  "transaction, document hash)")

        self.demo_rp_sign(a)

        # 2. The RSA client, a DigestInfo given, a wrong password first.
        other_doc = b"loan agreement no. 42\n"
        digest_info = bytes.fromhex(
            "3031300d060960864801650304020105000420") + hashlib.sha256(
                other_doc).digest()
        tid2 = self.create(rs_token, {"digest_info": b64(digest_info)})[
            "sign_transaction_id"]
        s2 = self.authorize(rs, tid2, acr="aal3 crl")  # the CRL this time
        before = tries_left("Digital Signature PIN")
        wrong = self.app_sign("WRONG1", want_rc=3)
        check("tries left" in wrong.stderr and "4" in wrong.stderr,
              "the app did not say the tries left: %s" % wrong.stderr)
        check(tries_left("Digital Signature PIN") == before - 1,
              "a wrong password did not cost exactly one try")
        check(self.http.get(self.link).status_code == 200,
              "the request did not stay open after a wrong password")
        self.step("wrong password: exit 3, the app says 4 tries left, "
                  "pkcs15-tool counts one try spent, nothing posted")
        self.app_sign(PW["signature"])
        check(tries_left("Digital Signature PIN") == 5, "tries not reset")
        location, _ = self.back_to_rp()
        token2 = s2.fetch_token(self.conf["token_endpoint"],
                                authorization_response=location,
                                code_verifier=self.verifier)
        claims = jwt.decode(token2["id_token"], JsonWebKey.import_key_set(
            self.http.get(self.conf["jwks_uri"]).json()))
        check(claims["acr"] == "aal3 crl", "acr %s" % claims.get("acr"))
        header, result2 = self.decrypt(self.result(rs_token, tid2), rs)
        check(header["alg"] == "RSA-OAEP-256", header)
        self.check_signature(result2, other_doc, "rs")
        self.step("RS256 client with a DigestInfo, revocation by the CRL "
                  "(acr aal3 crl in the ID token): RSA-OAEP-256 JWE, the "
                  "signature verifies with openssl")
        self.bad_input(es_token, es)
        self.suspended(card, es, es_token)
        self.blocked(es, es_token)
        self.expiry(es)
        print("app_sign_test: %d passed, 0 failed" % self.passed)

    def demo_rp_sign(self, a):
        """The demo relying party's signing demo in Chromium: its form, the
        provider's page (QR decoded by zbarimg, answered by `openmyna app
        sign` with the card), back to the demo page, which shows the
        document, the signature and the certificate; openssl checks them."""
        def answer(qr):
            self.link = qr
            out = self.app_sign(PW["signature"])
            check("デモ事業者" in out.stdout, "the app did not name the demo "
                  "relying party: %s" % out.stdout)
        _, log = browser_qr(self.work, "demo-sign", "demo_rp_sign.mjs",
                            [self.https + "/demo-rp/"], answer)
        # The whole log: the SIGNED line (PEM, signature) is long.
        signed = re.search(r"^SIGNED (.*)$", log, re.M)
        check(signed, "no SIGNED line: %s" % log[-3000:])
        shown = json.loads(signed.group(1))
        check(shown["signature_ok"] == "OK" and
              shown["certificate_ok"].startswith("OK") and
              "署名を検証しました" in shown["status"], "demo page %s" % shown)
        document = shown["document"].encode()
        check(shown["sha256"] == hashlib.sha256(document).hexdigest(),
              "the page's SHA-256 is not the document's")
        # What the page shows, checked by openssl: the signature over the
        # document with the certificate, which chains to the sandbox
        # signature CA and is the card's.
        w = lambda f: os.path.join(self.work, "demo-" + f)
        open(w("cert.pem"), "w").write(shown["certificate"])
        self.openssl_verify(w, document, base64.b64decode(shown["signature"]))
        card_pem = sh("openssl", "x509", "-inform", "DER", "-in",
                      w("card.der")).stdout
        check(card_pem.strip() == shown["certificate"].strip(),
              "the demo's certificate is not the card's")
        subject = sh("openssl", "x509", "-in", w("cert.pem"), "-noout",
                     "-subject", "-nameopt", "utf8,sep_multiline").stdout
        check(shown["signer"] and shown["signer"] in subject,
              "signer %r vs %s" % (shown["signer"], subject))
        self.step("demo relying party's signing demo (Chromium): form, QR "
                  "decoded by zbarimg, `openmyna app sign` with the card, back "
                  "on /demo-rp/ with the signature; openssl verifies it over "
                  "the shown document with the shown certificate = the card's, "
                  "chained to the sandbox signature CA")

    def openssl_verify(self, w, document, signature):
        """openssl checks w("cert.pem"): it chains to the sandbox signature
        CA, and its key verifies `signature` (RSA PKCS#1 v1.5, SHA-256) over
        `document`; the card's own signature certificate (OpenSC's PKCS#11
        module) is read to w("card.der") for the caller to compare."""
        out = sh("openssl", "verify", "-CAfile", self.box.ca_pem("sign"),
                 w("cert.pem"))
        check(w("cert.pem") + ": OK" in out.stdout, "no chain: %s" % out.stdout)
        sh("openssl", "x509", "-in", w("cert.pem"), "-pubkey", "-noout",
           "-out", w("pub.pem"))
        open(w("doc"), "wb").write(document)
        open(w("sig"), "wb").write(signature)
        v = sh("openssl", "dgst", "-sha256", "-verify", w("pub.pem"),
               "-signature", w("sig"), w("doc"), ok=False)
        check(v.returncode == 0 and "Verified OK" in v.stdout,
              "openssl does not verify: %s%s" % (v.stdout, v.stderr))
        sh("pkcs11-tool", "--slot-index", "1", "--login", "--pin",
           PW["signature"], "--read-object", "--type", "cert", "--id", "02",
           "-o", w("card.der"))

    def check_signature(self, result, document, name):
        w = lambda f: os.path.join(self.work, "%s-%s" % (name, f))
        der = base64.b64decode(result["certificate"])
        p = subprocess.run(["openssl", "x509", "-inform", "DER", "-out",
                            w("cert.pem")], input=der, capture_output=True)
        check(p.returncode == 0, "the certificate is not a certificate")
        self.openssl_verify(w, document, base64.b64decode(result["signature"]))
        check(open(w("card.der"), "rb").read() == der,
              "not the card's signature certificate")
        # `openmyna verify sign-result`: good for this document (OCSP too),
        # not good for another.
        json.dump(result, open(w("result.json"), "w"))
        ocsp = self.box.base + "/ocsp/sign"
        good = self.box.run("verify", "sign-result", w("result.json"),
                            "--content", w("doc"), "--ocsp", ocsp, "--json",
                            check_rc=False)
        check(good.returncode == 0 and json.loads(good.stdout)["good"],
              "verify sign-result: %s%s" % (good.stdout, good.stderr))
        open(w("other"), "wb").write(document + b"!")
        bad = self.box.run("verify", "sign-result", w("result.json"),
                           "--content", w("other"), check_rc=False)
        check(bad.returncode == 1 and "signature_invalid" in bad.stdout,
              "verify sign-result of another document: %d %s" % (
                  bad.returncode, bad.stdout))
        self.step("signature verified by openssl over the document with the "
                  "returned certificate = the card's (pkcs11-tool), chained "
                  "to the sandbox signature CA (openssl verify); openmyna "
                  "verify sign-result: good, and not good for another file")

    def bad_input(self, token, client):
        for body, word in (({"hash": b64(b"x" * 31)}, "32 bytes"),
                           ({"hash": b64(b"x" * 48)}, "32 bytes"),
                           ({"hash": "not base64!"}, "base64"),
                           ({"digest_info": b64(b"\x30" * 51)}, "DigestInfo"),
                           ({}, "exactly one"),
                           ({"hash": b64(b"x" * 32),
                             "digest_info": b64(b"x" * 51)}, "exactly one")):
            doc = self.create(token, body, want=400)
            check(doc["status"] == 400 and word in doc["detail"],
                  "%s: %s" % (body, doc))
        r = self.http.post(self.api, json={"hash": b64(b"x" * 32)})
        check(r.status_code == 401 and "Bearer" in r.headers.get(
            "WWW-Authenticate", ""), "no token: %d" % r.status_code)
        r = self.http.post(self.api, json={"hash": b64(b"x" * 32)},
                           headers={"Authorization": "Bearer nope"})
        check(r.status_code == 401, "unknown token: %d" % r.status_code)
        r = self.http.get(self.conf["userinfo_endpoint"],
                          headers={"Authorization": "Bearer " + token})
        check(r.status_code == 401, "UserInfo took a client_credentials "
              "token: %d" % r.status_code)
        # scope sign without a transaction, or with another client's.
        s = self.client_session(client, "openid sign")
        uri, _ = s.create_authorization_url(
            self.conf["authorization_endpoint"],
            code_verifier=secrets.token_urlsafe(48), nonce="n")
        r = self.http.get(uri, allow_redirects=False)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            r.headers.get("Location", "")).query))
        check(r.status_code == 302 and q.get("error") == "invalid_request" and
              "sign_transaction_id" in q.get("error_description", ""),
              "scope sign without a transaction: %d %s" % (r.status_code, q))
        self.step("bad input: hash of 31/48 bytes, not base64, a wrong "
                  "DigestInfo, none or both fields -> 400 problems; no or "
                  "unknown token -> 401 (UserInfo refuses the client_credentials "
                  "token); scope sign without a transaction -> "
                  "invalid_request on the redirect")

    def suspended(self, card, client, token):
        """The hotline suspends the card: OCSP answers certificateHold for
        the signature certificate (as `openssl ocsp` reads it), `openmyna
        verify sign-result` no longer calls the earlier result good, and a
        new signing is refused with certificate_suspended."""
        box = self.box
        w = lambda f: os.path.join(self.work, "es-" + f)
        check(box.ok("POST", "/v1/cards/%s/suspend" % card["id"],
                     role="hotline_operator")["state"] == "suspended",
              "card not suspended")
        deadline = time.monotonic() + 120  # generous: only the outcome counts
        while self.scen.ocsp(w("cert.pem"), "sign") != ("revoked",
                                                        "certificateHold"):
            check(time.monotonic() < deadline, "OCSP never said certificateHold")
            time.sleep(0.5)
        out = box.run("verify", "sign-result", w("result.json"), "--content",
                      w("doc"), "--ocsp", box.base + "/ocsp/sign",
                      check_rc=False)
        check(out.returncode == 1 and "revoked" in out.stdout,
              "verify sign-result after the suspension: %d %s%s" % (
                  out.returncode, out.stdout, out.stderr))
        tid = self.create(token, {"hash": b64(hashlib.sha256(
            b"after the suspension").digest())})["sign_transaction_id"]
        self.authorize(client, tid)
        refused = self.app_sign(PW["signature"], want_rc=1)
        check("certificate_suspended" in refused.stderr,
              "the app did not say certificate_suspended: %s" % refused.stderr)
        _, q = self.back_to_rp()
        check(q.get("error") == "access_denied" and q.get(
            "error_description", "").startswith("certificate_suspended") and
              q.get("state") == self.state, "redirect %s" % q)
        self.result(token, tid, want=409)
        self.step("suspended card (OCSP certificateHold per openssl ocsp): "
                  "verify sign-result not good (revoked); a new signing "
                  "refused, certificate_suspended on the app and the "
                  "redirect; no result")

    def blocked(self, client, token):
        """Wrong passwords until the signature key blocks: the last one
        says so and the relying party is told pin_blocked. On the next
        request the app asks the card with an empty VERIFY and sends no
        password (the counter stays at 0 per pkcs15-tool)."""
        for attempt in ("wrong passwords", "the right password"):
            tid = self.create(token, {"hash": b64(hashlib.sha256(
                attempt.encode()).digest())})["sign_transaction_id"]
            self.authorize(client, tid)
            if attempt == "wrong passwords":
                for _ in range(tries_left("Digital Signature PIN") - 1):
                    self.app_sign("WRONG1", want_rc=3)
                out = self.app_sign("WRONG1", want_rc=3)
            else:
                out = self.app_sign(PW["signature"], want_rc=3)
            check("blocked" in out.stderr, "%s: the app did not say blocked: "
                  "%s" % (attempt, out.stderr))
            check(tries_left("Digital Signature PIN") == 0,
                  "%s: the counter is not 0" % attempt)
            _, q = self.back_to_rp()
            check(q.get("error") == "access_denied" and q.get(
                "error_description", "").startswith("pin_blocked") and
                  "signature password" in q.get("error_description", ""),
                  "%s: redirect %s" % (attempt, q))
            self.result(token, tid, want=409)
        self.step("blocked signature password: the last wrong one, and then "
                  "the right one (the app asks with an empty VERIFY; the "
                  "counter stays 0 per pkcs15-tool), end in pin_blocked on "
                  "the app and the redirect; no result")

    def expiry(self, client):
        """A transaction past its lifetime (serve restarted with 2 s): the
        authorization request and the result both say so. (Only the passing
        of time matters here, not how fast anything answers.)"""
        self.start("--set", "sign-in.sign-transaction-lifetime=2")
        token = self.service_token(client)
        tid = self.create(token, {"hash": b64(hashlib.sha256(
            b"too late").digest())})["sign_transaction_id"]
        time.sleep(4)
        s = self.client_session(client, "openid sign")
        uri, state = s.create_authorization_url(
            self.conf["authorization_endpoint"],
            code_verifier=secrets.token_urlsafe(48), nonce="n",
            sign_transaction_id=tid)
        r = self.http.get(uri, allow_redirects=False)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            r.headers.get("Location", "")).query))
        check(r.status_code == 302 and q.get("error") == "invalid_request" and
              "expired" in q.get("error_description", "") and
              q.get("state") == state, "expired: %d %s" % (r.status_code, q))
        doc = self.result(token, tid, want=410)
        check("expired" in doc["detail"], doc)
        self.step("expired transaction: invalid_request (expired) on the "
                  "redirect, the result is 410 Gone")


def main(argv):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(name, None)
    work = tempfile.mkdtemp(prefix="openmyna-appsign-")
    t = SignFlow(argv[1], work)
    try:
        t.run()
    except ScenarioFailure as e:
        print("FAIL: %s (files kept in %s)" % (e, work))
        try:
            print(open(t.box.serve_log).read()[-3000:])
        except OSError:
            pass
        return 1
    finally:
        t.box.unplug()
        t.box.stop()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
