// The files the shim reads on every call (/proc/meminfo, /proc/stat, the
// cgroup's usage files, memory.stat, cpuacct.stat) are kept open between
// calls and re-read with pread from offset 0. The kernel generates these
// files anew at offset 0 (seq_file), so the figures are as fresh as a new
// open would give, for an fstat and a pread instead of an open, a read and a
// close: about 2.5 us less per file on cgroupfs here (scripts/bench).
//
// Those fds live inside someone else's program, so a held fd
// - sits at or above kHeldFdFloor, never among the low fds the program's own
//   open() must get (programs close 0 and open, expecting 0);
// - is O_CLOEXEC, and is checked before every use (fstat: the st_dev and
//   st_ino it had when opened). A program that closes it (closefrom,
//   close_range) or dup2s its own file over it is noticed: its file is
//   neither read nor closed, and the path is opened again. The only fd ever
//   closed is one whose cgroup was removed (ENODEV) and that fstat still
//   shows to be ours;
// - belongs to the process that opened it, which alone replaces it. Another
//   process (a fork child, which inherited it; a vfork child, which shares
//   the parent's memory and so this table) reads a whole file through it
//   when it still is the file (one pread takes one generation of the file,
//   whoever else reads it), and otherwise, or to read in pieces (a shared
//   file position would give two processes pieces of each other's), opens
//   the file for that read only, as without holding;
// - serves one reader at a time. A reader that finds it busy (another
//   thread, a signal handler that interrupted a read) opens the file for
//   itself, as before.
// At most kHeldFiles paths are held in a process, and only on the live
// system (fixture sysroots are rewritten by tests, and a renamed-over file
// would keep being read).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "host_files.hpp"

namespace cgview {

inline constexpr int kHeldFdFloor = 128;
inline constexpr size_t kHeldFiles = 8;

// One read of DIR/path from its start, by pread at a running offset, so a
// held fd is never moved. Keeps errno as it found it.
class InputFile {
 public:
  // kOpenOnly: an fd of its own. The others go through the path's held fd
  // where `root` holds inputs (opened and kept on first use):
  // - kHeldWhole, for read_all: one pread takes the whole file from one
  //   generation of it, so any process's copy of the fd will do (a fork
  //   child reads through the one it inherited, at no extra fd or getpid);
  // - kHeldStreamed, for reads in pieces: only this process's own held fd,
  //   as a file position shared with another process would mix the two's
  //   pieces (another process's slot: an fd for this read only).
  enum Use { kOpenOnly, kHeldWhole, kHeldStreamed };
  InputFile(const Sysroot& root, std::string_view path, Use use);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool held() const { return slot_ >= 0; }
  // The next bytes; 0 at the end, -1 on an error.
  ssize_t read(char* buf, size_t len);
  // The whole file from the start into buf: the byte count, or -1 when it is
  // unreadable or larger than buf (a partial file would mislead). A short read
  // counts as the end: kernel files (seq_file) fill whatever they are asked
  // for while they have content, as regular files do.
  ssize_t read_all(std::span<char> buf);

 private:
  // Sets fd_ (held, or its own, or -1 when the path does not open); false
  // when it did not try (the held fd is busy).
  bool lease(bool streamed);
  void open_own();
  void count_own_fd();  // for input_files_open: an fd this read will close
  void release();
  ssize_t read_whole(std::span<char> buf);

  ErrnoKeeper keep_errno_;  // first: restored after everything else is undone
  const Sysroot& root_;
  std::string_view path_;
  int fd_ = -1;
  int slot_ = -1;           // the held slot leased, or -1: fd_ is this read's own
  uint64_t slot_word_ = 0;  // what the slot holds once released
  uint64_t offset_ = 0;
  int read_error_ = 0;  // errno of the last failed read
  bool counted_ = false;  // in input_files_open's count
};

// Streams DIR/path (held, as InputFile) into `out` line by line. At the start of each line,
// `keep_line(piece)` says whether that whole line is written (it may write
// lines of its own to `out` first). Lines longer than the buffer come in
// pieces and follow their first piece. False when the file cannot be read.
template <typename Out, typename KeepLine>
bool filter_host_lines(const Sysroot& root, std::string_view path, Out& out, KeepLine keep_line) {
  InputFile file(root, path, InputFile::kHeldStreamed);
  if (!file.ok()) return false;
  char buf[4096];
  LineReader reader(file, buf);
  LineReader::Piece piece;
  bool keep = true;
  while (reader.next(piece)) {
    if (piece.starts_line) keep = keep_line(piece);
    if (!keep) continue;
    out.put(piece.text);
    if (piece.ends_line) out.put('\n');
  }
  return !reader.failed();
}

// As read_host_file, through a held fd where `root` holds inputs.
ssize_t read_input_file(const Sysroot& root, std::string_view path, std::span<char> buf);

// The text of DIR/dir/name, a file of one value (a cgroup's limit or usage),
// blanks trimmed; empty when it is missing, unreadable, larger than `buf`, or
// the path is too long. `held`: through read_input_file, for the files read
// on every served open; else read_host_file (the limits, read per refresh).
std::string_view read_value_file(const Sysroot& root, std::string_view dir, std::string_view name,
                                 std::span<char> buf, bool held = false);

// Whether an InputFile of any thread has an fd open that it will close
// itself (not a held one, which stays). The shim asks when it makes the fd a
// served open returns: made while a renderer still streams its input, that
// fd sits above the one the input frees, and open() must return the lowest
// free fd.
bool input_files_open();

// How many fds this process holds (for tests).
size_t held_file_count();

}  // namespace cgview
