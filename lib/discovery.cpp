#include "discovery.hpp"

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

struct Mounts {
  CgroupMount v1[kControllerCount];
  bool have_v1[kControllerCount] = {};
  CgroupMount v2;
  bool have_v2 = false;

  // mountinfo lists mounts in the order they were made: a mount on a mount
  // point already in use hides what was there, for every controller it held,
  // whether or not the new one holds them too.
  void forget_hidden_by(const CgroupMount& newer) {
    std::string_view at = newer.mount_point.view();
    for (int c = 0; c < kControllerCount; ++c)
      if (have_v1[c] && v1[c].mount_point.view() == at) have_v1[c] = false;
    if (have_v2 && v2.mount_point.view() == at) have_v2 = false;
  }
};

void read_mounts(const Sysroot& root, Mounts& mounts) {
  int fd = open_host_file(root, "/proc/self/mountinfo");
  if (fd < 0) return;
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
    for (int c = 0; c < kControllerCount; ++c) {
      if (mount_has_controller(mount.super_options, controller_name(Controller(c))))
        consider(mounts.v1[c], mounts.have_v1[c], mount);
    }
  }
  close_fd(fd);
}

void place(const CgroupMount& mount, std::string_view path, CgroupDir& out) {
  if (!cgroup_directory(mount, path, out.path)) return;
  std::string_view mp = mount.mount_point.view();
  if (mp.size() > 1 && mp.back() == '/') mp.remove_suffix(1);
  out.mount_len = mp == "/" ? 1 : mp.size();
  out.found = true;
  out.v2 = mount.v2;
}

}  // namespace

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
  Mounts mounts;
  read_mounts(config.root, mounts);
  int fd = open_host_file(config.root, "/proc/self/cgroup");
  if (fd < 0) {
    DebugLine(config) << "no /proc/self/cgroup: no cgroup limits apply";
    return;
  }
  char buf[4096];
  LineReader reader(fd, buf);
  std::string_view line;
  ProcCgroupLine entry;
  while (reader.next_whole_line(line)) {
    if (!parse_proc_cgroup_line(line, entry)) continue;
    for (int c = 0; c < kControllerCount; ++c) {
      std::string_view name = controller_name(Controller(c));
      if (entry.controllers.empty()) {
        // The v2 line serves every controller that no v1 hierarchy holds.
        if (entry.hierarchy_id == "0" && mounts.have_v2 && !mounts.have_v1[c] && !out.dirs[c].found)
          place(mounts.v2, entry.path, out.dirs[c]);
      } else if (mounts.have_v1[c] && list_has_controller(entry.controllers, name)) {
        place(mounts.v1[c], entry.path, out.dirs[c]);
      }
    }
  }
  close_fd(fd);
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& d = out.dirs[c];
    if (d.found)
      DebugLine(config) << controller_name(Controller(c)) << (d.v2 ? " (v2): " : " (v1): ") << d.path.view();
  }
}

}  // namespace cgview
