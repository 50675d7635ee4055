#!/usr/bin/env python3
"""The relying-party matrix (issue 14 item 2; docs/pki.md, "Relying-party
matrix"): every artefact a sandbox emits, parsed and, where the stack can,
verified with revocation by software nobody here wrote.

1. A sandbox is made the way people make one: `openmyna init`, a resident and
   a card through the registry API (`serve`), both CAs rolled over to a
   second generation, a card from examples/profiles/adult.json (`card new`),
   certificates revoked with every RFC 5280 reason (`ca issue`/`ca revoke`),
   CMS signatures made by the card through PC/SC (`sign --card`).
   Certificates on cards are read back through PC/SC by OpenSC; CRLs from
   the URLs in the certificates; OCSP responses with `openssl ocsp`; a
   malformedRequest answer by POSTing garbage.
2. Each stack parses and checks them: openssl, GnuTLS (certtool, ocsptool),
   NSS (certutil, crlutil, vfychain, ocspclnt), Go crypto/x509, Java PKIX,
   Python cryptography (Debian's), Node crypto.X509Certificate and PKI.js.
3. The expected answers come from the artefacts' making (which serial was
   revoked with which reason) and, for the subjectAltName otherNames, from
   the profile JSON and the registry record; they are compared with what
   each stack says; the table is printed (and written to $MATRIX_TABLE).

Runs inside tests/pcsc/with-pcscd.sh. Usage: matrix.py OPENMYNA SOURCE_DIR
"""
import base64
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

OPENMYNA, SOURCE = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"  # Debian's interpreter: Debian's cryptography 38
WORK = os.environ.get("PCSC_LOGDIR") or tempfile.mkdtemp(prefix="matrix-")
WORK = os.path.join(WORK, "matrix")
ART = os.path.join(WORK, "artefacts")
DATA = os.path.join(WORK, "data")
VPCD = os.environ.get("VPCD_ADDR", "127.0.0.1:35963")
REASONS = ["unspecified", "keyCompromise", "cACompromise",
           "affiliationChanged", "superseded", "cessationOfOperation",
           "certificateHold", "privilegeWithdrawn", "aACompromise"]
CODE = {"unspecified": 0, "keyCompromise": 1, "cACompromise": 2,
        "affiliationChanged": 3, "superseded": 4, "cessationOfOperation": 5,
        "certificateHold": 6, "privilegeWithdrawn": 9, "aACompromise": 10}
OID = "1.2.392.200149.8.5.5."  # J-LIS otherName types (jpki.md §3.3)
T0 = time.monotonic()


class Failure(Exception):
    pass


def log(msg):
    print("[%5.1fs] %s" % (time.monotonic() - T0, msg), flush=True)


def sh(*args, ok=True, stdin=None, env=None, timeout=300, binary=False):
    out = subprocess.run([str(a) for a in args], capture_output=True,
                         input=stdin, env=env, timeout=timeout,
                         text=not binary)
    if ok and out.returncode != 0:
        raise Failure("%s: exit %d\n%s%s" % (" ".join(map(str, args)),
                                            out.returncode, out.stdout,
                                            out.stderr))
    return out


