#include "reach_tables.hpp"

namespace cgview::cli {

namespace {

constexpr std::string_view kSymbols[] = {
    // CPUs and memory
    "sysconf", "get_nprocs", "get_nprocs_conf", "sched_getaffinity", "pthread_getaffinity_np",
    "sched_setaffinity", "pthread_setaffinity_np", "pthread_attr_setaffinity_np", "pthread_attr_getaffinity_np",
    "sysinfo", "get_phys_pages", "get_avphys_pages",
    // opening the served files
    "open", "open64", "openat", "openat64", "__open_2", "__open64_2", "__openat_2", "__openat64_2",
    "fopen", "fopen64", "freopen", "freopen64",
    // moving within a served file
    "lseek", "lseek64", "rewind", "fseek", "fseeko", "fseeko64", "fsetpos", "fsetpos64",
};

// Interposed too, but not what a program's asking is judged by: the stat calls
// ask nothing (they describe a served file as the real one, and nearly every
// program calls one); syscall() asks for the affinity with two of its numbers,
// but nearly every program that imports it does so for others (futex, gettid);
// fork asks nothing (its child closes the library's own files).
constexpr std::string_view kDescribing[] = {"fstat", "fstat64", "__fxstat", "__fxstat64", "statx", "syscall", "fork"};

constexpr std::string_view kServed[] = {
    "/proc/meminfo",
    "/proc/cpuinfo",
    "/proc/stat",
    "/sys/devices/system/cpu/online",
    "/sys/devices/system/cpu/offline",
    "/sys/devices/system/node/has_cpu",
    "/proc/self/status",
    "/proc/swaps",
    "/proc/diskstats",
    "/proc/pressure/cpu",
    "/proc/pressure/memory",
    "/proc/pressure/io",
};

constexpr std::string_view kCgroupLimits[] = {
    "cpu.cfs_quota_us", "cpu.max", "memory.limit_in_bytes", "memory.max",
};

}  // namespace

std::span<const std::string_view> interposed_symbols() { return kSymbols; }
std::span<const std::string_view> describing_symbols() { return kDescribing; }
std::span<const std::string_view> served_paths() { return kServed; }
std::span<const std::string_view> cgroup_limit_names() { return kCgroupLimits; }

}  // namespace cgview::cli
