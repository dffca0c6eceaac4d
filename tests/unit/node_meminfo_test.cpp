// /sys/devices/system/node/nodeN/meminfo: on a host of one NUMA node, the
// node holds all of the container's memory, so its lines agree with
// /proc/meminfo's (lstopo's and numactl's node sizes); with several nodes,
// without a limit, or where the node could not hold the view, it is the
// host's file.
#include <gtest/gtest.h>

#include <cstring>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// This project's machine's node0/meminfo (Linux 6.18), byte for byte: its
// node file counts 10 of the 24 GiB /proc/meminfo does, and less anonymous
// memory than the fixture's cgroup uses.
const char kThisMachinesNode[] =
    "Node 0 MemTotal:       10839800 kB\n"
    "Node 0 MemFree:         8360948 kB\n"
    "Node 0 MemUsed:         2478852 kB\n"
    "Node 0 SwapCached:            0 kB\n"
    "Node 0 Active:           606848 kB\n"
    "Node 0 Inactive:         655140 kB\n"
    "Node 0 Active(anon):       1588 kB\n"
    "Node 0 Inactive(anon):     9124 kB\n"
    "Node 0 Active(file):     605260 kB\n"
    "Node 0 Inactive(file):   646016 kB\n"
    "Node 0 Unevictable:       10496 kB\n"
    "Node 0 Mlocked:            9312 kB\n"
    "Node 0 Dirty:             27192 kB\n"
    "Node 0 Writeback:             0 kB\n"
    "Node 0 FilePages:       1260720 kB\n"
    "Node 0 Mapped:            15852 kB\n"
    "Node 0 AnonPages:         11884 kB\n"
    "Node 0 Shmem:              9440 kB\n"
    "Node 0 KernelStack:        1344 kB\n"
    "Node 0 PageTables:         1180 kB\n"
    "Node 0 SecPageTables:         0 kB\n"
    "Node 0 NFS_Unstable:          0 kB\n"
    "Node 0 Bounce:                0 kB\n"
    "Node 0 WritebackTmp:          0 kB\n"
    "Node 0 KReclaimable:    1063580 kB\n"
    "Node 0 Slab:            1126876 kB\n"
    "Node 0 SReclaimable:    1063580 kB\n"
    "Node 0 SUnreclaim:        63296 kB\n"
    "Node 0 AnonHugePages:         0 kB\n"
    "Node 0 ShmemHugePages:        0 kB\n"
    "Node 0 ShmemPmdMapped:        0 kB\n"
    "Node 0 FileHugePages:     34816 kB\n"
    "Node 0 FilePmdMapped:         0 kB\n"
    "Node 0 HugePages_Total:     0\n"
    "Node 0 HugePages_Free:      0\n"
    "Node 0 HugePages_Surp:      0\n"
;

constexpr VirtualFile node_file(unsigned node) { return cpu_file({CpuFile::NodeMeminfo, node, 0}); }

// The lines without their "Node N " prefix, so meminfo_kb reads them.
std::string without_node_prefix(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const std::string& line : split_lines(text)) {
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    out += line.substr(prefix.size()) + "\n";
  }
  return out;
}

// The same text with "Node 0 " made "Node N ".
std::string for_node(std::string text, unsigned node) {
  std::string to = "Node " + std::to_string(node) + " ";
  for (size_t at = text.find("Node 0 "); at != std::string::npos; at = text.find("Node 0 ", at + to.size()))
    text.replace(at, 7, to);
  return text;
}

// The fixture's node0/meminfo: a one-node host whose node holds what its
// /proc/meminfo counts (16000 MiB), in Linux 6.18's format.
class NodeMeminfo : public CopiedFixture {
 protected:
  void SetUp() override {
    copy_fixture("docker-v2-private-ns");  // 1 GiB limit; node/online "0"
    node_text_ = read("sys/devices/system/node/node0/meminfo");
  }
  std::string node_text_;
  Rendered node(unsigned n = 0) {
    auto limits = limits_for(config());
    return render_to_string(node_file(n), config(), *limits);
  }
  std::string proc_meminfo() {
    auto limits = limits_for(config());
    Rendered r = render_to_string(VirtualFile::Meminfo, config(), *limits);
    EXPECT_TRUE(r.ok);
    return r.text;
  }
};

}  // namespace

TEST(NodeMeminfoPath, Served) {
  EXPECT_EQ(virtual_file_for("/sys/devices/system/node/node0/meminfo"), node_file(0));
  CpuFileRef f;
  ASSERT_TRUE(split_cpu_file(virtual_file_for("/sys/devices/system/node/node3/meminfo"), f));
  EXPECT_EQ(f.kind, CpuFile::NodeMeminfo);
  EXPECT_EQ(f.cpu, 3u);
  EXPECT_TRUE(is_node_meminfo(node_file(0)));
  EXPECT_TRUE(is_node_meminfo(node_file(kMaxCpus - 1)));
  EXPECT_FALSE(is_node_meminfo(VirtualFile::Meminfo));
  EXPECT_FALSE(is_node_meminfo(cpu_file({CpuFile::NodeCpuMap, 0, 0})));
  EXPECT_EQ(virtual_file_for("/sys/devices/system/node/meminfo"), VirtualFile::None);
  EXPECT_EQ(virtual_file_for("/sys/devices/system/cpu/cpu0/meminfo"), VirtualFile::None);
}

