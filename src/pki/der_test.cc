// The DER writer's headers against OpenSSL's own (ASN1_put_object,
// ASN1_object_size) across the length forms of X.690 §8.1.3: short form up
// to 127, then long form in 1, 2, 3 and 4 octets (below INT_MAX, the
// most ASN1_object_size takes).
#include "openmyna/pki/der.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>

namespace openmyna::pki::der {
namespace {

TEST(Der, HeadersAreOpenSslsOwn) {
  for (const std::uint64_t length :
       {0ull, 1ull, 127ull, 128ull, 255ull, 256ull, 65535ull, 65536ull,
        16777215ull, 16777216ull, 2147483000ull}) {
    SCOPED_TRACE(length);
    Bytes ours;
    AppendHeader(ours, kSequence, length);
    unsigned char theirs[16];
    unsigned char* p = theirs;
    ASN1_put_object(&p, 1, static_cast<int>(length), V_ASN1_SEQUENCE,
                    V_ASN1_UNIVERSAL);
    EXPECT_EQ(ours, Bytes(theirs, p));
    EXPECT_EQ(TlvSize(length),
              static_cast<std::uint64_t>(ASN1_object_size(
                  1, static_cast<int>(length), V_ASN1_SEQUENCE)));
    EXPECT_EQ(LengthOfLength(length), ours.size() - 1);
  }
}

}  // namespace
}  // namespace openmyna::pki::der
