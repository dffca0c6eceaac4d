// /sys/devices/system/node/nodeN/meminfo: on a host of one NUMA node, the
// node holds all of the container's memory, so its lines agree with
// /proc/meminfo's (lstopo's and numactl's node sizes); with several nodes, or
// without a limit, it is the host's file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// As Linux 6.1 writes it (drivers/base/node.c), for a 16 GiB node.
const char kNodeMeminfo[] =
    "Node 0 MemTotal:       16374456 kB\n"
    "Node 0 MemFree:        12000000 kB\n"
    "Node 0 MemUsed:         4374456 kB\n"
    "Node 0 SwapCached:            0 kB\n"
    "Node 0 Active:          1500000 kB\n"
    "Node 0 Inactive:        2000000 kB\n"
    "Node 0 Active(anon):     500000 kB\n"
    "Node 0 Inactive(anon):   600000 kB\n"
    "Node 0 Active(file):    1000000 kB\n"
    "Node 0 Inactive(file):  1400000 kB\n"
    "Node 0 Unevictable:           0 kB\n"
    "Node 0 Mlocked:               0 kB\n"
    "Node 0 Dirty:               100 kB\n"
    "Node 0 Writeback:             0 kB\n"
    "Node 0 FilePages:       2500000 kB\n"
    "Node 0 Mapped:           300000 kB\n"
    "Node 0 AnonPages:       1100000 kB\n"
    "Node 0 Shmem:             10000 kB\n"
    "Node 0 KernelStack:       12345 kB\n"
    "Node 0 PageTables:        23456 kB\n"
    "Node 0 KReclaimable:     200000 kB\n"
    "Node 0 Slab:             300000 kB\n"
    "Node 0 SReclaimable:     200000 kB\n"
    "Node 0 SUnreclaim:       100000 kB\n"
    "Node 0 AnonHugePages:         0 kB\n"
    "Node 0 HugePages_Total:     0\n"
    "Node 0 HugePages_Free:      0\n"
    "Node 0 HugePages_Surp:      0\n";

constexpr VirtualFile kNode0 = cpu_file({CpuFile::NodeMeminfo, 0, 0});

// The lines without their "Node N " prefix, so meminfo_kb reads them.
std::string without_node_prefix(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const std::string& line : split_lines(text)) {
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    out += line.substr(prefix.size()) + "\n";
  }
  return out;
}

class NodeMeminfo : public CopiedFixture {
 protected:
  void SetUp() override {
    copy_fixture("docker-v2-private-ns");  // 1 GiB limit
    write("sys/devices/system/node/online", "0\n");
    write("sys/devices/system/node/node0/meminfo", kNodeMeminfo);
  }
  Rendered node0() {
    auto limits = limits_for(config());
    return render_to_string(kNode0, config(), *limits);
  }
};

}  // namespace

TEST(NodeMeminfoPath, Served) {
  EXPECT_EQ(virtual_file_for("/sys/devices/system/node/node0/meminfo"), kNode0);
  CpuFileRef f;
  ASSERT_TRUE(split_cpu_file(virtual_file_for("/sys/devices/system/node/node3/meminfo"), f));
  EXPECT_EQ(f.kind, CpuFile::NodeMeminfo);
  EXPECT_EQ(f.cpu, 3u);
  EXPECT_EQ(virtual_file_for("/sys/devices/system/node/meminfo"), VirtualFile::None);
  EXPECT_EQ(virtual_file_for("/sys/devices/system/cpu/cpu0/meminfo"), VirtualFile::None);
}

TEST_F(NodeMeminfo, OneNodeAgreesWithProcMeminfo) {
  Rendered node = node0();
  ASSERT_TRUE(node.ok);
  auto limits = limits_for(config());
  Rendered meminfo = render_to_string(VirtualFile::Meminfo, config(), *limits);
  ASSERT_TRUE(meminfo.ok);
  std::string lines = without_node_prefix(node.text, "Node 0 ");
  int64_t total = meminfo_kb(meminfo.text, "MemTotal");
  EXPECT_EQ(total, 1024 * 1024);
  EXPECT_EQ(meminfo_kb(lines, "MemTotal"), total);
  EXPECT_EQ(meminfo_kb(lines, "MemFree"), meminfo_kb(meminfo.text, "MemFree"));
  EXPECT_EQ(meminfo_kb(lines, "MemUsed"), total - meminfo_kb(meminfo.text, "MemFree"));
  EXPECT_EQ(meminfo_kb(lines, "FilePages"), meminfo_kb(meminfo.text, "Cached"));
  for (const char* key : {"Active", "Inactive", "Active(anon)", "Inactive(file)", "AnonPages", "Mapped", "Shmem",
                          "Dirty", "Slab", "SReclaimable", "SUnreclaim", "KReclaimable"})
    EXPECT_EQ(meminfo_kb(lines, key), meminfo_kb(meminfo.text, key)) << key;
  // The lines cgview does not name are the host's, byte for byte, in its order.
  std::vector<std::string> got = split_lines(node.text), host = split_lines(kNodeMeminfo);
  ASSERT_EQ(got.size(), host.size());
  for (size_t i : {3u, 11u, 18u, 19u, 24u, 25u, 26u, 27u}) EXPECT_EQ(got[i], host[i]);
  // In the kernel's layout: "Node 0 " then the 16-column key and 8-column value.
  EXPECT_EQ(got[0], "Node 0 MemTotal:        1048576 kB");
}

TEST_F(NodeMeminfo, SeveralNodesOrNoLimitAreTheHosts) {
  write("sys/devices/system/node/online", "0-1\n");
  EXPECT_FALSE(node0().ok);
  write("sys/devices/system/node/online", "1\n");  // node0 is not the one
  EXPECT_FALSE(node0().ok);
  write("sys/devices/system/node/online", "0\n");
  ASSERT_TRUE(node0().ok);
  write("sys/fs/cgroup/memory.max", "max\n");
  EXPECT_FALSE(node0().ok);
}

// Bad input: the real open answers.
TEST_F(NodeMeminfo, MissingOrMalformedFilesAreTheHosts) {
  write("sys/devices/system/node/online", "zero\n");
  EXPECT_FALSE(node0().ok);
  write("sys/devices/system/node/online", "\n");
  EXPECT_FALSE(node0().ok);
  remove("sys/devices/system/node/online");
  EXPECT_FALSE(node0().ok);
  write("sys/devices/system/node/online", "0\n");
  remove("sys/devices/system/node/node0/meminfo");
  EXPECT_FALSE(node0().ok);
  // Lines it cannot read pass through as they are.
  write("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: lots\nNode 0 MemFree:  1 kB\ngarbage");
  Rendered r = node0();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text.substr(0, 23), "Node 0 MemTotal: lots\nN");
  EXPECT_NE(r.text.find("garbage"), std::string::npos);
  EXPECT_EQ(r.text.find("Node 0 MemFree:  1 kB"), std::string::npos);
}