TEST_F(NodeMeminfo, OneNodeAgreesWithProcMeminfo) {
  // Distinct kernel and huge page figures, so a node line read from the
  // wrong key shows (the fixture's are all 0).
  std::string stat = read("sys/fs/cgroup/memory.stat");
  for (const auto& [key, value] : {std::pair{"kernel_stack ", "1048576"}, {"pagetables ", "2097152"},
                                   {"sec_pagetables ", "3145728"}, {"swapcached ", "8388608"},
                                   {"anon_thp ", "9437184"}, {"file_thp ", "10485760"}, {"shmem_thp ", "11534336"}}) {
    size_t at = stat.find(std::string("\n") + key);
    ASSERT_NE(at, std::string::npos) << key;
    at += strlen(key) + 1;
    stat.replace(at, stat.find('\n', at) - at, value);
  }
  write("sys/fs/cgroup/memory.stat", stat);
  Rendered r = node();
  ASSERT_TRUE(r.ok);
  std::string meminfo = proc_meminfo();
  std::string lines = without_node_prefix(r.text, "Node 0 ");
  int64_t total = meminfo_kb(meminfo, "MemTotal");
  EXPECT_EQ(total, 1024 * 1024);
  EXPECT_EQ(meminfo_kb(lines, "MemTotal"), total);
  EXPECT_EQ(meminfo_kb(lines, "MemFree"), meminfo_kb(meminfo, "MemFree"));
  EXPECT_EQ(meminfo_kb(lines, "MemUsed"), total - meminfo_kb(meminfo, "MemFree"));
  EXPECT_EQ(meminfo_kb(lines, "FilePages"), meminfo_kb(meminfo, "Cached"));
  for (const char* key : {"Active", "Inactive", "Active(anon)", "Inactive(file)", "AnonPages", "Mapped", "Shmem",
                          "Dirty", "Slab", "SReclaimable", "SUnreclaim", "KReclaimable", "Unevictable",
                          "SwapCached", "KernelStack", "PageTables", "SecPageTables", "AnonHugePages",
                          "ShmemHugePages", "FileHugePages", "Mlocked", "ShmemPmdMapped", "FilePmdMapped"})
    EXPECT_EQ(meminfo_kb(lines, key), meminfo_kb(meminfo, key)) << key;
  // The kernel's sums hold, as in /proc/meminfo.
  EXPECT_EQ(meminfo_kb(lines, "Active"), meminfo_kb(lines, "Active(anon)") + meminfo_kb(lines, "Active(file)"));
  EXPECT_EQ(meminfo_kb(lines, "Slab"), meminfo_kb(lines, "SReclaimable") + meminfo_kb(lines, "SUnreclaim"));
  EXPECT_EQ(meminfo_kb(lines, "KernelStack"), 1024);
  EXPECT_EQ(meminfo_kb(lines, "FileHugePages"), 10240);
  // Every other line is the host's, byte for byte, in its order and layout.
  std::vector<std::string> got = split_lines(r.text), host = split_lines(node_text_);
  ASSERT_EQ(got.size(), host.size());
  const std::set<std::string> rewritten = {"MemTotal", "MemFree", "MemUsed", "Active", "Inactive", "Active(anon)",
                                           "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable",
                                           "Dirty", "Writeback", "FilePages", "Mapped", "AnonPages", "Shmem",
                                           "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "SwapCached",
                                           "KernelStack", "PageTables", "SecPageTables", "AnonHugePages", "ShmemHugePages",
                                           "FileHugePages", "Mlocked", "ShmemPmdMapped", "FilePmdMapped"};
  for (size_t i = 0; i < got.size(); ++i) {
    std::string key = host[i].substr(7, host[i].find(':') - 7);
    if (rewritten.count(key) == 0) {
      EXPECT_EQ(got[i], host[i]) << key;
    }
    EXPECT_EQ(got[i].size(), host[i].size()) << got[i];  // "Node 0 ", 16-column key, 8-column value
  }
  EXPECT_EQ(got[0], "Node 0 MemTotal:        1048576 kB");
}

TEST_F(NodeMeminfo, AnyNodeNumber) {
  write("sys/devices/system/node/online", "3\n");
  write("sys/devices/system/node/node3/meminfo", for_node(node_text_, 3));
  Rendered r = node(3);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text.substr(0, 34), "Node 3 MemTotal:        1048576 kB");
  EXPECT_FALSE(node(0).ok);  // not the online node
}

