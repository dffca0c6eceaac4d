// Fuzzes /proc/self/mountinfo lines: parse_cgroup_mount, mount_has_controller
// and cgroup_directory (mount point + cgroup path with the mount root stripped).
//
// Input: a mountinfo file. Each parsed cgroup mount is combined with several
// /proc/self/cgroup paths: its own root, a child of it, "/", a climbing path,
// and every input line that starts with '/'.
#include "cgroup_files.hpp"
#include "fuzz_support.hpp"

using namespace cgview;

namespace {

// A component that is exactly ".." climbs; "..x" is an ordinary name.
bool has_component_climb(std::string_view path) {
  for (std::string_view component : fuzz::split(path, '/'))
    if (component == "..") return true;
  return false;
}

void check_directory(const CgroupMount& mount, std::string_view path) {
  if (path.empty() || path.front() != '/') return;  // parse_proc_cgroup_line guarantees a leading '/'
  PathText out;
  if (!cgroup_directory(mount, path, out)) return;
  std::string_view dir = out.view();
  FUZZ_CHECK(!out.overflowed());
  FUZZ_CHECK(dir.size() < kPathMax);
  FUZZ_CHECK(!dir.empty() && dir.front() == '/');

  std::string_view mp = mount.mount_point.view();
  if (mp.size() > 1 && mp.back() == '/') mp.remove_suffix(1);
  // The directory is the mount point or below it.
  if (mp != "/") {
    FUZZ_CHECK(fuzz::starts_with(dir, mp));
    FUZZ_CHECK(dir.size() == mp.size() || dir[mp.size()] == '/');
  }
  // No trailing slash, except the root itself or one the mount point brings
  // (the kernel never prints "/a//"; the library strips one slash, harmlessly).
  FUZZ_CHECK(dir == "/" || dir.back() != '/' || dir == mp);

  std::string_view root = mount.root.view();
  if (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  bool inside = root == "/" || (fuzz::starts_with(path, root) && (path.size() == root.size() || path[root.size()] == '/'));
  // Outside the namespace root, or climbing out with a ".." component: the mount point itself.
  if (!inside || has_component_climb(path)) FUZZ_CHECK(dir == mp);
  // Inside: mount point + the rest of the path (trailing slashes dropped).
  if (inside && !has_component_climb(path)) {
    std::string_view rel = root == "/" ? path : path.substr(root.size());
    while (!rel.empty() && rel.back() == '/') rel.remove_suffix(1);
    std::string expected = std::string(mp == "/" ? "" : mp) + std::string(rel);
    if (expected.empty()) expected = "/";
    FUZZ_CHECK(dir == expected);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  std::vector<std::string_view> lines = fuzz::split(text, '\n');
  for (std::string_view line : lines) {
    CgroupMount mount;
    if (!parse_cgroup_mount(line, mount)) continue;
    FUZZ_CHECK(!mount.root.overflowed() && !mount.mount_point.overflowed());
    FUZZ_CHECK(mount.root.size() > 0 && mount.root.view().front() == '/');
    FUZZ_CHECK(mount.mount_point.size() > 0 && mount.mount_point.view().front() == '/');
    // The super options point into the line.
    if (!mount.super_options.empty()) {
      FUZZ_CHECK(mount.super_options.data() >= line.data());
      FUZZ_CHECK(mount.super_options.data() + mount.super_options.size() <= line.data() + line.size());
    }
    // A mount names a controller iff one comma-separated option equals it.
    for (int c = 0; c < kControllerCount; ++c) {
      std::string_view name = controller_name(Controller(c));
      bool expected = false;
      for (std::string_view opt : fuzz::split(mount.super_options, ',')) expected |= opt == name;
      FUZZ_CHECK(mount_has_controller(mount.super_options, name) == expected);
    }
    std::string child = std::string(mount.root.view()) + "/child";
    const std::string_view paths[] = {mount.root.view(), child, "/", "/..", "/a/../b"};
    for (std::string_view p : paths) check_directory(mount, p);
    for (std::string_view p : lines) check_directory(mount, p);
  }
  return 0;
}
