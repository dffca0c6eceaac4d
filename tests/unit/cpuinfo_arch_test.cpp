// /proc/cpuinfo of every layout Linux prints (tests/fixtures/cpuinfo-arch:
// one host file per architecture written from the kernel's own format
// strings, and the file a machine showing only some of its CPUs would print,
// named expected-<V>). Hidden CPUs lose their blocks and lines, count lines
// say N, x86's siblings/cpu cores count V; with nothing hidden the host's
// bytes pass through, a last line without its newline included.
#include <gtest/gtest.h>

#include <filesystem>

#include "cpuinfo_lines.hpp"
#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

struct Arch {
  const char* name;
  const char* every_cpu;  // the CPUs the host file names
};

const Arch kArches[] = {
    {"x86", "0-3"},         {"arm64", "0-3"},   {"arm64-3.10", "0-3"}, {"arm32", "0-3"},
    {"ppc64", "0,4,8,12"},  {"riscv64", "0-3"}, {"loongarch64", "0-3"}, {"mips", "0-3"},
    {"s390x", "0-3"},       {"s390x-3.10", "0-3"}, {"sparc64", "0-3"}, {"alpha", "0-1"},
    {"ia64", "0-3"},
};

std::unique_ptr<Limits> limits_showing(const std::string& list) {
  auto limits = std::make_unique<Limits>();
  EXPECT_TRUE(parse_cpu_list(list, limits->cpu.visible)) << list;
  limits->cpu.count = limits->cpu.visible.count();
  return limits;
}

std::string arch_dir(const char* name) { return fixture_dir("cpuinfo-arch") + "/" + name; }

// The one expected-<V> file of an architecture, and V as a list ("0,2-3").
std::string expected_file(const char* name, std::string& visible) {
  for (const auto& entry : std::filesystem::directory_iterator(arch_dir(name))) {
    std::string file = entry.path().filename().string();
    if (file.rfind("expected-", 0) == 0) {
      visible = file.substr(9);
      return entry.path().string();
    }
  }
  ADD_FAILURE() << "no expected file for " << name;
  return {};
}

Rendered render_cpuinfo_in(const std::string& dir, const Limits& limits) {
  return render_to_string(VirtualFile::Cpuinfo, config_for_dir(dir), limits);
}

class CpuinfoArch : public ::testing::TestWithParam<Arch> {};

