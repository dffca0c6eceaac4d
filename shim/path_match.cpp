#include "path_match.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>

namespace cgview::shim {

namespace {

// Cheap filter first: most opens are of other files, and resolving a
// relative path costs a syscall.
bool could_be_served(std::string_view path) {
  // Every served name ends in 'o' (meminfo, cpuinfo), 't' (stat) or 'e' (online).
  char last = path.empty() ? '\0' : path.back();
  if (last != 'o' && last != 't' && last != 'e') return false;
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name == "meminfo" || name == "cpuinfo" || name == "stat" || name == "online";
}

// The directory a relative path starts from, as an absolute path.
bool base_directory(int dirfd, PathText& out) {
  char buf[kPathMax];
  long n;
  if (dirfd == AT_FDCWD) {
    n = syscall(SYS_getcwd, buf, sizeof buf);  // returns the length including the NUL
    if (n <= 1) return false;
    --n;
  } else {
    FixedText<32> link;
    link.add("/proc/self/fd/").add_u64(uint64_t(dirfd));
    n = syscall(SYS_readlinkat, AT_FDCWD, link.c_str(), buf, sizeof buf);
    if (n <= 0 || size_t(n) >= sizeof buf) return false;
  }
  if (buf[0] != '/') return false;  // "(unreachable)" or a non-directory
  out.clear();
  out.add(std::string_view(buf, size_t(n)));
  return !out.overflowed();
}

}  // namespace

bool open_takes_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

bool read_only_open(int flags) {
  return (flags & O_ACCMODE) == O_RDONLY && (flags & (O_CREAT | O_TRUNC | O_PATH | O_DIRECTORY)) == 0;
}

VirtualFile served_file(int dirfd, const char* path) {
  if (path == nullptr) return VirtualFile::None;
  std::string_view p = path;
  if (!could_be_served(p)) return VirtualFile::None;
  int saved = errno;
  PathText full, normalized;
  bool ok = true;
  if (p.empty() || p.front() != '/') {
    ok = base_directory(dirfd, full);
    full.add('/');
  }
  full.add(p);
  ok = ok && !full.overflowed() && normalize_path(full.view(), normalized);
  errno = saved;
  return ok ? virtual_file_for(normalized.view()) : VirtualFile::None;
}

}  // namespace cgview::shim
