// Reading host files with raw syscalls, optionally below a sysroot.
//
// The core never calls open/read through their public names: inside the shim
// those names are our own interposers (docs/design.md rule 4). Every path the core
// reads goes through a Sysroot, so fixtures stand in for /proc and /sys.
#pragma once

#include <errno.h>
#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string_view>

#include "text.hpp"

namespace cgview {

// Longest host path the core handles; longer ones count as unreadable, which
// falls back to the real answer.
inline constexpr size_t kPathMax = 512;
using PathText = FixedText<kPathMax>;

struct Sysroot {
  PathText prefix;  // empty = the live system
  // Keep the files read on every call open between calls (input_file.hpp).
  // The shim's choice; only ever on the live system.
  bool hold_inputs = false;
  bool live() const { return prefix.size() == 0; }
};

// Puts errno back on scope exit. A file cgview cannot read is an answer (the
// real one), not an error of the program's: errno stays as the program left
// it (docs/design.md rule 7).
class ErrnoKeeper {
 public:
  ErrnoKeeper() : saved_(errno) {}
  ~ErrnoKeeper() { errno = saved_; }
  ErrnoKeeper(const ErrnoKeeper&) = delete;
  ErrnoKeeper& operator=(const ErrnoKeeper&) = delete;

 private:
  int saved_;
};

// Which file an fd names. Anything that remembers an fd checks on use that
// it still names the same file: the program may have closed it, or dup2'd
// its own over it (docs/design.md rule 12).
struct FileId {
  uint64_t dev = 0, ino = 0;
  bool operator==(const FileId&) const = default;
};
// False when `fd` is not open (errno untouched).
bool file_id(int fd, FileId& out);

// Opens DIR/path read-only (O_CLOEXEC, and marked as the library's own:
// own_fds.hpp); -1 when it cannot (errno untouched). Closed by
// close_host_file, whatever reads it.
int open_host_file(const Sysroot& root, std::string_view path);
// As open_host_file, for a path of the live system (under a sysroot too).
int open_live_file(const char* path);
// Why DIR/path cannot be opened read-only: 0 when it can (it is closed
// again), else the open's errno (errno untouched).
int host_open_error(const Sysroot& root, std::string_view path);


// Reads all of DIR/path into `buf`. Returns the byte count, or -1 when the file
// is missing, unreadable, or larger than `buf` (a partial file would mislead).
// For regular and kernel (seq_file) files only: a short read counts as the end.
ssize_t read_host_file(const Sysroot& root, std::string_view path, std::span<char> buf);

// Raw close/read/write that bypass any interposer.
void close_fd(int fd);
// Closes an fd of open_host_file's or open_host_directory's (own_fds.hpp counts it).
void close_host_file(int fd);
ssize_t read_fd(int fd, char* buf, size_t len);
bool write_all(int fd, const char* data, size_t len);
// pread64/pwrite64 at a 64-bit offset, as raw system calls on 64-bit targets and
// i386 (which takes it as two words), through libc's wrappers on other 32-bit
// ones; -1 with errno on failure.
long pread_fd(int fd, char* buf, size_t len, uint64_t offset);
long pwrite_fd(int fd, const char* data, size_t len, uint64_t offset);

class InputFile;

// Reads a file in pieces through a fixed buffer. A line that fits the buffer
// comes as one piece; a longer one comes as several, so callers can pass it
// through unchanged or skip it, but never mistake its tail for a new line.
class LineReader {
 public:
  LineReader(int fd, std::span<char> buf) : fd_(fd), buf_(buf) {}
  LineReader(InputFile& file, std::span<char> buf) : file_(&file), buf_(buf) {}

  struct Piece {
    std::string_view text;  // without the '\n'
    bool starts_line;
    bool ends_line;  // a '\n' followed, or the file ended
    bool newline;    // a '\n' followed (false for a last line without one)
    bool whole() const { return starts_line && ends_line; }
  };
  // False at end of file or on a read error (then failed() is true).
  bool next(Piece& piece);
  // The next complete line; lines longer than the buffer are skipped.
  bool next_whole_line(std::string_view& line);
  bool failed() const { return failed_; }

 private:
  bool fill();
  ssize_t read_some(char* buf, size_t len);
  int fd_ = -1;
  InputFile* file_ = nullptr;  // read through this instead of fd_ when set
  std::span<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false, failed_ = false, at_line_start_ = true;
};

// Opens DIR/dir as a directory to list, as open_host_file; -1 when it cannot.
int open_host_directory(const Sysroot& root, std::string_view dir);
// The getdents64 system call: bytes of records read into `buf`, 0 at the end, -1 on error.
long read_dir_records(int fd, char* buf, size_t len);

// An entry of a directory listing: its name and d_type (DT_DIR, DT_LNK, ...;
// DT_UNKNOWN where the file system does not say).
struct DirEntry {
  std::string_view name;
  unsigned char type;
};

// Lists DIR/dir with raw getdents64 through a stack buffer (no allocation, no
// libc DIR: usable inside the shim), calling `visit(entry)` for each entry but
// "." and ".."; `visit` returns false to stop. False when the directory
// cannot be opened or the listing failed partway.
template <typename Visit>
bool for_each_dir_entry(const Sysroot& root, std::string_view dir, Visit&& visit) {
  int fd = open_host_directory(root, dir);
  if (fd < 0) return false;
  alignas(8) char buf[1024];
  long n = 0;
  bool going = true;
  while (going && (n = read_dir_records(fd, buf, sizeof buf)) > 0) {
    for (long at = 0; going && at < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      __builtin_memcpy(&reclen, buf + at + 16, sizeof reclen);
      const unsigned char type = static_cast<unsigned char>(buf[at + 18]);
      const std::string_view name(buf + at + 19);
      at += reclen;
      if (name != "." && name != "..") going = visit(DirEntry{name, type});
    }
  }
  close_host_file(fd);
  return n >= 0;
}

}  // namespace cgview