// The node must look at least as large as the view: the host's file where
// its MemTotal is not above the limit or its MemFree below the view's, or a
// line cgview would replace is not a number. The other lines follow
// /proc/meminfo's rules, as on a host whose node file counts less than
// /proc/meminfo (this machine's: less anonymous memory than the fixture's
// cgroup uses): no line is capped alone, which would break the kernel's
// sums (Active = Active(anon) + Active(file)).
TEST_F(NodeMeminfo, TheNodeMustBeAtLeastAsLargeAsTheView) {
  write("sys/devices/system/node/node0/meminfo", kThisMachinesNode);
  Rendered r = node();
  ASSERT_TRUE(r.ok);
  std::string lines = without_node_prefix(r.text, "Node 0 ");
  EXPECT_EQ(meminfo_kb(lines, "MemTotal"), 1024 * 1024);
  EXPECT_EQ(meminfo_kb(lines, "Active(anon)"), meminfo_kb(proc_meminfo(), "Active(anon)"));  // 18432, above 1588
  EXPECT_EQ(meminfo_kb(lines, "Active"), meminfo_kb(lines, "Active(anon)") + meminfo_kb(lines, "Active(file)"));
  // A node total not above the limit.
  write("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:         1000000 kB\n");
  EXPECT_FALSE(node().ok);
  // Less free memory on the node than the view's MemFree (741376 kB).
  write("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        2097152 kB\nNode 0 MemFree:          100000 kB\nNode 0 MemUsed:         1997152 kB\n");
  EXPECT_FALSE(node().ok);
  write("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:        2097152 kB\n");  // no MemFree
  EXPECT_FALSE(node().ok);
  write("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        2097152 kB\nNode 0 MemFree:          741376 kB\nNode 0 MemUsed:         1355776 kB\n");
  r = node();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text,
            "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:          741376 kB\nNode 0 MemUsed:          307200 kB\n");
  // A host value cgview would replace that is not a number: the host's file.
  std::string text = node_text_;
  size_t at = text.find("Node 0 Active:");
  text.replace(at, text.find('\n', at) - at, "Node 0 Active:              x kB");
  write("sys/devices/system/node/node0/meminfo", text);
  EXPECT_FALSE(node().ok);
  // Lines it does not replace may say anything.
  text = node_text_;
  at = text.find("Node 0 Bounce:");
  text.replace(at, text.find('\n', at) - at, "Node 0 Bounce:              x kB");
  write("sys/devices/system/node/node0/meminfo", text);
  r = node();
  ASSERT_TRUE(r.ok);
  EXPECT_NE(r.text.find("Node 0 Bounce:              x kB\n"), std::string::npos);
}

TEST_F(NodeMeminfo, HugePagesAtOrAboveTheLimitLeaveTheHostsFile) {
  std::string meminfo = read("proc/meminfo");
  auto set_line = [&](const char* key, const std::string& line) {
    size_t at = meminfo.find(std::string("\n") + key + ":");
    ASSERT_NE(at, std::string::npos) << key;
    ++at;
    meminfo.replace(at, meminfo.find('\n', at) - at, line);
    write("proc/meminfo", meminfo);
  };
  set_line("Hugetlb", "Hugetlb:         1048576 kB");
  EXPECT_FALSE(node().ok);
  set_line("Hugetlb", "Hugetlb:          524288 kB");
  EXPECT_TRUE(node().ok);
  set_line("Hugetlb", "Hugetlb:         lots kB");  // malformed: the host's file
  EXPECT_FALSE(node().ok);
  // Before Linux 4.16 there is no Hugetlb line: the default size's pages count.
  set_line("Hugetlb", "Hugepages_Hidden:     0 kB");
  set_line("HugePages_Total", "HugePages_Total:     512");  // x 2048 kB = 1 GiB
  EXPECT_FALSE(node().ok);
  set_line("HugePages_Total", "HugePages_Total:     100");
  EXPECT_TRUE(node().ok);
  set_line("HugePages_Total", "HugePages_Total:     many");
  EXPECT_FALSE(node().ok);
}

TEST_F(NodeMeminfo, SeveralNodesOrNoLimitAreTheHosts) {
  write("sys/devices/system/node/online", "0-1\n");
  EXPECT_FALSE(node().ok);
  // The kernel writes one node as its number alone: anything else is not one node.
  for (const char* online : {"0,2\n", "0-0\n", "0,0\n", "0", " 0\n", "00\n", "0\n\n"}) {
    write("sys/devices/system/node/online", online);
    EXPECT_FALSE(node().ok) << online;
  }
  write("sys/devices/system/node/online", "0\n");
  ASSERT_TRUE(node().ok);
  write("sys/fs/cgroup/memory.max", "max\n");
  EXPECT_FALSE(node().ok);
}

// /proc/meminfo has no node's names: MemUsed or FilePages there stay the host's.
TEST_F(NodeMeminfo, NodeNamesAreNotRewrittenInProcMeminfo) {
  std::string meminfo = read("proc/meminfo") + "MemUsed:          123456 kB\nFilePages:        654321 kB\n";
  write("proc/meminfo", meminfo);
  std::string served = proc_meminfo();
  EXPECT_NE(served.find("MemUsed:          123456 kB\nFilePages:        654321 kB\n"), std::string::npos) << served;
}
