#include "input_file.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "lazy_zeroed.hpp"
#include "own_fds.hpp"

namespace cgview {

namespace {

// One held file. Its path is written once, by whoever claims the slot, and
// never changes. Its fd changes only in the hands of the reader that set
// kBusy in `word`, which also guards `id`.
struct HeldSlot {
  std::atomic<uint32_t> state{0};  // kFree, kNaming, kNamed
  uint32_t path_length = 0;
  char path[kPathMax] = {};
  std::atomic<uint64_t> word{0};  // kBusy | owner pid << 32 | fd + 1 (0: no fd)
  FileId id;                      // of the fd, when it was opened
};

constexpr uint32_t kFree = 0, kNaming = 1, kNamed = 2;
constexpr uint64_t kBusy = uint64_t(1) << 63;

// Mapped when the first file is held (lazy_zeroed.hpp): only
// CGVIEW_HOLD_FILES=1 holds any. An index in a slot_ came from the table.
constinit LazyZeroed<HeldSlot, kHeldFiles> g_slots;
HeldSlot& slot_at(int index) { return g_slots.if_mapped()[index]; }

// Inputs open on an fd of their own, in any thread (input_files_open says why).
// A fork child of a thread that was inside a read, or a read left by
// siglongjmp, keeps a count above zero for good: its served opens then pay
// a needless F_DUPFD and close, and still return the right fd.
constinit std::atomic<int> g_own_fds_open{0};

uint64_t slot_word(int fd, long pid) { return uint64_t(pid) << 32 | uint32_t(fd + 1); }
int fd_of(uint64_t word) { return int(uint32_t(word)) - 1; }
long pid_of(uint64_t word) { return long((word & ~kBusy) >> 32); }

long own_pid() { return syscall(SYS_getpid); }

// Whether `fd` still names the file `s` held when it was opened.
bool still_held_file(int fd, const HeldSlot& s) {
  FileId now;
  return fd >= 0 && file_id(fd, now) && now == s.id;
}

// The slot named `path`, or -1.
int named_slot(std::string_view path) {
  HeldSlot* slots = g_slots.if_mapped();
  for (size_t i = 0; slots != nullptr && i < kHeldFiles; ++i) {
    HeldSlot& s = slots[i];
    if (s.state.load(std::memory_order_acquire) == kNamed && s.path_length == path.size() &&
        memcmp(s.path, path.data(), path.size()) == 0)
      return int(i);
  }
  return -1;
}

// Names a free slot `path`, holding `word` (busy: the caller reads through it
// first). -1 when none is free, or when another reader is naming one at the
// same time (it may be naming this path: two slots for one path would hold
// two fds for good). Only paths that opened get a slot.
int claim_slot(std::string_view path, uint64_t word, const FileId& id) {
  if (path.size() >= kPathMax) return -1;
  HeldSlot* slots = g_slots.get();
  if (slots == nullptr) return -1;
  int index = -1;
  for (size_t i = 0; i < kHeldFiles && index < 0; ++i) {
    uint32_t expected = kFree;
    if (slots[i].state.load(std::memory_order_relaxed) == kFree &&
        slots[i].state.compare_exchange_strong(expected, kNaming, std::memory_order_acq_rel))
      index = int(i);
  }
  if (index < 0) return -1;
  HeldSlot& s = slots[index];
  for (size_t i = 0; i < kHeldFiles; ++i) {
    if (int(i) == index) continue;
    uint32_t state = slots[i].state.load(std::memory_order_acquire);
    bool same_path = state == kNamed && slots[i].path_length == path.size() &&
                     memcmp(slots[i].path, path.data(), path.size()) == 0;
    if (state == kNaming || same_path) {
      s.state.store(kFree, std::memory_order_release);
      return -1;
    }
  }
  memcpy(s.path, path.data(), path.size());
  s.path_length = uint32_t(path.size());
  s.id = id;
  s.word.store(word | kBusy, std::memory_order_relaxed);
  s.state.store(kNamed, std::memory_order_release);
  return index;
}

// Moves `fd` to kHeldFdFloor or above; -1 (and `fd` left as it is) when it
// cannot go there (an RLIMIT_NOFILE at or below the floor, or no fd free).
// Still the library's, counted, until it is held (hold_fd).
int move_high(int fd) {
  own_fd_opening();
  long high = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, kHeldFdFloor);
  if (high < 0) {
    own_fd_gone();
    return -1;
  }
  close_host_file(fd);
  return int(high);
}

// A held fd stays open on purpose, across calls and in fork children (a
// child reads through its copy): no longer counted, nor marked as one a fork
// child closes. The mark's O_APPEND is taken off (F_SETFL cannot change
// O_DSYNC, and either one missing is no mark).
void hold_fd(int fd) {
  long status = syscall(SYS_fcntl, fd, F_GETFL);
  if (status >= 0) syscall(SYS_fcntl, fd, F_SETFL, status & ~long(O_APPEND));
  own_fd_gone();
}

}  // namespace

InputFile::InputFile(const Sysroot& root, std::string_view path, Use use) : root_(root), path_(path) {
  if (use == kOpenOnly || !root.hold_inputs || !root.live() || !lease(use == kHeldStreamed)) open_own();
  count_own_fd();  // lease too may leave an fd of this read's own (no slot to name it in)
}

InputFile::~InputFile() {
  if (slot_ >= 0) {
    release();
  } else if (fd_ >= 0) {
    close_host_file(fd_);
  }
  if (counted_) g_own_fds_open.fetch_sub(1, std::memory_order_relaxed);
}

