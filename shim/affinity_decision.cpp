#include "affinity_decision.hpp"

#include <atomic>
#include <cstring>

#include "kernel_call.h"

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
  if (!current_limits(limits) || !same_mask(mask, size, limits.cpu.visible)) return Decision::PassThrough;
  // Under a sysroot every task was shown the fixture's V: keep its real mask.
  if (rule.use_visible || limits.cpu.affinity == real) return Decision::KeepReal;
  process_mask = limits.cpu.affinity;
  return Decision::SetAffinity;
}

void write_mask(const CpuSet& set, size_t size, cpu_set_t* mask) {
  unsigned char* bytes = reinterpret_cast<unsigned char*>(mask);
  size_t common = size < CpuSet::kBytes ? size : CpuSet::kBytes;
  std::memcpy(bytes, set.words(), common);
  if (size > common) std::memset(bytes + common, 0, size - common);
}

}  // namespace cgview::shim