// A sysroot holding only the proc/cpuinfo a test writes.
class TempRoot {
 public:
  TempRoot() {
    char templ[] = "/tmp/cgview-cpuinfo-XXXXXX";
    EXPECT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    std::filesystem::create_directories(dir_ + "/proc");
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void write(const std::string& bytes) {
    std::ofstream out(dir_ + "/proc/cpuinfo", std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    EXPECT_TRUE(bool(out));
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace

TEST_P(CpuinfoArch, NothingHiddenPassesThroughByteForByte) {
  const Arch& a = GetParam();
  auto limits = limits_showing(a.every_cpu);
  Rendered r = render_cpuinfo_in(arch_dir(a.name), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, read_file(arch_dir(a.name) + "/proc/cpuinfo"));
}

TEST_P(CpuinfoArch, HiddenCpusLeaveNoTrace) {
  const Arch& a = GetParam();
  std::string visible;
  std::string expected = read_file(expected_file(a.name, visible));
  auto limits = limits_showing(visible);
  Rendered r = render_cpuinfo_in(arch_dir(a.name), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, expected) << "V = " << visible;
}

// The same host file without its last newline: still the host's bytes.
TEST_P(CpuinfoArch, LastLineWithoutNewline) {
  const Arch& a = GetParam();
  TempRoot root;
  std::string host = read_file(arch_dir(a.name) + "/proc/cpuinfo");
  while (!host.empty() && host.back() == '\n') host.pop_back();
  root.write(host);
  auto limits = limits_showing(a.every_cpu);
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, host);
}

INSTANTIATE_TEST_SUITE_P(Layouts, CpuinfoArch, ::testing::ValuesIn(kArches),
                         [](const ::testing::TestParamInfo<Arch>& info) {
                           std::string s = info.param.name;
                           for (char& ch : s)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// A hidden last CPU whose block ends the file without a newline: nothing of it stays.
TEST(CpuinfoLayout, HiddenLastBlockWithoutNewline) {
  TempRoot root;
  root.write("processor\t: 0\nhart\t\t: 1\n\nprocessor\t: 1\nhart\t\t: 2");
  auto limits = limits_showing("0");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, "processor\t: 0\nhart\t\t: 1\n\n");
}

// A kept count line that ends the file keeps its missing newline missing.
TEST(CpuinfoLayout, RewrittenLastLineWithoutNewline) {
  TempRoot root;
  root.write("Cpu0ClkTck\t: 01\nCpu1ClkTck\t: 01\nncpus active\t: 2");
  auto limits = limits_showing("1");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, "Cpu1ClkTck\t: 01\nncpus active\t: 1");
}

// x86 with more packages than V reaches: each kept block counts only its package.
TEST(CpuinfoLayout, SiblingsAndCoresNeverExceedTheCpusShown) {
  auto limits = limits_showing("1,3");
  Rendered r = render_cpuinfo_in(arch_dir("x86"), *limits);
  ASSERT_TRUE(r.ok);
  // cpu 1 (package 0, core 1) alone in its package; cpu 3 (package 1, core 0) alone in its.
  size_t siblings = 0, cores = 0;
  for (size_t at = r.text.find("siblings\t: 1\n"); at != std::string::npos; at = r.text.find("siblings\t: 1\n", at + 1))
    ++siblings;
  for (size_t at = r.text.find("cpu cores\t: 1\n"); at != std::string::npos; at = r.text.find("cpu cores\t: 1\n", at + 1))
    ++cores;
  EXPECT_EQ(siblings, 2u);
  EXPECT_EQ(cores, 2u);
}

TEST(CpuinfoLines, Classifies) {
  EXPECT_EQ(classify_cpuinfo_line("processor\t: 12").kind, CpuinfoKind::Processor);
  EXPECT_EQ(classify_cpuinfo_line("processor\t: 12").number, 12u);
  EXPECT_EQ(classify_cpuinfo_line("Processor\t: AArch64 Processor rev 4 (aarch64)").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("processor 3: version = FF,  identification = 0133E8").kind, CpuinfoKind::CpuTagged);
  EXPECT_EQ(classify_cpuinfo_line("processor 3: version = FF,  identification = 0133E8").number, 3u);
  EXPECT_EQ(classify_cpuinfo_line("Cpu17ClkTck\t: 000000005d21dba0").number, 17u);
  EXPECT_EQ(classify_cpuinfo_line("Cpu17ClkTck\t: 000000005d21dba0").kind, CpuinfoKind::CpuTagged);
  EXPECT_EQ(classify_cpuinfo_line("CPU17:\t\tonline").kind, CpuinfoKind::CpuTagged);
  EXPECT_EQ(classify_cpuinfo_line("CPU implementer\t: 0x41").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("CPU architecture: 8").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("cpucaps\t\t: flush").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("# processors    : 4").kind, CpuinfoKind::Count);
  EXPECT_EQ(classify_cpuinfo_line("ncpus active\t: 4").kind, CpuinfoKind::Count);
  EXPECT_EQ(classify_cpuinfo_line("ncpus probed\t: 8").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("cpus active\t\t: 2").kind, CpuinfoKind::Count);
  // alpha's "cpu active mask" is the possible CPUs (arch/alpha/kernel/setup.c), not the online.
  EXPECT_EQ(classify_cpuinfo_line("cpu active mask\t\t: 0000000000000003").kind, CpuinfoKind::Other);
  EXPECT_EQ(classify_cpuinfo_line("cpu number      : 5").kind, CpuinfoKind::CpuNumber);
  EXPECT_EQ(classify_cpuinfo_line("").kind, CpuinfoKind::Blank);
  // A processor, cpu number or count key without the number a kernel prints.
  EXPECT_EQ(classify_cpuinfo_line("processor\t: -1").kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line("processor\t: 99999999999999999999999").kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line(std::string_view("processor\t: 1\0", 14)).kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line("processor 18446744073709551616: version = FF").kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line("# processors    : four").kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line("cpu number      :").kind, CpuinfoKind::Malformed);
  EXPECT_EQ(classify_cpuinfo_line("physical id\t: x").kind, CpuinfoKind::Other);
}

// A file rendered by a layer below (LXCFS numbers a cpuset's CPUs 0, 1, ...
// in order, and with --enable-cfs shows only N of them): entry k is A's k-th
// CPU, or V's when the file names exactly 0..N-1; kept entries take the real
// ids they stand for. A file that cannot be matched passes through, never
// emptied.
namespace {

std::unique_ptr<Limits> limits_with_affinity(const std::string& affinity, const std::string& visible) {
  auto limits = limits_showing(visible);
  EXPECT_TRUE(parse_cpu_list(affinity, limits->cpu.affinity)) << affinity;
  return limits;
}

std::string blocks(std::initializer_list<int> ids) {
  std::string text;
  for (int id : ids) text += "processor\t: " + std::to_string(id) + "\nmodel name\t: Test CPU\n\n";
  return text;
}

}  // namespace

TEST(CpuinfoRenumbered, LxcfsCpusetOfOneCpu) {
  TempRoot root;
  root.write(blocks({0}));  // LXCFS for a cpuset of CPU 1
  auto limits = limits_with_affinity("1", "1");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({1}));
  // LXCFS's online list says "1" too: V is every online CPU, and still the file is renumbered.
  limits->cpu.online = limits->cpu.visible;
  r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({1}));
}

TEST(CpuinfoRenumbered, EntryKIsTheKthCpuOfTheAffinity) {
  TempRoot root;
  root.write(blocks({0, 1, 2, 3}));  // LXCFS for a cpuset of CPUs 4-7 (or 2-5 below)
  // V = 2,3 is named by the file too, but entries 2 and 3 are CPUs 6 and 7: the file is read
  // one way (by place) whatever V is.
  for (auto [visible, kept] : {std::pair{"5", blocks({5})}, {"4,7", blocks({4, 7})}, {"6-7", blocks({6, 7})},
                               {"4-5", blocks({4, 5})}}) {
    auto limits = limits_with_affinity("4-7", visible);
    Rendered r = render_cpuinfo_in(root.dir(), *limits);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.text, kept) << "V = " << visible;
  }
  for (auto [visible, kept] : {std::pair{"2-3", blocks({2, 3})}, {"4-5", blocks({4, 5})}}) {
    auto limits = limits_with_affinity("2-5", visible);
    Rendered r = render_cpuinfo_in(root.dir(), *limits);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.text, kept) << "A = 2-5, V = " << visible;
  }
  // The x86 layout: siblings and cpu cores stay as the file has them.
  auto limits = limits_with_affinity("8,9,10,11", "9");
  Rendered r = render_cpuinfo_in(arch_dir("x86"), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_NE(r.text.find("processor\t: 9\n"), std::string::npos);  // entry 1, under its real id
  EXPECT_NE(r.text.find("core id\t\t: 1\n"), std::string::npos);  // entry 1's own lines
  for (const char* other : {"processor\t: 0\n", "processor\t: 1\n", "processor\t: 2\n", "processor\t: 3\n"})
    EXPECT_EQ(r.text.find(other), std::string::npos) << other;
}

