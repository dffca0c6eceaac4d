// File descriptors that serve rendered content, and re-rendering on rewind.
#pragma once

#include "virtual_files.hpp"

namespace cgview::shim {

// A new read-only fd holding freshly rendered `file`, honouring O_CLOEXEC and
// O_NONBLOCK in `flags`; -1 when the view cannot be served (the caller then
// makes the real call). Leaves errno unchanged.
// `task`: for a status file, the task it shows (status_file_task).
// `reopened`: the fd is the library's own, for the caller to reopen (a wide
// stream, freopen) and close with close_reopened (anonymous_file.hpp).
int open_virtual(VirtualFile file, int flags, uint32_t task = 0, bool reopened = false);

// For a served fd being rewound to offset 0: puts fresh content behind the
// same fd number, calling `before(context)` first (stdio drops its buffer
// there). Does nothing (false) for any other fd, including a number that was
// closed behind our back and reused. Leaves errno unchanged.
bool refresh_if_virtual(int fd, void (*before)(void*) = nullptr, void* context = nullptr);

// A read-only fd of the real file a served `fd` stands for (served_file_path),
// or -1 for any other fd and where that file cannot be opened; closed by
// close_host_file. Leaves errno unchanged.
int open_real_file(int fd);

// Remembers an fd that a stdio call (freopen) opened on served content.
void remember_virtual(int fd, VirtualFile file, uint32_t task = 0);

}  // namespace cgview::shim
