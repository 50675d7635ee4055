#!/usr/bin/python3
"""Sign in with My Number Card, end to end, with software nobody here wrote.

Usage (inside tests/pcsc/with-pcscd.sh):
    sign_in_test.py /path/to/openmyna [flows|cards|all]
flows: the sign-ins, the browser, the demo relying party, the test-card page;
cards: the token endpoint's and the card's negative cases (default: both).

- The relying party is Debian's python3-authlib, unchanged: PKCE S256,
  private_key_jwt (ES256 from `rp add`, RS256 from a JWKS made with
  openssl), the ID token checked by authlib (signature by the provider's
  JWKS, iss, aud, nonce, at_hash), UserInfo compared with the registry
  record (the registry API, another path), over HTTPS with the sandbox root.
- The card is a card issued through the registry and plugged into a private
  pcscd; `openmyna app login` answers with it.
- Negative cases, each with the error the relying party sees.
"""
import base64
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "scenarios"))
from sandbox import (Sandbox, ScenarioFailure, check, der_of, free_port,  # noqa: E402
                     sh)
from browser_qr import browser_qr  # noqa: E402
from relying_party import REDIRECT, RelyingParty  # noqa: E402
from scenarios import Scenarios  # noqa: E402

PW = {"signature": "ABC123", "authentication": "1234", "juki": "5678",
      "input_assist": "9012"}


