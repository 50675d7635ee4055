// libqrencode's encoder with a chosen mask pattern. The library exports it
// and Debian's symbols file keeps it since 3.2.0 (QRcode_encodeMask@Base),
// but its declaration is in qrencode_inner.h, which is not installed; this
// is the one place that declares it (CMakeLists.txt checks at configure
// time that the library has it). Private to the qr library.
#pragma once

#include <qrencode.h>

extern "C" QRcode* QRcode_encodeMask(QRinput* input, int mask);
