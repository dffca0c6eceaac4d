// Parsers for /proc/self/mountinfo and /proc/self/cgroup lines.
#pragma once

#include <string_view>

#include "host_files.hpp"

namespace cgview {

// The cgroup controllers cgview reads.
enum class Controller : unsigned char { Cpu, Cpuacct, Cpuset, Memory };
inline constexpr int kControllerCount = 4;
std::string_view controller_name(Controller c);

// One cgroup mount from mountinfo, with octal escapes (\040) decoded.
struct CgroupMount {
  bool v2 = false;
  PathText root;         // field 4: the cgroup path the mount shows as its top
  PathText mount_point;  // field 5
  std::string_view super_options;  // v1: lists the controllers ("rw,cpu,cpuacct")
};

// Parses one mountinfo line; false for non-cgroup mounts and malformed lines.
bool parse_cgroup_mount(std::string_view line, CgroupMount& out);

// True when a v1 mount's super options name `controller` exactly.
bool mount_has_controller(std::string_view super_options, std::string_view controller);

// One /proc/self/cgroup line "id:controllers:path". The path may itself
// contain ':' (systemd unit names), so only the first two colons split.
struct ProcCgroupLine {
  std::string_view hierarchy_id;
  std::string_view controllers;  // empty for the v2 line "0::/path"
  std::string_view path;
};
bool parse_proc_cgroup_line(std::string_view line, ProcCgroupLine& out);

// True when a comma-separated controller list names `controller` exactly.
bool list_has_controller(std::string_view list, std::string_view controller);

// The process's directory: mount point + `path` with the mount's root
// stripped. A path outside the root, or one that climbs with "/..", maps to
// the mount point itself (docs/design.md, Discovery).
bool cgroup_directory(const CgroupMount& mount, std::string_view path, PathText& out);

// True when `path` cannot be placed below the mount by name: it climbs with
// "/..", or does not start with the mount's root (which may itself be "/..",
// a mount made outside the process's cgroup namespace).
bool cgroup_path_outside_mount(const CgroupMount& mount, std::string_view path);

}  // namespace cgview
