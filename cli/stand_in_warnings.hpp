// Where a cgroup mount's search for this process's cgroup was cut short, the
// mount point stands in for it (discovery.hpp, CgroupDir::stand_in): its
// limits and usage may not be the process's. `cgview show` and `cgview stats`
// both say so.
#pragma once

#include <string>
#include <vector>

#include "limits.hpp"

namespace cgview::cli {

// One warning per mount, naming its controllers (also those the stand-in had
// no files for: memory at a v2 root, where the host's figures are used).
// `more`: directories of other controllers (the pids and blkio/io figures
// show and stats print), each with the name its hierarchy gives it.
struct NamedDir {
  const char* name;
  const CgroupDir* dir;
};
std::vector<std::string> stand_in_warnings(const CgroupDirs& dirs, const std::vector<NamedDir>& more = {});

// The pids and blkio (v2: io) directories, named as their hierarchy names them.
inline std::vector<NamedDir> pids_and_io(const CgroupDir& pids, const CgroupDir& io) {
  return {{"pids", &pids}, {io.v2 ? "io" : "blkio", &io}};
}

// The same in one line of at most 80 columns, for the stats screen; empty
// when no cgroup stands in.
std::string stand_in_summary(const CgroupDirs& dirs, const std::vector<NamedDir>& more = {});

}  // namespace cgview::cli
