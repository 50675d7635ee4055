#!/usr/bin/python3
"""The portal's renewal notice under `serve --now`, in headless Chromium,
with a card through a private pcscd (run inside tests/pcsc/with-pcscd.sh).

Usage: portal_renewal_test.py /path/to/openmyna

A 16-year-old's card is issued through the registry API today: it and its
certificates end on the 5th birthday after issue (domain.md §5), so the
card's renewal window (3 months before, domain.md §5) can be entered while
its authentication certificate still signs in. The expected dates are
computed here from the date of birth and the issue date (tests/scenarios'
nth_birthday_after / add_months), not read from OpenMyna. serve then runs
at two instants (`serve --now`), each time with a login through the link
(`openmyna app login` with the card, the OCSP answers signed at that same
clock):
- the day before the window opens: お知らせ holds no renewal notice;
- the day it opens: お知らせ says, unread, that the card expires on that
  date and can be renewed from the opening day, and あなたの情報 shows the
  same opening day for the card.
"""
import datetime as dt
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "scenarios"))
from browser_test import browser_test_main  # noqa: E402
from sandbox import (JST, add_months, add_years, check,  # noqa: E402
                     nth_birthday_after)
from portal_signed_in_test import Portal, wait_file  # noqa: E402

PASSWORDS = {"signature": "ABC123", "authentication": "1234",
             "juki": "5678", "input_assist": "9012"}
RENEWAL = "マイナンバーカードの有効期限（%s）が近づいています。%sから更新の手続きができます。"


def noon_jst(day):
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=JST)


class Renewal(Portal):
    def visit(self, when):
        """serve --now `when`, link login with the card, the pages' dump."""
        self.start(now=when)
        dump = os.path.join(self.work, "renewal.json")
        for name in ("link.txt", "renewal.json"):
            if os.path.exists(os.path.join(self.work, name)):
                os.remove(os.path.join(self.work, name))
        node, log = self.browser("notices")
        try:
            wait_file(os.path.join(self.work, "link.txt"), node, log)
            self.app_login(open(os.path.join(self.work, "link.txt")).read().strip())
            wait_file(dump, node, log)
        except BaseException:
            node.kill()
            node.wait()
            raise
        self.finish(node, log)
        return self.load("renewal.json")

    def run(self):
        box = self.box
        box.setup()
        self.start()
        today = box.today()
        parent = self.scen.resident("千曲 一郎", "1980-05-05", sex="male")
        born = add_years(today, -16) - dt.timedelta(days=100)
        teen = self.scen.resident("千曲 若葉", born.isoformat(),
                                  legal_representative_id=parent["id"])
        card = self.scen.issue(teen["id"], PASSWORDS)
        issued = dt.date.fromisoformat(card["issued_on"])
        expiry = nth_birthday_after(born, issued, 5)
        check(card["expires_on"] == expiry.isoformat(),
              "a 16-year-old's card ends %s, domain.md §5 says %s" % (
                  card["expires_on"], expiry))
        opens = add_months(expiry, -3)  # clamped to the month's end
        box.plug(card["chip_image_path"])
        text = RENEWAL % (expiry.isoformat(), opens.isoformat())
        print("  ok  card issued %s, expires %s, renewal opens %s" % (
            issued, expiry, opens), flush=True)

        before = self.visit(noon_jst(opens - dt.timedelta(days=1)))
        check(not any(text in n or "更新の手続き" in n for n in before["notices"]),
              "a renewal notice before the window: %s" % before["notices"])
        print("  ok  serve --now %s: signed in, no renewal notice" %
              (opens - dt.timedelta(days=1)), flush=True)

        after = self.visit(noon_jst(opens))
        renewal = [n for n in after["notices"] if text in n]
        check(len(renewal) == 1, "お知らせ on %s: %s (wanted %r)" % (
            opens, after["notices"], text))
        check("未読" in renewal[0] and after["unread"] >= 1,
              "the renewal notice is not unread: %s" % renewal[0])
        rows = [r for r in after["me"] if len(r) == 2 and r[1] == opens.isoformat()]
        check(rows, "あなたの情報 does not show the opening day %s: %s" % (
            opens, after["me"]))
        print("  ok  serve --now %s: お知らせ says %r (unread); あなたの情報 "
              "the same opening day" % (opens, text), flush=True)


def main(argv):
    return browser_test_main("portal_renewal_test", argv[1],
                             lambda box: Renewal(box, "").run(),
                             prefix="openmyna-portal-renewal-")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