void InputFile::open_own() {
  fd_ = open_host_file(root_, path_);
  offset_ = 0;
  count_own_fd();
}

// Every fd this read closes itself counts, whatever its number: with 128 or
// more fds open, an own fd sits above kHeldFdFloor too.
void InputFile::count_own_fd() {
  if (fd_ < 0 || slot_ >= 0 || counted_) return;
  counted_ = true;
  g_own_fds_open.fetch_add(1, std::memory_order_relaxed);
}

bool InputFile::lease(bool streamed) {
  int index = named_slot(path_);
  if (index >= 0) {
    HeldSlot& s = slot_at(index);
    uint64_t word = s.word.load(std::memory_order_relaxed);
    if ((word & kBusy) != 0 || !s.word.compare_exchange_strong(word, word | kBusy, std::memory_order_acquire))
      return false;  // another thread or an interrupted reader has it: open our own
    slot_ = index;
    slot_word_ = word;
    int fd = fd_of(word);
    // Still the file it was? The program may have closed it, or dup2'd its own over it.
    bool same = still_held_file(fd, s);
    if (same && !streamed) {  // one pread: any process's copy will do
      fd_ = fd;
      return true;
    }
    bool ours = fd < 0 || pid_of(word) == own_pid();
    if (same && ours) {
      fd_ = fd;
      return true;
    }
    if (!ours) {
      // Another process's (a parent's, or, in a vfork child, the very
      // memory of the parent): never ours to replace or close. A child that
      // streams, or whose inherited copy is gone, reads with an fd of its own.
      release();
      return false;
    }
    // Ours but gone or the program's now: not closed, opened afresh below.
  }
  int opened = open_host_file(root_, path_);
  int fresh = opened < 0 ? -1 : move_high(opened);
  FileId id;
  if (fresh < 0 || !file_id(fresh, id)) {
    if (slot_ >= 0) release();  // the slot as it was
    fd_ = fresh >= 0 ? fresh : opened;  // this read's own, if it opened at all
    return true;
  }
  uint64_t word = slot_word(fresh, own_pid());
  if (slot_ < 0) slot_ = claim_slot(path_, word, id);
  else slot_at(slot_).id = id;
  if (slot_ >= 0) hold_fd(fresh);
  slot_word_ = word;
  fd_ = fresh;  // held, or this read's own when no slot could be named
  return true;
}

void InputFile::release() {
  slot_at(slot_).word.store(slot_word_, std::memory_order_release);
  slot_ = -1;
  fd_ = -1;
}

ssize_t InputFile::read(char* buf, size_t len) {
  for (;;) {
    long n = pread_fd(fd_, buf, len, offset_);
    if (n >= 0) {
      offset_ += uint64_t(n);
      return ssize_t(n);
    }
    if (errno != EINTR) {
      read_error_ = errno;
      return -1;
    }
  }
}

ssize_t InputFile::read_whole(std::span<char> buf) {
  size_t total = 0;
  for (;;) {
    if (total == buf.size()) {
      char probe;  // a full buffer is only fine if nothing follows
      return read(&probe, 1) == 0 ? ssize_t(total) : -1;
    }
    size_t wanted = buf.size() - total;
    ssize_t n = read(buf.data() + total, wanted);
    if (n < 0) return -1;
    total += size_t(n);
    if (size_t(n) < wanted) return ssize_t(total);
  }
}

ssize_t InputFile::read_all(std::span<char> buf) {
  if (!ok()) return -1;
  offset_ = 0;
  read_error_ = 0;
  ssize_t n = read_whole(buf);
  if (n >= 0 || slot_ < 0 || read_error_ == 0) return n;  // read, or too large
  // A held fd that no longer reads. The slot forgets it if it is ours, and
  // this read opens the path afresh. It is closed only when its cgroup was
  // removed (ENODEV) and it still is the file we opened: any other error
  // may mean the program has put its own file (a socket: ESPIPE) there.
  int fd = fd_;
  bool ours = pid_of(slot_word_) == own_pid();
  bool close_it = ours && read_error_ == ENODEV && still_held_file(fd, slot_at(slot_));
  if (ours) slot_word_ = 0;
  release();
  if (close_it) close_fd(fd);
  open_own();
  return ok() ? read_whole(buf) : -1;
}

ssize_t read_input_file(const Sysroot& root, std::string_view path, std::span<char> buf) {
  return InputFile(root, path, InputFile::kHeldWhole).read_all(buf);
}

std::string_view read_value_file(const Sysroot& root, std::string_view dir, std::string_view name,
                                 std::span<char> buf, bool held) {
  PathText path;
  path.add(dir).add('/').add(name);
  if (path.overflowed()) return {};
  ssize_t n = held ? read_input_file(root, path.view(), buf) : read_host_file(root, path.view(), buf);
  return n > 0 ? trim(std::string_view(buf.data(), size_t(n))) : std::string_view();
}

bool input_files_open() { return g_own_fds_open.load(std::memory_order_relaxed) > 0; }

size_t held_file_count() {
  long me = own_pid();
  size_t count = 0;
  const HeldSlot* slots = g_slots.if_mapped();
  for (size_t i = 0; slots != nullptr && i < kHeldFiles; ++i) {
    uint64_t word = slots[i].word.load(std::memory_order_acquire);
    count += fd_of(word) >= 0 && pid_of(word) == me;
  }
  return count;
}

}  // namespace cgview
