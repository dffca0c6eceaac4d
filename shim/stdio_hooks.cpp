// stdio entry points: glibc's fopen does not go through open, nor rewind,
// fseek and fsetpos through lseek (docs/design.md rule 6), so each has its own hook.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "anonymous_file.hpp"
#include "export.hpp"
#include "fd_name.hpp"
#include "own_fds.hpp"
#include "path_match.hpp"
#include "real_functions.hpp"
#include "virtual_fds.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

// fopen modes that only read: "r" with no '+' ("r", "rb", "re", "rce", ...).
bool read_only_mode(const char* mode) {
  return mode != nullptr && mode[0] == 'r' && std::strchr(mode, '+') == nullptr;
}

int open_flags_for(const char* mode) { return O_RDONLY | (std::strchr(mode, 'e') != nullptr ? O_CLOEXEC : 0); }

VirtualFile served_stream(const char* path, const char* mode, uint32_t& task) {
  return read_only_mode(mode) ? served_file(AT_FDCWD, path, &task) : VirtualFile::None;
}

// A served stream's mode without 'm' (in the flags before any ",ccs="). glibc
// maps a file opened "rm" where it can, and a rewind then reads the old
// mapping, not the fd the shim refreshes; it cannot map a /proc or /sys file,
// so the real stream is read, and so is ours. A mode too long to copy stays.
class ModeWithoutMapping {
 public:
  explicit ModeWithoutMapping(const char* mode) : mode_(mode) {
    size_t out = 0;
    bool flags = true;
    for (const char* c = mode; *c != '\0'; ++c) {
      if (out + 1 == sizeof copy_) return;
      flags = flags && *c != ',';
      if (!(flags && *c == 'm')) copy_[out++] = *c;
    }
    copy_[out] = '\0';
    mode_ = copy_;
  }
  const char* c_str() const { return mode_; }

 private:
  const char* mode_;
  char copy_[32];
};

using FopenFn = FILE* (*)(const char*, const char*);

// A mode with ",ccs=CHARSET" makes a wide stream of that charset, which
// fdopen ignores: such a stream is opened by the real fopen, on the served
// content's name under /proc (fd_name.hpp). The content is first moved above
// its fd (close-on-exec, as it is made), so the reopen takes the lowest free
// fd, as fopen of the path would, with the mode's own close-on-exec, and no
// fd the program never holds is inheritable meanwhile. That takes a second
// fd; without one, nullptr, and the caller opens the real file.
// The wide stream's reopen of the library's own marked `fd` (rare: built for size).
[[gnu::cold]] FILE* reopen_wide(FopenFn real, int fd, const char* mode) {
  own_fd_opening();  // `above`: the same marked file, counted until it is closed
  long above = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, fd + 1);
  if (above < 0) own_fd_gone();
  show_read_only(fd);
  close_reopened(fd);
  if (above < 0) return nullptr;
  FILE* stream = nullptr;
  if (real != nullptr) {
    stream = real(fd_name(int(above)).c_str(), mode);
    FdName older;
    if (stream == nullptr && errno == ENOENT && older_kernels_fd_name(int(above), older))
      stream = real(older.c_str(), mode);
  }
  close_reopened(int(above));
  return stream;
}

FILE* serve_fopen(FopenFn real, const char* path, const char* mode) {
  uint32_t task = 0;
  VirtualFile file = served_stream(path, mode, task);
  if (file == VirtualFile::None) return nullptr;
  bool wide = std::strchr(mode, ',') != nullptr;
  // A wide stream's content is the library's own fd, for reopen_wide.
  int fd = open_virtual(file, wide ? O_RDONLY | O_CLOEXEC : open_flags_for(mode), task, wide);
  if (fd < 0) return nullptr;
  ErrnoKeeper keep_errno;
  const ModeWithoutMapping read_mode(mode);
  if (!wide) {
    FILE* stream = fdopen(fd, read_mode.c_str());
    if (stream == nullptr) syscall(SYS_close, fd);
    return stream;
  }
  FILE* stream = reopen_wide(real, fd, read_mode.c_str());
  if (stream != nullptr) remember_virtual(fileno(stream), file, task);
  return stream;
}

// Whether one more fd can be opened (RLIMIT_NOFILE), checked by taking one.
bool fd_to_spare(int fd) {
  long spare = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
  if (spare < 0) return false;
  syscall(SYS_close, spare);
  return true;
}

using FreopenFn = FILE* (*)(const char*, const char*, FILE*);

// freopen keeps the FILE*: reopen it on fresh content's name under /proc.
// glibc's freopen keeps the stream's old fd open while it opens the new
// file, so that takes one fd more than the real freopen of the path does:
// where the served content's fd took the last one, the real file is opened
// instead (the stream is not lost to EMFILE).
[[gnu::cold]] FILE* serve_freopen(FreopenFn real, const char* path, const char* mode, FILE* stream, bool& served) {
  served = false;
  uint32_t task = 0;
  VirtualFile file = served_stream(path, mode, task);
  if (file == VirtualFile::None || real == nullptr) return nullptr;
  // The library's own fd, for freopen to reopen (anonymous_file.hpp).
  int fd = open_virtual(file, O_RDONLY | O_CLOEXEC, task, true);
  if (fd < 0) return nullptr;
  if (!fd_to_spare(fd)) {
    ErrnoKeeper keep_errno;
    close_reopened(fd);
    return nullptr;
  }
  FILE* result = real(existing_fd_name(fd).c_str(), ModeWithoutMapping(mode).c_str(), stream);
  int saved = errno;
  show_read_only(fd);
  close_reopened(fd);
  if (result != nullptr) remember_virtual(fileno(result), file, task);
  errno = saved;
  served = true;  // freopen closed the old stream either way: report its result
  return result;
}

