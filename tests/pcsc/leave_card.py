"""A pyscard connection to reader N of the private pcscd that leaves the
card as it is when it ends (SCARD_LEAVE_CARD), as OpenSC does. pyscard's
default disposition, SCARD_UNPOWER_CARD, makes pcscd write "card present"
itself behind its polling thread when it powers the card down, which right
after a removal can leave the reader showing a card that has gone
(docs/transport.md "Tag loss and pcscd"). The disposition given to connect()
is the one pyscard's disconnect() and its destructor use.
"""
from smartcard.System import readers
from smartcard.scard import SCARD_LEAVE_CARD


def connect(index=0):
    conn = readers()[index].createConnection()
    conn.connect(disposition=SCARD_LEAVE_CARD)
    return conn
