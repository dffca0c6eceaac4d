// The host's memory figures, as a process would see them without cgview:
// the sysinfo call on the live system, /proc/meminfo's text under a sysroot
// or where a renderer has read it. One rule reads the text, so sysinfo and
// the served /proc/meminfo agree under a sysroot.
#pragma once

#include <cstdint>
#include <string_view>
#include <sys/sysinfo.h>

#include "host_files.hpp"

namespace cgview {

// Bytes.
struct HostMemory {
  uint64_t total = 0, free = 0, swap_total = 0, swap_free = 0;
  bool has_available = false;  // MemAvailable: /proc/meminfo has it, sysinfo does not
  uint64_t available = 0;
  // A 32-bit kernel's high memory, the part of `total` (and of `free`) it
  // cannot map for itself: HighTotal and HighFree, or sysinfo's totalhigh and
  // freehigh (0 on other kernels). False where the text has no such lines.
  bool has_high = false;
  uint64_t high_total = 0, high_free = 0;
  // Shared memory (tmpfs, shm): sysinfo's sharedram, or the Shmem line where
  // read_host_memory reads a sysroot's file (0 where it has none). Not read
  // from a renderer's text: its line comes after the others, and the
  // renderers take Shmem from the text itself.
  uint64_t shared = 0;
  // Buffers: sysinfo's bufferram, or the Buffers line where read_host_memory
  // reads a sysroot's file (0 where it has none, and in a renderer's text).
  uint64_t buffers = 0;
};

// In bytes, from what the sysinfo call gave (in its mem_unit).
HostMemory host_memory_from_sysinfo(const struct sysinfo& info);

// Live: the sysinfo syscall. Sysroot: DIR/proc/meminfo, as host_memory_from_meminfo,
// and its Shmem line too.
bool read_host_memory(const Sysroot& root, HostMemory& out);

// From a /proc/meminfo text: each key's first "Key:   123 kB" line. False
// without a MemTotal above 0; a missing MemFree reads as MemTotal, a missing
// MemAvailable as none, a missing SwapFree as SwapTotal, a missing SwapTotal as
// no swap; HighTotal and HighFree count only where both are there (before
// SwapFree, as the kernel prints them).
bool host_memory_from_meminfo(std::string_view meminfo, HostMemory& out);

}  // namespace cgview