// LXCFS --enable-cfs under a quota: N entries, 0..N-1, for N CPUs of A; they
// stand for V's CPUs in order.
TEST(CpuinfoRenumbered, NEntriesStandForV) {
  TempRoot root;
  root.write(blocks({0}));
  auto limits = limits_with_affinity("0-1", "1");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({1}));
  root.write(blocks({0, 1}));
  limits = limits_with_affinity("0-3", "1,3");
  r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({1, 3}));
}

// The kernel's file after a CPU of A went off-line (the view is cached up to a
// second): V's blocks by id while V is named, the file as it is once not.
TEST(CpuinfoRenumbered, AKernelFileMissingAnOfflineCpu) {
  TempRoot root;
  root.write(blocks({0, 1, 2}));  // A = 0-3 when the view was formed; CPU 3 since off-line
  auto limits = limits_with_affinity("0-3", "1");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({1}));
  limits = limits_with_affinity("0-3", "3");
  r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, blocks({0, 1, 2}));
}

TEST(CpuinfoRenumbered, UnmatchableFilesPassThrough) {
  TempRoot root;
  for (auto [file, affinity, visible] : {
           std::tuple{blocks({0, 1}), "2-4", "3"},     // fewer entries than A
           std::tuple{blocks({5, 6}), "1-2", "2"},     // not numbered from 0
           std::tuple{blocks({0, 2}), "3-4", "4"},     // not in order
           std::tuple{blocks({0, 1, 2}), "4-5", "5"},  // more entries than A
       }) {
    root.write(file);
    auto limits = limits_with_affinity(affinity, visible);
    Rendered r = render_cpuinfo_in(root.dir(), *limits);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.text, file) << "A = " << affinity << ", V = " << visible;
  }
}