class SignIn(RelyingParty):
    def __init__(self, openmyna, work):
        self.box = Sandbox(openmyna, "sqlite", work)
        self.work = work
        self.scen = Scenarios(self.box)
        self.passed = 0

    def step(self, name):
        self.passed += 1
        print("  ok  %s" % name, flush=True)

    # --- setup --------------------------------------------------------------
    TEST_CARDS = ("--set", "sign-in.test-cards=on")

    def start(self):
        self.box.setup()
        self.restart(dt.datetime.now(dt.timezone.utc), *self.TEST_CARDS)

    def restart(self, now, *extra):
        """(Re)starts serve as if it were `now`; requests in flight are lost,
        clients stay (DIR/sign_in/clients.json)."""
        # The same HTTPS port on every restart: the URLs the relying party
        # discovered stay valid.
        if not hasattr(self, "tls_port"):
            self.tls_port = free_port()
        self.https, self.root = self.box.start_https(
            now, ("--tls-port", str(self.tls_port)) + tuple(extra))
        self.issuer = self.https + "/api/realms/main"
        self.http = requests.Session()
        self.http.verify = self.root

    def discover(self):
        doc = self.http.get(
            self.issuer + "/.well-known/openid-configuration").json()
        check(doc["issuer"] == self.issuer, "issuer %s" % doc["issuer"])
        check("S256" in doc["code_challenge_methods_supported"], "no S256")
        check("ES256" in doc["id_token_signing_alg_values_supported"], "ES256")
        self.conf = doc
        self.jwks = self.http.get(doc["jwks_uri"]).json()
        # kid = the RFC 7638 thumbprint, as authlib computes it.
        key = self.jwks["keys"][0]
        check(key["kid"] == JsonWebKey.import_key(key).thumbprint(),
              "kid is not the JWK thumbprint")
        self.step("discovery (issuer = fetched URL, S256, ES256) and JWKS "
                  "(kid = authlib's RFC 7638 thumbprint)")

    def session(self, client_id, key, alg="ES256",
                scope="openid name address birthdate gender"):
        return RelyingParty.session(self, client_id, key, alg, scope)

    def authorize(self, s, acr="aal3 ocsp", **extra):
        """The browser part: the authorization page, its link, its wait URL."""
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)
        uri, self.state = s.create_authorization_url(
            self.conf["authorization_endpoint"], code_verifier=self.verifier,
            nonce=self.nonce, acr_values=acr, **extra)
        page = self.open_authorization(uri)
        return page

    def app_login(self, pin="1234", want_rc=0, input_assist=None):
        env = dict(self.box.env, OPENMYNA_TEST_PIN=pin)
        extra = []
        if input_assist is not None:
            env["OPENMYNA_TEST_IA_PIN"] = input_assist
            extra = ["--input-assist-pin-env", "OPENMYNA_TEST_IA_PIN"]
        out = subprocess.run([self.box.openmyna, "--data", self.box.data,
                              "app", "login", self.link, "--pin-env",
                              "OPENMYNA_TEST_PIN", *extra], env=env,
                             capture_output=True, text=True, timeout=120)
        check(out.returncode == want_rc, "app login exit %d (want %d): %s%s" % (
            out.returncode, want_rc, out.stdout, out.stderr))
        return out

    def id_claims(self, token, client_id):
        claims = jwt.decode(
            token["id_token"], JsonWebKey.import_key_set(self.jwks),
            claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "values": [self.issuer]}},
            claims_params={"nonce": self.nonce, "client_id": client_id,
                           "access_token": token["access_token"]})
        claims.validate()
        return claims

    # --- the flows ----------------------------------------------------------
    def run(self, part):
        self.start()
        self.discover()
        box, scen = self.box, self.scen
        a = scen.resident("署名 一郎", "1985-03-15", sex="male",
                          address="長野県千曲市杭瀬下88")
        card = scen.issue(a["id"], PW)
        box.plug(card["chip_image_path"])
        es = self.rp_add("Sample Bank")
        check(os.stat(es["key_file"]).st_mode & 0o777 == 0o600, "key not 0600")
        es_key = json.load(open(es["key_file"]))
        self.es_key = es_key
        check("d" in es_key, "key_file is not a private JWK")
        # An RS256 client whose JWKS the openssl command made.
        rsa_pem = os.path.join(self.work, "rp-rsa.pem")
        sh("openssl", "genrsa", "-out", rsa_pem, "2048")
        rsa_pub = JsonWebKey.import_key(open(rsa_pem).read()).as_dict(is_private=False)
        rsa_pub["alg"] = "RS256"
        jwks_file = os.path.join(self.work, "rp-rsa.jwks")
        json.dump({"keys": [rsa_pub]}, open(jwks_file, "w"))
        rs = self.rp_add("Sample Shop", "--jwks-file", jwks_file)
        check(rs["key_file"] is None, "a key file for a given JWKS")
        listed = box.run("rp", "list").stdout
        check(es["client_id"] in listed and rs["client_id"] in listed, listed)
        self.tc = self.rp_add("Test Shop", "--test-cards")
        self.tc_key = json.load(open(self.tc["key_file"]))
        s = self.session(es["client_id"], es_key)
        if part == "cards":
            self.negatives(s, es, es_key, card, a)
            return

        # 1. Sign-in with the card: ES256 client, OCSP.
        self.authorize(s)
        out = self.app_login(input_assist=PW["input_assist"])
        check("Sample Bank" in out.stdout, "the app did not show the RP")
        location, q = self.back_to_rp()
        check(q["state"] == self.state and q["iss"] == self.issuer and
              q.get("session_state"), "callback %s" % q)
        token = s.fetch_token(self.conf["token_endpoint"],
                              authorization_response=location,
                              code_verifier=self.verifier)
        check(token["token_type"].lower() == "bearer", token)
        check(set(token["scope"].split()) ==
              {"openid", "name", "address", "birthdate", "gender"}, token)
        claims = self.id_claims(token, es["client_id"])
        info = s.get(self.conf["userinfo_endpoint"]).json()
        record = box.ok("GET", "/v1/residents/%s" % a["id"])
        resident = record.get("resident", record)
        check(info["sub"] == claims["sub"], "userinfo sub differs")
        # The attributes came from the card's input-assist AP: the name as
        # the card stores it (surname U+3000 given name, card-apdu.md §8.3),
        # the rest equal to the registry record.
        card_name = resident["name"].replace(" ", "\u3000", 1)
        check(info["name"] == card_name, "userinfo name %r, the card's is %r" % (
            info["name"], card_name))
        check("from the card (input-assist AP): name = %s" % card_name in out.stdout,
              "the app did not show what it read: %s" % out.stdout)
        resident = dict(resident, name=card_name)
        check(info["name"] == resident["name"] and
              info["address"]["formatted"] == resident["address"] and
              info["birthdate"] == resident["date_of_birth"] and
              info["gender"] == resident["sex"], "userinfo %s vs registry %s" % (
                  info, resident))
        self.step("authlib signs in over HTTPS (PKCE S256, private_key_jwt "
                  "ES256, card via pcscd, OCSP); ID token checked by authlib "
                  "(ES256, kid, iss, aud, nonce, at_hash); UserInfo = the "
                  "input-assist AP's attributes read by the app = registry")
        sub_es = claims["sub"]
        # Refresh: a new access token that UserInfo accepts.
        refreshed = s.refresh_token(self.conf["token_endpoint"])
        check(refreshed["access_token"] != token["access_token"], "no new token")
        check(s.get(self.conf["userinfo_endpoint"]).json()["sub"] == sub_es,
              "refreshed token")
        self.step("refresh token grant (rotated)")
        audit = box.ok("GET", "/v1/residents/%s/audit" % a["id"])
        entries = audit if isinstance(audit, list) else audit.get("entries", audit.get("audit", []))
        check(any(e.get("action") == "sign_in.release" and
                  es["client_id"] in json.dumps(e, ensure_ascii=False)
                  for e in entries), "no sign-in in the audit trail: %s" % audit)
        self.step("the sign-in is in the resident's audit trail")

        # 2. RS256 client, CRL: another pairwise sub, same person.
        s2 = self.session(rs["client_id"], open(rsa_pem).read(), alg="RS256",
                          scope="openid name")
        self.authorize(s2, acr="aal3 crl")
        self.app_login()
        location, q = self.back_to_rp()
        token2 = s2.fetch_token(self.conf["token_endpoint"],
                                authorization_response=location,
                                code_verifier=self.verifier)
        claims2 = self.id_claims(token2, rs["client_id"])
        check(claims2["sub"] != sub_es, "sub is the same across clients")
        info2 = s2.get(self.conf["userinfo_endpoint"]).json()
        check(set(info2) == {"sub", "name"}, "released more than asked: %s" % info2)
        check(info2["name"] == a["name"], "without the input-assist PIN the "
              "registry's name: %s" % info2)
        self.step("RS256 client, CRL check; pairwise sub differs per client; "
                  "only the granted claims")

        # 3. The same client again: the same sub.
        self.authorize(s)
        self.app_login()
        location, _ = self.back_to_rp()
        token3 = s.fetch_token(self.conf["token_endpoint"],
                               authorization_response=location,
                               code_verifier=self.verifier)
        check(self.id_claims(token3, es["client_id"])["sub"] == sub_es, "sub moved")
        self.step("sub stable across sign-ins")
        self.card_data(s)
        self.browser(s, es)
        self.demo_rp(a)
        self.test_cards(s, a)

    def card_data(self, s):
        """The input-assist attributes are taken only under the card data
        issuer's signature (EF 0003): EF 0002 and EF 0003 read here with
        pyscard, DF33 checked with openssl against the sandbox's data issuer
        key, then one byte of EF 0002 changed (openssl: its SHA-256 is no
        longer DF32) → refused; attributes without the files → refused."""
        sys.path.insert(0, os.path.join(here, "..", "pcsc"))
        import leave_card
        conn = leave_card.connect()

        def ok(apdu, what):
            data, sw1, sw2 = conn.transmit(apdu)
            check((sw1, sw2) == (0x90, 0x00), "%s: %02X%02X" % (what, sw1, sw2))
            return bytes(data)

        def read_ef(fid):
            ok([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, fid], "SELECT EF %d" % fid)
            out = b""
            while True:
                data, sw1, sw2 = conn.transmit(
                    [0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, 0x00])
                out += bytes(data)
                if (sw1, sw2) != (0x90, 0x00) or len(data) < 256:
                    return out

        def tlvs(buf, pos, end):
            """[(tag, start, value_start, value_end)] of 2-byte-tag TLVs."""
            items = []
            while pos < end and buf[pos] not in (0x00, 0xFF):
                tag, start = buf[pos] << 8 | buf[pos + 1], pos
                pos += 2
                n = buf[pos]
                pos += 1
                if n == 0x82:
                    n, pos = buf[pos] << 8 | buf[pos + 1], pos + 2
                items.append((tag, start, pos, pos + n))
                pos += n
            return items

        aid = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]
        ok([0x00, 0xA4, 0x04, 0x0C, len(aid)] + aid, "SELECT text AP")
        ok([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11], "SELECT EF 0011")
        pin = [ord(c) for c in PW["input_assist"]]
        ok([0x00, 0x20, 0x00, 0x80, len(pin)] + pin, "VERIFY")
        ef2, ef3 = read_ef(2), read_ef(3)
        conn.disconnect()
        # EF 0003 = FF 30 82 01 4B { DF31 ; DF32 ; DF33 }.
        check(ef3[:5] == bytes.fromhex("ff3082014b"), "EF 0003 %s" % ef3[:8].hex())
        (t31, s31, _, e31), (t32, _, v32, e32), (t33, _, v33, e33) = \
            tlvs(ef3, 5, 5 + 0x14B)[:3]
        check((t31, t32, t33) == (0xDF31, 0xDF32, 0xDF33), "EF 0003 tags")
        w = lambda f: os.path.join(self.work, f)
        open(w("ef3-signed"), "wb").write(ef3[s31:e32])
        open(w("ef3-sig"), "wb").write(ef3[v33:e33])
        sh("openssl", "pkey", "-in", os.path.join(self.box.data,
                                                  "card-data-issuer.key"),
           "-pubout", "-out", w("issuer.pub"))
        v = sh("openssl", "dgst", "-sha256", "-verify", w("issuer.pub"),
               "-signature", w("ef3-sig"), w("ef3-signed"), ok=False)
        check("Verified OK" in v.stdout, "openssl on DF33: %s%s" % (v.stdout, v.stderr))
        # EF 0002: FF 20 L { DF21 ; DF22 ; DF23 ; DF24 birth ; DF25 }; the
        # birth date's last digit changed.
        header = 5 if ef2[2] == 0x82 else 3
        items = tlvs(ef2, header, len(ef2))
        birth = [i for i in items if i[0] == 0xDF24][0]
        tampered = bytearray(ef2)
        last = birth[3] - 1
        tampered[last] = ord("0") + (tampered[last] - ord("0") + 1) % 10
        end = items[-1][3]
        check(hashlib.sha256(bytes(tampered[items[1][1]:end])).digest() !=
              ef3[v32:e32] and
              hashlib.sha256(ef2[items[1][1]:end]).digest() == ef3[v32:e32],
              "DF32 is not the SHA-256 of EF 0002 from DF22")
        cert_pem = self.scen.read_auth_cert("a-auth")
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()

        def answer(extra):
            self.authorize(s)
            chal = w("challenge-a.txt")
            open(chal, "w").write(self.http.get(self.link).json()["challenge"])
            sh("pkcs11-tool", "--slot-index", "0", "--login", "--pin", "1234",
               "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", chal,
               "-o", w("challenge-a.sig"))
            body = {"certificate": b64(der_of(cert_pem)),
                    "signature": b64(open(w("challenge-a.sig"), "rb").read())}
            body.update(extra)
            r = self.http.post(self.link, json=body)
            _, q = self.back_to_rp()
            return r, q

        r, q = answer({"input_assist": {"ef0002": b64(bytes(tampered)),
                                        "ef0003": b64(ef3)}})
        check(r.status_code == 403 and "card_data_invalid" in r.text and
              "DF32" in r.text, "tampered EF 0002: %d %s" % (r.status_code, r.text))
        check(q["error"] == "access_denied" and
              q["error_description"].startswith("card_data_invalid"), q)
        r, q = answer({"attributes": {"birthdate": "1985-03-16"}})
        check(r.status_code == 403 and q["error"] == "invalid_request", "bare "
              "attributes: %d %s %s" % (r.status_code, r.text, q))
        r, q = answer({"input_assist": {"ef0002": b64(ef2), "ef0003": b64(ef3)}})
        check(r.status_code == 200 and q.get("code"), "untouched files: %d %s"
              % (r.status_code, r.text))
        self.step("input-assist data: DF33 verified by openssl with the data "
                  "issuer key; one changed byte of EF 0002 → access_denied "
                  "(card_data_invalid, DF32); attributes without EF 0002/0003 "
                  "→ invalid_request; the untouched files accepted")

    def browser(self, s, es):
        """Headless Chromium (Playwright, tests/web) on the authorization
        page; its QR code read from a screenshot by zbarimg; the app answers
        with the card; the page continues to the relying party by itself."""
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)
        uri, self.state = s.create_authorization_url(
            self.conf["authorization_endpoint"], code_verifier=self.verifier,
            nonce=self.nonce, acr_values="aal3 ocsp")

        def answer(qr):
            check(qr.startswith(self.issuer + "/app/requests/"), "QR %r" % qr)
            self.link = qr
            self.app_login()
        _, out = browser_qr(self.work, "authorize", "sign_in_browser.mjs",
                            [uri, REDIRECT], answer)
        landed = re.search(r"^LANDED (\S+)$", out, re.M)
        check(landed, "browser: %s" % out)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(landed.group(1)).query))
        check(q.get("state") == self.state and q.get("code"), "landed %s" % q)
        token = s.fetch_token(self.conf["token_endpoint"],
                              authorization_response=landed.group(1),
                              code_verifier=self.verifier)
        self.id_claims(token, es["client_id"])
        self.step("Chromium (Playwright): QR decoded by zbarimg from a "
                  "screenshot, app login with the card, the page went on to "
                  "the relying party by itself; authlib took the code")

    def demo_rp(self, a):
        """The demo relying party at <base>/demo-rp/ in Chromium: its button,
        the provider's page (QR decoded by zbarimg, answered by the app with
        the card), back to the demo page showing the claims it received."""
        def answer(qr):
            self.link = qr
            out = self.app_login()
            check("デモ事業者" in out.stdout, "the app did not name the demo "
                  "relying party: %s" % out.stdout)
        _, out = browser_qr(self.work, "demo-rp", "demo_rp_browser.mjs",
                            [self.https + "/demo-rp/"], answer)
        check("LANG ja" in out, "the demo page is not Japanese first: %s" % out)
        claims = json.loads(re.search(r"^CLAIMS (.*)$", out, re.M).group(1))
        record = self.box.ok("GET", "/v1/residents/%s" % a["id"])
        resident = record.get("resident", record)
        check(claims.get("name") == resident["name"] and
              claims.get("address") == resident["address"] and
              claims.get("birthdate") == resident["date_of_birth"] and
              claims.get("gender") == resident["sex"], "demo claims %s vs "
              "registry %s" % (claims, resident))
        clients = json.loads(self.box.run("rp", "list", "--json").stdout)
        check(any(c["client_id"] == "OpenMynaDemoRP" for c in clients),
              "the demo relying party is not a registered client")
        self.step("demo relying party (Chromium): button, QR, app login with "
                  "the card, back on /demo-rp/ with the claims = registry")

    def test_card_browser(self, uri, choice):
        web = os.path.join(here, "..", "web")
        out = subprocess.run(["node", "sign_in_test_card.mjs", uri, REDIRECT,
                              choice], cwd=web, capture_output=True, text=True,
                             timeout=240)
        check(out.returncode == 0, "browser: %s%s" % (out.stdout, out.stderr[-3000:]))
        landed = re.search(r"^LANDED (\S+)$", out.stdout, re.M)
        check(landed, "browser: %s" % out.stdout)
        return landed.group(1), dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(landed.group(1)).query))

    def test_cards(self, s, a):
        """The test-card substitute page (テストカード代替機能): only for a
        client registered with --test-cards on a provider started with
        sign-in.test-cards=on; Chromium picks a resident or a forced error."""
        listed = self.box.run("rp", "list").stdout
        check(re.search(r"^%s .*\(test cards\)" % self.tc["client_id"], listed,
                        re.M), listed)
        # A client without the flag: no list on its page, and the form's
        # endpoint refuses its request.
        page = self.authorize(s)
        check("test-card" not in page.text and a["name"] not in page.text,
              "test cards shown to a client without --test-cards")
        b = urllib.parse.parse_qs(urllib.parse.urlsplit(self.wait).query)["b"][0]
        r = self.http.post(self.issuer + "/protocol/openid-connect/auth/test-card",
                           data={"b": b, "card": "resident:" + a["id"]},
                           allow_redirects=False)
        check(r.status_code == 403, "test-card answer for a client without "
              "the flag: %d" % r.status_code)
        self.step("no test-card page for a client without --test-cards (403)")
        # The flagged client, in Chromium: pick the resident by name.
        tc = self.session(self.tc["client_id"], self.tc_key)
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)
        uri, state = tc.create_authorization_url(
            self.conf["authorization_endpoint"], code_verifier=self.verifier,
            nonce=self.nonce)
        location, q = self.test_card_browser(uri, a["name"])
        check(q.get("state") == state and q.get("code"), q)
        token = tc.fetch_token(self.conf["token_endpoint"],
                               authorization_response=location,
                               code_verifier=self.verifier)
        claims = self.id_claims(token, self.tc["client_id"])
        check(claims["amr"] == ["test_card"], claims)
        info = tc.get(self.conf["userinfo_endpoint"]).json()
        record = self.box.ok("GET", "/v1/residents/%s" % a["id"])
        resident = record.get("resident", record)
        check(info["name"] == resident["name"] and
              info["birthdate"] == resident["date_of_birth"] and
              info["address"]["formatted"] == resident["address"],
              "test card %s vs registry %s" % (info, resident))
        self.step("test-card page (Chromium): a resident picked, signed in as "
                  "that card (amr test_card), UserInfo = registry record")
        uri, state = tc.create_authorization_url(
            self.conf["authorization_endpoint"], code_verifier=self.verifier,
            nonce=self.nonce)
        _, q = self.test_card_browser(uri, "certificate_revoked:")
        check(q.get("error") == "access_denied" and q.get("state") == state and
              q.get("error_description", "").startswith("certificate_revoked"), q)
        self.step("test-card page: a forced error (certificate_revoked) on "
                  "the redirect")

    def token_error(self, data, want_status, want_error):
        r = self.http.post(self.conf["token_endpoint"], data=data)
        body = r.json()
        check(r.status_code == want_status and body.get("error") == want_error,
              "token endpoint: %d %s (want %d %s)" % (
                  r.status_code, body, want_status, want_error))
        return body

    def assertion(self, client_id, key, drop=(), **override):
        now = int(time.time())
        claims = {"iss": client_id, "sub": client_id,
                  "aud": self.conf["token_endpoint"], "jti": secrets.token_hex(16),
                  "iat": now, "exp": now + 60}
        claims.update(override)
        for name in drop:
            del claims[name]
        return jwt.encode({"alg": "ES256", "kid": key["kid"]}, claims,
                          key).decode()

    def code_form(self, client_id, key, code, **kw):
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": REDIRECT, "code_verifier": self.verifier,
                "client_assertion_type":
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self.assertion(client_id, key)}
        form.update(kw)
        return form

    def fresh_code(self, s):
        self.authorize(s)
        self.app_login()
        _, q = self.back_to_rp()
        return q["code"]

    def negatives(self, s, es, key, card, a):
        cid = es["client_id"]
        code = self.fresh_code(s)
        self.token_error(self.code_form(cid, key, code, code_verifier="x" * 43),
                         400, "invalid_grant")
        self.step("wrong PKCE verifier: invalid_grant")
        code = self.fresh_code(s)
        self.token_error(self.code_form(cid, key, code,
                                        redirect_uri=REDIRECT + "x"),
                         400, "invalid_grant")
        self.step("wrong redirect_uri at the token endpoint: invalid_grant")
        code = self.fresh_code(s)
        ok = self.http.post(self.conf["token_endpoint"],
                            data=self.code_form(cid, key, code))
        check(ok.status_code == 200, "good code refused: %s" % ok.text)
        self.token_error(self.code_form(cid, key, code), 400, "invalid_grant")
        at = ok.json()["access_token"]
        r = self.http.get(self.conf["userinfo_endpoint"],
                          headers={"Authorization": "Bearer " + at})
        check(r.status_code == 401, "tokens of a reused code still work")
        self.step("reused code: invalid_grant, and its tokens revoked")
        for name, assertion in (
                ("wrong aud", self.assertion(cid, key, aud=self.issuer)),
                ("no aud", self.assertion(cid, key, drop=("aud",))),
                ("expired assertion", self.assertion(
                    cid, key, exp=int(time.time()) - 120)),
                ("alg none", base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
                 + "." + base64.urlsafe_b64encode(json.dumps(
                     {"iss": cid, "sub": cid, "aud": self.conf["token_endpoint"],
                      "jti": "n1", "exp": int(time.time()) + 60}).encode()
                 ).rstrip(b"=").decode() + ".")):
            code = self.fresh_code(s)
            self.token_error(self.code_form(cid, key, code,
                                            client_assertion=assertion),
                             401, "invalid_client")
            self.step("client assertion with %s: invalid_client" % name)
        code = self.fresh_code(s)
        replay = self.assertion(cid, key)
        self.http.post(self.conf["token_endpoint"],
                       data=self.code_form(cid, key, "nothing",
                                           client_assertion=replay))
        self.token_error(self.code_form(cid, key, code, client_assertion=replay),
                         401, "invalid_client")
        self.step("replayed jti: invalid_client")
        # A challenge answered with the card's certificate but signed by
        # another key (another card's key in practice): refused.
        self.authorize(s)
        challenge = self.http.get(self.link).json()
        # Malformed answers (docs/sign-in.md, Endpoints): 400 naming what is
        # wrong, and the request still waits for the answer below.
        for body, detail in (
                ("not json", "the body must be a JSON object"),
                ('{"certificate": 1, "signature": "AA"}',
                 '"certificate" must be a string'),
                ('{"error": ["cancelled"]}', '"error" must be a string')):
            r = self.http.post(self.link, data=body,
                               headers={"Content-Type": "application/json"})
            check(r.status_code == 400 and r.json().get("detail") == detail,
                  "%s: %s %s" % (body, r.status_code, r.text))
        self.step("malformed answers from the app: 400 naming the field, "
                  "the request still waiting")
        cert_pem = os.path.join(self.work, "auth.pem")
        open(cert_pem, "w").write(sh("pkcs15-tool", "--reader", "0",
                                     "--read-certificate", "01").stdout)
        other = os.path.join(self.work, "other.pem")
        sh("openssl", "genrsa", "-out", other, "2048")
        chal = os.path.join(self.work, "challenge.txt")
        open(chal, "w").write(challenge["challenge"])
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", other, chal],
                             capture_output=True, check=True).stdout
        der_bytes = subprocess.run(["openssl", "x509", "-in", cert_pem, "-outform",
                                    "DER"], capture_output=True, check=True).stdout
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        r = self.http.post(self.link, json={"certificate": b64(der_bytes),
                                            "signature": b64(sig)})
        check(r.status_code == 403 and "signature_invalid" in r.text, r.text)
        _, q = self.back_to_rp()
        check(q["error"] == "access_denied" and "signature_invalid" in
              q["error_description"] and q["state"] == self.state, q)
        self.step("a challenge signed by another key: access_denied "
                  "(signature_invalid) on the redirect")
        self.audit_refused(s)
        self.card_states(s, card, cert_pem)

    def audit_refused(self, s):
        """Nothing is released that the resident's audit trail does not hold:
        with every new audit row refused (a trigger in the registry's SQLite
        file), a good card's sign-in gets no code."""
        db = sqlite3.connect(os.path.join(self.box.data, "registry.db"))
        db.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); "
                   "END")
        db.commit()
        try:
            self.authorize(s)
            out = self.app_login(want_rc=1)
            check("audit trail" in out.stderr, "the app did not say why: %s%s"
                  % (out.stdout, out.stderr))
            _, q = self.back_to_rp()
            check(q.get("error") == "server_error" and "audit trail" in
                  q.get("error_description", "") and "code" not in q and
                  q.get("state") == self.state, "redirect %s" % q)
        finally:
            db.execute("DROP TRIGGER IF EXISTS refuse_audit")
            db.commit()
            db.close()
        self.authorize(s)
        self.app_login()
        _, q = self.back_to_rp()
        check("code" in q and q.get("state") == self.state, "redirect %s" % q)
        self.step("the audit trail refuses the row: no code, server_error on "
                  "the redirect and the app says why; then the same card signs "
                  "in again")

    def refused_on_redirect(self, s, pin, want_rc, word):
        """A sign-in the card or the provider refuses: the app says so and
        the relying party gets access_denied with the cause on the redirect."""
        self.authorize(s)
        out = self.app_login(pin=pin, want_rc=want_rc)
        check(word in out.stdout + out.stderr, "the app did not say %s: %s%s" % (
            word, out.stdout, out.stderr))
        _, q = self.back_to_rp()
        check(q.get("error") == "access_denied" and
              q.get("error_description", "").startswith(word) and
              q.get("state") == self.state, "redirect %s" % q)

    def card_states(self, s, card, cert_pem):
        box, scen = self.box, self.scen
        self.expiries(s, card, cert_pem)
        # A challenge signed by another card: card B signs it (OpenSC,
        # pkcs11-tool), the answer carries card A's certificate.
        b = scen.resident("閉塞 次郎", "1979-11-02", sex="male")
        card_b = scen.issue(b["id"], PW)
        box.plug(card_b["chip_image_path"])
        b_pem = scen.read_auth_cert("b-auth")
        self.authorize(s)
        chal = os.path.join(self.work, "challenge-b.txt")
        open(chal, "w").write(self.http.get(self.link).json()["challenge"])
        sig = os.path.join(self.work, "challenge-b.sig")
        sh("pkcs11-tool", "--slot-index", "0", "--login", "--pin", "1234",
           "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", chal,
           "-o", sig)
        for pem, good in ((b_pem, True), (cert_pem, False)):
            key = os.path.join(self.work, "pub.pem")
            open(key, "w").write(sh("openssl", "x509", "-in", pem, "-noout",
                                    "-pubkey").stdout)
            v = sh("openssl", "dgst", "-sha256", "-verify", key, "-signature",
                   sig, chal, ok=False)
            check((v.returncode == 0) == good, "openssl on card B's "
                  "signature with %s: %s" % (pem, v.stdout + v.stderr))
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        r = self.http.post(self.link, json={
            "certificate": b64(der_of(cert_pem)),
            "signature": b64(open(sig, "rb").read())})
        check(r.status_code == 403 and "signature_invalid" in r.text, r.text)
        _, q = self.back_to_rp()
        check(q["error"] == "access_denied" and
              q["error_description"].startswith("signature_invalid"), q)
        self.step("a challenge signed by another card (openssl: card B's key, "
                  "not card A's): access_denied (signature_invalid)")
        # Blocked PIN on card B: three wrong PINs through the app (each says
        # how many tries are left), then the app finds the PIN blocked with
        # the empty VERIFY, sends no PIN, and the relying party is told.
        for _ in range(3):
            self.authorize(s)
            self.app_login(pin="9999", want_rc=3)
        tries = sh("/usr/bin/python3", os.path.join(here, "..", "pcsc", "pin_tries.py"),
                   "query", "D392F000260100000001", "0018").stdout.strip()
        self.refused_on_redirect(s, "1234", 3, "pin_blocked")
        after = sh("/usr/bin/python3", os.path.join(here, "..", "pcsc", "pin_tries.py"),
                   "query", "D392F000260100000001", "0018").stdout.strip()
        check(tries == after, "the PIN counter moved: %s -> %s" % (tries, after))
        self.step("blocked PIN: access_denied (pin_blocked) on the redirect and "
                  "on the app's screen; the counter untouched (%s)" % after)
        # Suspension by the hotline: OCSP says certificateHold.
        box.plug(card["chip_image_path"])
        suspended = box.ok("POST", "/v1/cards/%s/suspend" % card["id"],
                           role="hotline_operator")
        check(suspended["state"] == "suspended", suspended)
        scen.wait_ocsp(cert_pem, "auth", ("revoked", "certificateHold"),
                       time.monotonic())
        self.refused_on_redirect(s, "1234", 1, "certificate_suspended")
        self.step("suspended card: access_denied (certificate_suspended)")
        self.void_cards(s)

    def void_cards(self, s):
        box, scen = self.box, self.scen
        # Loss reported with the police report: the registry voids the card
        # (lost) and openssl ocsp says its certificate is revoked.
        c = scen.resident("紛失 三郎", "1990-07-07", sex="male")
        card_c = scen.issue(c["id"], PW)
        box.plug(card_c["chip_image_path"])
        c_pem = scen.read_auth_cert("c-auth")
        box.ok("POST", "/v1/cards/%s/report-loss" % card_c["id"],
               {"reason": "loss", "police_report": "千曲署 R8-456"})
        scen.wait_ocsp(c_pem, "auth", ("revoked", "cessationOfOperation"),
                       time.monotonic())
        got = scen.file(c["id"])["cards"][0]
        check(got["state"] == "void" and got["void_reason"] == "lost", got)
        self.refused_on_redirect(s, "1234", 1, "certificate_revoked")
        self.step("card reported lost (openssl ocsp: revoked): access_denied "
                  "(certificate_revoked)")
        # A card that ended with its holder's death: void in the registry,
        # revoked in OCSP; named card_void.
        d = scen.resident("死亡 四郎", "1940-04-04", sex="male")
        card_d = scen.issue(d["id"], PW)
        box.plug(card_d["chip_image_path"])
        d_pem = scen.read_auth_cert("d-auth")
        box.ok("POST", "/v1/residents/%s/death" % d["id"],
               {"died_on": box.today().isoformat()})
        scen.wait_ocsp(d_pem, "auth", ("revoked", "cessationOfOperation"),
                       time.monotonic())
        got = scen.file(d["id"])["cards"][0]
        check(got["state"] == "void" and got["void_reason"] == "death", got)
        self.refused_on_redirect(s, "1234", 1, "card_void")
        self.step("void card (death; registry void, openssl ocsp revoked): "
                  "access_denied (card_void)")
        # A face-authentication card: no PIN, no certificate (registry).
        e = scen.resident("顔認 五郎", "1950-05-05", sex="male")
        application = box.ok("POST", "/v1/applications", {
            "resident_id": e["id"], "applicant_id": e["id"],
            "card_kind": "face_auth", "signature_certificate": False,
            "authentication_certificate": False})
        card_e = box.ok("POST", "/v1/applications/%s/produce" % application["id"])
        card_e = box.ok("POST", "/v1/cards/%s/deliver" % card_e["id"],
                        {"receiver_id": e["id"]})
        check(card_e["kind"] == "face_auth" and
              scen.file(e["id"])["certificates"] == [], card_e)
        box.plug(card_e["chip_image_path"])
        self.refused_on_redirect(s, "1234", 3, "face_auth_card")
        self.step("face-authentication card (no PIN, no certificate): "
                  "access_denied (face_auth_card) on the redirect and the app")

    def expiries(self, s, card, cert_pem):
        """An expired code and an expired certificate, each with its own
        serve: the code lifetime set to 1 s (`serve --set
        sign-in.code-lifetime=1`), then the sandbox clock moved past the
        certificate's notAfter as openssl reads it."""
        self.restart(dt.datetime.now(dt.timezone.utc),
                     "--set", "sign-in.code-lifetime=1")
        code = self.fresh_code(s)
        time.sleep(2.5)  # past the 1 s lifetime
        body = self.token_error(self.code_form(s.client_id, self.es_key, code),
                                400, "invalid_grant")
        check("expired" in body["error_description"], body)
        self.step("expired code (lifetime 1 s): invalid_grant")
        # This serve runs without sign-in.test-cards=on: no substitute page,
        # even for a client registered with --test-cards.
        page = self.authorize(self.session(self.tc["client_id"], self.tc_key))
        check("test-card" not in page.text, "test cards on a provider "
              "without sign-in.test-cards=on")
        self.step("test-card page off unless the provider enables it")
        end = sh("openssl", "x509", "-in", cert_pem, "-noout",
                 "-enddate").stdout.strip().split("=", 1)[1]
        not_after = dt.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(
            tzinfo=dt.timezone.utc)
        self.restart(not_after + dt.timedelta(days=1))
        v = self.scen.verify(cert_pem, "auth")
        check(v.returncode != 0 and "expired" in v.stdout + v.stderr,
              "openssl verify -attime: %s" % (v.stdout + v.stderr))
        self.refused_on_redirect(s, "1234", 1, "certificate_expired")
        self.step("expired certificate (openssl verify -attime: expired): "
                  "access_denied (certificate_expired)")
        self.restart(dt.datetime.now(dt.timezone.utc), *self.TEST_CARDS)


def main(argv):
    # requests lets these override a session's own verify=: the sandbox root
    # must be the only trust anchor.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(name, None)
    work = tempfile.mkdtemp(prefix="openmyna-signin-")
    part = argv[2] if len(argv) > 2 else "all"
    t = SignIn(argv[1], work)
    try:
        if part == "all":
            t.run("flows")
            t.box.unplug()
            t.box.stop()
            t = SignIn(argv[1], tempfile.mkdtemp(prefix="openmyna-signin-"))
            t.run("cards")
        else:
            t.run(part)
        print("sign_in_test (%s): %d passed, 0 failed" % (part, t.passed))
    except ScenarioFailure as e:
        print("FAIL: %s" % e)
        try:
            print(open(t.box.serve_log).read()[-3000:])
        except OSError:
            pass
        return 1
    finally:
        t.box.unplug()
        t.box.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