def om(*args, **kw):
    return sh(OPENMYNA, "--data", DATA, *args, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pem_to_der(pem_path, der_path):
    sh("openssl", "x509", "-in", pem_path, "-outform", "DER", "-out", der_path)


def serial_of(der_path):
    out = sh("openssl", "x509", "-inform", "DER", "-in", der_path, "-noout",
             "-serial").stdout
    return int(out.strip().split("=", 1)[1], 16)


# --- the era date of birth, written here from the guidebook -----------------
ERAS = [(dt.date(2019, 5, 1), 5), (dt.date(1989, 1, 8), 4),
        (dt.date(1926, 12, 25), 3), (dt.date(1912, 7, 30), 2),
        (dt.date(1868, 10, 23), 1)]


def jpki_dob(iso):
    """jpki.md §3.3, §13 row 9: era digit (1 明治 … 5 令和) + YYYYMMDD."""
    day = dt.date.fromisoformat(iso)
    era = next(e for start, e in ERAS if day >= start)
    return "%d%s" % (era, day.strftime("%Y%m%d"))


def expected_san(name, address, born, sex):
    # jpki.md §3.3: the name's surname and given name separated by U+3000;
    # sex 1 male, 2 female, 3 unknown (§13 row 9).
    return {OID + "1": name.replace(" ", "\u3000"),
            OID + "3": {"male": "1", "female": "2"}.get(sex, "3"),
            OID + "4": jpki_dob(born),
            OID + "5": address}


# --- processes ----------------------------------------------------------------
class Proc:
    def __init__(self, name, args):
        self.log = os.path.join(WORK, name + ".log")
        self.p = subprocess.Popen(args, stdout=open(self.log, "a"),
                                  stderr=subprocess.STDOUT)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def reader_state():
    out = sh("opensc-tool", "-l", ok=False).stdout
    return re.search(r"^\d+\s+Yes\s", out, re.M) is not None


def wait_reader(present, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reader_state() == present:
            return
        time.sleep(0.2)
    raise Failure("reader still %s after %d s" % (
        "empty" if present else "occupied", seconds))


class Sandbox:
    def __init__(self):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.serve = None
        self.card = None
        self.auth = None

    def start(self):
        self.stop()
        self.serve = Proc("serve", [OPENMYNA, "--data", DATA, "serve",
                                    "--port", str(self.port), "--no-tls"])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.serve.p.poll() is not None:
                raise Failure("serve exited: " + open(self.serve.log).read())
            try:
                urllib.request.urlopen(self.base + "/openapi.json", timeout=3)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise Failure("serve did not answer within 90 s")

    def stop(self):
        if self.serve:
            self.serve.stop()
            self.serve = None

    def api(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        req.add_header("Authorization", self.auth)
        req.add_header("X-Purpose", "relying-party matrix")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())

    def plug(self, image):
        self.unplug()
        self.card = Proc("card", [OPENMYNA, "--data", DATA, "card", "plug",
                                  "--image", image, "--vpcd", VPCD])
        wait_reader(True)

    def unplug(self):
        if self.card:
            self.card.stop()
            self.card = None
            wait_reader(False)


# --- artefacts ------------------------------------------------------------------
class Artefacts:
    def __init__(self):
        self.certs = []   # {id, file, role, ca, issuer, crl, status, san}
        self.crls = []    # {id, file, issuer}
        self.ocsp = []    # {id, file, cert, issuer, expect}
        self.cms = []     # {id, file, content, signer}
        self.pems = {}    # id -> PEM path

    def cert(self, id_, pem, role, ca, issuer=None, status="good", san=None):
        der = os.path.join(ART, id_ + ".der")
        pem_to_der(pem, der)
        keep = os.path.join(ART, id_ + ".pem")
        if os.path.abspath(pem) != keep:
            shutil.copy(pem, keep)
        self.pems[id_] = keep
        entry = {"id": id_, "file": id_ + ".der", "role": role, "ca": ca,
                 "issuer": issuer or id_, "status": status}
        if san:
            entry["san"] = san
        self.certs.append(entry)
        return entry

    def by_id(self, id_):
        return next(c for c in self.certs if c["id"] == id_)

    def issuer_of(self, pem):
        """The root generation whose SKI is the certificate's AKI keyid."""
        aki = sh("openssl", "x509", "-in", pem, "-noout", "-ext",
                 "authorityKeyIdentifier").stdout
        keyid = re.search(r"([0-9A-F]{2}(:[0-9A-F]{2}){19})", aki).group(1)
        for c in self.certs:
            if c["role"] != "root":
                continue
            ski = sh("openssl", "x509", "-in", self.pems[c["id"]], "-noout",
                     "-ext", "subjectKeyIdentifier").stdout
            if keyid in ski:
                return c["id"]
        raise Failure("no root for %s" % pem)

    def write(self, at):
        doc = {"at": at, "certs": self.certs, "crls": self.crls,
               "ocsp": self.ocsp, "cms": self.cms}
        json.dump(doc, open(os.path.join(ART, "manifest.json"), "w"),
                  ensure_ascii=False, indent=1)
        with open(os.path.join(ART, "manifest.tsv"), "w") as f:
            f.write("at\t%d\n" % at)
            for c in self.certs:
                f.write("cert\t%s\t%s\t%s\t%s\t%s\n" % (
                    c["id"], c["file"], c["role"], c["ca"], c["issuer"]))
            for l in self.crls:
                f.write("crl\t%s\t%s\t%s\n" % (l["id"], l["file"],
                                               l["issuer"]))


def read_card_certs(a, prefix, sign_pin, san):
    """The card's two certificates as OpenSC reads them through PC/SC."""
    auth_pem = os.path.join(WORK, prefix + "-auth.pem")
    open(auth_pem, "w").write(
        sh("pkcs15-tool", "--reader", "0", "--read-certificate", "01").stdout)
    sign_der = os.path.join(WORK, prefix + "-sign.raw.der")
    sh("pkcs11-tool", "--slot-index", "1", "--login", "--pin", sign_pin,
       "--read-object", "--type", "cert", "--id", "02", "-o", sign_der)
    sign_pem = os.path.join(WORK, prefix + "-sign.pem")
    sh("openssl", "x509", "-inform", "DER", "-in", sign_der, "-out", sign_pem)
    a.cert(prefix + "-auth", auth_pem, "ee", "auth", a.issuer_of(auth_pem))
    a.cert(prefix + "-sign", sign_pem, "ee", "sign", a.issuer_of(sign_pem),
           san=san)


def make_sandbox(box, a):
    profile_path = os.path.join(SOURCE, "examples/profiles/adult.json")
    profile = json.load(open(profile_path))
    om("init", "--base-url", box.base)
    log("init")
    om("db", "migrate")
    om("db", "seed")
    creds = om("db", "credentials").stdout
    m = re.search(r"^\s*counter_clerk\s+(\S+:\S+)\s*$", creds, re.M)
    if not m:
        raise Failure("no counter_clerk credential: " + creds)
    box.auth = "Basic " + base64.b64encode(m.group(1).encode()).decode()
    box.start()
    log("sandbox up at %s" % box.base)

    # A registry-issued card (generation 1): resident, application,
    # production, delivery (registry.md).
    resident = {"individual_number": "310000000074", "name": "登録 太郎",
                "date_of_birth": "1961-02-03", "sex": "male",
                "address": "東京都清瀬市中里五丁目８４２番地　清瀬ハイツ１０１号",
                "municipality_code": "13221"}
    digits = resident["individual_number"][:11]
    weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    rem = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    resident["individual_number"] = digits + ("0" if rem <= 1
                                              else str(11 - rem))
    r = box.api("POST", "/v1/residents", resident)
    record = box.api("GET", "/v1/residents/" + r["id"])["resident"]
    app = box.api("POST", "/v1/applications",
                  {"resident_id": r["id"], "applicant_id": r["id"]})
    card = box.api("POST", "/v1/applications/%s/produce" % app["id"])
    pw = {"signature": "REG2026", "authentication": "2468",
          "juki": "1357", "input_assist": "9753"}
    card = box.api("POST", "/v1/cards/%s/deliver" % card["id"],
                   {"receiver_id": r["id"], "passwords": pw})
    for kind in ("sign", "auth"):
        for what in ("ca", "ocsp"):
            pem = os.path.join(DATA, "ca", "%s-%s-g1.pem" % (kind, what))
            if what == "ca":
                a.cert("root-%s-g1" % kind, pem, "root", kind)
            else:
                a.cert("ocsp-signer-%s-g1" % kind, pem, "ocsp-signer", kind,
                       "root-%s-g1" % kind)
    box.plug(card["chip_image_path"])
    # The registry record, read back through the API, is the independent
    # source of the registry card's SAN values.
    read_card_certs(a, "registry-card", pw["signature"], expected_san(
        record["name"], record["address"], record["date_of_birth"],
        record["sex"]))
    box.unplug()
    log("registry card read through PC/SC")

    # Generation 2 of both CAs; serve restarts to load them.
    for kind in ("sign", "auth"):
        om("ca", "rollover", "--ca", kind)
        a.cert("root-%s-g2" % kind,
               os.path.join(DATA, "ca", "%s-ca-g2.pem" % kind), "root", kind)
        a.cert("ocsp-signer-%s-g2" % kind,
               os.path.join(DATA, "ca", "%s-ocsp-g2.pem" % kind),
               "ocsp-signer", kind, "root-%s-g2" % kind)
    box.start()

    # A card made from the profile (generation 2), plugged through PC/SC;
    # it signs with both keys.
    image = os.path.join(WORK, "adult.card")
    om("card", "new", "--profile", profile_path, "--out", image)
    box.plug(image)
    read_card_certs(a, "card", profile["passwords"]["signature"], expected_san(
        profile["name"], profile["address"], profile["birth_date"],
        profile["sex"]))
    content = os.path.join(ART, "form.txt")
    open(content, "w").write("OpenMyna: 確定申告書 signed with the card\n")
    env = dict(os.environ)
    for key, pin in (("signature", profile["passwords"]["signature"]),
                     ("authentication", profile["passwords"]["authentication"])):
        env["MATRIX_PIN"] = pin
        out = os.path.join(ART, "cms-card-%s.p7s" % key[:4])
        sh(OPENMYNA, "--data", DATA, "sign", content, "--card", "--key", key,
           "--pin-env", "MATRIX_PIN", "--out", out, env=env)
        a.cms.append({"id": "cms-card-%s" % key[:4],
                      "file": os.path.basename(out), "content": "form.txt",
                      "signer": "card-%s" % key[:4]})
    box.unplug()
    log("card from the profile read and signed through PC/SC")

    # One certificate per revocation reason (jpki.md §12 uses several; RFC
    # 5280 §5.3.1 lists them all), issued for another municipality so that
    # a third partition exists, plus a revoked authentication certificate.
    key = os.path.join(WORK, "subject.key")
    sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
       "rsa_keygen_bits:2048", "-out", key)
    pub = os.path.join(WORK, "subject.pub")
    sh("openssl", "pkey", "-in", key, "-pubout", "-out", pub)
    not_after = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    issued = []
    for reason in REASONS + ["keyCompromise"]:
        kind = "auth" if len(issued) == len(REASONS) else "sign"
        id_ = "revoked-%s-%s" % (kind, reason)
        pem = os.path.join(WORK, id_ + ".pem")
        extra = [] if kind == "auth" else [
            "--name", "失効 理由", "--sex", "3", "--born", "2000-02-29",
            "--address", "北海道札幌市南区真駒内１２３"]
        om("ca", "issue", "--kind", kind, "--pubkey", pub, "--code", "01106",
           "--prefecture", "Hokkaido", "--municipality",
           "Sapporo-shi-Minami-ku", "--not-after", not_after, "--out", pem,
           *extra)
        san = None if kind == "auth" else expected_san(
            "失効 理由", "北海道札幌市南区真駒内１２３", "2000-02-29", "unknown")
        # RFC 5280 §5.3.1: unspecified is sent as no reason code at all.
        status = "revoked" if reason == "unspecified" else \
            "revoked:%d" % CODE[reason]
        entry = a.cert(id_, pem, "ee", kind, a.issuer_of(pem),
                       status=status, san=san)
        om("ca", "revoke", "--serial", "%X" % serial_of(
            os.path.join(ART, entry["file"])), "--reason", reason)
        issued.append(entry)
    log("%d certificates revoked" % len(issued))
    # The source of the old-arc certificate (legacy_arc below).
    om("ca", "issue", "--kind", "sign", "--pubkey", pub, "--code", "01106",
       "--prefecture", "Hokkaido", "--municipality", "Sapporo-shi-Minami-ku",
       "--not-after", not_after, "--out", os.path.join(WORK, "legacy-src.pem"),
       "--name", "旧弧 証明", "--sex", "1", "--born", "1970-01-01",
       "--address", "北海道札幌市南区真駒内１２３")
    return profile


LEGACY_SIGN = "2.25.330328666135903580593862233085226355060.1.1.20"


def legacy_arc(box):
    """A certificate as an existing sandbox issued it before the policy arc
    moved (jpki.md §13 row 2): a signature certificate of this sandbox with
    its certificatePolicies under the old UUID arc, re-signed by the CA key
    with the openssl command line. `openmyna verify` keeps accepting it, with
    the CRL of its partition; openssl too. Debian's Python cryptography 38
    refuses it (the bug of issue 14), which shows the check can fail."""
    src = os.path.join(WORK, "legacy-src.pem")
    req = os.path.join(WORK, "legacy.req")
    sh("openssl", "x509", "-x509toreq", "-in", src, "-signkey",
       os.path.join(WORK, "subject.key"), "-copy_extensions", "copy",
       "-out", req)
    cnf = os.path.join(WORK, "legacy.cnf")
    open(cnf, "w").write("[v3]\ncertificatePolicies=critical,%s\n"
                         "authorityKeyIdentifier=keyid:always\n" % LEGACY_SIGN)
    legacy = os.path.join(WORK, "legacy.pem")
    ca = os.path.join(DATA, "ca")
    sh("openssl", "x509", "-req", "-in", req, "-CA",
       os.path.join(ca, "sign-ca-g2.pem"), "-CAkey",
       os.path.join(ca, "sign-ca-g2.key"), "-copy_extensions", "copyall",
       "-extfile", cnf, "-extensions", "v3", "-set_serial",
       "0x4C4547414359", "-days", "30", "-sha256", "-out", legacy)
    text = sh("openssl", "x509", "-in", legacy, "-noout", "-text").stdout
    if "Policy: " + LEGACY_SIGN not in text:
        raise Failure("the legacy certificate is not under the old arc:\n" +
                      text)
    v = om("verify", "cert", legacy, "--crl-url", ok=False)
    if v.returncode != 0 or not v.stdout.startswith("good"):
        raise Failure("openmyna verify refused a certificate under the old "
                      "arc: exit %d %s%s" % (v.returncode, v.stdout, v.stderr))
    v = sh("openssl", "verify", "-CAfile", os.path.join(ca, "sign-ca-all.pem"),
           legacy, ok=False)
    if v.returncode != 0:
        raise Failure("openssl verify refused the old-arc certificate: " +
                      v.stdout + v.stderr)
    der = os.path.join(WORK, "legacy.der")
    pem_to_der(legacy, der)
    v = sh(PY, "-I", "-c", "import sys; from cryptography import x509; "
           "list(x509.load_der_x509_certificate(open(sys.argv[1], 'rb')"
           ".read()).extensions)", der, ok=False)
    if v.returncode == 0:
        raise Failure("Python cryptography read the old arc: the matrix "
                      "would not have caught issue 14")
    log("old-arc certificate: openmyna verify and openssl good, Python "
        "cryptography refuses it (%s)" % v.stderr.strip().splitlines()[-1][:120])


def fetch_crls(a):
    """One CRL per partition, from the URLs in the certificates' CRLDP; each
    fetched again (up to 60 s) until it lists every certificate of its
    partition that was revoked (the publisher syncs every few seconds,
    docs/revocation.md)."""
    seen = {}
    for c in a.certs:
        if c["role"] != "ee":
            continue
        ext = sh("openssl", "x509", "-in", a.pems[c["id"]], "-noout", "-ext",
                 "crlDistributionPoints").stdout
        url = re.search(r"URI:(\S+)", ext).group(1)
        m = re.search(r"/crl/(\w+)/g(\d+)/(\d+)\.crl$", url)
        id_ = "crl-%s-g%s-%s" % m.groups()
        if id_ not in seen:
            seen[id_] = {"id": id_, "file": id_ + ".der",
                         "issuer": c["issuer"], "url": url}
            a.crls.append(seen[id_])
        c["crl"] = id_
    for l in a.crls:
        want = {serial_of(os.path.join(ART, c["file"])) for c in a.certs
                if c.get("crl") == l["id"] and c["status"] != "good"}
        der = os.path.join(ART, l["file"])
        deadline = time.monotonic() + 60
        while True:
            open(der, "wb").write(urllib.request.urlopen(
                l["url"], timeout=60).read())
            text = sh("openssl", "crl", "-inform", "DER", "-in", der,
                      "-noout", "-text").stdout
            listed = {int(x, 16) for x in re.findall(
                r"Serial Number: ([0-9A-F]+)", text)}
            if want <= listed:
                break
            if time.monotonic() > deadline:
                raise Failure("%s does not list %s after 60 s" % (
                    l["id"], sorted(want - listed)))
            time.sleep(0.5)
        sh("openssl", "crl", "-inform", "DER", "-in", der, "-out",
           os.path.join(ART, l["id"] + ".pem"))


def fetch_ocsp(box, a):
    """Good, revoked with each reason, unknown, malformedRequest."""
    def ask(id_, cert_args, issuer, kind, expect, cert=None):
        path = os.path.join(ART, id_ + ".der")
        deadline = time.monotonic() + 60
        while True:  # until the responder's sync shows the revocation
            out = sh("openssl", "ocsp", "-issuer", a.pems[issuer], *cert_args,
                     "-url", box.base + "/ocsp/" + kind, "-respout", path,
                     "-noverify", "-no_nonce").stdout
            if not expect.startswith("revoked") or ": revoked" in out or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.5)
        a.ocsp.append({"id": id_, "file": id_ + ".der", "cert": cert,
                       "issuer": issuer, "expect": expect})

    for c in a.certs:
        if c["role"] != "ee" or not (c["id"].startswith("card-") or
                                     c["id"].startswith("revoked-")):
            continue
        ask("ocsp-" + c["id"], ["-cert", a.pems[c["id"]]], c["issuer"],
            c["ca"], c["status"], c["id"])
    ask("ocsp-unknown-sign", ["-serial", "0x5EED0000C0FFEE"], "root-sign-g2",
        "sign", "unknown")
    req = urllib.request.Request(box.base + "/ocsp/sign", data=b"\x30\x03\x02\x01",
                                 method="POST")
    req.add_header("Content-Type", "application/ocsp-request")
    try:
        body = urllib.request.urlopen(req, timeout=60).read()
    except urllib.error.HTTPError as e:
        body = e.read()
    open(os.path.join(ART, "ocsp-malformed.der"), "wb").write(body)
    a.ocsp.append({"id": "ocsp-malformed", "file": "ocsp-malformed.der",
                   "cert": None, "issuer": "root-sign-g2",
                   "expect": "malformedrequest"})


