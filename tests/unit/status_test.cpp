// /proc/self/status and a thread's status file: Cpus_allowed(_list) show the
// task's view; every other line is the kernel's.
#include <gtest/gtest.h>

#include <cstdio>

#include "test_support.hpp"

using namespace cgview;
using cgview_test::cpu_list;
using cgview_test::split_lines;

namespace {

// The fixture's status file, narrowed as a live task's would be.
std::string render_status_text(const Config& config, const Limits& limits, bool* ok = nullptr) {
  std::string text;
  Sink sink(cgview_test::append_to_string, &text);
  bool result = render_status_file(config.root, "/proc/self/status", limits, false, sink);
  if (ok != nullptr) *ok = result;
  return text;
}

std::string line_of(const std::string& text, std::string_view key) {
  for (const std::string& line : split_lines(text))
    if (line.rfind(key, 0) == 0) return line;
  return "";
}

TEST(StatusPaths, OnlyThisProcesssOwnFiles) {
  uint32_t task = 99;
  EXPECT_TRUE(status_file_task("/proc/self/status", 100, 100, task));
  EXPECT_EQ(task, 0u);
  EXPECT_TRUE(status_file_task("/proc/100/status", 100, 105, task));
  EXPECT_EQ(task, 0u);
  EXPECT_TRUE(status_file_task("/proc/thread-self/status", 100, 105, task));
  EXPECT_EQ(task, 105u);
  EXPECT_TRUE(status_file_task("/proc/thread-self/status", 100, 100, task));
  EXPECT_EQ(task, 100u);  // the main thread's own file, not the process's
  EXPECT_TRUE(status_file_task("/proc/self/task/100/status", 100, 105, task));
  EXPECT_EQ(task, 100u);
  EXPECT_TRUE(status_file_task("/proc/100/task/107/status", 100, 105, task));
  EXPECT_EQ(task, 107u);
  EXPECT_TRUE(status_file_task("/proc/self/task/107/status", 100, 105, task));
  EXPECT_EQ(task, 107u);
  // /proc/<tid>: the asking thread's own directory (gettid() taken for a pid),
  // and any thread's that the process has; its task/ lists the process's threads.
  EXPECT_TRUE(status_file_task("/proc/105/status", 100, 105, task));
  EXPECT_EQ(task, 105u | kThreadDirectory);
  PathText real;
  status_file_path(task, real);
  EXPECT_EQ(real.view(), "/proc/105/status");  // that file itself, whose inode fstat gives
  auto threads_100_105_107 = [](uint64_t, uint64_t id) { return id == 100 || id == 105 || id == 107; };
  EXPECT_TRUE(status_file_task("/proc/107/status", 100, 105, task, threads_100_105_107));
  EXPECT_EQ(task, 107u | kThreadDirectory);
  EXPECT_FALSE(status_file_task("/proc/108/status", 100, 105, task, threads_100_105_107));
  // A thread directory's task/: other inodes, left to the real file.
  EXPECT_FALSE(status_file_task("/proc/107/task/105/status", 100, 105, task, threads_100_105_107));
  for (const char* other : {"/proc/101/status", "/proc/107/status", "/proc/0105/status", "/proc/105/task/105/status", "/proc/0100/status", "/proc/101/task/107/status",
                            "/proc/self/task/status", "/proc/self/task/0107/status", "/proc/self/stat",
                            "/proc/self/fdinfo/status", "/sys/self/status", "/proc/self/task/x/status",
                            "/proc/100/task/107/children/status", "/proc/status",
                            // blanks around a number: files that do not exist
                            "/proc/100 /status", "/proc/ 100/status", "/proc/100\t/status",
                            "/proc/100\n/status", "/proc/self/task/107\n/status", "/proc/+100/status"})
    EXPECT_FALSE(status_file_task(other, 100, 105, task)) << other;
  EXPECT_EQ(virtual_file_for("/proc/self/status"), VirtualFile::Status);
  EXPECT_EQ(virtual_file_for("/proc/thread-self/status"), VirtualFile::Status);
  EXPECT_EQ(virtual_file_for("/proc/1/status"), VirtualFile::None);
}

// docker-v2-private-ns: A = 0-7 (nr_cpu_ids 8: "ff"), N = 2, V = 0-1.
TEST(StatusFile, ShowsVAndKeepsEveryOtherLine) {
  Config config = cgview_test::fixture_config("docker-v2-private-ns");
  auto limits = cgview_test::limits_for(config);
  bool ok = false;
  std::string text = render_status_text(config, *limits, &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(line_of(text, "Cpus_allowed:"), "Cpus_allowed:\t03");
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t0-1");
  std::string host = cgview_test::read_fixture_file("docker-v2-private-ns", "proc/self/status");
  std::vector<std::string> got = split_lines(text), want = split_lines(host);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    if (want[i].rfind("Cpus_allowed", 0) != 0) {
      EXPECT_EQ(got[i], want[i]);
    }
  EXPECT_EQ(text.back(), '\n');
}

// demo-64cpu: nr_cpu_ids 64, two groups of 32 bits.
TEST(StatusFile, KeepsTheKernelsShapeOfTheMask) {
  Config config = cgview_test::fixture_config("demo-64cpu");
  auto limits = cgview_test::limits_for(config);
  std::string text = render_status_text(config, *limits);
  EXPECT_EQ(line_of(text, "Cpus_allowed:"), "Cpus_allowed:\t00000000,00000003");
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t0-1");
}

// Under a sysroot a program still reads its own status file, with the
// sysroot's V: never the fixture's identity, uid or capabilities.
TEST(StatusFile, UnderASysrootTheRealFileShowsTheSysrootsV) {
  Config config = cgview_test::fixture_config("docker-v2-private-ns");
  auto limits = cgview_test::limits_for(config);
  ASSERT_EQ(cpu_list(limits->cpu.visible), "0-1");
  if (sysconf(_SC_NPROCESSORS_CONF) < 2) GTEST_SKIP() << "V = 0-1 does not fit a one-CPU machine's mask";
  std::string text;
  Sink sink(cgview_test::append_to_string, &text);
  ASSERT_TRUE(render_status(config, *limits, 0, sink));
  std::string real = cgview_test::read_file("/proc/self/status");
  EXPECT_EQ(line_of(text, "Name:"), line_of(real, "Name:"));
  EXPECT_EQ(line_of(text, "Pid:"), line_of(real, "Pid:"));
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t0-1");
  EXPECT_EQ(split_lines(text).size(), split_lines(real).size());
}

class StatusCopy : public cgview_test::CopiedFixture {
 protected:
  std::string with_mask(std::string_view mask, std::string_view list, bool* ok = nullptr) {
    std::string status = cgview_test::read_fixture_file("demo-64cpu", "proc/self/status");
    std::string out;
    for (const std::string& line : split_lines(status)) {
      if (line.rfind("Cpus_allowed:", 0) == 0) out += "Cpus_allowed:\t" + std::string(mask) + "\n";
      else if (line.rfind("Cpus_allowed_list:", 0) == 0) out += "Cpus_allowed_list:\t" + std::string(list) + "\n";
      else out += line + "\n";
    }
    write("proc/self/status", out);
    Config config = this->config();
    auto limits = cgview_test::limits_for(config);
    return render_status_text(config, *limits, ok);
  }
};

TEST_F(StatusCopy, AThreadPinnedElsewhereSeesItsOwnNarrowedMask) {
  copy_fixture("demo-64cpu");
  // A thread pinned to 40-47: narrowed like sched_getaffinity narrows it, the first 2 from V's start.
  std::string text = with_mask("0000ff00,00000000", "40-47");
  EXPECT_EQ(line_of(text, "Cpus_allowed:"), "Cpus_allowed:\t00000300,00000000");
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t40-41");
  // Pinned to one CPU: that CPU.
  text = with_mask("00000000,00000020", "5");
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t5");
}

TEST_F(StatusCopy, OddWidthsAndSpreadPlacement) {
  copy_fixture("demo-64cpu");
  write("sys/fs/cgroup/cgview-test-inode", "777\n");
  Config config = this->config();
  auto limits = cgview_test::limits_for(config);
  unsigned start = limits->cpu.start;
  ASSERT_NE(start, 0u) << "inode 777 picks CPUs 0-1: choose another";
  std::string text = with_mask("f,ffffffff,ffffffff", "0-67");  // nr_cpu_ids 68
  CpuSet v;
  v.add(start);
  v.add(start + 1);
  EXPECT_EQ(line_of(text, "Cpus_allowed_list:"), "Cpus_allowed_list:\t" + cpu_list(v));
  EXPECT_EQ(cpu_list(limits->cpu.visible), cpu_list(v)) << "V and the status file disagree";
  // The same shape as the kernel's line: groups of 1, 8 and 8 hex digits.
  uint32_t groups[3] = {0, 0, 0};  // most significant first
  for (unsigned cpu : {start, start + 1}) groups[2 - cpu / 32] |= uint32_t(1) << (cpu % 32);
  char want[64];
  std::snprintf(want, sizeof want, "Cpus_allowed:\t%x,%08x,%08x", groups[0], groups[1], groups[2]);
  EXPECT_EQ(line_of(text, "Cpus_allowed:"), want);
}

TEST_F(StatusCopy, MalformedMasksServeTheRealFile) {
  copy_fixture("demo-64cpu");
  for (const char* bad : {"", "xyz", "fffffffff", "ff,,ff", ",ff", "ff,"}) {
    bool ok = true;
    with_mask(bad, "0-63", &ok);
    EXPECT_FALSE(ok) << "'" << bad << "'";
  }
  std::filesystem::remove(path("proc/self/status"));
  Config config = this->config();
  bool ok = true;
  render_status_text(config, *cgview_test::limits_for(config), &ok);
  EXPECT_FALSE(ok) << "a missing status file renders nothing";
  // A view with ids beyond the line's width (nr_cpu_ids 8 here, V at 40-41): the real file.
  write("proc/self/status", "Name:\tx\nCpus_allowed:\tff\nCpus_allowed_list:\t0-7\n");
  auto limits = cgview_test::limits_for(config);
  limits->cpu.visible = CpuSet();
  limits->cpu.visible.add(40);
  limits->cpu.visible.add(41);
  std::string text;
  Sink sink(cgview_test::append_to_string, &text);
  EXPECT_FALSE(render_status_file(config.root, "/proc/self/status", *limits, true, sink));
}

}  // namespace
