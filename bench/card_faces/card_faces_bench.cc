// openmyna_card_faces_bench [COUNT]
//
// Builds the text AP and face AP files of COUNT cards (TLVs, SHA-256, the
// 1-bit PNGs rendered with pango, the JPEG 2000 photo, 8 RSA-2048
// signatures per card) and, in the same process on the same key, COUNT × 8
// raw RSA-2048 SHA-256 signatures: the baseline. Prints both and their
// ratio, i.e. what rendering and encoding add to the unavoidable signing
// cost. Also times one printed card side (RenderCardSidePng). Never fails on
// a time.
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "openmyna/card/faces/card_render.h"
#include "openmyna/card/faces/face_ap_data.h"
#include "openmyna/card/faces/text_ap_data.h"

namespace {

using namespace openmyna;
using namespace openmyna::card::faces;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Per card: text DF33, DF52, CV certificate; face DF13, DF28, DF35, DF43,
// CV certificate.
constexpr int kSignaturesPerCard = 8;

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 20;
  if (count <= 0) {
    std::fprintf(stderr, "usage: %s [COUNT > 0]\n", argv[0]);
    return 2;
  }
  EVP_PKEY* issuer_key = EVP_RSA_gen(2048);
  EVP_PKEY* card_key = EVP_RSA_gen(2048);
  const DataIssuer issuer{issuer_key, MakeKeyId("9000033", "001").value()};
  BasicInfo info{.name = "番号 花子",
                 .address = "長野県千曲市杭瀬下８４",
                 .birth = 1990y / 5 / 10,
                 .sex = Sex::kFemale};

  // Baseline: raw signatures over record-sized messages.
  const Bytes message(600, 0x5A);
  auto start = Steady::now();
  for (int i = 0; i < count * kSignaturesPerCard; ++i) {
    if (!SignSha256(issuer_key, message)) return 1;
  }
  const double baseline = Ms(Steady::now() - start);

  start = Steady::now();
  for (int i = 0; i < count; ++i) {
    TextApInput text{.number = "123456789018",
                     .info = info,
                     .signing_key = card_key,
                     .session_key = card_key,
                     .issuer = issuer};
    FaceApInput face{.number = "123456789018",
                     .info = info,
                     .card_expiry = 2035y / 5 / 10,
                     .security_code = "2285",
                     .municipality_code = "20218",
                     .card_key = card_key,
                     .issuer = issuer};
    if (!BuildTextApFiles(text) || !BuildFaceApFiles(face)) return 1;
  }
  const double built = Ms(Steady::now() - start);

  CardFaceView view{.number = "123456789018",
                    .info = info,
                    .card_expiry = 2035y / 5 / 10,
                    .security_code = "2285"};
  start = Steady::now();
  for (int i = 0; i < count; ++i) {
    if (!RenderCardSidePng(view, CardSide::kBack)) return 1;
  }
  const double rendered = Ms(Steady::now() - start);

  std::printf("cards: %d\n", count);
  std::printf("card-face data per card:            %8.2f ms\n", built / count);
  std::printf("baseline, %d raw RSA-2048 signs:     %8.2f ms\n",
              kSignaturesPerCard, baseline / count);
  std::printf("ratio data/baseline:                %8.2fx\n", built / baseline);
  std::printf("printed card side (PNG, QR):        %8.2f ms\n",
              rendered / count);
  EVP_PKEY_free(issuer_key);
  EVP_PKEY_free(card_key);
  return 0;
}
