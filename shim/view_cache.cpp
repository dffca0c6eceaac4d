#include "view_cache.hpp"

#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

#include "debug_log.hpp"
#include "lazy_zeroed.hpp"
#include "real_functions.hpp"
#include "signals_held.hpp"

namespace cgview::shim {

namespace {

static_assert(std::is_trivially_copyable_v<Limits>, "the cache copies Limits word by word");
// Copied in machine words: atomic loads and stores of a word are plain moves on
// every target (a 64-bit one is not, on a 32-bit CPU).
using Word = uintptr_t;
static_assert(sizeof(Limits) % sizeof(Word) == 0, "whole words only");

constexpr int64_t kRefreshNs = 1000000000 / 2;  // half the 1 s docs/design.md allows: coarse clocks lag

// --- configuration, once per process -------------------------------------
// 0 = unread, all ones = ready, otherwise pid << 32 | tid of the thread
// reading it, set in one step so a thread can always tell its own read.
constexpr uint64_t kConfigUnread = 0, kConfigReady = ~uint64_t(0);
constinit std::atomic<uint64_t> g_config_state{kConfigUnread};
// Raw zeroed storage, not a Config object: a global with a constructor would
// be initialised when our library's constructors run, which can be after
// another preload's initialisation has already called us and filled it.
alignas(Config) constinit unsigned char g_config_storage[sizeof(Config)] = {};
Config& stored_config() { return *std::launder(reinterpret_cast<Config*>(g_config_storage)); }

const char* lookup(const char* name) { return secure_getenv(name); }

std::atomic<int64_t> g_config_read_started_ns{0};
constexpr int64_t kConfigReadAbandonedNs = 100 * 1000000;  // the read takes microseconds

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// While a thread of this process reads the configuration, the others wait for
// it (microseconds), so the first calls of many threads at once all get the
// view; a call re-entered from inside the read itself (another preload's
// hook on the lookup, a handler of a fault's signal: the others wait for the
// read) gets false, the real answer. A read older than 100 ms was abandoned
// (signals are held across it, so its thread left by a jump out of a fault's
// handler, or stalled that long), and a read by another process is a fork taken
// in the middle of it (that thread does not exist here): either way the
// caller reads the configuration itself rather than wait for ever.
bool config_ready() {
  for (;;) {
    uint64_t state = g_config_state.load(std::memory_order_acquire);
    if (state == kConfigReady) return true;
    uint64_t pid = uint64_t(syscall(SYS_getpid)), tid = uint64_t(syscall(SYS_gettid));
    uint64_t me = pid << 32 | tid;
    int64_t now = now_ns();
    bool ours = state != kConfigUnread && state >> 32 == pid;
    if (ours && now - g_config_read_started_ns.load(std::memory_order_relaxed) < kConfigReadAbandonedNs) {
      if (state == me) return false;
      sched_yield();
      continue;
    }
    // Stamped before the claim, so whoever sees the claim sees a fresh stamp.
    g_config_read_started_ns.store(now, std::memory_order_relaxed);
    // A handler that asked while this thread reads would get the real
    // answer: it waits the few microseconds instead (faults' signals
    // excepted), and gets the view.
    SignalsHeld held(~kFaultSignals);
    if (!g_config_state.compare_exchange_strong(state, me, std::memory_order_acq_rel)) continue;
    new (g_config_storage) Config(config_from_env(lookup));
    // Under another libc (musl: an Alpine image with LD_PRELOAD set) the
    // shim's answers and stat layouts are glibc's: it stays out of the way,
    // as if CGVIEW_DISABLE were set, and every hook passes through.
    if (!running_on_glibc()) stored_config().disabled = true;
    g_config_state.store(kConfigReady, std::memory_order_release);
    held.release();
    // A malformed setting: one line on stderr, once per process (a disabled
    // shim stays silent).
    if (!stored_config().disabled) print_warnings_once(stored_config());
    return true;
  }
}

// The shim answers: the configuration is read and CGVIEW_DISABLE is not set.
bool enabled() { return config_ready() && !stored_config().disabled; }

// --- the cached limits ------------------------------------------------------
constexpr size_t kWords = sizeof(Limits) / sizeof(Word);
std::atomic<uint32_t> g_seq{0};  // odd while a writer copies in
// Mapped by the first publish (lazy_zeroed.hpp); unmappable, readers
// compute their own copy and the hot scalars below still serve.
constinit LazyZeroed<std::atomic<Word>, kWords> g_words;
// Hot scalars: bit 63 = published, bit 62 = view formed, bits 0-15 N,
// bits 16-31 the rounded quota (0 = none), bits 32-47 where V starts in A.
std::atomic<uint64_t> g_hot{0};
std::atomic<int64_t> g_expires_ns{0};
std::atomic<uint64_t> g_writer{0};  // pid << 32 | tid of the refreshing thread
constinit StatClock g_stat_clock;

constexpr uint64_t kPublished = uint64_t(1) << 63;
constexpr uint64_t kFormed = uint64_t(1) << 62;

uint64_t writer_id() {
  return uint64_t(syscall(SYS_getpid)) << 32 | uint32_t(syscall(SYS_gettid));
}

bool try_become_writer(uint64_t me) {
  uint64_t holder = g_writer.load(std::memory_order_acquire);
  // A holder from another process is a parent that forked mid-refresh.
  if (holder != 0 && holder >> 32 == me >> 32) return false;
  return g_writer.compare_exchange_strong(holder, me, std::memory_order_acq_rel);
}

// Which process published the view (its pid; 0 = none yet), so that a child
// sharing this memory does not publish its own view over its parent's: a
// vfork child, or a clone(CLONE_VM) one, that moves itself to another cgroup
// or pins itself and asks before it execs would otherwise show the parent
// that cgroup's or CPU's view until the parent's next refresh.
std::atomic<uint64_t> g_owner{0};

// Whether this process's memory is its parent `parent`'s (kcmp, Linux 3.5+).
// Where the kernel will not say (no kcmp, or a seccomp profile such as
// Docker's default that refuses it without CAP_SYS_PTRACE), false: the
// child publishes, as every process did before.
bool shares_memory_with(uint64_t pid, uint64_t parent) {
#ifdef SYS_kcmp
  constexpr int kKcmpVm = 1;  // KCMP_VM, linux/kcmp.h
  return syscall(SYS_kcmp, pid_t(pid), pid_t(parent), kKcmpVm, 0, 0) == 0;
#else
  (void)pid;
  (void)parent;
  return false;
#endif
}

// Whether process `pid` is a child sharing the memory of the process that
// published the view (two system calls, the first time a process other than
// the owner refreshes: a fork child's first refresh, after which it owns its
// copy of the view).
bool shares_the_owners_memory(uint64_t pid) {
  uint64_t owner = g_owner.load(std::memory_order_acquire);
  return owner != 0 && owner != pid && owner == uint64_t(syscall(SYS_getppid)) && shares_memory_with(pid, owner);
}

// Copies bytes [offset, offset + len) of the published Limits into the same
// bytes of `out`; false when a writer was busy (the copy may be torn).
bool copy_range(Limits& out, size_t offset, size_t len) {
  const std::atomic<Word>* words = g_words.if_mapped();
  uint32_t before = g_seq.load(std::memory_order_acquire);
  if ((before & 1) || words == nullptr) return false;
  char* dst = reinterpret_cast<char*>(&out);
  for (size_t i = offset / sizeof(Word); i * sizeof(Word) < offset + len; ++i) {
    Word w = words[i].load(std::memory_order_relaxed);
    std::memcpy(dst + i * sizeof(Word), &w, sizeof(Word));
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  return g_seq.load(std::memory_order_relaxed) == before;
}

bool copy_out(Limits& out) { return copy_range(out, 0, sizeof(Limits)); }

void publish(const Limits& limits, bool formed) {
  // Odd while copying, whatever the count was: a fork child of a process
  // whose other thread was inside publish inherits an odd count (that thread
  // is not in the child), and adding 1 would make the child's count even
  // while it copies and odd after, for good. Added to, never stored: the
  // count only grows, so a reader never sees an earlier value come back.
  if (g_seq.fetch_add(1, std::memory_order_relaxed) & 1) g_seq.fetch_add(1, std::memory_order_relaxed);
  // The words below must not be seen before the odd count (weakly ordered
  // CPUs such as arm64): pairs with the fence in copy_range.
  std::atomic_thread_fence(std::memory_order_release);
  // Mapped inside the odd count, never before it: a reader that finds the
  // table (an earlier publish may have had none) finds the count odd until
  // the words are in.
  std::atomic<Word>* words = g_words.get();
  const char* src = reinterpret_cast<const char*>(&limits);
  for (size_t i = 0; words != nullptr && i < kWords; ++i) {
    Word w;
    std::memcpy(&w, src + i * sizeof(Word), sizeof(Word));
    words[i].store(w, std::memory_order_relaxed);
  }
  g_seq.fetch_add(1, std::memory_order_release);
  uint64_t quota_cpus = limits.cpu.narrow_to < 0xffff ? limits.cpu.narrow_to : 0xffff;
  uint64_t start = limits.cpu.start & 0xffff;  // < kMaxCpus = 8192
  uint64_t hot = kPublished | (formed ? kFormed : 0) | (limits.cpu.count & 0xffff) | (quota_cpus << 16) |
                 (start << 32);
  g_hot.store(hot, std::memory_order_release);
  g_expires_ns.store(now_ns() + kRefreshNs, std::memory_order_release);
}

// CGVIEW_DEBUG: a refresh says its decisions only when they differ from the
// ones said last, not every half second for as long as the program asks
// (and a fork child that decides as its parent did does not repeat them).
// The lines are first only hashed; when the hash is not the one said last,
// the view is computed again, aloud. Nothing is kept but the hash: threads,
// a vfork child and a signal handler can do this at once.
constinit std::atomic<uint64_t> g_said_hash{0};

[[gnu::cold, gnu::noinline]] bool compute_saying_changes(const Config& config, Limits& out) {
  uint64_t hash = kDebugHashStart;
  Config hashing = config;
  hashing.debug_hash = &hash;
  bool formed = compute_limits(hashing, out);
  uint64_t said = g_said_hash.load(std::memory_order_relaxed);
  if (hash != said && g_said_hash.compare_exchange_strong(said, hash, std::memory_order_relaxed))
    formed = compute_limits(config, out);
  return formed;
}

bool compute_saying_changes(Limits& out) {
  const Config& config = stored_config();
  return config.debug ? compute_saying_changes(config, out) : compute_limits(config, out);
}

// A view computed beside the writer's (no view published yet, or its copy
// raced a refresh): the writer says the decisions.
[[gnu::cold, gnu::noinline]] bool compute_without_lines(const Config& config, Limits& out) {
  return compute_limits(without_debug_lines(config), out);
}

bool compute_quietly(Limits& out) {
  const Config& config = stored_config();
  return config.debug ? compute_without_lines(config, out) : compute_limits(config, out);
}

// Fills `out` with limits no older than the refresh interval where possible.
//
// The refreshing thread holds off its signals, from before it claims the
// writer's place until it gives it back. Without that, a handler that asked
// meanwhile found no view published yet and computed its own: under a timer
// faster than that (every 600 us) the interrupted refresh never ended and the
// program stalled; and a handler that left by siglongjmp left the claim
// taken, so the view was never refreshed again. Two system calls per refresh
// (at most every half second); a signal waits at most one refresh. Faults'
// signals stay deliverable (signals_held.hpp), and SIGKILL and SIGSTOP
// cannot be held.
bool refresh(Limits& out) {
  ErrnoKeeper keep_errno;  // a missing or unreadable cgroup file is an answer, not the program's error
  uint64_t me = writer_id();
  // A child sharing its parent's memory computes its own view but neither
  // claims nor publishes: a parent's thread may be refreshing, and the view
  // is the parent's.
  if (shares_the_owners_memory(me >> 32)) return compute_saying_changes(out);
  SignalsHeld held(~kFaultSignals);
  if (try_become_writer(me)) {
    bool formed = compute_saying_changes(out);
    g_owner.store(me >> 32, std::memory_order_relaxed);
    publish(out, formed);
    g_writer.store(0, std::memory_order_release);
    return formed;
  }
  held.release();
  // Someone else is refreshing: a slightly stale copy is fine, else our own.
  if ((g_hot.load(std::memory_order_acquire) & kPublished) && copy_out(out))
    return g_hot.load(std::memory_order_relaxed) & kFormed;
  return compute_quietly(out);
}

bool fresh() { return g_expires_ns.load(std::memory_order_acquire) > now_ns(); }

}  // namespace

const Config& config() {
  config_ready();
  return stored_config();
}

const Config* config_if_read() {
  return g_config_state.load(std::memory_order_acquire) == kConfigReady ? &stored_config() : nullptr;
}

StatClock& stat_clock() { return g_stat_clock; }

bool current_limits(Limits& out) {
  if (!enabled()) return false;
  uint64_t hot = g_hot.load(std::memory_order_acquire);
  if ((hot & kPublished) && fresh()) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (copy_out(out)) return hot & kFormed;
    }
  }
  return refresh(out);
}

