#include "cgroup_files.hpp"

#include "text.hpp"

namespace cgview {

std::string_view controller_name(Controller c) {
  switch (c) {
    case Controller::Cpu: return "cpu";
    case Controller::Cpuacct: return "cpuacct";
    case Controller::Cpuset: return "cpuset";
    case Controller::Memory: return "memory";
  }
  return "";
}

namespace {

// Decodes the kernel's mountinfo escapes: \040 space, \011 tab, \012 newline, \134 backslash.
bool decode_mount_path(std::string_view field, PathText& out) {
  out.clear();
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '\\' && i + 3 < field.size()) {
      int value = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        char d = field[i + k];
        if (d < '0' || d > '7') octal = false;
        value = value * 8 + (d - '0');
      }
      if (octal && value < 256) {
        out.add(char(value));
        i += 3;
        continue;
      }
    }
    out.add(c);
  }
  return !out.overflowed() && out.size() > 0 && out.view().front() == '/';
}

bool comma_list_has(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// True when a whole component of `path` is "..": the kernel writes a cgroup
// outside the namespace's root that way. A name that merely starts with two
// dots ("/..worker") is an ordinary cgroup.
bool has_parent_component(std::string_view path) {
  for (size_t at = path.find("/.."); at != std::string_view::npos; at = path.find("/..", at + 1)) {
    size_t after = at + 3;
    if (after == path.size() || path[after] == '/') return true;
  }
  return false;
}

}  // namespace

bool mount_has_controller(std::string_view super_options, std::string_view controller) {
  return comma_list_has(super_options, controller);
}

bool list_has_controller(std::string_view list, std::string_view controller) {
  return comma_list_has(list, controller);
}

bool parse_cgroup_mount(std::string_view line, CgroupMount& out) {
  // id parent major:minor root mount-point options [optional...] - fstype source super-options
  std::string_view rest = line, field, root, mount_point;
  for (int i = 0; i < 5; ++i) {
    if (!next_field(rest, field)) return false;
    if (i == 3) root = field;
    if (i == 4) mount_point = field;
  }
  // Skip mount options and optional fields up to the lone "-" separator.
  bool found_separator = false;
  while (next_field(rest, field)) {
    if (field == "-") {
      found_separator = true;
      break;
    }
  }
  std::string_view fstype, source, super_options;
  if (!found_separator || !next_field(rest, fstype) || !next_field(rest, source)) return false;
  next_field(rest, super_options);
  if (fstype == "cgroup2") {
    out.v2 = true;
  } else if (fstype == "cgroup") {
    out.v2 = false;
  } else {
    return false;
  }
  out.super_options = super_options;
  return decode_mount_path(root, out.root) && decode_mount_path(mount_point, out.mount_point);
}

bool parse_proc_cgroup_line(std::string_view line, ProcCgroupLine& out) {
  size_t first = line.find(':');
  if (first == std::string_view::npos) return false;
  size_t second = line.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  out.hierarchy_id = line.substr(0, first);
  out.controllers = line.substr(first + 1, second - first - 1);
  out.path = line.substr(second + 1);  // as it is: a cgroup's name may end in a blank
  uint64_t id = 0;
  return parse_u64(out.hierarchy_id, id) && !out.path.empty() && out.path.front() == '/';
}

bool cgroup_path_outside_mount(const CgroupMount& mount, std::string_view path) {
  std::string_view root = mount.root.view();
  if (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (has_parent_component(path) || has_parent_component(root)) return true;
  if (root == "/") return false;
  return !(path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/'));
}

bool cgroup_directory(const CgroupMount& mount, std::string_view path, PathText& out) {
  std::string_view root = mount.root.view();
  if (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  std::string_view relative;
  bool climbs = has_parent_component(path);
  if (!climbs) {
    if (root == "/") {
      relative = path;
    } else if (path.substr(0, root.size()) == root &&
               (path.size() == root.size() || path[root.size()] == '/')) {
      relative = path.substr(root.size());
    }
  }
  while (!relative.empty() && relative.back() == '/') relative.remove_suffix(1);
  out.clear();
  std::string_view mount_point = mount.mount_point.view();
  if (mount_point.size() > 1 && mount_point.back() == '/') mount_point.remove_suffix(1);
  out.add(mount_point == "/" ? std::string_view{} : mount_point);
  out.add(relative);
  if (out.size() == 0) out.add('/');
  return !out.overflowed() && out.size() < kPathMax;
}

}  // namespace cgview
