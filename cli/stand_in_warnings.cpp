#include "stand_in_warnings.hpp"

namespace cgview::cli {

namespace {

// Calls `each(mount point, "cpu, cpuacct")` once per mount with stand-ins.
template <typename Each>
void for_each_stand_in_mount(const CgroupDirs& dirs, Each each) {
  bool told[kControllerCount] = {};
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& d = dirs.of(Controller(c));
    if (!d.stand_in || told[c]) continue;
    std::string names;
    for (int other = c; other < kControllerCount; ++other) {
      const CgroupDir& o = dirs.of(Controller(other));
      if (!o.stand_in || o.path.view() != d.path.view()) continue;
      told[other] = true;
      names += (names.empty() ? "" : ", ") + std::string(controller_name(Controller(other)));
    }
    each(std::string(d.path.view()), names);
  }
}

}  // namespace

std::vector<std::string> stand_in_warnings(const CgroupDirs& dirs) {
  std::vector<std::string> out;
  for_each_stand_in_mount(dirs, [&](const std::string& mount, const std::string& names) {
    out.push_back(names + ": this process's cgroup lies outside the mount at " + mount +
                  ", and the search for the cgroup.procs that lists it was cut short or could not run (too many "
                  "cgroups, an unreadable one, or no pid): the mount point's limits, or the host's where it has "
                  "none, are used, which may not be the process's");
  });
  return out;
}

std::string stand_in_summary(const CgroupDirs& dirs) {
  std::string names;
  for_each_stand_in_mount(dirs, [&](const std::string&, const std::string& n) {
    names += (names.empty() ? "" : ", ") + n;
  });
  if (names.empty()) return names;
  std::string line = "WARN  " + names + ": may not be this cgroup's (cgview show)";
  if (line.size() > 80) line = "WARN  some figures may not be this cgroup's (cgview show)";
  return line;
}

}  // namespace cgview::cli
