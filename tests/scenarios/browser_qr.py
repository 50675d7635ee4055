"""The browser half of an app-link flow (tests/sign_in, tests/app_sign): a
tests/web script drives Debian's Chromium (Playwright) to a page with the
provider's QR code and saves a screenshot; zbarimg reads the QR code from
it; the caller answers the link with `openmyna app ...` and the card while
the browser waits; the script then goes on by itself and ends.

    qr, log = browser_qr(work, "demo-rp", "demo_rp_browser.mjs", [url], answer)

The script is run as `node SCRIPT ARGS... SHOT_PNG` in tests/web and must
write SHOT_PNG whole (tests/web/chromium.mjs: screenshotForCaller)."""
import os
import subprocess
import time

from sandbox import check, sh

WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web")


def install_web():
    """tests/web/install.sh: the pinned packages (npm ci), once."""
    subprocess.run([os.path.join(WEB, "install.sh")], check=True,
                   capture_output=True, timeout=300)


def browser_qr(work, name, script, args, answer, screenshot_within=120,
               end_within=200):
    """Runs the script, waits for its screenshot WORK/NAME.png, calls
    answer(qr) with the QR code's text, waits for the script to end, and
    returns (qr, its whole output). The output goes to WORK/NAME.log, not a
    pipe: Chromium's chatter could fill a pipe and stall it. Fails (check)
    when the script exits early or with an error, or writes no screenshot;
    the browser is killed if answer() fails."""
    install_web()
    shot = os.path.join(work, name + ".png")
    log_path = os.path.join(work, name + ".log")
    with open(log_path, "w") as log:
        node = subprocess.Popen(["node", script, *args, shot], cwd=WEB,
                                stdout=log, stderr=subprocess.STDOUT)
    output = lambda: open(log_path).read()
    try:
        deadline = time.monotonic() + screenshot_within
        while not os.path.exists(shot):
            check(node.poll() is None, "browser: %s" % output()[-3000:])
            check(time.monotonic() < deadline, "no screenshot from %s" % script)
            time.sleep(0.2)
        qr = sh("zbarimg", "--quiet", "--raw", shot).stdout.strip()
        answer(qr)
        node.wait(timeout=end_within)
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
    out = output()
    check(node.returncode == 0, "browser: %s" % out[-3000:])
    return qr, out
