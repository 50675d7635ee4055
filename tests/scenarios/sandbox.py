"""The sandbox under test and the independent tools that look at it, for
scenarios.py: one data folder with `openmyna serve` (started and stopped by
PID), the card plugged into the isolated pcscd, and helpers around openssl,
OpenSC and the guidebook's date rules (shared/docs/domain.md §5, jpki.md §5.1)
written here independently of the C++ code.
"""
import base64
import datetime as dt
import email.utils
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PCSC_DIR = os.path.join(os.path.dirname(HERE), "pcsc")
JST = dt.timezone(dt.timedelta(hours=9))
# docs/revocation.md: the OCSP responder and the CRL publisher pick up
# revocations made by another connection every `sync_interval` (2 s).
DOCUMENTED_DELAY_S = 2.0
# What a loaded 2-core machine may add to it (one openssl run, a live signature).
DELAY_SLACK_S = 3.0


# The four passwords of an adult's standard card in the tests (the
# authentication PIN 1234 is what the browser and kiosk tests type).
STANDARD_PASSWORDS = {"signature": "ABC123", "authentication": "1234",
                      "juki": "5678", "input_assist": "9012"}


class ScenarioFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_digit(base11):
    """My Number check digit (jpki.md §5.1, 平成26年総務省令第85号 Art. 5):
    weights 6,5,4,3,2,7,6,5,4,3,2 left to right; 11 - (sum mod 11), 0 when the
    remainder is <= 1."""
    weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    remainder = sum(int(d) * w for d, w in zip(base11, weights)) % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def nth_birthday_after(birth, issued, n):
    """domain.md §5: 'the 10th (5th) birthday after issue'."""
    first = add_years(birth, issued.year - birth.year)
    if first <= issued:
        first = add_years(birth, issued.year + 1 - birth.year)
    return add_years(first, n - 1)


def add_months(day, months):
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


