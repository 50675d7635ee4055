"""The main() of the browser tests that run inside tests/pcsc/with-pcscd.sh
(the portal's, the kiosk's and the clinic reader's pages): skipped (exit 77)
without Debian's chromium, node or the pinned npm packages
(tests/web/install.sh); one Sandbox in a fresh work folder for the test;
on a failed check its report (Sandbox.report_failure) and the folder kept
for a look; the card unplugged and serve stopped whatever happens.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from sandbox import Sandbox, ScenarioFailure

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(os.path.dirname(HERE), "web")


def browser_test_main(name, openmyna, test, prefix=None):
    """Runs `test(box)` with a Sandbox (SQLite) in a new folder and returns
    the exit status: 0 passed, 1 a check failed, 77 skipped."""
    # The sandbox's own TLS root, not a bundle of the caller's environment.
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(var, None)
    if not os.access("/usr/bin/chromium", os.X_OK) or not shutil.which("node"):
        print("no /usr/bin/chromium or node: skipped")
        return 77
    install = subprocess.run([os.path.join(WEB, "install.sh")],
                             capture_output=True, text=True, timeout=600)
    if install.returncode != 0:
        print("npm ci failed: skipped\n%s" % install.stderr[-2000:])
        return 77
    work = tempfile.mkdtemp(prefix=prefix or "om-%s-" % name)
    box = Sandbox(openmyna, "sqlite", work)
    try:
        test(box)
    except ScenarioFailure as e:
        box.report_failure(name, e)
        print("%s: the work folder is kept: %s" % (name, work), file=sys.stderr)
        return 1
    finally:
        box.close()
    shutil.rmtree(work, ignore_errors=True)
    print("%s: passed" % name)
    return 0
