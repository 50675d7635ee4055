#!/usr/bin/python3
"""Send APDUs to reader 0 with pyscard and check the status words.

Usage: pyscard_transmit.py EXPECTED_ATR_HEX APDU_HEX=SW_HEX [...]
Run with /usr/bin/python3 (pitfall P1: Debian's python3-pyscard).
Exits 1 with a message naming the APDU whose answer differs.
"""
import sys

import leave_card
from smartcard.System import readers
from smartcard.util import toBytes, toHexString


def main(argv):
    expected_atr = toBytes(argv[1])
    reader_list = readers()
    if not reader_list:
        print("no PC/SC reader", file=sys.stderr)
        return 1
    connection = leave_card.connect()
    atr = connection.getATR()
    if atr != expected_atr:
        print("ATR %s, expected %s" % (toHexString(atr), toHexString(expected_atr)),
              file=sys.stderr)
        return 1
    for pair in argv[2:]:
        apdu_hex, sw_hex = pair.split("=")
        data, sw1, sw2 = connection.transmit(toBytes(apdu_hex))
        got = "%02X%02X" % (sw1, sw2)
        if got != sw_hex.replace(" ", "").upper():
            print("%s -> %s %s, expected %s" % (apdu_hex, toHexString(data), got, sw_hex),
                  file=sys.stderr)
            return 1
        print("%s -> %s" % (apdu_hex, got))
    connection.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
