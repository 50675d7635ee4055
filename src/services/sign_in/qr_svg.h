// The QR code of the authorization page (issue 9 item 2: the request as a
// QR code for the phone's app) as inline SVG. Private to the sign_in
// library.
#pragma once

#include <string>

namespace openmyna::sign_in {

// `text` as a QR code (qr_code.h: error correction level M, one 8-bit
// segment, the mask of lowest penalty) in an <svg> of 4 px per module with a
// 4-module quiet zone, dark modules black on white: one <path> whose subpaths
// are the horizontal runs of dark modules, in module units (viewBox), so zbar
// reads it from a 1:1 screenshot. Empty when the text cannot be encoded.
std::string QrSvg(const std::string& text);

}  // namespace openmyna::sign_in
