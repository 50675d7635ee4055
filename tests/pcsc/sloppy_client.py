#!/usr/bin/python3
"""A deliberately sloppy card client (issue 14 item 3): each step relies on
one behaviour that real My Number Cards vary on or that the specifications
leave open (card-apdu.md §2, §3, §7, §8, §9, §16), so that
`card plug --report` must list one finding per step, in this order.

Usage: sloppy_client.py PROFILE.json
The profile's EF 0002 value must reach 128 bytes (long-address.json).
Prints one JSON object: {"steps": [[finding, "SW"], ...]}, the finding each
step is meant to trigger and the status word the card answered. Run with
/usr/bin/python3 (pitfall P1).
"""
import hashlib
import json
import sys

import leave_card

JPKI = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]
TEXT = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]
COMMON = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00]
ISD = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00]


def select(aid, p2=0x0C):
    return [0x00, 0xA4, 0x04, p2, len(aid)] + aid


def ascii_apdu(header, text):
    return header + [len(text)] + [ord(c) for c in text]


def main(argv):
    profile = json.load(open(argv[1], encoding="utf-8"))
    pw = profile["passwords"]
    conn = leave_card.connect()
    steps = []

    def send(apdu):
        data, sw1, sw2 = conn.transmit(apdu)
        return bytes(data), "%02X%02X" % (sw1, sw2)

    def step(finding, apdu):
        _, sw = send(apdu)
        steps.append([finding, sw])

    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + \
        hashlib.sha256(b"sloppy").digest()

    # Log in to the input-assist AP, select it again, read EF 0002.
    send(select(TEXT))
    send(ascii_apdu([0x00, 0x20, 0x00, 0x91], pw["input_assist"]))
    send(select(TEXT))
    send([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02])
    step("reselect_kept_login", [0x00, 0xB0, 0x00, 0x00, 0x00])
    # Log in again (strict cards cleared it) and read EF 0002 as BEXT does:
    # the length byte at offset 2, then that many bytes from offset 3.
    send(ascii_apdu([0x00, 0x20, 0x00, 0x91], pw["input_assist"]))
    send([0x00, 0xB0, 0x82, 0x02, 0x01])
    step("short_header_assumed", [0x00, 0xB0, 0x82, 0x03, 0x82])
    # EF 0001 is 17 bytes: ask for 32, then read at offset 17.
    step("le_past_end", [0x00, 0xB0, 0x81, 0x00, 0x20])
    step("offset_past_end", [0x00, 0xB0, 0x00, 0x11, 0x01])
    # The whole EF with an extended Le.
    step("extended_length", [0x00, 0xB0, 0x81, 0x00, 0x00, 0x00, 0x00])
    # A challenge with EF 0001 current (no key selected).
    step("challenge_without_key", [0x00, 0x84, 0x00, 0x00, 0x10])
    # A 5-digit value to the 4-digit PIN, then the right one (counter back).
    step("pin_wrong_length", ascii_apdu([0x00, 0x20, 0x00, 0x91], "12345"))
    send(ascii_apdu([0x00, 0x20, 0x00, 0x91], pw["input_assist"]))
    # Key 0012 of the text AP is blocked on every card.
    step("verify_blocked_pin", ascii_apdu([0x00, 0x20, 0x00, 0x92], "1234"))
    # JPKI: SELECT asking for FCI, log in, query again, sign by SFI.
    step("select_fci_requested", select(JPKI, 0x00) + [0x00])
    send(ascii_apdu([0x00, 0x20, 0x00, 0x98], pw["authentication"]))
    step("query_after_verify", [0x00, 0x20, 0x00, 0x98])
    step("sign_key_not_selected",
         [0x80, 0x2A, 0x00, 0x97, len(digest_info)] + list(digest_info) + [0x00])
    send([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17])
    step("sign_input_length", [0x80, 0x2A, 0x02, 0x80, 0x05, 1, 2, 3, 4, 5, 0x00])
    step("get_data_in_ap", [0x00, 0xCA, 0x5F, 0x51, 0x00])
    # An AID prefix, all records at once, an EF with no AP.
    step("aid_prefix", select(JPKI[:7]))
    send(select(COMMON))
    step("multi_record_read", [0x00, 0xB2, 0x01, 0x05, 0x00])
    send(select(ISD))
    step("select_ef_without_ap", [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01])
    # Leave nothing logged in: another AP clears the JPKI login.
    send(select(TEXT))
    print(json.dumps({"steps": steps}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
