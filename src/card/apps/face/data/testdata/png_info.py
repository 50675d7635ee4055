#!/usr/bin/env python3
"""Independent PNG reader for the card-face tests (Python's zlib only).

Usage: png_info.py FILE
Prints "WIDTH HEIGHT BITDEPTH COLORTYPE" on the first line after checking
the signature, every chunk CRC and the IHDR/IDAT/IEND order; for 1-bit
greyscale images it then prints one line per row, '#' for black (sample 0)
and '.' for white. Exits 1 with a message on any defect.
"""
import struct
import sys
import zlib


def fail(msg):
    print("BAD: " + msg)
    sys.exit(1)


data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("signature")
pos, chunks = 8, []
while pos < len(data):
    if pos + 8 > len(data):
        fail("truncated chunk header")
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    ctype = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
    if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
        fail("CRC of " + ctype.decode("latin-1"))
    chunks.append((ctype, body))
    pos += 12 + length
if chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
    fail("chunk order")
w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", chunks[0][1])
print(w, h, depth, ctype)
if depth == 1 and ctype == 0:
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == b"IDAT"))
    stride = (w + 7) // 8
    if len(raw) != h * (stride + 1):
        fail("IDAT size")
    for y in range(h):
        row = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        if row[0] != 0:
            fail("unexpected filter type")
        bits = "".join(format(b, "08b") for b in row[1:])[:w]
        print("".join("#" if c == "0" else "." for c in bits))
