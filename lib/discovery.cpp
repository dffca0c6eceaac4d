#include "discovery.hpp"

#include <cerrno>

#include "cgroup_search.hpp"
#include "debug_log.hpp"

namespace cgview {

namespace {

bool under_sys_fs_cgroup(const CgroupMount& m) {
  std::string_view p = m.mount_point.view();
  return p.substr(0, 15) == "/sys/fs/cgroup/" || p == "/sys/fs/cgroup";
}

// A controller's chosen mount: the first one, unless a later one sits under
// /sys/fs/cgroup and the chosen one does not.
void consider(CgroupMount& chosen, bool& have, const CgroupMount& candidate) {
  if (!have || (under_sys_fs_cgroup(candidate) && !under_sys_fs_cgroup(chosen))) {
    chosen = candidate;
    have = true;
  }
}

// The chosen mounts of up to kControllerCount controllers, named as in v1.
struct Mounts {
  const std::string_view* names = nullptr;
  int count = 0;
  CgroupMount v1[kControllerCount];
  bool have_v1[kControllerCount] = {};
  CgroupMount v2;
  bool have_v2 = false;

  // mountinfo lists mounts in the order they were made: a mount on a mount
  // point already in use hides what was there, for every controller it held,
  // whether or not the new one holds them too.
  void forget_hidden_by(const CgroupMount& newer) {
    std::string_view at = newer.mount_point.view();
    for (int c = 0; c < count; ++c)
      if (have_v1[c] && v1[c].mount_point.view() == at) have_v1[c] = false;
    if (have_v2 && v2.mount_point.view() == at) have_v2 = false;
  }
};

// Where this process's mountinfo and cgroup files are: /proc/self, unless
// its main thread has exited and others run on (main called pthread_exit).
// The kernel then has no mount namespace for the leader, so /proc/self's
// mountinfo cannot be opened, and shows it in every v1 hierarchy's root; the
// asking thread's own files (/proc/thread-self, Linux 3.17+) describe the
// process. Chosen by the open of mountinfo, read first.
struct ProcessFiles {
  std::string_view mountinfo = "/proc/self/mountinfo", cgroup = "/proc/self/cgroup";
};

void read_mounts(const Sysroot& root, Mounts& mounts, ProcessFiles& files) {
  int fd = open_host_file(root, files.mountinfo);
  if (fd < 0) {
    fd = open_host_file(root, "/proc/thread-self/mountinfo");
    if (fd < 0) return;
    files = {"/proc/thread-self/mountinfo", "/proc/thread-self/cgroup"};
  }
  char buf[4096];
  LineReader reader(fd, buf);
  std::string_view line;
  CgroupMount mount;
  while (reader.next_whole_line(line)) {
    if (!parse_cgroup_mount(line, mount)) continue;
    mounts.forget_hidden_by(mount);
    if (mount.v2) {
      consider(mounts.v2, mounts.have_v2, mount);
      continue;
    }
    for (int c = 0; c < mounts.count; ++c) {
      if (mount_has_controller(mount.super_options, mounts.names[c])) consider(mounts.v1[c], mounts.have_v1[c], mount);
    }
  }
  close_host_file(fd);
}

// Where the kernel's path cannot be joined to the mount by name, the search
// by cgroup.procs; remembered for the mount it ran on, since the v2 line
// places every controller on the same mount.
struct Search {
  bool pid_tried = false, pid_known = false;
  uint64_t pid = 0;
  PathText mount_point;  // empty until a search ran
  Listing listing = Listing::Unknown;
  PathText result;
};

void place(const Config& config, const CgroupMount& mount, std::string_view path, Search& search, CgroupDir& out) {
  if (!cgroup_directory(mount, path, out.path)) return;
  std::string_view mp = mount.mount_point.view();
  if (mp.size() > 1 && mp.back() == '/') mp.remove_suffix(1);
  out.mount_len = mp == "/" ? 1 : mp.size();
  out.found = true;
  out.v2 = mount.v2;
  if (!cgroup_path_outside_mount(mount, path)) return;
  if (search.mount_point.view() != mp || search.mount_point.size() == 0) {
    if (!search.pid_tried) search.pid_known = own_pid(config.root, search.pid);
    search.pid_tried = true;
    search.mount_point.clear();
    search.mount_point.add(mp);
    // A path above the mount's root is below none of its cgroups, whatever the pid.
    int depth = depth_below_mount(mount.root.view(), path);
    search.listing = depth == kAboveMount ? Listing::Absent
                     : search.pid_known   ? find_cgroup_listing(config.root, mp, search.pid, depth, search.result)
                                          : Listing::Unknown;
    DebugLine(config) << "cgroup path " << path << " is outside the root " << mount.root.view() << " of the mount at "
                      << mp
                      << (search.listing == Listing::Found    ? ": found by cgroup.procs at "
                          : search.listing == Listing::Absent ? ": no cgroup.procs below lists this process: none of "
                                                                "these cgroups is its own"
                          : search.pid_known ? ": the search by cgroup.procs was cut short; using the mount point"
                                             : ": its pid is unknown; using the mount point")
                      << (search.listing == Listing::Found ? search.result.view() : "");
  }
  if (search.listing == Listing::Found) out.path = search.result;
  else if (search.listing == Listing::Unknown) out.stand_in = true;
  // Searched through and not there, the process has left every cgroup this
  // mount shows: the mount point is then another cgroup (a namespace's root
  // the process was moved out of, whose limits no longer bind it) or the
  // hierarchy's root, which limits nothing. Neither is its own.
  else if (search.listing == Listing::Absent) out = CgroupDir{};
}

// The directory that holds the memory controller's files: the process's own,
// else its nearest ancestor with them (v2: a parent that did not pass
// +memory down). None at all (the v2 root cgroup): no memory cgroup. Only a
// file that is not there sends the search up: one there that cannot be
// opened (mode 000, no fd left) is still this directory's, whose figures are
// then unknown; its parent's, usually larger, would pass for the container's.
void settle_memory_directory(const Config& config, CgroupDir& dir) {
  std::string_view file = dir.v2 ? "memory.current" : "memory.usage_in_bytes";
  PathText level = dir.path;
  do {
    PathText probe;
    probe.add(level.view()).add('/').add(file);
    int error = probe.overflowed() ? ENAMETOOLONG : host_open_error(config.root, probe.view());
    if (error != ENOENT) {
      if (level.view() != dir.path.view())
        DebugLine(config) << "memory: " << dir.path.view() << " has no " << file << "; using the ancestor "
                          << level.view();
      if (error != 0)
        DebugLine(config) << "memory: " << probe.view() << " cannot be opened (errno " << error
                          << "): its figures are unknown";
      dir.path = level;
      return;
    }
  } while (parent_directory(level, dir.mount_len));
  DebugLine(config) << "memory: no " << file << " at " << dir.path.view()
                    << " or above (the root cgroup): the host's memory";
  dir.found = false;
}

// The v2 root cgroup has no limit files at all: say so, as the reason for the
// host's view (under CGVIEW_DEBUG only: the probe is an open).
void note_root_cgroup(const Config& config, const CgroupDir& dir) {
  if (config.debug && is_hierarchy_root(config.root, dir))
    DebugLine(config) << dir.path.view() << " is the root cgroup (no cgroup.type): no limits, the host's view";
}

// Places each controller of `names` (v1 names) into dirs[i]: its v1
// hierarchy, else the v2 line when no v1 hierarchy holds it. at_top[i], when
// given: the directory is the top of a mount that shows the whole hierarchy.
// False when /proc/self/cgroup cannot be read.
bool place_controllers(const Config& config, const std::string_view* names, int count, CgroupDir* dirs,
                       bool* at_top) {
  Mounts mounts;
  mounts.names = names;
  mounts.count = count < kControllerCount ? count : kControllerCount;  // Mounts holds that many
  count = mounts.count;
  ProcessFiles files;
  read_mounts(config.root, mounts, files);
  if (files.cgroup != "/proc/self/cgroup")
    DebugLine(config) << "the main thread has exited: reading this thread's " << files.mountinfo << " and "
                      << files.cgroup;
  int fd = open_host_file(config.root, files.cgroup);
  if (fd < 0) return false;
  char buf[4096];
  LineReader reader(fd, buf);
  std::string_view line;
  ProcCgroupLine entry;
  Search search;
  const CgroupMount* placed_on[kControllerCount] = {};
  while (reader.next_whole_line(line)) {
    if (!parse_proc_cgroup_line(line, entry)) continue;
    for (int c = 0; c < count; ++c) {
      const CgroupMount* mount = nullptr;
      if (entry.controllers.empty()) {
        // The v2 line serves every controller that no v1 hierarchy holds.
        if (entry.hierarchy_id == "0" && mounts.have_v2 && !mounts.have_v1[c] && !dirs[c].found) mount = &mounts.v2;
      } else if (mounts.have_v1[c] && list_has_controller(entry.controllers, names[c])) {
        mount = &mounts.v1[c];
      }
      if (mount == nullptr) continue;
      place(config, *mount, entry.path, search, dirs[c]);
      if (dirs[c].found) placed_on[c] = mount;
    }
  }
  close_host_file(fd);
  for (int c = 0; at_top != nullptr && c < count; ++c)
    at_top[c] = placed_on[c] != nullptr && placed_on[c]->root.view() == "/" && dirs[c].path.size() <= dirs[c].mount_len;
  return true;
}

}  // namespace

bool locate_controller(const Config& config, std::string_view v1_name, CgroupDir& out, bool* at_top) {
  out = CgroupDir{};
  bool top = false;
  place_controllers(config, &v1_name, 1, &out, &top);
  if (at_top != nullptr) *at_top = out.found && top;
  return out.found;
}

bool is_hierarchy_root(const Sysroot& root, const CgroupDir& dir) {
  if (!dir.found || dir.path.size() != dir.mount_len) return false;
  PathText path;
  path.add(dir.path.view()).add(dir.v2 ? "/cgroup.type" : "/release_agent");
  if (path.overflowed()) return false;
  ErrnoKeeper keep_errno;
  int fd = open_host_file(root, path.view());
  if (fd >= 0) close_host_file(fd);
  return dir.v2 ? fd < 0 : fd >= 0;
}

bool parent_directory(PathText& dir, size_t mount_len) {
  std::string_view p = dir.view();
  if (p.size() <= mount_len) return false;
  size_t slash = p.rfind('/');
  if (slash == std::string_view::npos) return false;
  size_t keep = slash == 0 ? 1 : slash;  // the parent of "/a" is "/"
  if (keep < mount_len) return false;
  PathText parent;
  parent.add(p.substr(0, keep));
  dir = parent;
  return true;
}

void discover_cgroups(const Config& config, CgroupDirs& out) {
  out = CgroupDirs{};
  std::string_view names[kControllerCount];
  for (int c = 0; c < kControllerCount; ++c) names[c] = controller_name(Controller(c));
  if (!place_controllers(config, names, kControllerCount, out.dirs, nullptr)) {
    DebugLine(config) << "no /proc/self/cgroup: no cgroup limits apply";
    return;
  }
  CgroupDir& memory = out.of(Controller::Memory);
  if (memory.found) settle_memory_directory(config, memory);
  for (int c = 0; c < kControllerCount; ++c) {
    if (out.dirs[c].found && out.dirs[c].v2) {
      note_root_cgroup(config, out.dirs[c]);
      break;
    }
  }
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& d = out.dirs[c];
    if (d.found)
      DebugLine(config) << controller_name(Controller(c)) << (d.v2 ? " (v2): " : " (v1): ") << d.path.view();
  }
}

}  // namespace cgview
