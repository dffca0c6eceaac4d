// /sys/devices/system/node/nodeN/meminfo: on a host of one NUMA node, the
// node holds all of the container's memory, so its lines agree with
// /proc/meminfo's (lstopo's and numactl's node sizes); with several nodes,
// without a limit, or where the node could not hold the view, it is the
// host's file.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// This project's machine's node0/meminfo (Linux 6.18), byte for byte.
const char kNodeMeminfo[] =
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

class NodeMeminfo : public CopiedFixture {
 protected:
  void SetUp() override {
    copy_fixture("docker-v2-private-ns");  // 1 GiB limit on a 16000 MB host
    write("sys/devices/system/node/online", "0\n");
    write("sys/devices/system/node/node0/meminfo", kNodeMeminfo);
  }
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
  // The memory.stat lines as /proc/meminfo's, never above the node's own
  // (this host's node has less anonymous memory than the fixture's cgroup).
  std::string host_lines = without_node_prefix(kNodeMeminfo, "Node 0 ");
  for (const char* key : {"Active", "Inactive", "Active(anon)", "Inactive(file)", "AnonPages", "Mapped", "Shmem",
                          "Dirty", "Slab", "SReclaimable", "SUnreclaim", "KReclaimable"})
    EXPECT_EQ(meminfo_kb(lines, key), std::min(meminfo_kb(meminfo, key), meminfo_kb(host_lines, key))) << key;
  EXPECT_LT(meminfo_kb(lines, "Active(anon)"), meminfo_kb(meminfo, "Active(anon)"));
  // Every other line is the host's, byte for byte, in its order and layout.
  std::vector<std::string> got = split_lines(r.text), host = split_lines(kNodeMeminfo);
  ASSERT_EQ(got.size(), host.size());
  const std::set<std::string> rewritten = {"MemTotal", "MemFree", "MemUsed", "Active", "Inactive", "Active(anon)",
                                           "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable",
                                           "Dirty", "Writeback", "FilePages", "Mapped", "AnonPages", "Shmem",
                                           "KReclaimable", "Slab", "SReclaimable", "SUnreclaim"};
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
  write("sys/devices/system/node/node3/meminfo", for_node(kNodeMeminfo, 3));
  Rendered r = node(3);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text.substr(0, 34), "Node 3 MemTotal:        1048576 kB");
  EXPECT_FALSE(node(0).ok);  // not the online node
}

TEST_F(NodeMeminfo, NoLineAboveTheNodesOwn) {
  std::string text = kNodeMeminfo;
  // A node that counts less than /proc/meminfo (this host's node file holds 10
  // of its 24 GiB): a limit at or above the node's total leaves the host's file.
  write("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:          500000 kB\n");
  EXPECT_FALSE(node().ok);
  // Below it: MemFree no more than the node's, and MemUsed the rest of the view.
  write("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        2097152 kB\nNode 0 MemFree:          100000 kB\nNode 0 MemUsed:         1997152 kB\n"
        "Node 0 Active:             1000 kB\nNode 0 KernelStack:        1344 kB\n");
  Rendered r = node();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text,
            "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:          100000 kB\nNode 0 MemUsed:          948576 kB\n"
            "Node 0 Active:             1000 kB\nNode 0 KernelStack:        1344 kB\n");
}

// hwloc counts a node's ordinary memory as MemTotal less its huge pages.
TEST_F(NodeMeminfo, HugePagesAtOrAboveTheLimitLeaveTheHostsFile) {
  std::string meminfo = read("proc/meminfo");
  size_t at = meminfo.find("Hugetlb:");
  ASSERT_NE(at, std::string::npos);
  meminfo.replace(at, meminfo.find('\n', at) - at, "Hugetlb:         1048576 kB");
  write("proc/meminfo", meminfo);
  EXPECT_FALSE(node().ok);
  meminfo.replace(at, meminfo.find('\n', at) - at, "Hugetlb:          524288 kB");
  write("proc/meminfo", meminfo);
  EXPECT_TRUE(node().ok);
}

TEST_F(NodeMeminfo, SeveralNodesOrNoLimitAreTheHosts) {
  write("sys/devices/system/node/online", "0-1\n");
  EXPECT_FALSE(node().ok);
  write("sys/devices/system/node/online", "0,2\n");
  EXPECT_FALSE(node().ok);
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
