#include "override_warnings.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "int128.hpp"
#include "limits.hpp"

namespace cgview::cli {

OverrideNames names_from_environment() {
  auto given = [](const char* name) {
    const char* value = secure_getenv(name);
    return value != nullptr ? std::string(name) + "=" + value : std::string();
  };
  return {given("CGVIEW_CPUS"), given("CGVIEW_MEMORY")};
}

std::vector<std::string> override_warnings(const Config& with_overrides, const OverrideNames& names) {
  std::vector<std::string> out;
  // Quiet: `run`'s program and `show`'s own view say the decisions.
  Config with = without_debug_lines(with_overrides);
  Config without = with;
  without.has_cpus_override = without.has_memory_override = false;
  Limits enforced, view;
  if (with.disabled || !compute_limits(without, enforced) || !compute_limits(with, view)) return out;
  bool cpus = !names.cpus.empty() && with_overrides.has_cpus_override;
  bool memory = !names.memory.empty() && with_overrides.has_memory_override;

  // Above the enforced limits: a heap the OOM killer ends, more workers than
  // the quota runs. Overrides are for lowering; raising is allowed, and said.
  // CPUs only where programs see more than under the quota: with a 0.5 quota,
  // 1 CPU shows the 1 CPU the quota rounds up to anyway.
  const MemoryLimits& mem = enforced.memory;
  if (memory && mem.has_limit && with_overrides.memory_override > mem.limit)
    out.push_back(names.memory + " is above the memory limit the kernel enforces here, " + std::to_string(mem.limit) +
                  " bytes (" + std::string(mem.limit_source.file.view()) +
                  "): programs may size themselves for memory they cannot have");
  const CpuLimits& cpu = enforced.cpu;
  if (cpus && cpu.has_quota && view.cpu.count > cpu.count) {
    char quota[64];
    std::snprintf(quota, sizeof quota, "%g", double(cpu.quota.quota) / double(cpu.quota.period));
    out.push_back(names.cpus + " is above the CPU quota the kernel enforces here, " + quota +
                  (std::string_view(quota) == "1" ? " CPU (" : " CPUs (") +
                  std::string(cpu.quota_source.file.view()) + "): programs may start more workers than it runs at once");
  }

  // Above what the host has: the view never shows more CPUs than the process
  // may run on, nor more memory than the host has; said, so that 4 CPUs on a
  // 2-CPU machine is not taken for 4.
  unsigned may_run_on = view.cpu.affinity.count();
  if (cpus && may_run_on > 0 && Int128(with_overrides.cpus_override_micro) > Int128(may_run_on) * 1000000)
    out.push_back(names.cpus + " is more than the " +
                  (may_run_on == 1 ? std::string("1 CPU") : std::to_string(may_run_on) + " CPUs") +
                  " this process may run on: programs see " + std::to_string(view.cpu.count));
  HostMemory host;
  if (memory && read_host_memory(with_overrides.root, host) && with_overrides.memory_override > host.total)
    out.push_back(names.memory + " is more than the host's memory, " + std::to_string(host.total) +
                  " bytes: programs see the host's");
  return out;
}

}  // namespace cgview::cli
