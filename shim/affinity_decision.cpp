#include "affinity_decision.hpp"

#include <cstring>

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

// Bytes of `mask` past CpuSet::kBytes are not read: the kernel reads no more than
// its own mask's bytes (at most 8192 CPUs) of a larger size, and the buffer
// behind a raw syscall()'s size need not be as large as the size says.
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

Decision decide(const AffinityRule& rule, const cpu_set_t* mask, size_t size, const CpuSet& real,
                CpuSet& process_mask) {
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
