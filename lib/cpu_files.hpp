// /sys/devices/system/cpu/cpuK/online and the topology lists of cpuK, as a
// machine whose online CPUs are V would show them (docs/design.md, CPUs):
// - cpuK/online: "1" for K in V, "0" for the host's other CPUs;
// - cpuK/topology/{core_cpus,thread_siblings,core_siblings,package_cpus,
//   die_cpus,cluster_cpus,book_siblings,drawer_siblings}[_list]: the host's
//   set intersected with V, in the host file's own form (a list, or hex
//   masks in comma-separated 32-bit groups as wide as the host's, which is
//   nr_cpu_ids). Clusters exist on x86 and arm64 since Linux 5.16, books
//   and drawers on s390 only;
// - cpuK/topology/{core_id,physical_package_id,die_id,cluster_id,book_id,
//   drawer_id}: the host's for K in V and for K with a sibling in V (the
//   matching list above), else those of V's lowest CPU, as its lists read
//   (inxi counts cores by the distinct core_id of every cpuK);
// - cpuK/cache/indexN/shared_cpu_list and shared_cpu_map (the CPUs sharing
//   that cache), for K in V: the host's set without the CPUs below its
//   lowest member in V (hwloc and lscpu count caches from them: see
//   drop_below_lowest_visible); for K outside V the host's file;
// - /sys/devices/system/node/nodeN/{cpulist,cpumap}: the host's set
//   intersected with V, as the kernel writes them (a node's CPUs that are
//   online) on that machine; a node without a CPU of V reads empty, as one
//   whose CPUs are all off-line does. lscpu ("NUMA node0 CPU(s)") and hwloc
//   read them;
// - /sys/devices/system/node/nodeN/meminfo, on a host of one node: its
//   lines as /proc/meminfo's (MemTotal, MemFree, the memory.stat lines; MemUsed
//   = total - free, FilePages as Cached); the host's with several nodes, no
//   memory limit, or a node that could not hold the view
//   (render_node_meminfo.cpp).
// Each also through /sys/bus/cpu/devices/cpuK and /sys/bus/node/devices/nodeN.
// Only files the host has are served (no file exists for a CPU outside
// `possible`): the renderer reads the host's file first and fails, so the
// real open answers, when it is missing. One exception: the `online` file of
// an online CPU that cannot go off-line (x86 has no cpu0/online) reads "0"
// when that CPU is outside V, as on a kernel that can take it off-line.
#pragma once

#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "limits.hpp"
#include "sink.hpp"

namespace cgview {

enum class VirtualFile : uint32_t;

enum class CpuFile : unsigned char {
  Online,
  CoreCpusList,
  ThreadSiblingsList,
  CoreSiblingsList,
  PackageCpusList,
  DieCpusList,
  ClusterCpusList,
  BookSiblingsList,
  DrawerSiblingsList,
  CoreCpus,
  ThreadSiblings,
  CoreSiblings,
  PackageCpus,
  DieCpus,
  ClusterCpus,
  BookSiblings,
  DrawerSiblings,
  CoreId,  // physical_package_id, die_id, ...: one number each
  PackageId,
  DieId,
  ClusterId,
  BookId,
  DrawerId,
  CacheSharedCpuList,  // cpuK/cache/indexN/
  CacheSharedCpuMap,
  NodeCpuList,  // /sys/devices/system/node/nodeN/: CpuFileRef::cpu holds N
  NodeCpuMap,
  NodeMeminfo,  // render_node_meminfo.cpp
};
inline constexpr unsigned kCpuFileKinds = 28;

// Caches per CPU: x86 shows 4 or 5 (L1d, L1i, L2, L3); arm64 up to 7
// levels, each possibly split in two.
inline constexpr unsigned kCacheIndexes = 16;

// One per-CPU file: its kind, K, and for a cache file N.
struct CpuFileRef {
  CpuFile kind = CpuFile::Online;
  unsigned cpu = 0;  // K; for the Node* kinds the node's number
  unsigned cache = 0;  // indexN of the Cache* kinds; 0 for the others
};

// One VirtualFile value per (kind, N, K), above the named files'.
inline constexpr uint32_t kCpuFilesFrom = 0x10000;
constexpr VirtualFile cpu_file(CpuFileRef f) {
  return VirtualFile(kCpuFilesFrom + (unsigned(f.kind) * kCacheIndexes + f.cache) * kMaxCpus + f.cpu);
}
bool split_cpu_file(VirtualFile file, CpuFileRef& out);

// The file a normalized path names, or false.
bool cpu_file_for(std::string_view normalized_path, VirtualFile& out);

// The last component of each per-CPU file (a cheap filter for the shim).
bool cpu_file_name(std::string_view name);

// The host's path of a per-CPU file ("/sys/devices/system/cpu/cpu3/online",
// "/sys/devices/system/node/node1/cpulist").
void cpu_file_path(const CpuFileRef& file, PathText& out);

// Every kind but NodeMeminfo (render_node_meminfo, which render() calls
// outside this function's frame).
bool render_cpu_file(const Config& config, const Limits& limits, const CpuFileRef& file, Sink& out);

}  // namespace cgview