// Fresh content behind a served stream being rewound. glibc answers a seek
// that lands inside its buffer from the buffer, without reading the fd again:
// fflush first drops what is buffered and forgets the offset (it must come
// before the content is replaced, as it seeks the old content back), so the
// seek that follows reads the new content.
void drop_stream_buffer(void* stream) { fflush(static_cast<FILE*>(stream)); }

void refresh_stream(FILE* stream) {
  if (stream == nullptr) return;
  ErrnoKeeper keep_errno;  // fileno of a stream with no fd (fmemopen) sets EBADF
  refresh_if_virtual(fileno(stream), drop_stream_buffer, stream);
}

// fseek, fseeko, fseeko64: a seek to 0 of a served stream renders it afresh.
template <typename Offset>
int seek_stream(int (*RealFunctions::*real)(FILE*, Offset, int), FILE* stream, Offset offset, int whence) {
  if (offset == 0 && whence == SEEK_SET) refresh_stream(stream);
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->*real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return (r->*real)(stream, offset, whence);
}

// fsetpos, fsetpos64: a position saved at the start (fgetpos before the first
// read) is the other way to rewind a stream.
template <typename Position>
int set_stream_position(int (*RealFunctions::*real)(FILE*, const Position*), FILE* stream, const Position* pos) {
  if (pos != nullptr && pos->__pos == 0) refresh_stream(stream);
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->*real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return (r->*real)(stream, pos);
}

}  // namespace

CGVIEW_EXPORT FILE* fopen(const char* path, const char* mode) {
  const RealFunctions* r = real_wait();
  if (FILE* f = serve_fopen(r ? r->fopen : nullptr, path, mode)) return f;
  if (r == nullptr || r->fopen == nullptr) return glibc_fopen(path, mode);  // glibc's own name for fopen, before ours is resolved
  return r->fopen(path, mode);
}

CGVIEW_EXPORT FILE* fopen64(const char* path, const char* mode) {
  const RealFunctions* r = real_wait();
  if (FILE* f = serve_fopen(r ? r->fopen64 : nullptr, path, mode)) return f;
  if (r == nullptr || r->fopen64 == nullptr) return glibc_fopen(path, mode);  // glibc's own name for fopen, before ours is resolved
  return r->fopen64(path, mode);
}

CGVIEW_EXPORT FILE* freopen(const char* path, const char* mode, FILE* stream) {
  const RealFunctions* r = real_wait();
  bool served = false;
  FILE* f = serve_freopen(r ? r->freopen : nullptr, path, mode, stream, served);
  if (served) return f;
  if (r == nullptr || r->freopen == nullptr) {
    errno = ENOSYS;
    return nullptr;
  }
  return r->freopen(path, mode, stream);
}

CGVIEW_EXPORT FILE* freopen64(const char* path, const char* mode, FILE* stream) {
  const RealFunctions* r = real_wait();
  bool served = false;
  FILE* f = serve_freopen(r ? r->freopen64 : nullptr, path, mode, stream, served);
  if (served) return f;
  if (r == nullptr || r->freopen64 == nullptr) {
    errno = ENOSYS;
    return nullptr;
  }
  return r->freopen64(path, mode, stream);
}

CGVIEW_EXPORT void rewind(FILE* stream) {
  refresh_stream(stream);
  if (const RealFunctions* r = real_wait(); r != nullptr && r->rewind != nullptr) r->rewind(stream);
}

CGVIEW_EXPORT int fseek(FILE* stream, long offset, int whence) {
  return seek_stream(&RealFunctions::fseek, stream, offset, whence);
}

CGVIEW_EXPORT int fseeko(FILE* stream, off_t offset, int whence) {
  return seek_stream(&RealFunctions::fseeko, stream, offset, whence);
}

CGVIEW_EXPORT int fseeko64(FILE* stream, off64_t offset, int whence) {
  return seek_stream(&RealFunctions::fseeko64, stream, offset, whence);
}

CGVIEW_EXPORT int fsetpos(FILE* stream, const fpos_t* pos) {
  return set_stream_position(&RealFunctions::fsetpos, stream, pos);
}

CGVIEW_EXPORT int fsetpos64(FILE* stream, const fpos64_t* pos) {
  return set_stream_position(&RealFunctions::fsetpos64, stream, pos);
}

CGVIEW_EXPORT off_t lseek(int fd, off_t offset, int whence) {
  if (offset == 0 && whence == SEEK_SET) refresh_if_virtual(fd);
  const RealFunctions* r = real_now();
  return r != nullptr && r->lseek != nullptr ? r->lseek(fd, offset, whence)
                                             : off_t(syscall(SYS_lseek, fd, offset, whence));
}

CGVIEW_EXPORT off64_t lseek64(int fd, off64_t offset, int whence) {
  if (offset == 0 && whence == SEEK_SET) refresh_if_virtual(fd);
  const RealFunctions* r = real_now();
  if (r != nullptr && r->lseek64 != nullptr) return r->lseek64(fd, offset, whence);
#if defined(SYS__llseek)
  // 32-bit targets: lseek's system call has a 32-bit offset; _llseek takes the
  // two halves, high first, and stores the result.
  off64_t result = 0;
  long ok = syscall(SYS__llseek, fd, uint32_t(uint64_t(offset) >> 32), uint32_t(offset), &result, whence);
  return ok == 0 ? result : -1;
#else
  return off64_t(syscall(SYS_lseek, fd, offset, whence));
#endif
}
