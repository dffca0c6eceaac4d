// The open family (docs/design.md rule 6): each public entry point serves
// /proc/meminfo, /proc/cpuinfo, /proc/stat and /sys/devices/system/cpu/online
// from fresh content and passes every other open through untouched.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "export.hpp"
#include "own_fds.hpp"
#include "path_match.hpp"
#include "real_functions.hpp"
#include "virtual_fds.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

// O_NOATIME is refused (EPERM) to whoever does not own the file and lacks
// CAP_FOWNER, which only the real open can tell: it is made first, and only
// where it succeeds is the file served. Rare, so the extra open is too (and
// kept out of line: serve stays small enough to inline into every open).
// Marked as the library's own fd (lib/own_fds.hpp): flags that only writes
// heed, so the answer is the program's open's.
[[gnu::cold, gnu::noinline]] bool noatime_refused(int dirfd, const char* path, int flags) {
  ErrnoKeeper keep_errno;
  own_fd_opening();
  long probe = syscall(SYS_openat, dirfd, path, flags | O_CLOEXEC | kOwnReadMark);
  if (probe >= 0) syscall(SYS_close, probe);
  own_fd_gone();
  return probe < 0;
}

[[gnu::always_inline]] inline int serve(int dirfd, const char* path, int flags) {
  if (!read_only_open(flags)) return -1;
  uint32_t task = 0;
  VirtualFile file = served_file(dirfd, path, &task);
  if (file == VirtualFile::None || ((flags & O_NOATIME) != 0 && noatime_refused(dirfd, path, flags))) return -1;
  return open_virtual(file, flags, task);
}

int raw_openat(int dirfd, const char* path, int flags, mode_t mode) {
  return int(syscall(SYS_openat, dirfd, path, flags, mode));
}

// The mode argument exists only with O_CREAT or O_TMPFILE: reading it
// otherwise reads garbage (or past the stack on some ABIs).
#define CGVIEW_READ_MODE(flags, mode)  \
  mode_t mode = 0;                     \
  if (open_takes_mode(flags)) {        \
    va_list ap;                        \
    va_start(ap, flags);               \
    mode = mode_t(va_arg(ap, int));    \
    va_end(ap);                        \
  }

}  // namespace

CGVIEW_EXPORT int open(const char* path, int flags, ...) {
  CGVIEW_READ_MODE(flags, mode)
  if (int fd = serve(AT_FDCWD, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->open != nullptr ? r->open(path, flags, mode) : raw_openat(AT_FDCWD, path, flags, mode);
}

CGVIEW_EXPORT int open64(const char* path, int flags, ...) {
  CGVIEW_READ_MODE(flags, mode)
  if (int fd = serve(AT_FDCWD, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->open64 != nullptr ? r->open64(path, flags, mode)
                                              : raw_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

CGVIEW_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  CGVIEW_READ_MODE(flags, mode)
  if (int fd = serve(dirfd, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->openat != nullptr ? r->openat(dirfd, path, flags, mode)
                                              : raw_openat(dirfd, path, flags, mode);
}

CGVIEW_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  CGVIEW_READ_MODE(flags, mode)
  if (int fd = serve(dirfd, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->openat64 != nullptr ? r->openat64(dirfd, path, flags, mode)
                                                : raw_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

// _FORTIFY_SOURCE callers: no mode argument; the real ones abort on O_CREAT without it.
CGVIEW_EXPORT int __open_2(const char* path, int flags) {
  if (int fd = serve(AT_FDCWD, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->open_2 != nullptr ? r->open_2(path, flags) : raw_openat(AT_FDCWD, path, flags, 0);
}

CGVIEW_EXPORT int __open64_2(const char* path, int flags) {
  if (int fd = serve(AT_FDCWD, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->open64_2 != nullptr ? r->open64_2(path, flags)
                                                : raw_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

CGVIEW_EXPORT int __openat_2(int dirfd, const char* path, int flags) {
  if (int fd = serve(dirfd, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->openat_2 != nullptr ? r->openat_2(dirfd, path, flags) : raw_openat(dirfd, path, flags, 0);
}

CGVIEW_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  if (int fd = serve(dirfd, path, flags); fd >= 0) return fd;
  const RealFunctions* r = real_now();
  return r != nullptr && r->openat64_2 != nullptr ? r->openat64_2(dirfd, path, flags)
                                                  : raw_openat(dirfd, path, flags | O_LARGEFILE, 0);
}