bool current_cpu_count(unsigned& n) {
  if (!enabled()) return false;
  uint64_t hot = g_hot.load(std::memory_order_acquire);
  if (!(hot & kPublished) || !fresh()) {
    Limits limits;
    if (!refresh(limits)) return false;
    n = limits.cpu.count;
    return true;
  }
  if (!(hot & kFormed)) return false;
  n = unsigned(hot & 0xffff);
  return true;
}

bool current_affinity_rule(AffinityRule& rule) {
  if (!enabled()) return false;
  if (!stored_config().root.live()) {
    rule.use_visible = true;  // under a sysroot the mask comes from the fixture
    return true;
  }
  rule.use_visible = false;
  uint64_t hot = g_hot.load(std::memory_order_acquire);
  if (!(hot & kPublished) || !fresh()) {
    Limits limits;
    if (!refresh(limits)) return false;
    rule.quota_cpus = limits.cpu.narrow_to;
    rule.start = limits.cpu.start;
    return true;
  }
  if (!(hot & kFormed)) return false;
  rule.quota_cpus = unsigned((hot >> 16) & 0xffff);
  rule.start = unsigned((hot >> 32) & 0xffff);
  return true;
}

namespace {

// sysinfo, sysconf and /proc/meminfo need only the memory part of the ~8 KiB
// view. In Limits the memory cgroup's directory and the memory limits are
// adjacent: this fills just that span of `partial`, up to the limits' sources
// (text that only `cgview show` prints).
bool copy_memory_span(Limits& partial) {
  if (!(g_hot.load(std::memory_order_acquire) & kPublished) || !fresh()) return false;
  size_t from = offsetof(Limits, cgroups) + sizeof(CgroupDir) * size_t(Controller::Memory);
  size_t to = offsetof(Limits, memory) + offsetof(MemoryLimits, limit_source);
  for (int attempt = 0; attempt < 4; ++attempt)
    if (copy_range(partial, from, to - from)) return true;
  return false;
}

}  // namespace

bool current_memory(MemoryLimits& memory, CgroupDir& dir) {
  if (!enabled()) return false;
  LimitsBuffer buffer;  // only the memory span is filled
  Limits& limits = buffer.limits();
  if (!copy_memory_span(limits)) refresh(limits);
  memory.has_limit = limits.memory.has_limit;  // not the sources, which the span leaves out
  memory.limit = limits.memory.limit;
  memory.has_swap_allowance = limits.memory.has_swap_allowance;
  memory.swap_allowance = limits.memory.swap_allowance;
  memory.levels = limits.memory.levels;
  dir = limits.cgroups.of(Controller::Memory);
  return true;
}

bool current_limits_for(VirtualFile file, Limits& out) {
  // /proc/meminfo, a node's meminfo and /proc/swaps read only the memory span
  // (render_meminfo, render_node_meminfo, render_swaps): they are served even
  // where the CPU view cannot be formed.
  if (file != VirtualFile::Meminfo && file != VirtualFile::Swaps && !is_node_meminfo(file)) return current_limits(out);
  if (!enabled()) return false;
  if (copy_memory_span(out)) return true;
  bool formed = current_limits(out);
  return can_render(file, out, formed);
}

}  // namespace cgview::shim
