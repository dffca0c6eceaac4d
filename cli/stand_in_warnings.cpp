#include "stand_in_warnings.hpp"

#include <vector>

namespace cgview::cli {

namespace {

// Calls `each(mount point, "cpu, cpuacct")` once per mount with stand-ins.
template <typename Each>
void for_each_stand_in_mount(const CgroupDirs& dirs, const std::vector<NamedDir>& more, Each each) {
  std::vector<NamedDir> all;
  for (int c = 0; c < kControllerCount; ++c) all.push_back({nullptr, &dirs.of(Controller(c))});
  all.insert(all.end(), more.begin(), more.end());
  auto name_of = [&](size_t i) {
    return i < size_t(kControllerCount) ? std::string(controller_name(Controller(i))) : std::string(all[i].name);
  };
  std::vector<bool> told(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const CgroupDir& d = *all[i].dir;
    if (!d.stand_in || told[i]) continue;
    std::string names;
    for (size_t other = i; other < all.size(); ++other) {
      const CgroupDir& o = *all[other].dir;
      if (!o.stand_in || o.path.view() != d.path.view()) continue;
      told[other] = true;
      names += (names.empty() ? "" : ", ") + name_of(other);
    }
    each(std::string(d.path.view()), names);
  }
}

}  // namespace

std::vector<std::string> stand_in_warnings(const CgroupDirs& dirs, const std::vector<NamedDir>& more) {
  std::vector<std::string> out;
  for_each_stand_in_mount(dirs, more, [&](const std::string& mount, const std::string& names) {
    out.push_back(names + ": this process's cgroup lies outside the mount at " + mount +
                  ", and the search for the cgroup.procs that lists it was cut short or could not run (too many "
                  "cgroups, an unreadable one, or no pid): the mount point's limits, or the host's where it has "
                  "none, are used, which may not be the process's");
  });
  return out;
}

std::string stand_in_summary(const CgroupDirs& dirs, const std::vector<NamedDir>& more) {
  std::string names;
  for_each_stand_in_mount(dirs, more, [&](const std::string&, const std::string& n) {
    names += (names.empty() ? "" : ", ") + n;
  });
  if (names.empty()) return names;
  std::string line = "WARN  maybe not this cgroup's (cgview show): " + names;
  if (line.size() > 80) line = "WARN  maybe not this cgroup's: " + names;
  if (line.size() > 80) line = "WARN  some figures may not be this cgroup's (cgview show)";
  return line;
}

}  // namespace cgview::cli
