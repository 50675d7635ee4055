// What identifies one version of a file without reading it: device, inode,
// size, mtime and ctime (stat(2)). The provider keeps what it parsed from
// clients.json and the sandbox's CA files while the stamp stays the same:
// `rp add` and `ca rollover` replace those files by rename (a new inode),
// so a change is seen by the next request. Private to the sign_in library.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <tuple>

namespace openmyna::sign_in {

struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long mtime_s = 0, mtime_ns = 0, ctime_s = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// nullopt when the file cannot be stat()ed (absent).
inline std::optional<FileStamp> StampOf(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{st.st_dev,         st.st_ino,          st.st_size,
                   st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec,
                   st.st_ctim.tv_nsec};
}

}  // namespace openmyna::sign_in
