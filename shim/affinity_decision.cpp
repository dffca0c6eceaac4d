#include "affinity_decision.hpp"

#include <atomic>
#include <cstring>

#include "kernel_call.h"
#include "lazy_zeroed.hpp"

namespace cgview::shim {

void narrow_to_view(size_t size, cpu_set_t* mask) {
  AffinityRule rule;
  if (!current_affinity_rule(rule)) return;
  unsigned char* bytes = reinterpret_cast<unsigned char*>(mask);
  if (rule.use_visible) {
    LimitsBuffer buffer;
    Limits& limits = buffer.limits();
    if (!current_limits(limits)) return;
    write_mask(limits.cpu.visible, size, mask);
    return;
  }
  keep_in_rotation(bytes, size, rule.quota_cpus, rule.start);
}

// Bytes of `mask` past CpuSet::kBytes are not read (a setter's decide() reads
// no more than the kernel does: see kernel_mask_bytes).
bool same_mask(const cpu_set_t* mask, size_t size, const CpuSet& set) {
  const unsigned char* given = reinterpret_cast<const unsigned char*>(mask);
  const unsigned char* ours = reinterpret_cast<const unsigned char*>(set.words());
  size_t common = size < CpuSet::kBytes ? size : CpuSet::kBytes;
  if (std::memcmp(given, ours, common) != 0) return false;
  for (size_t i = common; i < CpuSet::kBytes; ++i)
    if (ours[i] != 0) return false;
  return true;
}

bool narrowing(AffinityRule& rule) { return current_affinity_rule(rule) && (rule.use_visible || rule.quota_cpus != 0); }

bool shown_mask_of(const AffinityRule& rule, const CpuSet& real, CpuSet& shown) {
  if (!rule.use_visible) {
    shown = real;
    shown.keep_rotated(rule.quota_cpus, rule.start);
    return true;
  }
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (!current_limits(limits)) return false;
  shown = limits.cpu.visible;
  return true;
}

namespace {

// The bytes of a mask the kernel reads from a setter, whatever size it is
// given (its cpumask_size(): nr_cpu_ids' or NR_CPUS' bits in whole longs, 32
// bytes on a kernel built for 256 CPUs): the count sched_getaffinity returns.
// Bytes past it are not part of the mask set, nor always readable (a program
// may pass a size larger than its buffer; the kernel accepts that, though an
// emulator such as qemu-user may read the whole size and refuse it with
// EFAULT, which the shim then does not: it answers a shown mask itself). Fixed
// at boot, so asked once; CpuSet::kBytes where it cannot be asked.
size_t kernel_mask_bytes() {
  static constinit std::atomic<size_t> known{0};
  size_t bytes = known.load(std::memory_order_relaxed);
  if (bytes != 0) return bytes;
  CpuSet mask;
  long got = cgview_kernel_affinity_call(SYS_sched_getaffinity, 0, CpuSet::kBytes, mask.words());
  bytes = got > 0 && size_t(got) <= CpuSet::kBytes ? size_t(got) : CpuSet::kBytes;
  known.store(bytes, std::memory_order_relaxed);
  return bytes;
}

}  // namespace

namespace {

// The process's A and V as they were before it first set a mask itself. A
// refresh of the view computes A from the process's mask as it is then, so a
// main thread pinned to one CPU makes A that CPU; a program that saved the V
// it was shown, pinned itself, and restores the saved mask half a second or
// more later must still get that A back, not the saved V's CPUs alone.
// Written once (a compare-and-swap picks the writer); 2 KiB mapped only in a
// program that sets affinity (lazy_zeroed.hpp: the library's writable data
// stays one page).
struct FirstView {
  CpuSet affinity, visible;
};
constinit LazyZeroed<FirstView> g_first;
std::atomic<int> g_first_state{0};  // 0 none, 1 being written, 2 ready

// Whether A is now a part of the first A and not all of it: the process (or
// someone for it) narrowed its mask since. Only then does the first V stand
// for the first A; where A is unchanged and V moved (a new CPU quota), the
// first V is just a set of CPUs, and a pin to it means those CPUs.
bool narrowed_from(const CpuSet& now, const CpuSet& first) {
  CpuSet common = now;
  common.intersect(first);
  return common == now && !(now == first);
}

}  // namespace

void remember_view_before_first_set() {
  if (g_first_state.load(std::memory_order_acquire) != 0) return;
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (!current_limits(limits)) return;
  FirstView* first = g_first.get();
  int none = 0;
  if (first == nullptr || !g_first_state.compare_exchange_strong(none, 1, std::memory_order_acq_rel)) return;
  first->affinity = limits.cpu.affinity;
  first->visible = limits.cpu.visible;
  g_first_state.store(2, std::memory_order_release);
}

Decision decide(const AffinityRule& rule, const cpu_set_t* mask, size_t size, const CpuSet& real,
                CpuSet& process_mask) {
  if (size > kernel_mask_bytes()) size = kernel_mask_bytes();
  if (!rule.use_visible) {
    CpuSet shown;
    shown_mask_of(rule, real, shown);
    if (same_mask(mask, size, shown)) return Decision::KeepReal;
  }
  LimitsBuffer buffer;
  Limits& limits = buffer.limits();
  if (!current_limits(limits)) return Decision::PassThrough;
  const CpuSet* stands_for = nullptr;  // the A the mask is a V of
  if (same_mask(mask, size, limits.cpu.visible))
    stands_for = &limits.cpu.affinity;
  else if (const FirstView* first = g_first.if_mapped();
           first != nullptr && g_first_state.load(std::memory_order_acquire) == 2 &&
           narrowed_from(limits.cpu.affinity, first->affinity) && same_mask(mask, size, first->visible))
    stands_for = &first->affinity;
  if (stands_for == nullptr) return Decision::PassThrough;
  // Under a sysroot every task was shown the fixture's V: keep its real mask.
  if (rule.use_visible || *stands_for == real) return Decision::KeepReal;
  process_mask = *stands_for;
  return Decision::SetAffinity;
}

void write_mask(const CpuSet& set, size_t size, cpu_set_t* mask) {
  unsigned char* bytes = reinterpret_cast<unsigned char*>(mask);
  size_t common = size < CpuSet::kBytes ? size : CpuSet::kBytes;
  std::memcpy(bytes, set.words(), common);
  if (size > common) std::memset(bytes + common, 0, size - common);
}

}  // namespace cgview::shim
