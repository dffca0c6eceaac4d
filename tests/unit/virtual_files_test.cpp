#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

std::string normalized(std::string_view path) {
  PathText out;
  EXPECT_TRUE(normalize_path(path, out)) << path;
  return std::string(out.view());
}

}  // namespace

TEST(NormalizePath, Spellings) {
  EXPECT_EQ(normalized("/proc/meminfo"), "/proc/meminfo");
  EXPECT_EQ(normalized("//proc//meminfo"), "/proc/meminfo");
  EXPECT_EQ(normalized("/proc/./meminfo"), "/proc/meminfo");
  EXPECT_EQ(normalized("/./proc/././meminfo"), "/proc/meminfo");
  EXPECT_EQ(normalized("/sys/../proc/meminfo"), "/proc/meminfo");
  EXPECT_EQ(normalized("/../proc/stat"), "/proc/stat");
  EXPECT_EQ(normalized("/../../../proc/stat"), "/proc/stat");
  EXPECT_EQ(normalized("/sys/devices/system/cpu/../cpu/online"), "/sys/devices/system/cpu/online");
  EXPECT_EQ(normalized("/proc/self/../cpuinfo"), "/proc/cpuinfo");
  EXPECT_EQ(normalized("/"), "/");
  EXPECT_EQ(normalized("//"), "/");
  EXPECT_EQ(normalized("/.."), "/");
  EXPECT_EQ(normalized("/a/b/../.."), "/");
  EXPECT_EQ(normalized("/proc/..."), "/proc/...");  // "..." is a name
  EXPECT_EQ(normalized("/proc/.meminfo"), "/proc/.meminfo");
}

TEST(NormalizePath, Rejects) {
  PathText out;
  EXPECT_FALSE(normalize_path("proc/meminfo", out));
  EXPECT_FALSE(normalize_path("./proc/meminfo", out));
  EXPECT_FALSE(normalize_path("../proc/meminfo", out));
  EXPECT_FALSE(normalize_path("", out));
  EXPECT_FALSE(normalize_path("/proc/meminfo/", out));  // a directory: ENOTDIR for real
  EXPECT_FALSE(normalize_path("/proc/meminfo/.", out));
  // /proc/thread-self is /proc/<pid>/task/<tid>: its ".." is /proc/<pid>/task,
  // not /proc, so the text cannot say what it names; /proc/self's ".." is /proc.
  EXPECT_FALSE(normalize_path("/proc/thread-self/../status", out));
  ASSERT_TRUE(normalize_path("/proc/self/../self/status", out));
  EXPECT_EQ(out.view(), "/proc/self/status");
  EXPECT_FALSE(normalize_path("/proc/meminfo/x/..", out));
  EXPECT_FALSE(normalize_path("/proc/stat/../meminfo", out));  // "stat" is no directory
  // A path cut short at kPathMax must not be shortened back by ".." into a served one.
  EXPECT_FALSE(normalize_path("/proc/" + std::string(250, 'a') + "/" + std::string(254, 'a') + "/b/c/../../../meminfo", out));
  EXPECT_FALSE(normalize_path("/" + std::string(510, 'a') + "/b/c/../..", out));
  EXPECT_FALSE(normalize_path("/sys/devices/system/cpu/online//", out));
  EXPECT_FALSE(normalize_path("/" + std::string(kPathMax + 10, 'a'), out));
}

TEST(VirtualFileFor, ServedPaths) {
  EXPECT_EQ(virtual_file_for("/proc/meminfo"), VirtualFile::Meminfo);
  EXPECT_EQ(virtual_file_for("/proc/cpuinfo"), VirtualFile::Cpuinfo);
  EXPECT_EQ(virtual_file_for("/proc/stat"), VirtualFile::Stat);
  EXPECT_EQ(virtual_file_for("/sys/devices/system/cpu/online"), VirtualFile::CpuOnline);
  EXPECT_EQ(virtual_file_for("/sys/devices/system/cpu/offline"), VirtualFile::CpuOffline);
}

TEST(VirtualFileFor, EverythingElsePassesThrough) {
  for (std::string_view p :
       {"/proc/meminfo2", "/proc/meminf", "/proc/self/stat", "/proc/1/stat", "/proc/stat/", "/proc/uptime",
        "/proc/self/meminfo", "/sys/devices/system/cpu/possible", "/sys/devices/system/cpu/present",
        "/sys/devices/system/cpu/online/", "proc/meminfo", "", "/", "/PROC/MEMINFO", "/proc/cpuinfo "}) {
    EXPECT_EQ(virtual_file_for(p), VirtualFile::None) << p;
  }
}

TEST(Render, NoneFails) {
  Config config = fixture_config("no-limits");
  auto limits = limits_for(config);
  Rendered r = render_to_string(VirtualFile::None, config, *limits);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, "");
}

TEST(Render, CpuOnlineWithoutViewFails) {
  Limits empty;
  std::string text;
  Sink sink(append_to_string, &text);
  EXPECT_FALSE(render_cpu_online(Config{}, empty, sink));
}

TEST(Render, CpuOnlineRanges) {
  auto limits = std::make_unique<Limits>();
  for (unsigned id : {0u, 2u, 3u, 4u, 9u, 63u, 64u}) limits->cpu.visible.add(id);
  std::string text;
  Sink sink(append_to_string, &text);
  ASSERT_TRUE(render_cpu_online(fixture_config("no-limits"), *limits, sink));  // a root whose online file opens
  EXPECT_EQ(text, "0,2-4,9,63-64\n");
}

namespace {
bool failing_flush(void*, const char*, size_t) { return false; }
}  // namespace

// A sink whose flush fails makes every renderer report failure (the shim then
// serves the real file).
TEST(Render, FlushFailureIsReported) {
  Config config = fixture_config("docker-v2-private-ns");
  auto limits = limits_for(config);
  StatClock clock;
  for (VirtualFile f : {VirtualFile::Meminfo, VirtualFile::Cpuinfo, VirtualFile::Stat, VirtualFile::CpuOnline}) {
    Sink sink(failing_flush, nullptr);
    EXPECT_FALSE(render(f, config, *limits, &clock, sink)) << int(f);
  }
}

// Output larger than the Sink's 4 KiB buffer arrives complete and in order.
TEST(Render, LargeOutputThroughSmallSink) {
  Config config = fixture_config("demo-64cpu");
  auto limits = limits_for(config);
  limits->cpu.visible = limits->cpu.online;  // pretend all 64 are visible: cpuinfo is ~90 KiB
  limits->cpu.count = 64;
  Rendered r = render_to_string(VirtualFile::Cpuinfo, config, *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, read_fixture_file("demo-64cpu", "proc/cpuinfo"));
}
