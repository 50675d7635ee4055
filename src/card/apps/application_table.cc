// The application table (application_table.h): one row per application.
// To add one: a folder apps/<name>/ with its layout function, and a row here.
#include "openmyna/card/application_table.h"

#include "common/common_app.h"
#include "face/face_app.h"
#include "jpki/jpki_app.h"
#include "juki/juki_app.h"
#include "text/text_app.h"

namespace openmyna::card {

std::span<const ApplicationSpec> ApplicationTable() {
  static constexpr ApplicationSpec kTable[] = {
      {"jpki", &apps::JpkiLayout},     {"text", &apps::TextLayout},
      {"face", &apps::FaceLayout},     {"juki", &apps::JukiLayout},
      {"common", &apps::CommonLayout},
  };
  return kTable;
}

}  // namespace openmyna::card
