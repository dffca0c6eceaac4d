// Finding the process's cgroup directory for each controller (docs/design.md, Discovery).
#pragma once

#include "cgroup_files.hpp"
#include "config.hpp"

namespace cgview {

struct CgroupDir {
  bool found = false;
  bool v2 = false;
  PathText path;         // host path of the process's cgroup directory
  size_t mount_len = 0;  // path[0, mount_len) is the mount point: walks stop there
  // The process's path lies outside the mount and the search by cgroup.procs
  // was cut short (a bound, an unreadable directory) or its pid is unknown:
  // `path` is the mount point, a stand-in (`cgview show` warns).
  bool stand_in = false;
};

struct CgroupDirs {
  CgroupDir dirs[kControllerCount];
  const CgroupDir& of(Controller c) const { return dirs[int(c)]; }
  CgroupDir& of(Controller c) { return dirs[int(c)]; }
};

// Reads DIR/proc/self/mountinfo and DIR/proc/self/cgroup. Controllers that
// cannot be placed stay !found (their limits then count as absent).
void discover_cgroups(const Config& config, CgroupDirs& out);

// The process's directory of one more controller, named as in v1 ("pids",
// "blkio", ...), by the same rules: its v1 hierarchy, or the v2 directory
// when no v1 hierarchy holds it (v2 calls blkio "io"), with the same search
// where the path lies outside the mount. Uncached: for what limits do not
// need. False when neither is mounted or listed. `at_top`, when given, tells
// whether the directory is the top of the whole hierarchy (the mount shows
// "/" and the process sits there): the host's own cgroup, not a container's.
bool locate_controller(const Config& config, std::string_view v1_name, CgroupDir& out, bool* at_top = nullptr);

// Whether `dir` is the top of its hierarchy, whose CPU time (and memory, and
// I/O) is the whole host's: the mount point, and the hierarchy's real root
// (v1: it alone has release_agent; v2: it alone lacks cgroup.type). A private
// cgroup namespace's root is also a mount point, but its time is the container's.
bool is_hierarchy_root(const Sysroot& root, const CgroupDir& dir);

// Steps `dir` to its parent; false once it is at the mount point.
bool parent_directory(PathText& dir, size_t mount_len);

}  // namespace cgview
