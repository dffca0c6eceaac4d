// Finding the process's cgroup directory for each controller (DESIGN.md, Discovery).
#pragma once

#include "cgroup_files.hpp"
#include "config.hpp"

namespace cgview {

struct CgroupDir {
  bool found = false;
  bool v2 = false;
  PathText path;         // host path of the process's cgroup directory
  size_t mount_len = 0;  // path[0, mount_len) is the mount point: walks stop there
};

struct CgroupDirs {
  CgroupDir dirs[kControllerCount];
  const CgroupDir& of(Controller c) const { return dirs[int(c)]; }
  CgroupDir& of(Controller c) { return dirs[int(c)]; }
};

// Reads DIR/proc/self/mountinfo and DIR/proc/self/cgroup. Controllers that
// cannot be placed stay !found (their limits then count as absent).
void discover_cgroups(const Config& config, CgroupDirs& out);

// Steps `dir` to its parent; false once it is at the mount point.
bool parent_directory(PathText& dir, size_t mount_len);

}  // namespace cgview