def wait_revocations_published(box, a):
    """The responder and the CRL publisher see revocations within their
    documented sync interval (docs/revocation.md); wait for the last one."""
    last = [c for c in a.certs if c["id"].startswith("revoked-")][-1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = sh("openssl", "ocsp", "-issuer", a.pems[last["issuer"]], "-cert",
                 a.pems[last["id"]], "-url", box.base + "/ocsp/auth",
                 "-noverify", "-no_nonce", ok=False).stdout
        if ": revoked" in out:
            return
        time.sleep(0.5)
    raise Failure("the responder never reported %s revoked" % last["id"])


# --- the stacks -----------------------------------------------------------------
RESULTS = []  # {stack, id, check, ok, detail, values}


def record(stack, id_, check, ok, detail="", values=None):
    RESULTS.append({"stack": stack, "id": id_, "check": check, "ok": ok,
                    "detail": detail, "values": values})


def run_json_lines(stack_label, args, env=None, timeout=300):
    out = sh(*args, ok=False, env=env, timeout=timeout)
    n = 0
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            RESULTS.append(json.loads(line))
            n += 1
    if out.returncode != 0 or n == 0:
        raise Failure("%s: exit %d, %d results\n%s%s" % (
            stack_label, out.returncode, n, out.stdout[-3000:],
            out.stderr[-3000:]))


def roots_bundle(a, ca):
    path = os.path.join(WORK, "roots-%s.pem" % ca)
    with open(path, "w") as f:
        for c in a.certs:
            if c["role"] == "root" and c["ca"] == ca:
                f.write(open(a.pems[c["id"]]).read())
    return path


def openssl_stack(a, at):
    st = "openssl"
    record(st, "-", "version", True, sh("openssl", "version").stdout.strip())
    for c in a.certs:
        out = sh("openssl", "x509", "-inform", "DER", "-in",
                 os.path.join(ART, c["file"]), "-noout", "-text", ok=False)
        record(st, c["id"], "parse", out.returncode == 0, out.stderr.strip())
        if c.get("san"):
            values = dict(re.findall(r"othername: ([\d.]+)::([^,\n]*)",
                                     out.stdout))
            record(st, c["id"], "san", bool(values), "", values)
        # A root is checked against itself: given several same-named roots
        # (the generations, jpki.md §2.1) `openssl verify` looks the target
        # up by name, takes the first and reports error 18.
        args = ["openssl", "verify", "-attime", str(at), "-CAfile",
                a.pems[c["id"]] if c["role"] == "root"
                else roots_bundle(a, c["ca"])]
        if c["role"] == "root":
            args += ["-check_ss_sig"]
        v = sh(*args, a.pems[c["id"]], ok=False)
        record(st, c["id"], "chain", v.returncode == 0, v.stdout + v.stderr)
        if c.get("crl"):
            v = sh(*args, "-crl_check", "-CRLfile",
                   os.path.join(ART, c["crl"] + ".pem"), a.pems[c["id"]],
                   ok=False)
            text = v.stdout + v.stderr
            if v.returncode == 0:
                record(st, c["id"], "crl", True, "good")
            elif "certificate revoked" in text:
                record(st, c["id"], "crl", True, "revoked")
            else:
                record(st, c["id"], "crl", False, text)
    for l in a.crls:
        v = sh("openssl", "crl", "-inform", "DER", "-in",
               os.path.join(ART, l["file"]), "-noout", "-CAfile",
               a.pems[l["issuer"]], ok=False)
        record(st, l["id"], "parse", "verify OK" in v.stdout + v.stderr,
               v.stderr.strip())
    names = {v: k for k, v in CODE.items()}
    for o in a.ocsp:
        args = ["openssl", "ocsp", "-respin", os.path.join(ART, o["file"]),
                "-CAfile", roots_bundle(a, a.by_id(o["issuer"])["ca"]),
                "-issuer", a.pems[o["issuer"]]]
        if o["cert"]:
            args += ["-cert", a.pems[o["cert"]]]
        else:
            args += ["-serial", "0x5EED0000C0FFEE"]
        v = sh(*args, ok=False)
        text = v.stdout + v.stderr
        m = re.search(r": (good|revoked|unknown)\b", v.stdout)
        if "Responder Error: malformedrequest" in text:
            record(st, o["id"], "ocsp", True, "malformedrequest")
        elif m and "Response verify OK" in text:
            status = m.group(1)
            r = re.search(r"Reason: (\w+)", v.stdout)
            if r:
                status += ":%d" % CODE[r.group(1)]
            record(st, o["id"], "ocsp", True, status)
        else:
            record(st, o["id"], "ocsp", False, text)
    for s in a.cms:
        signer = a.by_id(s["signer"])
        v = sh("openssl", "cms", "-verify", "-binary", "-inform", "DER",
               "-in", os.path.join(ART, s["file"]), "-content",
               os.path.join(ART, s["content"]), "-CAfile",
               roots_bundle(a, signer["ca"]), "-purpose", "any", "-attime",
               str(at), "-out", "/dev/null", ok=False)
        record(st, s["id"], "cms", v.returncode == 0, v.stderr.strip())
    del names


def gnutls_stack(a):
    st = "gnutls"
    record(st, "-", "version", True,
           sh("certtool", "--version").stdout.splitlines()[0])
    for c in a.certs:
        out = sh("certtool", "-i", "--inder", "--infile",
                 os.path.join(ART, c["file"]), ok=False)
        record(st, c["id"], "parse", out.returncode == 0, out.stderr.strip())
        if c.get("san"):
            values = {}
            for oid, hexder in re.findall(
                    r"otherName OID: ([\d.]+)\s*\n\s*otherName DER: ([0-9a-f]+)",
                    out.stdout):
                der = bytes.fromhex(hexder)
                values[oid] = der[2:].decode("utf-8") if der[1] < 0x80 else \
                    der[2 + (der[1] & 0x7F):].decode("utf-8")
            record(st, c["id"], "san", bool(values), "", values)
        if c["role"] == "root":
            continue
        args = ["certtool", "--verify", "--load-ca-certificate",
                roots_bundle(a, c["ca"]), "--infile", a.pems[c["id"]]]
        v = sh(*args, ok=False)
        record(st, c["id"], "chain", "Chain verification output: Verified"
               in v.stdout, v.stdout[-800:] + v.stderr)
        if c.get("crl"):
            v = sh(*args, "--load-crl", os.path.join(ART, c["crl"] + ".pem"),
                   ok=False)
            if "Chain verification output: Verified" in v.stdout:
                record(st, c["id"], "crl", True, "good")
            elif "revoked" in v.stdout:
                record(st, c["id"], "crl", True, "revoked")
            else:
                record(st, c["id"], "crl", False, v.stdout[-800:] + v.stderr)
    for l in a.crls:
        v = sh("certtool", "--verify-crl", "--load-ca-certificate",
               a.pems[l["issuer"]], "--infile",
               os.path.join(ART, l["id"] + ".pem"), ok=False)
        record(st, l["id"], "parse", v.returncode == 0 and
               "Verification output: Verified" in v.stdout,
               v.stdout[-500:] + v.stderr)
    for o in a.ocsp:
        path = os.path.join(ART, o["file"])
        info = sh("ocsptool", "-j", "--inder", "--infile", path, ok=False)
        text = info.stdout + info.stderr
        if o["expect"] == "malformedrequest":
            ok = "malformed" in text.lower() or "Response Status: 1" in text
            record(st, o["id"], "ocsp", ok, "malformedrequest" if ok else text)
            continue
        v = sh("ocsptool", "-e", "--inder", "--infile", path, "--load-trust",
               roots_bundle(a, a.by_id(o["issuer"])["ca"]), ok=False)
        m = re.search(r"Certificate Status: (\w+)", info.stdout)
        status = m.group(1).lower() if m else "?"
        r = re.search(r"Revocation reason: (\w+)", info.stdout)
        if r and r.group(1) in CODE:
            status += ":%d" % CODE[r.group(1)]
        ok = "Verifying OCSP Response: Success" in v.stdout + v.stderr
        record(st, o["id"], "ocsp", ok and m is not None,
               status if ok else v.stdout + v.stderr)
    for s in a.cms:
        # GnuTLS's PKCS #7 verification takes the first trusted root whose
        # name matches and fails with the other generation's key: it is
        # given the generation the signer's AKI names.
        signer = a.by_id(s["signer"])
        v = sh("certtool", "--p7-verify", "--inder", "--infile",
               os.path.join(ART, s["file"]), "--load-data",
               os.path.join(ART, s["content"]), "--load-ca-certificate",
               a.pems[signer["issuer"]], ok=False)
        record(st, s["id"], "cms", v.returncode == 0,
               (v.stdout + v.stderr)[-800:])


def nss_stack(box, a, at):
    st = "nss"
    db = "sql:" + os.path.join(WORK, "nssdb")
    os.makedirs(db[4:], exist_ok=True)
    sh("certutil", "-N", "-d", db, "--empty-password")
    record(st, "-", "version", True, "NSS " + sh(
        "dpkg-query", "-W", "-f", "${Version}", "libnss3").stdout)
    for c in a.certs:
        # T: trusted to issue client certificates (the auth certificate).
        trust = "CT,C,C" if c["role"] == "root" else ",,"
        v = sh("certutil", "-A", "-d", db, "-n", c["id"], "-t", trust, "-i",
               os.path.join(ART, c["file"]), ok=False)
        ok = v.returncode == 0
        if ok:
            shown = sh("certutil", "-L", "-d", db, "-n", c["id"], ok=False)
            ok = shown.returncode == 0
            v = shown
        record(st, c["id"], "parse", ok, (v.stderr or "").strip()[-500:])
        if ok and c.get("san"):
            # certutil prints an otherName value as a quoted string with
            # every non-ASCII byte as '.': only the ASCII values can be read.
            values = {oid: value for value, oid in re.findall(
                r'Other Name: "(.*)"\n\s*OID: OID\.([\d.]+)', v.stdout)
                if value and "." not in value}
            record(st, c["id"], "san-ascii", bool(values), "", values)
    # vfychain validates "now" (its -b takes whole minutes: a time before
    # the revocations of this run).
    for c in a.certs:
        if c["role"] == "root":
            continue
        usage = {"ee": "4" if c["ca"] == "sign" else "0",
                 "ocsp-signer": "10"}[c["role"]]
        v = sh("vfychain", "-d", db, "-pp", "-u", usage,
               os.path.join(ART, c["file"]), ok=False)
        record(st, c["id"], "chain", "Chain is good!" in v.stdout + v.stderr,
               (v.stdout + v.stderr)[-500:])
    for l in a.crls:
        v = sh("crlutil", "-I", "-d", db, "-i", os.path.join(ART, l["file"]),
               "-t", "1", "-B", ok=False)
        record(st, l["id"], "parse", v.returncode == 0, v.stderr.strip())
    for c in a.certs:
        if c["role"] != "ee":
            continue
        usage = "4" if c["ca"] == "sign" else "0"
        # By OCSP only: crlutil refuses the partition CRLs (KNOWN below).
        for method in ("ocsp",):
            flags = ["-g", "leaf", "-h", "requireFreshInfo", "-m", method,
                     "-s", "failIfNoInfo"]
            v = sh("vfychain", "-d", db, "-pp", "-u", usage,
                   *flags, os.path.join(ART, c["file"]), ok=False)
            text = v.stdout + v.stderr
            if "Chain is good!" in text:
                record(st, c["id"], method, True, "good")
            elif "ERROR -8180" in text:  # SEC_ERROR_REVOKED_CERTIFICATE
                record(st, c["id"], method, True, "revoked")
            else:
                record(st, c["id"], method, False, text[-500:])


class Compile:
    """Go and Java are compiled once per run, in the background while the
    sandbox is made (offline: stdlib only, a temporary GOCACHE)."""

    def __init__(self):
        gocache = tempfile.mkdtemp(prefix="gocache-", dir=WORK)
        env = dict(os.environ, GOCACHE=gocache, GOFLAGS="-mod=mod",
                   GOPROXY="off", GO111MODULE="on", CGO_ENABLED="0",
                   GOPATH=os.path.join(WORK, "gopath"))
        self.go_exe = os.path.join(WORK, "matrix-go")
        self.classes = os.path.join(WORK, "java-classes")
        os.makedirs(self.classes, exist_ok=True)
        self.go = subprocess.Popen(
            ["go", "build", "-o", self.go_exe, "."], cwd=os.path.join(HERE, "go"),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.java = subprocess.Popen(
            ["javac", "-d", self.classes, os.path.join(HERE, "java",
                                                       "Matrix.java")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    @staticmethod
    def wait(p, what):
        out, _ = p.communicate(timeout=600)
        if p.returncode != 0:
            raise Failure("%s: exit %d\n%s" % (what, p.returncode, out))

    def stop(self):
        for p in (self.go, self.java):
            if p.poll() is None:
                p.kill()
                p.wait()


def go_stack(compiled):
    compiled.wait(compiled.go, "go build")
    record("go", "-", "version", True, sh("go", "version").stdout.strip())
    run_json_lines("go", [compiled.go_exe, ART])
    # Go 1.19 refuses the old-arc certificate (legacy_arc): the Go column
    # would have caught issue 14 as well.
    legacy = os.path.join(WORK, "legacy-go")
    os.makedirs(legacy, exist_ok=True)
    shutil.copy(os.path.join(WORK, "legacy.der"), legacy)
    json.dump({"at": int(time.time()), "certs": [
        {"id": "legacy", "file": "legacy.der", "role": "ee", "ca": "sign",
         "issuer": "legacy"}], "crls": []},
        open(os.path.join(legacy, "manifest.json"), "w"))
    out = sh(compiled.go_exe, legacy, ok=False).stdout
    if '"ok":false' not in out or "certificate policies" not in out:
        raise Failure("Go 1.19 read the old-arc certificate: " + out)
    log("Go refuses the old-arc certificate: " + json.loads(
        out.splitlines()[0])["detail"])


def java_stack(compiled):
    compiled.wait(compiled.java, "javac")
    version = sh("java", "-version", ok=False).stderr.splitlines()[0]
    record("java", "-", "version", True, version)
    run_json_lines("java", ["java", "-cp", compiled.classes, "Matrix", ART])


def python_stack(a):
    run_json_lines("python", [PY, "-I", os.path.join(HERE, "py_cryptography.py"),
                              ART])


def node_stack(a):
    node_dir = os.path.join(HERE, "node")
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "pkijs")):
        raise Failure("PKI.js is not installed: run tests/interop/node/"
                      "install.sh (scripts/install-deps does)")
    run_json_lines("node", ["node", os.path.join(node_dir, "matrix.mjs"), ART])


# --- judging ----------------------------------------------------------------------
def same_status(expected, got):
    """`got` may lack the reason when the stack does not expose it."""
    expected = expected.lower().replace("_", "")
    got = (got or "").lower().replace("_", "")
    if got.endswith(":-"):  # the stack says: revoked, no reason given
        got = got[:-2]
    if expected == "revoked" and got == "revoked:0":
        return True  # no reasonCode read as unspecified (RFC 5280 §5.3.1)
    return got == expected or (expected.startswith("revoked:") and
                               got == "revoked")


# What a stack cannot check, and why; a result matching one is shown as
# such in the table, not counted as a failure (docs/pki.md).
KNOWN = [
    ("nss", "parse", "crl-", "SEC_ERROR_CRL_UNKNOWN_CRITICAL_EXTENSION",
     "NSS does not implement issuingDistributionPoint, which RFC 5280 "
     "§5.2.5 requires to be critical in a partitioned CRL: crlutil refuses "
     "every partition CRL, so NSS cannot check revocation by CRL"),
    ("java", "default-params", "", "INVALID_POLICY",
     "PKIX's default policyQualifiersRejected=true refuses a critical "
     "certificatePolicies with a CPS qualifier, as real JPKI certificates "
     "have it (jpki.md §3.2); the matrix sets it to false"),
]


def known(r):
    for stack, check, prefix, text, why in KNOWN:
        if r["stack"] == stack and r["check"] == check and \
                r["id"].startswith(prefix) and text in (r.get("detail") or ""):
            return why
    return None


def judge(a):
    problems = []
    expect = {}
    for c in a.certs:
        expect[c["id"]] = c
    for o in a.ocsp:
        expect[o["id"]] = o
    for r in RESULTS:
        if r["check"] == "version" or r["id"] == "-":
            continue
        what = expect.get(r["id"], {})
        where = "%s %s %s" % (r["stack"], r["id"], r["check"])
        if known(r) or r["check"] == "default-params":
            if not known(r):
                problems.append("%s: %s" % (where, r.get("detail")))
            continue
        if not r["ok"]:
            problems.append("%s: %s" % (where, r.get("detail")))
        elif r["check"] in ("crl", "ocsp") and "status" in what:
            if not same_status(what["status"], r.get("detail")):
                problems.append("%s: says %s, expected %s" % (
                    where, r.get("detail"), what["status"]))
        elif r["check"] == "ocsp" and "expect" in what:
            if not same_status(what["expect"], r.get("detail")):
                problems.append("%s: says %s, expected %s" % (
                    where, r.get("detail"), what["expect"]))
        elif r["check"] in ("san", "san-ascii"):
            want = what.get("san") or {}
            got = {k: v for k, v in (r.get("values") or {}).items()
                   if k in want}
            if r["check"] == "san-ascii":  # only what the stack can show
                want = {k: v for k, v in want.items() if k in got}
            if got != want:
                problems.append("%s: %s, expected %s" % (
                    where, json.dumps(got, ensure_ascii=False),
                    json.dumps(want, ensure_ascii=False)))
    return problems


def table(a):
    stacks = []
    for r in RESULTS:
        if r["stack"] not in stacks:
            stacks.append(r["stack"])
    versions = {r["stack"]: r["detail"] for r in RESULTS
                if r["check"] == "version"}
    ids = [c["id"] for c in a.certs] + [l["id"] for l in a.crls] + \
        [o["id"] for o in a.ocsp] + [s["id"] for s in a.cms]
    lines = ["| artefact | " + " | ".join(stacks) + " |",
             "|---|" + "---|" * len(stacks)]
    for id_ in ids:
        cells = []
        for st in stacks:
            rs = [r for r in RESULTS if r["stack"] == st and r["id"] == id_]
            if not rs:
                cells.append("–")
                continue
            marks = []
            for r in rs:
                if known(r):
                    marks.append("(%s: n/a)" % r["check"])
                else:
                    marks.append(("%s" if r["ok"] else "**%s✗**") % r["check"])
            cells.append(" ".join(marks))
        lines.append("| %s | %s |" % (id_, " | ".join(cells)))
    lines.append("")
    for st in stacks:
        lines.append("- %s: %s" % (st, versions.get(st, "?")))
    return "\n".join(lines)


def main():
    os.makedirs(ART, exist_ok=True)
    box = Sandbox()
    a = Artefacts()
    compiled = Compile()
    try:
        make_sandbox(box, a)
        legacy_arc(box)
        wait_revocations_published(box, a)
        fetch_crls(a)
        fetch_ocsp(box, a)
        at = int(time.time())
        a.write(at)
        log("%d certificates, %d CRLs, %d OCSP responses, %d CMS" % (
            len(a.certs), len(a.crls), len(a.ocsp), len(a.cms)))
        stacks = [("openssl", lambda: openssl_stack(a, at)),
                  ("gnutls", lambda: gnutls_stack(a)),
                  ("nss", lambda: nss_stack(box, a, at)),
                  ("go", lambda: go_stack(compiled)),
                  ("java", lambda: java_stack(compiled)),
                  ("python", lambda: python_stack(a)),
                  ("node", lambda: node_stack(a))]
        only = os.environ.get("MATRIX_STACKS")
        for name, run in stacks:
            if only and name not in only.split(","):
                continue
            run()
            log("%s done" % name)
    finally:
        compiled.stop()
        box.unplug()
        box.stop()
    json.dump(RESULTS, open(os.path.join(WORK, "results.json"), "w"),
              ensure_ascii=False, indent=1)
    text = table(a)
    print(text)
    if os.environ.get("MATRIX_TABLE"):
        open(os.environ["MATRIX_TABLE"], "w").write(text + "\n")
    problems = judge(a)
    for p in problems:
        print("FAIL " + p)
    if problems:
        return 1
    log("relying-party matrix: ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("FAIL %s" % e)
        sys.exit(1)