// Text no kernel writes, where something would be hidden: a carriage return
// (a blank line would no longer end a block, and a hidden block would take
// the trailer with it), a processor line without its id. No view is formed:
// the host's bytes pass as they are, rather than blocks that disagree with N.
TEST(CpuinfoLayout, TextNoKernelWritesPassesThrough) {
  using namespace std::string_literals;
  TempRoot root;
  std::string arm32 = read_file(arch_dir("arm32") + "/proc/cpuinfo");
  std::string crlf;
  for (char c : arm32) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto limits = limits_showing("0-1");
  for (const std::string& file : {crlf, "processor\t: 0\nhart\t: 0\n\nprocessor\t: 1\0\nhart\t: 1\n\n"
                                         "processor\t: 2\nhart\t: 2\n\n"s,
                                   blocks({0, 1, 2}) + "processor\t: 18446744073709551616\n\n"}) {
    root.write(file);
    Rendered r = render_cpuinfo_in(root.dir(), *limits);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.text, file);
  }
  // The same arm32 file with its newlines: rendered, its trailer kept once.
  root.write(arm32);
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_NE(r.text.find("Hardware"), std::string::npos) << r.text;
}

// Where V's CPUs are not counted (more than 512 of them, or a file renumbered
// below the shim), "siblings" and "cpu cores" still say no more than N.
TEST(CpuinfoLayout, UncountedSiblingsAndCoresStayAtMostN) {
  auto count = [](const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  TempRoot root;
  std::string big;  // one package of 1024 CPUs, two threads a core
  for (int cpu = 0; cpu < 1024; ++cpu)
    big += "processor\t: " + std::to_string(cpu) + "\nphysical id\t: 0\nsiblings\t: 1024\ncore id\t\t: " +
           std::to_string(cpu % 512) + "\ncpu cores\t: 512\n\n";
  root.write(big);
  auto limits = limits_showing("0-599");
  Rendered r = render_cpuinfo_in(root.dir(), *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(count(r.text, "processor\t:"), 600u);
  EXPECT_EQ(count(r.text, "siblings\t: 600\n"), 600u);
  EXPECT_EQ(count(r.text, "cpu cores\t: 512\n"), 600u);
  // LXCFS's file for a cpuset of 4-7 (entries 0-3) under a quota of 2: V = 4-5.
  std::string lxcfs;
  for (int entry = 0; entry < 4; ++entry)
    lxcfs += "processor\t: " + std::to_string(entry) + "\nsiblings\t: 4\ncpu cores\t: 4\n\n";
  root.write(lxcfs);
  auto renumbered = limits_with_affinity("4-7", "4-5");
  Rendered l = render_cpuinfo_in(root.dir(), *renumbered);
  ASSERT_TRUE(l.ok);
  EXPECT_EQ(l.text, "processor\t: 4\nsiblings\t: 2\ncpu cores\t: 2\n\nprocessor\t: 5\nsiblings\t: 2\ncpu cores\t: 2\n\n");
}
