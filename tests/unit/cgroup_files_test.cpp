#include <gtest/gtest.h>

#include <string>

#include "cgroup_files.hpp"
#include "discovery.hpp"

using namespace cgview;
using namespace std::literals;

namespace {

CgroupMount mount_at(std::string_view root, std::string_view mount_point, bool v2 = true) {
  CgroupMount m;
  m.v2 = v2;
  m.root.add(root);
  m.mount_point.add(mount_point);
  return m;
}

std::string dir_for(const CgroupMount& m, std::string_view path) {
  PathText out;
  EXPECT_TRUE(cgroup_directory(m, path, out)) << path;
  return std::string(out.view());
}

}  // namespace

TEST(Mountinfo, CgroupV2Line) {
  CgroupMount m;
  ASSERT_TRUE(parse_cgroup_mount(
      "1113 1112 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot",
      m));
  EXPECT_TRUE(m.v2);
  EXPECT_EQ(m.root.view(), "/");
  EXPECT_EQ(m.mount_point.view(), "/sys/fs/cgroup");
  EXPECT_EQ(m.super_options, "rw,nsdelegate,memory_recursiveprot");
}

TEST(Mountinfo, CgroupV1LineWithOptionalFields) {
  CgroupMount m;
  ASSERT_TRUE(parse_cgroup_mount(
      "1120 1113 0:35 /docker/4f2a /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime shared:5 master:1 - "
      "cgroup cgroup rw,cpu,cpuacct",
      m));
  EXPECT_FALSE(m.v2);
  EXPECT_EQ(m.root.view(), "/docker/4f2a");
  EXPECT_EQ(m.mount_point.view(), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(m.super_options, "rw,cpu,cpuacct");
  EXPECT_TRUE(mount_has_controller(m.super_options, "cpu"));
  EXPECT_TRUE(mount_has_controller(m.super_options, "cpuacct"));
  EXPECT_FALSE(mount_has_controller(m.super_options, "cpuset"));
  EXPECT_FALSE(mount_has_controller(m.super_options, "memory"));
}

TEST(Mountinfo, NoOptionalFields) {
  CgroupMount m;
  ASSERT_TRUE(parse_cgroup_mount("39 31 0:34 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", m));
  EXPECT_EQ(m.mount_point.view(), "/sys/fs/cgroup/memory");
  EXPECT_TRUE(mount_has_controller(m.super_options, "memory"));
}

TEST(Mountinfo, OctalEscapes) {
  CgroupMount m;
  ASSERT_TRUE(parse_cgroup_mount(
      "1113 1112 0:30 /a\\134b /sys/fs/cgroup\\040x rw,relatime - cgroup2 cgroup2 rw,nsdelegate", m));
  EXPECT_EQ(m.mount_point.view(), "/sys/fs/cgroup x");
  EXPECT_EQ(m.root.view(), "/a\\b");
  ASSERT_TRUE(parse_cgroup_mount("1 2 0:30 / /mnt/a\\011b\\012c rw - cgroup2 cgroup2 rw", m));
  EXPECT_EQ(m.mount_point.view(), "/mnt/a\tb\nc");
  // A backslash that is not a 3-digit octal escape stays as it is.
  ASSERT_TRUE(parse_cgroup_mount("1 2 0:30 / /mnt/a\\9z rw - cgroup2 cgroup2 rw", m));
  EXPECT_EQ(m.mount_point.view(), "/mnt/a\\9z");
  ASSERT_TRUE(parse_cgroup_mount("1 2 0:30 / /mnt/end\\04 rw - cgroup2 cgroup2 rw", m));
  EXPECT_EQ(m.mount_point.view(), "/mnt/end\\04");
}

TEST(Mountinfo, Rejects) {
  CgroupMount m;
  // Not cgroup file systems.
  EXPECT_FALSE(parse_cgroup_mount("1109 1108 0:146 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw", m));
  EXPECT_FALSE(parse_cgroup_mount(
      "1113 1112 0:153 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755", m));
  EXPECT_FALSE(parse_cgroup_mount("1 2 0:1 / /x rw - cgroupfs cgroup rw", m));
  // Missing " - " separator.
  EXPECT_FALSE(parse_cgroup_mount("1113 1112 0:30 / /sys/fs/cgroup rw,relatime cgroup2 cgroup rw", m));
  EXPECT_FALSE(parse_cgroup_mount("1113 1112 0:30 / /sys/fs/cgroup rw,relatime -cgroup2 cgroup rw", m));
  // Nothing after the separator, or no source.
  EXPECT_FALSE(parse_cgroup_mount("1113 1112 0:30 / /sys/fs/cgroup rw -", m));
  EXPECT_FALSE(parse_cgroup_mount("1113 1112 0:30 / /sys/fs/cgroup rw - cgroup2", m));
  // Too few fields.
  EXPECT_FALSE(parse_cgroup_mount("", m));
  EXPECT_FALSE(parse_cgroup_mount("1113 1112 0:30 /", m));
  EXPECT_FALSE(parse_cgroup_mount("garbage", m));
  // Paths must be absolute.
  EXPECT_FALSE(parse_cgroup_mount("1 2 0:30 / relative rw - cgroup2 cgroup2 rw", m));
  EXPECT_FALSE(parse_cgroup_mount("1 2 0:30 rel /sys/fs/cgroup rw - cgroup2 cgroup2 rw", m));
  // A path longer than PathText.
  std::string long_line = "1 2 0:30 / /" + std::string(600, 'a') + " rw - cgroup2 cgroup2 rw";
  EXPECT_FALSE(parse_cgroup_mount(long_line, m));
  EXPECT_FALSE(parse_cgroup_mount("1 2 0:30 / /x rw - cgroup2\0 c rw"sv, m));
}

TEST(ControllerLists, ExactNames) {
  EXPECT_TRUE(list_has_controller("cpu,cpuacct", "cpu"));
  EXPECT_TRUE(list_has_controller("cpu,cpuacct", "cpuacct"));
  EXPECT_FALSE(list_has_controller("cpuacct", "cpu"));
  EXPECT_FALSE(list_has_controller("cpuset", "cpu"));
  EXPECT_FALSE(list_has_controller("name=systemd", "systemd"));
  EXPECT_FALSE(list_has_controller("", "cpu"));
  EXPECT_TRUE(mount_has_controller("rw,memory", "memory"));
  EXPECT_FALSE(mount_has_controller("rw,xattr,name=systemd", "memory"));
  EXPECT_EQ(controller_name(Controller::Cpu), "cpu");
  EXPECT_EQ(controller_name(Controller::Cpuacct), "cpuacct");
  EXPECT_EQ(controller_name(Controller::Cpuset), "cpuset");
  EXPECT_EQ(controller_name(Controller::Memory), "memory");
}

TEST(ProcCgroup, V1AndV2Lines) {
  ProcCgroupLine e;
  ASSERT_TRUE(parse_proc_cgroup_line("4:cpu,cpuacct:/docker/abc", e));
  EXPECT_EQ(e.hierarchy_id, "4");
  EXPECT_EQ(e.controllers, "cpu,cpuacct");
  EXPECT_EQ(e.path, "/docker/abc");
  ASSERT_TRUE(parse_proc_cgroup_line("0::/", e));
  EXPECT_EQ(e.hierarchy_id, "0");
  EXPECT_EQ(e.controllers, "");
  EXPECT_EQ(e.path, "/");
  ASSERT_TRUE(parse_proc_cgroup_line("1:name=systemd:/user.slice", e));
  EXPECT_EQ(e.controllers, "name=systemd");
}

TEST(ProcCgroup, ColonsInPath) {
  ProcCgroupLine e;
  ASSERT_TRUE(parse_proc_cgroup_line("0::/system.slice/getty@tty1.service/sub:with:colons", e));
  EXPECT_EQ(e.hierarchy_id, "0");
  EXPECT_EQ(e.controllers, "");
  EXPECT_EQ(e.path, "/system.slice/getty@tty1.service/sub:with:colons");
  ASSERT_TRUE(parse_proc_cgroup_line("3:memory:/a:b", e));
  EXPECT_EQ(e.controllers, "memory");
  EXPECT_EQ(e.path, "/a:b");
}

TEST(ProcCgroup, Garbage) {
  ProcCgroupLine e;
  EXPECT_FALSE(parse_proc_cgroup_line("", e));
  EXPECT_FALSE(parse_proc_cgroup_line("garbage", e));
  EXPECT_FALSE(parse_proc_cgroup_line("0:/", e));          // one colon
  EXPECT_FALSE(parse_proc_cgroup_line("x:cpu:/", e));      // id not a number
  EXPECT_FALSE(parse_proc_cgroup_line(":cpu:/", e));       // empty id
  EXPECT_FALSE(parse_proc_cgroup_line("-1:cpu:/", e));
  EXPECT_FALSE(parse_proc_cgroup_line("1:cpu:", e));       // empty path
  EXPECT_FALSE(parse_proc_cgroup_line("1:cpu:relative", e));
  EXPECT_FALSE(parse_proc_cgroup_line("0::\0/"sv, e));
  EXPECT_FALSE(parse_proc_cgroup_line("\0\0\0\0"sv, e));
}

TEST(CgroupDirectory, RootMount) {
  CgroupMount m = mount_at("/", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/worker/inner"), "/sys/fs/cgroup/worker/inner");
  EXPECT_EQ(dir_for(m, "/worker/inner/"), "/sys/fs/cgroup/worker/inner");
  EXPECT_EQ(dir_for(m, "/a:b"), "/sys/fs/cgroup/a:b");
}

TEST(CgroupDirectory, DockerRoot) {
  CgroupMount m = mount_at("/docker/abc", "/sys/fs/cgroup/memory", false);
  EXPECT_EQ(dir_for(m, "/docker/abc"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(dir_for(m, "/docker/abc/"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(dir_for(m, "/docker/abc/child"), "/sys/fs/cgroup/memory/child");
  EXPECT_EQ(dir_for(m, "/docker/abc/child/grand"), "/sys/fs/cgroup/memory/child/grand");
  // Root with a trailing slash is the same root.
  CgroupMount slash = mount_at("/docker/abc/", "/sys/fs/cgroup/memory", false);
  EXPECT_EQ(dir_for(slash, "/docker/abc/child"), "/sys/fs/cgroup/memory/child");
}

TEST(CgroupDirectory, PrefixButNotBoundary) {
  CgroupMount m = mount_at("/docker/abc", "/sys/fs/cgroup");
  // "/docker/abcd" starts with the root's text but is not below it.
  EXPECT_EQ(dir_for(m, "/docker/abcd"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/docker/abcd/x"), "/sys/fs/cgroup");
  // Shorter than the root, and unrelated paths.
  EXPECT_EQ(dir_for(m, "/docker/ab"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/user.slice/x"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/"), "/sys/fs/cgroup");
  CgroupMount short_root = mount_at("/docker/ab", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(short_root, "/docker/abc"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(short_root, "/docker/ab/c"), "/sys/fs/cgroup/c");
}

TEST(CgroupDirectory, ClimbingPathMapsToMountPoint) {
  CgroupMount m = mount_at("/docker/abc", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/../../user.slice/x"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/docker/abc/../../etc"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/docker/abc/.."), "/sys/fs/cgroup");
  CgroupMount root = mount_at("/", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(root, "/../x"), "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(root, "/a/../../b"), "/sys/fs/cgroup");
}

TEST(CgroupDirectory, NamesStartingWithTwoDotsAreNotClimbing) {
  CgroupMount root = mount_at("/", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(root, "/..worker/inner"), "/sys/fs/cgroup/..worker/inner");
  EXPECT_EQ(dir_for(root, "/a/...b"), "/sys/fs/cgroup/a/...b");
  EXPECT_EQ(dir_for(root, "/a/..b/../c"), "/sys/fs/cgroup");  // a real ".." later on
  CgroupMount m = mount_at("/docker/abc", "/sys/fs/cgroup");
  EXPECT_EQ(dir_for(m, "/docker/abc/..x"), "/sys/fs/cgroup/..x");
}

TEST(CgroupDirectory, MountPointSlash) {
  CgroupMount m = mount_at("/", "/");
  EXPECT_EQ(dir_for(m, "/"), "/");
  EXPECT_EQ(dir_for(m, "/a/b"), "/a/b");
  CgroupMount trailing = mount_at("/", "/sys/fs/cgroup/");
  EXPECT_EQ(dir_for(trailing, "/a"), "/sys/fs/cgroup/a");
}

TEST(CgroupDirectory, TooLong) {
  CgroupMount m = mount_at("/", "/sys/fs/cgroup");
  PathText out;
  EXPECT_FALSE(cgroup_directory(m, "/" + std::string(600, 'x'), out));
}

TEST(ParentDirectory, WalksUpToTheMountPoint) {
  PathText dir;
  dir.add("/sys/fs/cgroup/worker/inner");
  const size_t mount_len = std::string_view("/sys/fs/cgroup").size();
  ASSERT_TRUE(parent_directory(dir, mount_len));
  EXPECT_EQ(dir.view(), "/sys/fs/cgroup/worker");
  ASSERT_TRUE(parent_directory(dir, mount_len));
  EXPECT_EQ(dir.view(), "/sys/fs/cgroup");
  EXPECT_FALSE(parent_directory(dir, mount_len));
  EXPECT_EQ(dir.view(), "/sys/fs/cgroup");  // unchanged at the mount point
}

TEST(ParentDirectory, MountPointWithComma) {
  PathText dir;
  dir.add("/sys/fs/cgroup/cpu,cpuacct/user.slice");
  const size_t mount_len = std::string_view("/sys/fs/cgroup/cpu,cpuacct").size();
  ASSERT_TRUE(parent_directory(dir, mount_len));
  EXPECT_EQ(dir.view(), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_FALSE(parent_directory(dir, mount_len));
}

TEST(ParentDirectory, RootMountPoint) {
  PathText dir;
  dir.add("/a/b");
  ASSERT_TRUE(parent_directory(dir, 1));
  EXPECT_EQ(dir.view(), "/a");
  ASSERT_TRUE(parent_directory(dir, 1));
  EXPECT_EQ(dir.view(), "/");
  EXPECT_FALSE(parent_directory(dir, 1));
  EXPECT_EQ(dir.view(), "/");
}

TEST(ParentDirectory, NeverAboveTheMountPoint) {
  // A mount point containing spaces, and a name that only looks like a parent.
  PathText dir;
  dir.add("/sys/fs/cgroup x/a");
  const size_t mount_len = std::string_view("/sys/fs/cgroup x").size();
  ASSERT_TRUE(parent_directory(dir, mount_len));
  EXPECT_EQ(dir.view(), "/sys/fs/cgroup x");
  EXPECT_FALSE(parent_directory(dir, mount_len));
}
