// The lines of a meminfo file that cgview rewrites (/proc/meminfo, and a NUMA
// node's, whose lines carry a "Node N " prefix), and the figures they take.
#pragma once

#include <string_view>

#include "config.hpp"
#include "limits.hpp"
#include "memory_view.hpp"
#include "sink.hpp"

namespace cgview {

// The container's figures, from the host's /proc/meminfo text: false where
// there is no view (no limit or swap allowance, or figures that cannot be
// formed), and the host's file is the answer.
bool container_figures(const Config& config, const Limits& limits, std::string_view host_meminfo,
                       MemoryFigures& figures);

// Writes `text` with each "<prefix>Key:   N kB" line cgview knows rewritten in
// the kernel's layout; every other byte is the host's, in runs. With a
// prefix only a node's names (MemUsed and FilePages, not MemAvailable,
// Buffers, Cached or the swap lines); without one, only /proc/meminfo's.
void rewrite_meminfo_lines(std::string_view text, std::string_view prefix, const MemoryFigures& figures, Sink& out);

// The host's values on the first MemTotal and MemFree lines that
// rewrite_meminfo_lines rewrites (0 where there is none): the lines checked
// are the lines replaced. False where any line it would rewrite does not
// hold a "N kB" number (a kernel writes nothing else there).
bool rewritten_host_values(std::string_view text, std::string_view prefix, const MemoryFigures& figures,
                           uint64_t& total, uint64_t& free);

// The most a host's Shmem may show where memory.stat has no shmem key (cgroup
// v1 of Linux 3.10): the memory the view shows used, and its Cached where that
// figure is known. /proc/meminfo's Shmem line and sysinfo's sharedram.
uint64_t shared_memory_stand_in_cap(const MemoryFigures& figures);

}  // namespace cgview
