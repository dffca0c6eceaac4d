// Which served file, if any, a path names: however it is spelled (absolute,
// cwd-relative, relative to an openat directory fd, with //, /./ or ..).
#pragma once

#include "virtual_files.hpp"

namespace cgview::shim {

// `dirfd` is AT_FDCWD or a directory fd, as for openat. For a status file,
// `task` (when given) gets the task it shows (status_file_task).
VirtualFile served_file(int dirfd, const char* path, uint32_t* task = nullptr);

// True for opens that only read (no write access, O_CREAT, O_TRUNC, O_PATH,
// O_DIRECTORY, O_TMPFILE or O_DIRECT): only those can be served.
bool read_only_open(int flags);

// True when open's mode argument exists: O_CREAT, or all of O_TMPFILE's bits.
bool open_takes_mode(int flags);

}  // namespace cgview::shim
