#include "virtual_fds.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "debug_log.hpp"
#include "fd_name.hpp"
#include "input_file.hpp"
#include "anonymous_file.hpp"
#include "lazy_zeroed.hpp"
#include "own_fds.hpp"
#include "view_cache.hpp"

namespace cgview::shim {

namespace {

// Which fds serve which file, checked on use against the inode (a close may
// bypass us: libuv closes with syscall(SYS_close), close_range, dup2).
struct Tracked {
  std::atomic<uint64_t> inode{0};  // 0 = free; stored last, so it publishes the rest
  std::atomic<uint64_t> device_and_file{0};  // device << 32 | VirtualFile
  std::atomic<uint32_t> task{0};  // a status file's task, a block stat file's device
};
// Device numbers fit in 32 bits (the kernel's encoding); a VirtualFile too.
// In chunks of 4,096 fds (96 KiB), each mapped by the first served open that
// lands in it (lazy_zeroed.hpp says why): a process that never serves a file
// maps none, one that does maps the chunk of its first served fd, and only a
// process with thousands of fds open (a busy server) maps more. 256 chunks
// reach the kernel's default fs.nr_open, 1,048,576; an fd above that is still
// served, but not re-rendered on a rewind, and fstat shows the memory file.
constexpr int kFdsPerChunk = 4096;
constexpr int kChunks = 256;
constexpr int kTrackedFds = kFdsPerChunk * kChunks;
constinit LazyZeroed<std::atomic<void*>, kChunks> g_chunks;  // the chunks' addresses

// The entry of `fd`, or nullptr (an fd beyond the chunks, or a chunk not
// mapped: `map` maps it, for a new entry; readers need not).
Tracked* entry(int fd, bool map) {
  if (fd < 0 || fd >= kTrackedFds) return nullptr;
  std::atomic<void*>* chunks = map ? g_chunks.get() : g_chunks.if_mapped();
  if (chunks == nullptr) return nullptr;
  std::atomic<void*>& chunk = chunks[fd / kFdsPerChunk];
  void* table = map ? lazy_zeroed_bytes(chunk, sizeof(Tracked) * kFdsPerChunk) : chunk.load(std::memory_order_acquire);
  return table == nullptr ? nullptr : static_cast<Tracked*>(table) + fd % kFdsPerChunk;
}

// Records the file `fd` holds now as serving `file`; false when it cannot
// (the fd beyond the chunks, or its chunk unmappable).
bool track(int fd, VirtualFile file, uint32_t task, FileId& recorded) {
  if (fd < 0 || fd >= kTrackedFds || !file_id(fd, recorded)) return false;
  Tracked* e = entry(fd, true);
  if (e == nullptr) return false;  // served, but not re-rendered on a rewind
  e->device_and_file.store(recorded.dev << 32 | uint64_t(file), std::memory_order_relaxed);
  e->task.store(task, std::memory_order_relaxed);
  e->inode.store(recorded.ino, std::memory_order_release);
  return true;
}

void track(int fd, VirtualFile file, uint32_t task) {
  FileId recorded;
  track(fd, file, task, recorded);
}

// The served file behind `fd` (`id`: the file the fd holds), or None when
// the fd is no longer ours. A stale entry is freed by a compare on the inode
// it was checked against: a rewind's re-render on another thread
// (refresh_if_virtual) replaces the fd's file and then its entry, and a free
// that compared the device and file alone (the same before and after) could
// drop the new entry.
VirtualFile tracked_file(int fd, uint32_t& task, FileId& id) {
  Tracked* e = entry(fd, false);
  if (e == nullptr) return VirtualFile::None;
  uint64_t inode = e->inode.load(std::memory_order_acquire);
  if (inode == 0) return VirtualFile::None;
  uint64_t tag = e->device_and_file.load(std::memory_order_relaxed);
  if (!file_id(fd, id) || id != FileId{tag >> 32, inode}) {
    e->inode.compare_exchange_strong(inode, 0, std::memory_order_relaxed);
    return VirtualFile::None;
  }
  task = e->task.load(std::memory_order_relaxed);
  return VirtualFile(tag & 0xffffffff);
}

// Under CGVIEW_DEBUG a file's own look for its cgroup (diskstats' and the pressure files'
// I/O cgroup, found at each open) is quiet: what it could say (a namespace search, an exited
// main thread) the view's refresh says too, once, where a program reading /proc/diskstats
// every second repeated it every second.
[[gnu::cold, gnu::noinline]] bool render_quietly(VirtualFile file, const Limits& limits, Sink& sink, uint32_t task) {
  return render(file, without_debug_lines(config()), limits, &stat_clock(), sink, task);
}

// CGVIEW_DEBUG's line for a served open that falls back to the real file,
// naming it: of a program's many opens, the line must say which one.
[[gnu::cold, gnu::noinline]] void say_serving_real(VirtualFile file, uint32_t task, const char* why) {
  if (!config().debug) return;
  PathText path;
  DebugLine line(config());
  if (served_file_path(file, task, path)) line << path.view() << ": ";
  line << why << ": serving the real file";
}

// Renders `file` into a new anonymous file. Where the render turns out to
// have begun in the parent (a fork from a signal handler that interrupted
// it: the memory file is the parent's too), this child renders again into a
// file of its own, once.
bool render_into(LazyFile& out, VirtualFile file, const Limits& limits, uint32_t task) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Sink sink(flush_to_lazy_file, &out);
    bool rendered = config().debug ? render_quietly(file, limits, sink, task)
                                    : render(file, config(), limits, &stat_clock(), sink, task);
    if (rendered && out.fd < 0) make_anonymous_file(out);  // empty content
    if (out.fd >= 0 && forks_seen() != out.forks) out.copied = true;
    if (!out.copied) return rendered;
    discard_anonymous_file(out);  // the child's copy of the parent's fd
    LazyFile again;
    again.flags = out.flags;
    again.reopened = out.reopened;
    out = again;
  }
  return false;
}

