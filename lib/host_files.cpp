#include "host_files.hpp"

#include "input_file.hpp"
#include "own_fds.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cgview {

namespace {

// Opens DIR/path read-only, marked as the library's (own_fds.hpp) and
// counted until close_host_file: the fd, or minus the open's errno (errno
// untouched).
long open_marked(const char* full, int more_flags) {
  ErrnoKeeper keep_errno;
  own_fd_opening();
  long fd = syscall(SYS_openat, AT_FDCWD, full, O_RDONLY | O_CLOEXEC | O_NOCTTY | kOwnReadMark | more_flags);
  if (fd < 0) own_fd_gone();
  return fd < 0 ? -long(errno) : fd;
}

long open_raw(const Sysroot& root, std::string_view path, int more_flags = 0) {
  PathText full;
  full.add(root.prefix.view()).add(path);
  if (full.overflowed() || full.size() >= kPathMax) return -ENAMETOOLONG;
  return open_marked(full.c_str(), more_flags);
}

}  // namespace

int open_host_file(const Sysroot& root, std::string_view path) {
  long fd = open_raw(root, path);
  return fd < 0 ? -1 : int(fd);
}

int open_live_file(const char* path) {
  long fd = open_marked(path, 0);
  return fd < 0 ? -1 : int(fd);
}

int open_host_directory(const Sysroot& root, std::string_view dir) {
  long fd = open_raw(root, dir, O_DIRECTORY);
  return fd < 0 ? -1 : int(fd);
}

long read_dir_records(int fd, char* buf, size_t len) {
  ErrnoKeeper keep_errno;
  return syscall(SYS_getdents64, fd, buf, len);
}

int host_open_error(const Sysroot& root, std::string_view path) {
  long fd = open_raw(root, path);
  if (fd < 0) return int(-fd);
  close_host_file(int(fd));
  return 0;
}

bool file_id(int fd, FileId& out) {
  ErrnoKeeper keep_errno;
#if defined(SYS_fstat64)
  // 32-bit targets: their fstat system call has 32-bit inode numbers (EOVERFLOW
  // past them) and a layout other than libc's struct stat; fstat64's is libc's stat64,
  // unless libc's has 64-bit times (armhf's time64 ABI), which moves st_ino.
#if defined(__USE_TIME_BITS64) || (defined(_TIME_BITS) && _TIME_BITS == 64)
#error "file_id: the kernel's stat64 record is not libc's struct stat64 with 64-bit time_t"
#endif
  struct stat64 st;
  if (syscall(SYS_fstat64, fd, &st) != 0) return false;
#else
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0) return false;
#endif
  out = {uint64_t(st.st_dev), uint64_t(st.st_ino)};
  return true;
}

namespace {

// pread64 or pwrite64 with a 64-bit offset: one register on 64-bit targets; on
// i386 two words, low first. Other 32-bit ABIs align the pair differently (arm
// pads it to an even register): there libc's own wrappers pass it.
long positioned(long number, int fd, const void* buf, size_t len, uint64_t offset) {
#if defined(__LP64__)
  return syscall(number, fd, buf, len, offset);
#elif defined(__i386__)
  return syscall(number, fd, buf, len, uint32_t(offset), uint32_t(offset >> 32));
#else
  return number == SYS_pread64 ? pread64(fd, const_cast<void*>(buf), len, off64_t(offset))
                               : pwrite64(fd, buf, len, off64_t(offset));
#endif
}

}  // namespace

long pread_fd(int fd, char* buf, size_t len, uint64_t offset) { return positioned(SYS_pread64, fd, buf, len, offset); }

long pwrite_fd(int fd, const char* data, size_t len, uint64_t offset) {
  return positioned(SYS_pwrite64, fd, data, len, offset);
}

void close_fd(int fd) {
  ErrnoKeeper keep_errno;
  syscall(SYS_close, fd);
}

void close_host_file(int fd) {
  close_fd(fd);
  own_fd_gone();
}

ssize_t read_fd(int fd, char* buf, size_t len) {
  for (;;) {
    long n = syscall(SYS_read, fd, buf, len);
    if (n >= 0 || errno != EINTR) return ssize_t(n);
  }
}

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    long n = syscall(SYS_write, fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= size_t(n);
  }
  return true;
}

ssize_t read_host_file(const Sysroot& root, std::string_view path, std::span<char> buf) {
  return InputFile(root, path, InputFile::kOpenOnly).read_all(buf);
}

ssize_t LineReader::read_some(char* buf, size_t len) { return file_ ? file_->read(buf, len) : read_fd(fd_, buf, len); }

bool LineReader::fill() {
  if (begin_ > 0) {
    memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (!eof_ && end_ < buf_.size()) {
    ssize_t n = read_some(buf_.data() + end_, buf_.size() - end_);
    if (n < 0) {
      failed_ = true;
      eof_ = true;
    } else if (n == 0) {
      eof_ = true;
    } else {
      end_ += size_t(n);
      // One read is enough to make progress; keep reads few for big files.
      if (memchr(buf_.data() + end_ - size_t(n), '\n', size_t(n)) != nullptr) break;
    }
  }
  return end_ > begin_;
}

bool LineReader::next(Piece& piece) {
  if (failed_) return false;
  const char* start = buf_.data() + begin_;
  const void* nl = memchr(start, '\n', end_ - begin_);
  if (nl == nullptr) {
    if (!fill() || failed_) return false;
    start = buf_.data() + begin_;
    nl = memchr(start, '\n', end_ - begin_);
  }
  piece.starts_line = at_line_start_;
  if (nl != nullptr) {
    size_t len = size_t(static_cast<const char*>(nl) - start);
    piece.text = {start, len};
    piece.ends_line = true;
    piece.newline = true;
    begin_ += len + 1;
  } else {
    // No newline in a full buffer (an overlong line), or the last line.
    piece.text = {start, end_ - begin_};
    piece.ends_line = eof_;
    piece.newline = false;
    begin_ = end_;
  }
  at_line_start_ = piece.ends_line;
  return true;
}

bool LineReader::next_whole_line(std::string_view& line) {
  Piece piece;
  while (next(piece)) {
    if (piece.whole()) {
      line = piece.text;
      return true;
    }
  }
  return false;
}

}  // namespace cgview
