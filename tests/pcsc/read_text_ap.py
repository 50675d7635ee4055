#!/usr/bin/python3
"""Read the individual number and the four basic data from the card-face
input-assist AP (券面事項入力補助AP) with pyscard, and compare them with the
profile the card was made from.

Usage: read_text_ap.py PROFILE.json
Decoding follows card-apdu.md §5, §8.2, §8.3 (FF 10 0C <12 digits> FF FF;
FF 20 L { DF21 offsets ; DF22 name ; DF23 address ; DF24 YYYYMMDD ; DF25 sex })
written here independently of the C++ encoder. Exits 1 on any difference.
Run with /usr/bin/python3 (pitfall P1).
"""
import json
import sys

import leave_card

TEXT_AID = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]


def transmit(conn, apdu, what):
    data, sw1, sw2 = conn.transmit(apdu)
    if (sw1, sw2) != (0x90, 0x00):
        raise SystemExit("%s: SW %02X%02X" % (what, sw1, sw2))
    return bytes(data)


def read_ef(conn, fid):
    transmit(conn, [0x00, 0xA4, 0x02, 0x0C, 0x02, fid >> 8, fid & 0xFF], "SELECT EF %04X" % fid)
    out = b""
    while True:  # short-Le chunks of 256, as OpenSC does
        data, sw1, sw2 = conn.transmit([0x00, 0xB0, (len(out) >> 8) & 0x7F, len(out) & 0xFF, 0x00])
        if (sw1, sw2) == (0x6B, 0x00):
            break
        if (sw1, sw2) != (0x90, 0x00):
            raise SystemExit("READ BINARY %04X: SW %02X%02X" % (fid, sw1, sw2))
        out += bytes(data)
        if len(data) < 256:
            break
    return out


def tlv(buf, pos):
    """(tag, value, next position) of a BER-TLV with 1- or 2-byte tag."""
    tag = buf[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        tag = (tag << 8) | buf[pos]
        pos += 1
    length = buf[pos]
    pos += 1
    if length == 0x81:
        length = buf[pos]
        pos += 1
    elif length == 0x82:
        length = (buf[pos] << 8) | buf[pos + 1]
        pos += 2
    return tag, buf[pos:pos + length], pos + length


def main(argv):
    profile = json.load(open(argv[1], encoding="utf-8"))
    conn = leave_card.connect()
    transmit(conn, [0x00, 0xA4, 0x04, 0x0C, len(TEXT_AID)] + TEXT_AID, "SELECT text AP")
    # Before the PIN the number EF is protected (card-apdu.md §5).
    transmit(conn, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01], "SELECT EF 0001")
    _, sw1, sw2 = conn.transmit([0x00, 0xB0, 0x00, 0x00, 0x11])
    if (sw1, sw2) != (0x69, 0x82):
        raise SystemExit("number EF readable without the PIN: SW %02X%02X" % (sw1, sw2))
    pin = [ord(c) for c in profile["passwords"]["input_assist"]]
    transmit(conn, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11], "SELECT PIN EF")
    transmit(conn, [0x00, 0x20, 0x00, 0x80, len(pin)] + pin, "VERIFY input-assist PIN")

    problems = []
    ef1 = read_ef(conn, 0x0001)
    tag, value, _ = tlv(ef1, 0)
    if tag != 0xFF10:
        problems.append("EF 0001 tag %X" % tag)
    if value.decode("ascii") != profile["number"]:
        problems.append("number differs")  # never print the number

    ef2 = read_ef(conn, 0x0002)
    tag, body, _ = tlv(ef2, 0)
    if tag != 0xFF20:
        problems.append("EF 0002 tag %X" % tag)
    fields = {}
    pos = 0
    while pos < len(body):
        t, v, pos = tlv(body, pos)
        fields[t] = v
    # DF21 holds the offsets of DF22..DF25 from the start of the file.
    offsets = [int.from_bytes(fields[0xDF21][i:i + 2], "big") for i in range(0, 8, 2)]
    for want_tag, off in zip([0xDF22, 0xDF23, 0xDF24, 0xDF25], offsets):
        if int.from_bytes(ef2[off:off + 2], "big") != want_tag:
            problems.append("offset of %X points elsewhere" % want_tag)
    surname, _, given = profile["name"].partition(" ")
    want_name = surname + "\u3000" + given if given else surname
    checks = [
        ("name", fields[0xDF22].decode("utf-8"), want_name),
        ("address", fields[0xDF23].decode("utf-8"), profile["address"]),
        ("birth_date", fields[0xDF24].decode("ascii"), profile["birth_date"].replace("-", "")),
        ("sex", fields[0xDF25].decode("ascii"),
         {"male": "1", "female": "2", "other": "9"}[profile["sex"]]),
    ]
    for name, got, want in checks:
        if got != want:
            problems.append("%s: card %r, profile %r" % (name, got, want))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("text AP: number and four basic data equal the profile")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
