#!/usr/bin/python3
"""Checks for the edge sample profiles (issue 14 item 4), written here
independently of the C++ encoders (card-apdu.md §8.1, §8.3).

  edge_profile_check.py ef2 PROFILE.json OPENSC_TOOL_OUTPUT
      the last response printed by `opensc-tool -s ...` is text EF 0002:
      its header must be FF 20 82 HH LL when the value reaches 128 bytes
      (FF 20 LL below), and name, address, birth date and sex must equal
      the profile.
  edge_profile_check.py cert PROFILE.json CERT.der
      the signature certificate read through OpenSC carries the profile's
      name and address (subjectAltName otherNames, jpki.md) as UTF-8.
  edge_profile_check.py sign-password PROFILE.json
      pyscard: VERIFY the signature password (00 20 00 9B) answers 90 00
      and the signature certificate EF 0001 then reads as 30 82 HH LL.
Exits 1 on any difference. Run with /usr/bin/python3 (pitfall P1).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leave_card  # noqa: E402
from read_text_ap import tlv  # noqa: E402

JPKI_AID = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]


def card_name(profile):
    surname, _, given = profile["name"].partition(" ")
    return surname + "\u3000" + given if given else surname


def last_response(text):
    """Bytes of the last 'Received' block of opensc-tool -s output."""
    blocks = text.split("Received")
    if len(blocks) < 2:
        raise SystemExit("no response in opensc-tool output:\n" + text)
    out = bytearray()
    for line in blocks[-1].splitlines()[1:]:
        # util_hex_dump_asc: up to 16 "XX " groups, then the ASCII column.
        m = re.match(r"^((?:[0-9A-F]{2} ){1,16})", line + " ")
        if not m:
            break
        out += bytes.fromhex(m.group(1))
    return bytes(out)


def check_ef2(profile, output_path):
    ef2 = last_response(open(output_path, encoding="utf-8", errors="replace").read())
    if ef2[:2] != b"\xFF\x20":
        raise SystemExit("EF 0002 does not start with FF 20: %s" % ef2[:8].hex())
    long_form = ef2[2] == 0x82
    value_len = (ef2[3] << 8 | ef2[4]) if long_form else ef2[2]
    header = 5 if long_form else 3
    if (value_len >= 128) != long_form or len(ef2) != header + value_len:
        raise SystemExit("EF 0002 length header wrong: %s (value %d, read %d)"
                         % (ef2[:5].hex(), value_len, len(ef2)))
    tag, body, _ = tlv(ef2, 0)
    fields = {}
    pos = 0
    while pos < len(body):
        t, v, pos = tlv(body, pos)
        fields[t] = v
    offsets = [int.from_bytes(fields[0xDF21][i:i + 2], "big") for i in range(0, 8, 2)]
    for want_tag, off in zip([0xDF22, 0xDF23, 0xDF24, 0xDF25], offsets):
        if int.from_bytes(ef2[off:off + 2], "big") != want_tag:
            raise SystemExit("DF21 offset of %X points elsewhere" % want_tag)
    want = {
        0xDF22: card_name(profile),
        0xDF23: profile["address"],
        0xDF24: profile["birth_date"].replace("-", ""),
        0xDF25: {"male": "1", "female": "2", "other": "9"}[profile["sex"]],
    }
    for t, value in want.items():
        got = fields[t].decode("utf-8")
        if got != value:
            raise SystemExit("%X: card %r, profile %r" % (t, got, value))
    print("OpenSC read EF 0002 (%d-byte value, %s header): equal to the profile"
          % (value_len, "5-byte" if long_form else "3-byte"))


def check_cert(profile, der_path):
    der = open(der_path, "rb").read()
    address = profile["address"].encode("utf-8")
    names = [profile["name"].encode("utf-8"), card_name(profile).encode("utf-8")]
    if address not in der:
        raise SystemExit("the signature certificate does not carry the address")
    if not any(n in der for n in names):
        raise SystemExit("the signature certificate does not carry the name")
    print("signature certificate carries the profile's name and address")


def check_sign_password(profile):
    conn = leave_card.connect()
    password = [ord(c) for c in profile["passwords"]["signature"]]
    steps = [
        ([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID)] + JPKI_AID, "SELECT JPKI-AP"),
        ([0x00, 0x20, 0x00, 0x9B, len(password)] + password,
         "VERIFY %d-character signature password" % len(password)),
        ([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01], "SELECT EF 0001"),
    ]
    for apdu, what in steps:
        _, sw1, sw2 = conn.transmit(apdu)
        if (sw1, sw2) != (0x90, 0x00):
            raise SystemExit("%s: SW %02X%02X" % (what, sw1, sw2))
    data, sw1, sw2 = conn.transmit([0x00, 0xB0, 0x00, 0x00, 0x04])
    if (sw1, sw2) != (0x90, 0x00) or data[:2] != [0x30, 0x82]:
        raise SystemExit("signature certificate header: %s SW %02X%02X" % (data, sw1, sw2))
    # Log out: select another AP (card-apdu.md §2).
    conn.transmit([0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31,
                   0x00, 0x01, 0x01, 0x04, 0x08])
    print("pyscard: %d-character signature password verified" % len(password))


def main(argv):
    profile = json.load(open(argv[2], encoding="utf-8"))
    if argv[1] == "ef2":
        check_ef2(profile, argv[3])
    elif argv[1] == "cert":
        check_cert(profile, argv[3])
    elif argv[1] == "sign-password":
        check_sign_password(profile)
    else:
        raise SystemExit("unknown mode " + argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
