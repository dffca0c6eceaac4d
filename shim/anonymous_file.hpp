// The anonymous file a served open's content is written into and handed
// over as the program's fd: a sealed memfd, or where that is refused
// (seccomp, old kernels) an unnamed O_TMPFILE reopened read-only
// (docs/design.md rule 8). Raw system calls only: it runs inside open().
#pragma once

#include <cstddef>
#include <cstdint>

namespace cgview::shim {

// The file the content goes into: a memfd, or where that is refused (seccomp,
// old kernels) an unnamed O_TMPFILE (docs/design.md rule 8).
struct LazyFile {
  int flags = 0;  // the program's open flags
  int fd = -1;
  bool memfd = false;
  bool refused = false;
  bool above_an_input = false;  // made while a renderer may have had an input open
  bool made_cloexec = false;    // the memfd has close-on-exec whatever the program asked
  bool reopened = false;  // the program gets a reopen of it, never this fd (a rewind, a wide stream)
  // forks_seen() when it was made (lib/own_fds.hpp); `copied`: found
  // changed, this is a fork child going on with its parent's file.
  uint32_t forks = 0;
  bool copied = false;
  uint64_t size_limit = 0;  // RLIMIT_FSIZE when the file was made
  uint64_t written = 0;
};

// Makes `file.fd` (-1 when neither kind can be made). Until hand_over or
// discard_anonymous_file it is the library's own (lib/own_fds.hpp).
void make_anonymous_file(LazyFile& file);
// Closes `file.fd`, if it was made, without handing it over.
void discard_anonymous_file(LazyFile& file);

// A Sink's flush (lib/sink.hpp) into the LazyFile `context` points to: makes
// the file at the first flush. False when it cannot be made or written, or
// the content would cross RLIMIT_FSIZE (`refused` set), or the file is a
// parent's (`copied` set: nothing is written into it).
bool flush_to_lazy_file(void* context, const char* data, size_t len);

// The written file as the program's fd, at the lowest free fd, unwritable,
// with the program's O_CLOEXEC and O_NONBLOCK; -1 (the file closed) where it
// cannot be made unwritable. A file made to be `reopened` is returned as the
// library's own, sealed but with its mark and the memory file's mode, for
// the caller to reopen and close with close_reopened (an O_TMPFILE, or a
// memfd whose sealing was refused: as always, a read-only copy). The caller
// gives it the mode of /proc and /sys files with show_read_only once its
// reopen is made.
int hand_over(const LazyFile& file);
void show_read_only(int fd);
void close_reopened(int fd);

}  // namespace cgview::shim
