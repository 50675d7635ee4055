#include "openmyna/base/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "openmyna/base/errors.h"

namespace openmyna {
namespace {
namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("openmyna-file-io-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_TRUE(EnsurePrivateDirectory(dir_));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileIoTest, WritesWithMode0600AndReplacesAtomically) {
  const fs::path file = dir_ / "card.img";
  ASSERT_TRUE(WriteFileAtomically(file, std::string_view("first")));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(WriteFileAtomically(file, std::string_view("second")));
  EXPECT_EQ(*ReadFileText(file), "second");
  // No temporary file is left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FileIoTest, PrivateDirectoryIs0700) {
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(FileIoTest, MissingFileIsNotFound) {
  auto r = ReadFileBytes(dir_ / "absent");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(BaseErrc::kNotFound));
}

TEST_F(FileIoTest, UnwritableFolderFailsWithIo) {
  auto r = WriteFileAtomically(dir_ / "no" / "such" / "dir" / "f",
                               std::string_view("x"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(BaseErrc::kIo));
}

}  // namespace
}  // namespace openmyna
