#!/usr/bin/python3
"""The client of issue 14 written against real cards: VERIFY the
input-assist PIN, SELECT the input-assist AP again, SELECT EF 0002, READ
BINARY. Real cards keep the verified state across the re-selection
(card-apdu.md §2, §16 #6).

Usage: reselect_client.py PROFILE.json data|6982
  data: the read must answer 90 00 and the four basic data must equal the
        profile (decoded with read_text_ap.py's independent TLV reader);
  6982: the read must answer 69 82 (card plugged with --reselect clear).
Run with /usr/bin/python3 (pitfall P1).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_text_ap import TEXT_AID, tlv, transmit  # noqa: E402
import leave_card  # noqa: E402


def main(argv):
    profile = json.load(open(argv[1], encoding="utf-8"))
    expect = argv[2]
    conn = leave_card.connect()
    select_ap = [0x00, 0xA4, 0x04, 0x0C, len(TEXT_AID)] + TEXT_AID
    transmit(conn, select_ap, "SELECT text AP")
    pin = [ord(c) for c in profile["passwords"]["input_assist"]]
    transmit(conn, [0x00, 0x20, 0x00, 0x91, len(pin)] + pin, "VERIFY input-assist PIN")
    transmit(conn, select_ap, "SELECT text AP again")
    transmit(conn, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02], "SELECT EF 0002")
    data, sw1, sw2 = conn.transmit([0x00, 0xB0, 0x00, 0x00, 0x00])
    sw = "%02X%02X" % (sw1, sw2)
    if expect == "6982":
        if sw != "6982":
            raise SystemExit("READ BINARY after re-selection answered %s, expected 6982" % sw)
        print("re-selection cleared the login: 69 82")
        return 0
    if sw != "9000":
        raise SystemExit("READ BINARY after re-selection answered %s, expected data" % sw)
    ef2 = bytes(data)
    tag, body, _ = tlv(ef2, 0)
    fields = {}
    pos = 0
    while pos < len(body):
        t, v, pos = tlv(body, pos)
        fields[t] = v
    surname, _, given = profile["name"].partition(" ")
    want_name = surname + "\u3000" + given if given else surname
    if tag != 0xFF20 or fields[0xDF22].decode("utf-8") != want_name \
            or fields[0xDF23].decode("utf-8") != profile["address"]:
        raise SystemExit("EF 0002 after re-selection does not match the profile")
    print("re-selection kept the login: EF 0002 read and equal to the profile")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
