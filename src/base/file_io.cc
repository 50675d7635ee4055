#include "openmyna/base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "openmyna/base/errors.h"

namespace openmyna {
namespace fs = std::filesystem;
namespace {

Unexpected<Error> IoError(const std::string& what, const fs::path& path) {
  return Fail(BaseErrc::kIo,
              what + " " + path.string() + ": " + std::strerror(errno));
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

Status WriteFileAtomically(const fs::path& path, ByteView contents,
                           fs::perms mode) {
  const fs::path dir =
      path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string tmpl =
      (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  // mkstemp creates the file with mode 0600 before any byte is written.
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return IoError("cannot create a temporary file beside", path);
  FdCloser closer(fd);
  const fs::path tmp_path(tmpl);
  auto fail = [&](const std::string& what) {
    auto error = IoError(what, tmp_path);
    ::unlink(tmpl.c_str());
    return error;
  };
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("chmod");
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(closer.Release()) != 0) return fail("close");
  if (::rename(tmpl.c_str(), path.c_str()) != 0)
    return fail("rename to " + path.string() + " from");
  // Make the rename itself durable.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Ok();
}

Status WriteFileAtomically(const fs::path& path, std::string_view contents,
                           fs::perms mode) {
  return WriteFileAtomically(
      path,
      ByteView(reinterpret_cast<const std::uint8_t*>(contents.data()),
               contents.size()),
      mode);
}

Result<Bytes> ReadFileBytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return Fail(BaseErrc::kNotFound, "no such file: " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path);
  Bytes data((std::istreambuf_iterator<char>(in)),
             std::istreambuf_iterator<char>());
  if (in.bad()) return IoError("cannot read", path);
  return data;
}

Result<std::string> ReadFileText(const fs::path& path) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes data, ReadFileBytes(path));
  return std::string(data.begin(), data.end());
}

Status EnsurePrivateDirectory(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Ok();
  fs::create_directories(path, ec);
  if (ec) {
    return Fail(BaseErrc::kIo,
                "cannot create folder " + path.string() + ": " + ec.message());
  }
  fs::permissions(path, fs::perms::owner_all, ec);
  return Ok();
}

}  // namespace openmyna
