// Finding the process's own cgroup below a cgroup mount by the directory whose
// cgroup.procs lists it (docs/design.md, Discovery). Needed in a cgroup namespace
// whose cgroup mount was made outside it (`unshare -C` without a fresh mount):
// mountinfo then gives the mount's root as "/.." and /proc/self/cgroup a path
// relative to the namespace, and the two cannot be joined by name.
#pragma once

#include <cstdint>

#include "host_files.hpp"

namespace cgview {

// Bounds, so a host with thousands of cgroups costs at most this many
// directories (each: one cgroup.procs read or one directory listing). The
// depth bounds a search that does not know it; one that does looks there
// only. A Kubernetes node at its default of 110 pods has about 500 cgroups
// (a pod and its containers, pause included, and the system's services);
// 2048 covers 250 pods. A search costs a few ms per thousand directories,
// once per process while it stays in the cgroup found (later refreshes check
// that directory's cgroup.procs alone).
inline constexpr int kCgroupSearchDepth = 6;
inline constexpr int kCgroupSearchDepthKnown = 32;
inline constexpr int kCgroupSearchDirs = 2048;

// How many levels below the mount point the process's directory lies, when
// the mount's root is the namespace's root or its ancestor by "/.." steps
// alone (mountinfo's "/" or "/../../.."): those steps plus the net depth of
// the process's path below the namespace root ("/" 0, "/a/b" 2, "/../sibling"
// 0). kAboveMount when the path climbs above the mount's root (moved out of
// the cgroups this mount shows); -1 when it cannot be told.
inline constexpr int kAboveMount = -2;
int depth_below_mount(std::string_view mount_root, std::string_view path);

// The process's id as its cgroup.procs files show it: getpid() live, and the
// first field of DIR/proc/self/stat under a sysroot.
bool own_pid(const Sysroot& root, uint64_t& pid);

// Looks at `mount_point` and the directories below it, depth first, for the
// one whose cgroup.procs lists `pid`: exactly `depth` levels down when that
// is known (>= 0), else at any depth up to kCgroupSearchDepth. Absent when
// it looked everywhere it could be (within the bounds) and found nothing;
// Unknown when a bound or an unreadable directory cut the search short. Raw
// syscalls and stack buffers only; every fd it opens is closed before it returns.
enum class Listing { Found, Absent, Unknown };
Listing find_cgroup_listing(const Sysroot& root, std::string_view mount_point, uint64_t pid, int depth, PathText& out);

}  // namespace cgview
