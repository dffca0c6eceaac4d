#include "show_notes.hpp"

#include "discovery.hpp"
#include "override_warnings.hpp"
#include "stand_in_warnings.hpp"

namespace cgview::cli {

namespace {

// Whether a v2 directory's mount starts below the hierarchy's root: a cgroup
// namespace's own mount, whose top directory has cgroup.type (only the real
// root lacks it). The cgroups above it cannot be read from here.
bool mount_hides_ancestors(const Config& config, const CgroupDir& dir) {
  if (!dir.found || !dir.v2 || dir.stand_in) return false;
  CgroupDir top = dir;
  top.path.clear();
  top.path.add(dir.path.view().substr(0, dir.mount_len));
  return !is_hierarchy_root(config.root, top);
}

}  // namespace

// No limit below the host's was found, but the search for one stopped at a
// namespace's root: one set higher up (a Kubernetes pod's, a --cgroup-parent
// slice's) still binds the container and cannot be seen, so the host's
// figures are shown. One note for both controllers, where they share a mount.
std::vector<std::string> hidden_limit_notes(const Config& config, const Limits& limits, bool have_limits) {
  if (config.disabled) return {};  // nothing was computed: no limit is known either way
  const CgroupDir& cpu = limits.cgroups.of(Controller::Cpu);
  // No memory cgroup at all on v2: the namespace's top cgroup lacks the memory
  // controller (its parent, above the namespace, did not pass +memory down), so
  // the memory that binds the process is counted and limited above, unseen.
  // The search for it stopped where the cpu cgroup's did: at the same mount.
  const CgroupDir& memory =
      limits.cgroups.of(Controller::Memory).found || !cpu.v2 ? limits.cgroups.of(Controller::Memory) : cpu;
  bool memory_hidden = !limits.memory.has_limit && !config.has_memory_override && mount_hides_ancestors(config, memory);
  bool cpu_hidden =
      have_limits && !limits.cpu.has_quota && !config.has_cpus_override && mount_hides_ancestors(config, cpu);
  std::vector<std::string> out;
  auto note = [&](const char* what, const CgroupDir& dir, const char* seen) {
    std::string mount(dir.path.view().substr(0, dir.mount_len));
    out.push_back(std::string(what) + " below the host's on " + std::string(dir.path.view()) +
                  (dir.path.view().size() > dir.mount_len ? " or its parents up to " + mount : std::string()) +
                  ", the top of its cgroup mount, which is not the hierarchy's root; one set on a cgroup above "
                  "it (a Kubernetes pod's, a --cgroup-parent slice's) would apply unseen: programs see " +
                  seen);
  };
  // v1 tells the limit of an ancestor it does not show, but not what else uses it.
  if (limits.memory.limit_above_view && !config.has_memory_override)
    out.push_back("the memory limit is set on a cgroup above " + std::string(memory.path.view().substr(0, memory.mount_len)) +
                  ", the top of the memory cgroup mount (v1's hierarchical_memory_limit tells it): what other cgroups under "
                  "it use counts against it too and is not seen here, so programs may have less free memory than "
                  "they are shown");
  if (memory_hidden && cpu_hidden && memory.path.view() == cpu.path.view())
    note("no memory limit or CPU quota", memory, "the host's memory and the CPUs of their affinity mask");
  else {
    if (memory_hidden) note("no memory limit", memory, "the host's memory");
    if (cpu_hidden) note("no CPU quota", cpu, "the CPUs of their affinity mask");
  }
  return out;
}

// The warnings about malformed CGVIEW_* settings, as the shim prints them, and
// about cgroups that are stand-ins.
std::vector<std::string> view_warnings(const Config& config, const CgroupDirs& dirs) {
  // show also prints pids and block I/O, from directories found the same way.
  CgroupDir pids, io;
  locate_controller(config, "pids", pids);
  locate_controller(without_debug_lines(config), "blkio", io);  // the view's lines said its decisions
  std::vector<std::string> out = stand_in_warnings(dirs, pids_and_io(pids, io));
  for_each_warning(config, [&](const SettingWarning& w) {
    WarningText text;
    format_warning(w, text);
    out.emplace_back(text.view());
  });
  // An override above the enforced limits or the host's, as `run` says of it.
  for (std::string& line : override_warnings(config, names_from_environment()))
    out.push_back(std::move(line));
  return out;
}

}  // namespace cgview::cli
