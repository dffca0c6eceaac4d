// The container's memory, as sysconf/get_phys_pages/sysinfo report it.
#pragma once

#include "memory_view.hpp"

namespace cgview::shim {

// Figures from cached limits and fresh usage; false = answer for real.
// Host figures: `known_host` when the caller already has them from a live
// sysinfo, else sysinfo (live) or the sysroot's /proc/meminfo. `wanted_stat`:
// the memory.stat keys the caller shows (memory.stat is read either way, so
// every answer falls back to the real one together where it is unreadable).
// `host_used`, when given, receives the host figures the view was made from.
bool memory_figures(const HostMemory* known_host, MemoryFigures& out, uint32_t wanted_stat,
                    HostMemory* host_used = nullptr);

enum class MemoryPages { Total, Free };
// MemTotal or MemFree in pages of sysconf(_SC_PAGESIZE).
bool memory_pages(MemoryPages which, long& pages);

}  // namespace cgview::shim
