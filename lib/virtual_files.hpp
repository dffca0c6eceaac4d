// The files cgview serves, and how each is rendered (docs/design.md, Semantics).
#pragma once

#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "cpu_files.hpp"
#include "limits.hpp"
#include "sink.hpp"
#include "stat_clock.hpp"

namespace cgview {

// The named files, then one value per /sys/devices/system/cpu/cpuK file and
// per NUMA node file (cpu_files.hpp: cpu_file, split_cpu_file).
enum class VirtualFile : uint32_t {
  None, Meminfo, Cpuinfo, Stat, CpuOnline, CpuOffline,
  // The cgroup's own figures for tools (`cgview stats`' files).
  Swaps, PressureCpu, PressureMemory, PressureIo, Diskstats,
  // The process's own /proc/<pid>/status and its threads' (render_status.cpp).
  Status,
  // /sys/block/DEV/stat and the like, one value for every device: the device
  // travels beside it (block_stat_device, render_block_stat.cpp).
  BlockStat,
  // /sys/devices/system/node/has_cpu (cpu_files.cpp).
  NodeHasCpu,
};

// Maps a normalized absolute path to the file it names (None: not served).
// Of the status files only /proc/self/status and /proc/thread-self/status
// (as the process itself would name them); see status_file_task for the rest.
VirtualFile virtual_file_for(std::string_view normalized_path);

// The path of the real file a served one stands for, as a program could name
// it: the named files' own, a CPU or node file's canonical path, a block
// device's stat file through /sys/dev/block, a status file through
// /proc/self. `task`: what status_file_task or block_stat_device gave. False
// for None.
bool served_file_path(VirtualFile file, uint32_t task, PathText& out);

// A status file of this process's own: /proc/self/status,
// /proc/thread-self/status, /proc/<own pid>/status,
// /proc/<own pid or self>/task/<tid>/status, and /proc/<tid>/status of the
// asking thread, or of any thread `is_thread` says is this process's (asked
// only where <tid> is neither own id). `task` = 0 for the process's file,
// else the id of the thread whose file it is (the main thread's too), with
// kThreadDirectory set for the /proc/<tid> form: a file of its own, whose
// inode fstat must give. Other processes' files are not ours: false.
inline constexpr uint32_t kThreadDirectory = uint32_t(1) << 31;  // above any tid (pid_max <= 2^22)
bool status_file_task(std::string_view normalized_path, uint64_t own_pid, uint64_t own_tid, uint32_t& task,
                      bool (*is_thread)(uint64_t own_pid, uint64_t id) = nullptr);
// The real status file `task` (as status_file_task gives it) names.
void status_file_path(uint32_t task, PathText& out);

// A task's view of its real affinity mask: the first CpuLimits::narrow_to
// ids from CpuLimits::start in rotation (for A, V). What sched_getaffinity
// answers for a task and what its status file shows.
CpuSet task_view(const Limits& limits, const CpuSet& real);

// Lexically normalizes an absolute path: "//" and "/./" collapse, ".." pops
// (never above "/"). False when `path` is relative, too long, or ends in '/'
// (a directory, which no served file is).
bool normalize_path(std::string_view path, PathText& out);

// Each renderer streams its file into `out`. render_meminfo and
// render_node_meminfo read only limits.memory and
// limits.cgroups.of(Controller::Memory) (the shim relies on it to copy less
// of its cache). False when the content could not
// be produced; whatever reached `out` must then be discarded.
bool render_meminfo(const Config& config, const Limits& limits, Sink& out);
// A NUMA node's /sys/devices/system/node/nodeN/meminfo on a host of one
// node, with the lines /proc/meminfo would rewrite; false (the host's file)
// with several nodes, without a memory limit, or where the node does not
// look at least as large as the view (its MemTotal, its MemFree; huge pages
// at the limit).
bool render_node_meminfo(const Config& config, const Limits& limits, unsigned node, Sink& out);
bool render_cpuinfo(const Config& config, const Limits& limits, Sink& out);
bool render_stat(const Config& config, const Limits& limits, StatClock* clock, Sink& out);
bool render_cpu_online(const Config& config, const Limits& limits, Sink& out);
// /sys/devices/system/cpu/offline as the kernel writes it (the possible CPUs
// that are not online) on a machine whose online CPUs are V: the host's
// off-line CPUs, and its online CPUs outside V. False, and so the host's
// file, when the host has none or it cannot be parsed.
bool render_cpu_offline(const Config& config, const Limits& limits, Sink& out);
// /sys/devices/system/node/has_cpu as the kernel writes it (the nodes with an
// online CPU) on a machine whose online CPUs are V: the host's nodes that
// hold a CPU of V. False, and so the host's file, when it or a listed node's
// cpulist cannot be read or parsed.
bool render_node_has_cpu(const Config& config, const Limits& limits, Sink& out);
// A CPU list as the kernel writes one ("0-3,8"), without the newline.
void put_cpu_list(const CpuSet& set, Sink& out);
// The kernel's CPU mask form ("1,ffffffff"): comma-separated groups of 32
// bits in hex, most significant first, the first group only as wide as
// nr_cpu_ids needs. The shape keeps each group's width, so a set is written
// back exactly as wide as the kernel's own file or line.
struct MaskShape {
  unsigned groups = 0;
  unsigned char digits[kMaxCpus / 32] = {};
  unsigned capacity() const;  // the CPU ids it has room for: 4 per digit
};
bool parse_cpu_mask(std::string_view text, CpuSet& set, MaskShape& shape);
// Without the newline; ids at or above shape.capacity() are left out.
void put_cpu_mask(const CpuSet& set, const MaskShape& shape, Sink& out);
// /proc/swaps (render_swaps.cpp), /proc/pressure/* (render_pressure.cpp) and
// /proc/diskstats (render_diskstats.cpp): false, and so the host's file, where
// the cgroup gives nothing (no swap allowance, cgroup v1, no I/O accounting).
bool render_swaps(const Config& config, const Limits& limits, Sink& out);
bool render_pressure(const Config& config, const Limits& limits, VirtualFile file, Sink& out);
bool render_diskstats(const Config& config, const Limits& limits, Sink& out);
// The DEV (or DISK/PART) of a normalized /sys/block/DEV/stat,
// /sys/class/block/DEV/stat or /sys/block/DISK/PART/stat path, whether or not
// such a device exists. False for any other path.
bool block_stat_name(std::string_view path, std::string_view& name);
// The device such a path names (its "dev" file, read under `root`), packed as
// major << 20 | minor. False for any other path, or a device that is not there.
bool block_stat_device(const Sysroot& root, std::string_view path, uint32_t& device);
// That device's stat file through /sys/dev/block/MAJ:MIN, which links to its
// directory as /sys/block/DEV does.
void block_stat_path(uint32_t device, PathText& out);
bool render_block_stat(const Config& config, const Limits& limits, uint32_t device, Sink& out);
// `task` as status_file_task gives it. Always the running task's real file
// (also under a sysroot, where it shows the sysroot's V).
bool render_status(const Config& config, const Limits& limits, uint32_t task, Sink& out);
// The status file at root/path with Cpus_allowed(_list) replaced: the task's
// view of the mask the file holds (task_view), or with `show_visible`, V.
bool render_status_file(const Sysroot& root, std::string_view path, const Limits& limits, bool show_visible,
                        Sink& out);
// Renders `file` into `out`; false = serve the host's file. `task`: for the
// status file, the task it shows (0: the calling thread's process); for a
// block device's stat file, its device (major << 20 | minor, as its "dev" file
// names it), without which there is nothing to render.
bool render(VirtualFile file, const Config& config, const Limits& limits, StatClock* clock, Sink& out,
            uint32_t task = 0);

// A NUMA node's meminfo (render_node_meminfo), which like /proc/meminfo reads
// only limits.memory and the memory cgroup.
inline bool is_node_meminfo(VirtualFile file) {
  return uint32_t(file) - uint32_t(cpu_file({CpuFile::NodeMeminfo, 0, 0})) < kMaxCpus;
}

// Whether `file` can be rendered from `limits`, where compute_limits returned
// `formed`. /proc/meminfo needs only the memory part, which is there even when
// the CPU view cannot be formed (no readable online list, as in sandboxes
// without /sys): the shim and `cgview cat` both ask this.
inline bool can_render(VirtualFile file, const Limits& limits, bool formed) {
  if (file == VirtualFile::Meminfo || is_node_meminfo(file))
    return formed || limits.memory.has_limit || limits.memory.has_swap_allowance;
  if (file == VirtualFile::Swaps) return limits.memory.has_swap_allowance;
  return formed;
}

}  // namespace cgview
