#!/usr/bin/python3
"""pin_tries.py query|wrong APP_AID_HEX PIN_FID_HEX [VALUE]

query: prints the tries left from the empty VERIFY (63 Cx, card-apdu.md §9.2)
wrong: sends one VERIFY with VALUE and prints the status word
Used by the PIN tests around a SIGKILL of the card process.
"""
import sys

import leave_card


def main(argv):
    mode, aid, fid = argv[1], bytes.fromhex(argv[2]), bytes.fromhex(argv[3])
    conn = leave_card.connect()
    for apdu in ([0x00, 0xA4, 0x04, 0x0C, len(aid)] + list(aid),
                 [0x00, 0xA4, 0x02, 0x0C, 0x02] + list(fid)):
        _, sw1, sw2 = conn.transmit(apdu)
        if (sw1, sw2) != (0x90, 0x00):
            raise SystemExit("SELECT failed: %02X%02X" % (sw1, sw2))
    if mode == "query":
        _, sw1, sw2 = conn.transmit([0x00, 0x20, 0x00, 0x80])
        if sw1 != 0x63:
            raise SystemExit("query answered %02X%02X" % (sw1, sw2))
        print(sw2 & 0x0F)
    else:
        value = [ord(c) for c in argv[4]]
        _, sw1, sw2 = conn.transmit([0x00, 0x20, 0x00, 0x80, len(value)] + value)
        print("%02X%02X" % (sw1, sw2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
