// fstat and its kin on a served fd describe the real file (its device,
// inode, mode, owner, times), as they do without the shim. A served fd is a
// memfd, and programs compare fstat of the file they opened with stat of its
// path to make sure nobody swapped it in between: GNU cp and install refuse
// a served file otherwise ("replaced while being copied"). The size stays
// the served text's: it is what read, lseek and SEEK_HOLE on the fd agree
// with, and what cp sizes its copy by (the real /sys file's 4096 would
// leave a copy padded with zeros).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "export.hpp"
#include "host_files.hpp"
#include "real_functions.hpp"
#include "virtual_fds.hpp"

using namespace cgview;
using namespace cgview::shim;

namespace {

// What a stat record says about the fd's content rather than the file. The
// block size is the real file's (1024 for /proc, 4096 for /sys), as the
// program's own fstat of it finds. (glibc's stdio asks the kernel itself,
// not through these names: it buffers a served stream by the memory file's
// 4096.)
struct ContentSize {
  uint64_t size, blocks;
};

template <class Record>
ContentSize content_size(const Record& r) {
  return {uint64_t(r.st_size), uint64_t(r.st_blocks)};
}
ContentSize content_size(const struct statx& r) { return {r.stx_size, r.stx_blocks}; }

template <class Record>
void put_content_size(Record& r, const ContentSize& c) {
  r.st_size = decltype(r.st_size)(c.size);
  r.st_blocks = decltype(r.st_blocks)(c.blocks);
}
void put_content_size(struct statx& r, const ContentSize& c) {
  r.stx_size = c.size;
  r.stx_blocks = c.blocks;
}

// `result` is the real call's answer for `fd`, in `record`. Where `fd` is
// served and that call succeeded, `again(real)` repeats it, into the same
// record, on an fd of the real file, and the content's size is put
// back. Where that fails, the first answer stands (the kernel and libc
// write the record only on success), and so does errno.
template <class Record, class Again>
int as_real_file(int fd, int result, Record* record, Again again) {
  if (result != 0) return result;
  int real = open_real_file(fd);
  if (real < 0) return result;
  ErrnoKeeper keep_errno;
  ContentSize served = content_size(*record);
  if (again(real) == 0) put_content_size(*record, served);
  close_host_file(real);
  return result;
}

// Without the real function (while this thread resolves them, which calls
// none of these; where libc has none, fstat before glibc 2.33, which only a
// dlsym finds): the kernel's own call where its record is libc's
// (host_files.cpp, file_id, says where it is not). A 32-bit struct stat has
// no such call (libc converts): ENOSYS there.
int raw_fstat(int fd, void* buf, bool large) {
#if defined(SYS_fstat64)
  if (large) return int(syscall(SYS_fstat64, fd, buf));
  errno = ENOSYS;
  return -1;
#else
  (void)large;
  return int(syscall(SYS_newfstatat, fd, "", buf, AT_EMPTY_PATH));
#endif
}

}  // namespace

CGVIEW_EXPORT int fstat(int fd, struct stat* buf) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->fstat == nullptr) return raw_fstat(fd, buf, false);
  return as_real_file(fd, r->fstat(fd, buf), buf, [&](int real) { return r->fstat(real, buf); });
}

CGVIEW_EXPORT int fstat64(int fd, struct stat64* buf) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->fstat64 == nullptr) return raw_fstat(fd, buf, true);
  return as_real_file(fd, r->fstat64(fd, buf), buf, [&](int real) { return r->fstat64(real, buf); });
}

// What programs built against glibc before 2.33 call for fstat.
CGVIEW_EXPORT int __fxstat(int version, int fd, struct stat* buf) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->fxstat == nullptr) return raw_fstat(fd, buf, false);
  return as_real_file(fd, r->fxstat(version, fd, buf), buf, [&](int real) { return r->fxstat(version, real, buf); });
}

CGVIEW_EXPORT int __fxstat64(int version, int fd, struct stat64* buf) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->fxstat64 == nullptr) return raw_fstat(fd, buf, true);
  return as_real_file(fd, r->fxstat64(version, fd, buf), buf, [&](int real) { return r->fxstat64(version, real, buf); });
}

// statx of an fd itself (AT_EMPTY_PATH with an empty path, or since Linux
// 6.11 a null one): Rust's File::metadata asks this way.
CGVIEW_EXPORT int statx(int dirfd, const char* path, int flags, unsigned mask, struct statx* buf) {
  const RealFunctions* r = real_wait();
  if (r == nullptr || r->statx == nullptr) {
    return int(syscall(SYS_statx, dirfd, path, flags, mask, buf));
  }
  int result = r->statx(dirfd, path, flags, mask, buf);
  // glibc declares `path` non-null, but the kernel takes null with
  // AT_EMPTY_PATH: its value goes through an integer the compiler cannot
  // see into, so the test is neither dropped nor warned about. The kernel
  // has read `path` when the call succeeded; only then is it ours to read.
  uintptr_t path_address = reinterpret_cast<uintptr_t>(path);
  asm("" : "+r"(path_address));
  if (result != 0 || !(flags & AT_EMPTY_PATH) ||
      (path_address != 0 && *reinterpret_cast<const char*>(path_address) != '\0'))
    return result;
  return as_real_file(dirfd, result, buf, [&](int real) { return r->statx(real, "", flags, mask, buf); });
}