def iso(instant):
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Sandbox:
    """One data folder, one registry back end, one `openmyna serve`."""

    def __init__(self, openmyna, backend, work):
        self.openmyna = openmyna
        self.backend = backend
        self.work = work
        self.data = os.path.join(work, "data")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ)
        if backend == "postgres":
            self.env["OPENMYNA_REGISTRY_DB"] = os.environ["OPENMYNA_TEST_PG_URL"]
        else:
            self.env.pop("OPENMYNA_REGISTRY_DB", None)
        self.serve = None
        self.card = None
        self.offset = dt.timedelta(0)
        self.auth = {}
        self.serve_log = os.path.join(work, "serve.log")

    # --- processes -------------------------------------------------------
    def run(self, *args, check_rc=True):
        out = subprocess.run([self.openmyna, "--data", self.data, *args],
                             env=self.env, capture_output=True, text=True,
                             timeout=300)
        if check_rc and out.returncode != 0:
            raise ScenarioFailure("openmyna %s: exit %d\n%s%s" % (
                " ".join(args), out.returncode, out.stdout, out.stderr))
        return out

    def setup(self):
        self.run("init", "--base-url", self.base)
        self.run("db", "migrate")
        self.run("db", "seed")  # Chikuma City 20218, Kiyose City 13221
        creds = self.run("db", "credentials").stdout
        for role in ("counter_clerk", "hotline_operator", "kiosk"):
            m = re.search(r"^\s*%s\s+(\S+:\S+)\s*$" % role, creds, re.M)
            check(m, "no %s credential in: %s" % (role, creds))
            self.auth[role] = "Basic " + base64.b64encode(
                m.group(1).encode()).decode()

    def check_bad_clock(self):
        """`serve --now` with an impossible date is bad input (exit 2)."""
        for bad in ("2030-02-30T00:00:00Z", "2030-01-01 00:00:00", "tomorrow"):
            out = self.run("serve", "--port", "0", "--now", bad, check_rc=False)
            check(out.returncode == 2, "serve --now %r: exit %d" % (
                bad, out.returncode))

    def start(self, now, extra=()):
        """Starts serve as if it were `now` (an aware datetime); `extra`
        are more serve arguments (e.g. --set NAME=VALUE)."""
        self.stop()
        self.offset = now - dt.datetime.now(dt.timezone.utc)
        log = open(self.serve_log, "a")
        self.serve = subprocess.Popen(
            [self.openmyna, "--data", self.data, "serve", "--port",
             str(self.port), "--now", iso(now), *extra],
            env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            check(self.serve.poll() is None,
                  "serve exited: %s" % open(self.serve_log).read()[-2000:])
            try:
                answer = urllib.request.urlopen(self.base + "/openapi.json",
                                                timeout=2)
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
                continue
            # The server's Date header (RFC 9110 §6.6.1) tells the sandbox
            # time too.
            date = email.utils.parsedate_to_datetime(answer.headers["Date"])
            check(abs((date - self.sandbox_now()).total_seconds()) < 60,
                  "serve --now %s: Date header %s" % (iso(now), date))
            return
        raise ScenarioFailure("serve did not answer within 60 s")

    HTTPS_LINE = re.compile(r"HTTPS on (https://[0-9.:]+) \(TLS root: (\S+)\)")

    def start_https(self, now, extra=()):
        """Starts serve as start() does and returns (origin, TLS root PEM)
        from this start's "HTTPS on ..." line in serve.log: serve prints it
        just after HTTP answers, and a restart's HTTPS port may differ from
        the last one, so an earlier line must not be taken for it."""
        def lines():
            if not os.path.exists(self.serve_log):
                return []
            return self.HTTPS_LINE.findall(open(self.serve_log).read())
        before = len(lines())
        self.start(now, extra)
        deadline = time.monotonic() + 60
        found = lines()
        while len(found) <= before and time.monotonic() < deadline:
            time.sleep(0.1)
            found = lines()
        check(len(found) > before, "serve did not announce HTTPS: %s"
              % open(self.serve_log).read()[-2000:])
        return found[-1]

    def stop(self):
        if self.serve is not None:
            self.serve.send_signal(signal.SIGTERM)
            try:
                self.serve.wait(10)
            except subprocess.TimeoutExpired:
                self.serve.kill()
                self.serve.wait()
            self.serve = None

    def report_failure(self, name, failure):
        """After a failed check: "NAME: FAILED: failure" and the tails of
        this sandbox's serve.log and card.log, on stderr (ctest shows them)."""
        print("%s: FAILED: %s" % (name, failure), file=sys.stderr)
        for log in ("serve.log", "card.log"):
            path = os.path.join(self.work, log)
            if os.path.exists(path):
                tail = open(path, errors="replace").read()[-3000:]
                print("--- %s (tail) ---\n%s" % (log, tail), file=sys.stderr)

    def close(self):
        """Unplugs the card and stops serve (each only if running)."""
        self.unplug()
        self.stop()

    def sandbox_now(self):
        return dt.datetime.now(dt.timezone.utc) + self.offset

    def today(self):
        return self.sandbox_now().astimezone(JST).date()

    # --- HTTP ---------------------------------------------------------------
    def api(self, method, path, body=None, role="counter_clerk"):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", self.auth[role])
        req.add_header("X-Purpose", "scenario test")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers.get_content_type(), json.loads(
                    resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get_content_type(), json.loads(
                e.read() or b"null")

    def ok(self, method, path, body=None, role="counter_clerk"):
        status, _, doc = self.api(method, path, body, role)
        check(status == 200, "%s %s: %d %s" % (method, path, status, doc))
        return doc

    def refused(self, method, path, body=None, role="counter_clerk",
                want=409, rid=None):
        """A refusal is a problem document (RFC 9457) and, when the resident
        `rid` is given, leaves the resident's file as it was."""
        before = self.ok("GET", "/v1/residents/" + rid) if rid else None
        status, ctype, doc = self.api(method, path, body, role)
        check(status == want and ctype == "application/problem+json",
              "%s %s: expected %d problem, got %d %s %s" % (
                  method, path, want, status, ctype, doc))
        if rid:
            check(self.ok("GET", "/v1/residents/" + rid) == before,
                  "%s %s was refused but changed the record" % (method, path))
        return doc

    # --- PC/SC --------------------------------------------------------------
    def plug(self, image):
        self.unplug()
        log = open(os.path.join(self.work, "card.log"), "a")
        self.card = subprocess.Popen(
            [self.openmyna, "--data", self.data, "card", "plug", "--image",
             image, "--vpcd", os.environ.get("VPCD_ADDR", "127.0.0.1:35963")],
            env=self.env, stdout=log, stderr=log)
        wait_reader(True)

    def unplug(self):
        if self.card is not None:
            self.card.send_signal(signal.SIGTERM)
            try:
                self.card.wait(10)
            except subprocess.TimeoutExpired:
                self.card.kill()
                self.card.wait()
            self.card = None
            wait_reader(False)

    # --- the registry API, as at the counter ---------------------------------
    def lookup(self, individual_number):
        """The resident with this individual number (their record)."""
        return self.ok("POST", "/v1/residents/lookup",
                       {"individual_number": individual_number})

    def issue_card(self, rid, passwords=None, applicant=None, receiver=None,
                   **application):
        """A card for the resident `rid`: applied for (by `applicant`, by
        default the resident, with the `application` fields), produced and
        delivered (to `receiver`, by default the resident) with `passwords`
        (by default STANDARD_PASSWORDS). Returns the card, which must be
        active."""
        body = {"resident_id": rid, "applicant_id": applicant or rid}
        body.update(application)
        app = self.ok("POST", "/v1/applications", body)
        card = self.ok("POST", "/v1/applications/%s/produce" % app["id"])
        card = self.ok("POST", "/v1/cards/%s/deliver" % card["id"],
                       {"receiver_id": receiver or rid,
                        "passwords": STANDARD_PASSWORDS if passwords is None
                        else passwords})
        check(card["state"] == "active", "delivered card not active: %s" % card)
        return card

    def ca_pem(self, kind):
        return os.path.join(self.data, "ca", "%s-ca-g1.pem" % kind)


def wait_reader(present, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = subprocess.run(["opensc-tool", "-l"], capture_output=True,
                             text=True).stdout
        if bool(re.search(r"^0\s+Yes", out, re.M)) == present:
            return
        time.sleep(0.05)
    raise ScenarioFailure("reader 0 card %s after %d s" % (
        "absent" if present else "still present", seconds))


def sh(*args, ok=True, stdin=None):
    out = subprocess.run(list(args), capture_output=True, text=True,
                         input=stdin, timeout=120)
    if ok and out.returncode != 0:
        raise ScenarioFailure("%s: exit %d\n%s%s" % (
            " ".join(args[:3]), out.returncode, out.stdout, out.stderr))
    return out


def serial_of(pem):
    out = sh("openssl", "x509", "-in", pem, "-noout", "-serial").stdout
    return int(out.strip().split("=", 1)[1], 16)


def der_of(pem):
    """The certificate's DER bytes, as openssl re-encodes them."""
    return subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"],
                          capture_output=True, check=True).stdout


def tries_left(label):
    """Tries left of a PIN as pkcs15-tool --list-pins prints them."""
    out = sh("pkcs15-tool", "--reader", "0", "--list-pins").stdout
    block = out.split("PIN [%s]" % label, 1)
    check(len(block) == 2, "no PIN [%s] in: %s" % (label, out))
    m = re.search(r"Tries left\s*:\s*(\d+)", block[1])
    check(m, "no tries for %s" % label)
    return int(m.group(1))


def pkcs11_login(slot, pin):
    return sh("pkcs11-tool", "--slot-index", str(slot), "--login", "--pin", pin,
              "--list-objects", ok=False).returncode == 0


def crl_entry(text, serial):
    """The text of the revoked entry with this serial in `openssl crl -text`."""
    blocks = re.split(r"\n\s*Serial Number: ", text)
    for block in blocks[1:]:
        head = block.split("\n", 1)[0].strip()
        try:
            if int(head, 16) == serial:
                return block.split("Serial Number", 1)[0]
        except ValueError:
            continue
    return None