int render_new_fd(VirtualFile file, int flags, uint32_t task, bool reopened) {
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (!current_limits_for(file, limits)) return -1;
  LazyFile out;
  out.flags = flags;
  out.reopened = reopened;
  bool rendered = render_into(out, file, limits, task);
  if (!rendered || out.fd < 0 || out.refused) {
    bool no_file = out.refused || (rendered && out.fd < 0);
    say_serving_real(file, task, no_file ? "no memfd or O_TMPFILE, or RLIMIT_FSIZE"
                                         : "nothing to render (no figures for this file here, or an input is unreadable)");
    discard_anonymous_file(out);
    return -1;
  }
  int fd = hand_over(out);
  if (fd < 0) say_serving_real(file, task, "cannot make the content unwritable");
  return fd;
}

}  // namespace

int open_virtual(VirtualFile file, int flags, uint32_t task, bool reopened) {
  ErrnoKeeper keep_errno;
  int fd = render_new_fd(file, flags, task, reopened);
  if (fd >= 0) track(fd, file, task);
  return fd;
}

void remember_virtual(int fd, VirtualFile file, uint32_t task) {
  ErrnoKeeper keep_errno;
  track(fd, file, task);
}

// Built for size (cold): a rewind renders anew and reopens, some tens of microseconds.
[[gnu::cold]] bool refresh_if_virtual(int fd, void (*before)(void*), void* context) {
  ErrnoKeeper keep_errno;
  uint32_t task = 0;
  FileId served, still;
  VirtualFile file = tracked_file(fd, task, served);
  if (file == VirtualFile::None) return false;
  if (before != nullptr) before(context);
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
  // The fresh content is the library's own fd, marked as such for a fork
  // child (lib/own_fds.hpp); the program's fd gets `copy`, a reopen of it
  // with the fd's access mode and O_NONBLOCK, named in a note before the
  // dup3 (a fork child that has `fresh` closes `copy`: fork_sweep.cpp).
  // Without a reopen (no /proc, or no fd to spare) `fresh` itself is put
  // behind the fd, its marks taken off first: then from that dup3 to its
  // close a fork child keeps a copy.
  int fresh = status < 0 ? -1 : render_new_fd(file, O_CLOEXEC, task, true);
  if (fresh < 0) return false;
  const int reopen_flags = (int(status) & (O_ACCMODE | O_NONBLOCK)) | O_CLOEXEC;
  // (A kernel without /proc/thread-self, before 3.17, has no memfds either:
  // its rewinds take the way without a reopen.)
  // Noted before the reopen, and its number right after: a child forked in
  // between closes any unmarked fd of `fresh`'s file.
  FileId fresh_file;
  int note = file_id(fresh, fresh_file) ? rewind_starting(fresh_file, uint32_t(syscall(SYS_getpid))) : -1;
  long copy = syscall(SYS_openat, AT_FDCWD, fd_name(fresh).c_str(), reopen_flags);
  rewind_reopened(note, copy);
  show_read_only(fresh);  // after the reopen: a read-write one needs the owner's write permission
  // The render takes about 20 us: another thread may have closed the fd
  // meanwhile, and its number may hold the program's next file (or none).
  // dup3 would replace that file, or bring a closed fd back: checked again
  // right before (a window of one system call rather than of the render).
  bool done = file_id(fd, still) && still == served;
  int cloexec = fd_flags > 0 && (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0;
  // Unmarked for good, or not put behind the program's fd at all.
  if (done && copy < 0)
    done = syscall(SYS_fcntl, fresh, F_SETFL, long(status) & O_NONBLOCK) == 0 &&
           own_mark(syscall(SYS_fcntl, fresh, F_GETFL)) == OwnMark::kNone;
  if (done) done = syscall(SYS_dup3, copy >= 0 ? int(copy) : fresh, fd, cloexec) == fd;
  // `copy`'s number takes a dup of the marked `fresh` in one step, so that a
  // fork child finds it marked or noted at every moment, and the number is
  // never free for the program's next fd (which may be a dup of its fd, the
  // very file) until it is closed. `fresh` is closed first (with it there,
  // `copy` is still `copy`), and the library's count ends with the last
  // close: a fork child in between sweeps, and finds `copy` marked.
  if (copy >= 0) {
    syscall(SYS_dup3, fresh, copy, O_CLOEXEC);
    syscall(SYS_close, fresh);
    fresh = int(copy);
  }
  close_reopened(fresh);
  if (!done) return false;
  // Two threads rewinding the same fd each replace its file, then record
  // the file the fd holds: the first may record after the second replaced
  // it, and the record would then name a file the fd no longer holds (and be
  // dropped at the next check). Whoever finds the fd holding another file
  // than it recorded records again.
  FileId recorded, now;
  for (int attempt = 0; done && attempt < 3 && track(fd, file, task, recorded); ++attempt)
    if (!file_id(fd, now) || now == recorded) break;
  return done;
}

int open_real_file(int fd) {
  uint32_t task = 0;
  FileId id;
  VirtualFile file = tracked_file(fd, task, id);
  PathText path;
  // Under a sysroot a block device's number is the sysroot's: the live
  // /sys/dev/block entry of that number may be another device.
  if (file == VirtualFile::BlockStat && !config().root.live()) return -1;
  if (file == VirtualFile::None || !served_file_path(file, task, path)) return -1;
  // The live system's file, also under a sysroot: it is what the program's
  // own stat of the path it opened finds. Opened to read (every served file
  // is readable by all), not O_PATH, so that it carries the library's mark
  // for a fork child (lib/own_fds.hpp).
  return open_live_file(path.c_str());
}

}  // namespace cgview::shim
