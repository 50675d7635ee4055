// Where the face tests find their independent checkers.
#pragma once

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>

#include "openmyna/card/faces/images.h"

namespace openmyna::card::faces::test_support {

// testdata/png_info.py beside this file (the folder is given by CMake, as an
// absolute path), run with Debian's python3.
inline std::string PngInfoCommand(const std::string& png_path) {
  const auto script =
      std::filesystem::path(OPENMYNA_FACE_TESTDATA_DIR) / "png_info.py";
  return "/usr/bin/python3 " + script.string() + " " + png_path;
}

// Reads a binary PGM (P5, maxval 255) as opj_decompress writes it, comment
// lines included. An empty image when the file is not one.
inline GrayImage ReadPgm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  auto token = [&in]() {
    std::string t;
    while (in) {
      int c = in.peek();
      if (c == '#') {
        std::string comment;
        std::getline(in, comment);
      } else if (std::isspace(c)) {
        in.get();
      } else {
        break;
      }
    }
    in >> t;
    return t;
  };
  if (token() != "P5") return {};
  const int w = std::stoi(token()), h = std::stoi(token());
  if (token() != "255") return {};
  in.get();  // the single whitespace before the samples
  GrayImage img{w, h, std::vector<std::uint8_t>(std::size_t(w) * h)};
  in.read(reinterpret_cast<char*>(img.pixels.data()),
          static_cast<std::streamsize>(img.pixels.size()));
  if (!in) return {};
  return img;
}

}  // namespace openmyna::card::faces::test_support
