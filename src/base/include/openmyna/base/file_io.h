// Files that must survive a crash intact: write to a temporary file in the
// same folder, fsync it, rename it over the target, fsync the folder.
#pragma once

#include <filesystem>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna {

// Permission bits for files that hold keys or personal data.
inline constexpr std::filesystem::perms kPrivateFileMode =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// Atomically replaces `path` with `contents`, created with `mode` (0600 by
// default) before any byte is written. Either the old or the new contents
// are visible after a crash, never a mixture.
Status WriteFileAtomically(const std::filesystem::path& path, ByteView contents,
                           std::filesystem::perms mode = kPrivateFileMode);
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view contents,
                           std::filesystem::perms mode = kPrivateFileMode);

// Whole-file reads; kNotFound when absent, kIo otherwise.
Result<Bytes> ReadFileBytes(const std::filesystem::path& path);
Result<std::string> ReadFileText(const std::filesystem::path& path);

// Creates the folder (and parents) with mode 0700 when missing.
Status EnsurePrivateDirectory(const std::filesystem::path& path);

}  // namespace openmyna
