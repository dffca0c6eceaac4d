// The cgroup statistics reader and the files it feeds (/proc/swaps,
// /proc/pressure/*, /proc/diskstats) over small sysroots written here: every
// expected number is one the test wrote into a cgroup file.
#include <sys/stat.h>

#include <filesystem>

#include "cgroup_stats.hpp"
#include "io_stats.hpp"
#include "net_stats.hpp"
#include "test_support.hpp"

using namespace cgview;

namespace {

class TempRoot {
 public:
  TempRoot() {
    char name[] = "/tmp/cgview-stats-XXXXXX";
    dir_ = mkdtemp(name);
  }
  ~TempRoot() { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = dir_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void remove(const std::string& rel) const { std::filesystem::remove(dir_ + "/" + rel); }
  Config config() const { return cgview_test::config_for_dir(dir_); }

 private:
  std::string dir_;
};

constexpr const char* kDiskstats =
    "   8       0 sda 1000 10 80000 500 2000 20 160000 900 0 1200 1400 0 0 0 0 50 60\n"
    "   8       1 sda1 900 10 70000 450 1900 20 150000 800 0 1100 1300 0 0 0 0 0 0\n"
    " 253       0 dm-0 5 0 40 1 0 0 0 0 0 1 1 0 0 0 0 0 0\n";

// A cgroup v2 container: everything at /sys/fs/cgroup (a private namespace).
void write_v2(const TempRoot& root) {
  root.write("proc/self/mountinfo", "30 22 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n");
  root.write("proc/self/cgroup", "0::/\n");
  root.write("proc/meminfo", cgview_test::read_fixture_file("docker-v2-private-ns", "proc/meminfo"));
  root.write("sys/devices/system/cpu/online", "0-3\n");
  root.write("proc/diskstats", kDiskstats);
  root.write("proc/partitions", "major minor  #blocks  name\n\n   8        0  1000 sda\n   8        1  900 sda1\n");
  const std::string cg = "sys/fs/cgroup/";
  root.write(cg + "cpu.max", "50000 100000\n");
  root.write(cg + "cpu.stat",
             "usage_usec 7000000\nuser_usec 5000000\nsystem_usec 2000000\nnr_periods 300\nnr_throttled 120\n"
             "throttled_usec 4500000\n");
  root.write(cg + "memory.current", "104857600\n");
  root.write(cg + "memory.max", "268435456\n");
  root.write(cg + "memory.swap.current", "1048576\n");
  root.write(cg + "memory.swap.max", "67108864\n");
  root.write(cg + "memory.stat", "anon 50000000\nfile 20971520\nkernel 1000\n");
  root.write(cg + "memory.events", "low 0\nhigh 27\nmax 14\noom 3\noom_kill 2\noom_group_kill 0\n");
  root.write(cg + "memory.high", "201326592\n");
  root.write(cg + "memory.oom.group", "1\n");
  root.write(cg + "pids.current", "7\n");
  root.write(cg + "pids.max", "max\n");
  root.write(cg + "io.stat", "8:0 rbytes=4096000 wbytes=8192 rios=100 wios=2 dbytes=0 dios=0\n");
  root.write(cg + "cpu.pressure", "some avg10=1.50 avg60=0.20 avg300=0.05 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  root.write(cg + "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=77\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n");
  root.write(cg + "io.pressure", "some avg10=9.99 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=3\n");
  root.write("sys/class/net/eth0/statistics/rx_bytes", "1000\n");
  root.write("sys/class/net/eth0/statistics/tx_bytes", "2000\n");
  root.write("sys/class/net/eth0/statistics/rx_packets", "10\n");
  root.write("sys/class/net/eth0/statistics/tx_packets", "20\n");
  root.write("sys/class/net/lo/statistics/rx_bytes", "999999\n");
}

// A cgroup v1 container (Docker on a v1 host): one hierarchy per controller.
void write_v1(const TempRoot& root) {
  std::string mounts;
  int id = 40;
  for (const char* c : {"cpu,cpuacct", "memory", "pids", "blkio"}) {
    std::string dir = std::string(c) == "cpu,cpuacct" ? "cpu,cpuacct" : c;
    mounts += std::to_string(id++) + " 30 0:40 /docker/abc /sys/fs/cgroup/" + dir + " rw - cgroup cgroup rw," + c + "\n";
  }
  root.write("proc/self/mountinfo", mounts);
  root.write("proc/self/cgroup", "5:blkio:/docker/abc\n4:pids:/docker/abc\n3:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n");
  root.write("proc/meminfo", cgview_test::read_fixture_file("docker-v2-private-ns", "proc/meminfo"));
  root.write("sys/devices/system/cpu/online", "0-3\n");
  root.write("proc/diskstats", kDiskstats);
  const std::string cpu = "sys/fs/cgroup/cpu,cpuacct/";
  root.write(cpu + "cpu.stat", "nr_periods 50\nnr_throttled 20\nthrottled_time 3000000000\n");
  root.write(cpu + "cpuacct.usage", "9000000000\n");
  const std::string mem = "sys/fs/cgroup/memory/";
  root.write(mem + "memory.usage_in_bytes", "67108864\n");
  root.write(mem + "memory.limit_in_bytes", "134217728\n");
  root.write(mem + "memory.memsw.usage_in_bytes", "71303168\n");   // 4 MiB swapped
  root.write(mem + "memory.memsw.limit_in_bytes", "201326592\n");  // 64 MiB of swap allowed
  root.write(mem + "memory.stat", "cache 1000\nrss 2000\ntotal_cache 4096\ntotal_rss 8192\n");
  root.write(mem + "memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 5\n");
  root.write("sys/fs/cgroup/pids/pids.current", "3\n");
  root.write("sys/fs/cgroup/pids/pids.max", "100\n");
  const std::string blk = "sys/fs/cgroup/blkio/";
  root.write(blk + "blkio.throttle.io_service_bytes_recursive",
             "8:0 Read 1048576\n8:0 Write 2097152\n8:0 Sync 0\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 3145728\nTotal 3145728\n");
  root.write(blk + "blkio.throttle.io_serviced_recursive", "8:0 Read 30\n8:0 Write 40\n8:0 Total 70\nTotal 70\n");
  root.write(blk + "blkio.throttle.io_service_bytes", "8:0 Read 1\n8:0 Write 1\nTotal 2\n");  // not used: recursive wins
}

std::string render_file(VirtualFile file, const Config& config) {
  auto limits = cgview_test::limits_for(config);
  std::string text;
  Sink sink(cgview_test::append_to_string, &text);
  if (!render(file, config, *limits, nullptr, sink)) return "<not served>";
  return text;
}

}  // namespace

TEST(CgroupStats, V2Figures) {
  TempRoot root;
  write_v2(root);
  Config config = root.config();
  auto limits = cgview_test::limits_for(config);
  CpuStats cpu;
  read_cpu_stats(config.root, limits->cgroups.of(Controller::Cpu), limits->cgroups.of(Controller::Cpuacct), cpu);
  EXPECT_EQ(cpu.usage_ns.value, 7000000000u);
  EXPECT_EQ(cpu.periods.value, 300u);
  EXPECT_EQ(cpu.throttled_periods.value, 120u);
  EXPECT_EQ(cpu.throttled_ns.value, 4500000000u);
  MemoryStats mem;
  read_memory_stats(config.root, limits->cgroups.of(Controller::Memory), mem);
  EXPECT_EQ(mem.usage.value, 104857600u);
  EXPECT_EQ(mem.limit.value, 268435456u);
  EXPECT_EQ(mem.cache.value, 20971520u);
  EXPECT_EQ(mem.swap_used.value, 1048576u);
  EXPECT_EQ(mem.swap_limit.value, 67108864u);
  EXPECT_TRUE(mem.oom_kill_disable.has);
  EXPECT_EQ(mem.oom_kill_disable.value, 0u);
  EXPECT_FALSE(mem.under_oom.has);  // v2 has no such figure
  EXPECT_EQ(mem.oom_events.value, 3u);
  EXPECT_EQ(mem.oom_kills.value, 2u);
  EXPECT_EQ(mem.oom_group.value, 1u);
  EXPECT_EQ(mem.high.value, 201326592u);
  EXPECT_EQ(mem.high_events.value, 27u);
  EXPECT_EQ(mem.max_events.value, 14u);
  CgroupDir pids_dir, io_dir;
  ASSERT_TRUE(locate_controller(config, "pids", pids_dir));
  ASSERT_TRUE(locate_controller(config, "blkio", io_dir));
  EXPECT_TRUE(io_dir.v2);
  PidsStats pids;
  read_pids_stats(config.root, pids_dir, pids);
  EXPECT_EQ(pids.current.value, 7u);
  EXPECT_FALSE(pids.max.has);
  EXPECT_TRUE(pids.max_unlimited);
  IoStats io;
  read_io_stats(config.root, io_dir, io);
  ASSERT_TRUE(io.has);
  ASSERT_EQ(io.count, 1u);
  EXPECT_EQ(io.devices[0].read_bytes, 4096000u);
  EXPECT_EQ(io.devices[0].write_bytes, 8192u);
  EXPECT_EQ(io.devices[0].reads, 100u);
  EXPECT_EQ(io.devices[0].writes, 2u);
  FixedText<32> name;
  ASSERT_TRUE(block_device_name(config.root, 8, 0, name));
  EXPECT_EQ(name.view(), "sda");
  EXPECT_FALSE(block_device_name(config.root, 9, 9, name));
  NetStats net;
  read_net_stats(config.root, net);
  ASSERT_TRUE(net.has);
  ASSERT_EQ(net.count, 1u);  // lo left out
  EXPECT_EQ(net.interfaces[0].name.view(), "eth0");
  EXPECT_EQ(net.interfaces[0].rx_bytes.value, 1000u);
  EXPECT_EQ(net.interfaces[0].tx_packets.value, 20u);
}

TEST(CgroupStats, V1Figures) {
  TempRoot root;
  write_v1(root);
  Config config = root.config();
  auto limits = cgview_test::limits_for(config);
  CpuStats cpu;
  read_cpu_stats(config.root, limits->cgroups.of(Controller::Cpu), limits->cgroups.of(Controller::Cpuacct), cpu);
  EXPECT_EQ(cpu.usage_ns.value, 9000000000u);
  EXPECT_EQ(cpu.periods.value, 50u);
  EXPECT_EQ(cpu.throttled_periods.value, 20u);
  EXPECT_EQ(cpu.throttled_ns.value, 3000000000u);
  MemoryStats mem;
  read_memory_stats(config.root, limits->cgroups.of(Controller::Memory), mem);
  EXPECT_EQ(mem.usage.value, 67108864u);
  EXPECT_EQ(mem.limit.value, 134217728u);
  EXPECT_EQ(mem.cache.value, 4096u);  // total_cache: the hierarchy's
  EXPECT_EQ(mem.swap_used.value, 4194304u);
  EXPECT_EQ(mem.swap_limit.value, 67108864u);
  EXPECT_EQ(mem.oom_kill_disable.value, 0u);
  EXPECT_EQ(mem.under_oom.value, 1u);
  EXPECT_EQ(mem.oom_kills.value, 5u);
  EXPECT_FALSE(mem.oom_group.has);
  CgroupDir pids_dir, io_dir;
  ASSERT_TRUE(locate_controller(config, "pids", pids_dir));
  EXPECT_EQ(pids_dir.path.view(), "/sys/fs/cgroup/pids");  // a host path, read below the sysroot
  PidsStats pids;
  read_pids_stats(config.root, pids_dir, pids);
  EXPECT_EQ(pids.current.value, 3u);
  EXPECT_EQ(pids.max.value, 100u);
  ASSERT_TRUE(locate_controller(config, "blkio", io_dir));
  EXPECT_FALSE(io_dir.v2);
  IoStats io;
  read_io_stats(config.root, io_dir, io);
  ASSERT_TRUE(io.has);
  ASSERT_EQ(io.count, 1u);
  EXPECT_EQ(io.devices[0].read_bytes, 1048576u);
  EXPECT_EQ(io.devices[0].write_bytes, 2097152u);
  EXPECT_EQ(io.devices[0].reads, 30u);
  EXPECT_EQ(io.devices[0].writes, 40u);
  EXPECT_STREQ(io.file, "blkio.throttle.io_service_bytes_recursive");
  // A kernel without the recursive files: the cgroup's own, named as the source.
  root.remove("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive");
  read_io_stats(config.root, io_dir, io);
  ASSERT_EQ(io.count, 1u);
  EXPECT_EQ(io.devices[0].read_bytes, 1u);
  EXPECT_STREQ(io.file, "blkio.throttle.io_service_bytes");
}

TEST(CgroupStats, MissingAndMalformedFilesLeaveFiguresAbsent) {
  TempRoot root;
  write_v1(root);
  const std::string mem = "sys/fs/cgroup/memory/";
  root.write(mem + "memory.usage_in_bytes", "lots\n");
  root.write(mem + "memory.limit_in_bytes", "");
  root.remove(mem + "memory.oom_control");
  root.write(mem + "memory.stat", std::string(5000, 'x'));  // one line longer than any buffer
  root.write("sys/fs/cgroup/pids/pids.max", "-1\n");
  root.write("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive", "8:0 Read\n:0 Write 5\n8:x Read 1\n");
  root.remove("sys/fs/cgroup/blkio/blkio.throttle.io_serviced_recursive");
  root.remove("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes");
  root.write("sys/fs/cgroup/cpu,cpuacct/cpu.stat", "nr_periods 99999999999999999999999\nnr_throttled\n");
  Config config = root.config();
  auto limits = cgview_test::limits_for(config);
  MemoryStats m;
  read_memory_stats(config.root, limits->cgroups.of(Controller::Memory), m);
  EXPECT_FALSE(m.usage.has);
  EXPECT_FALSE(m.limit.has);
  EXPECT_FALSE(m.cache.has);
  EXPECT_FALSE(m.swap_used.has);  // needs usage
  EXPECT_FALSE(m.oom_kills.has);
  EXPECT_FALSE(m.oom_kill_disable.has);
  CpuStats cpu;
  read_cpu_stats(config.root, limits->cgroups.of(Controller::Cpu), limits->cgroups.of(Controller::Cpuacct), cpu);
  EXPECT_FALSE(cpu.periods.has);
  EXPECT_FALSE(cpu.throttled_periods.has);
  EXPECT_TRUE(cpu.usage_ns.has);
  CgroupDir dir;
  ASSERT_TRUE(locate_controller(config, "pids", dir));
  PidsStats pids;
  read_pids_stats(config.root, dir, pids);
  EXPECT_FALSE(pids.max.has);
  EXPECT_FALSE(pids.max_unlimited);
  ASSERT_TRUE(locate_controller(config, "blkio", dir));
  IoStats io;
  read_io_stats(config.root, dir, io);
  EXPECT_TRUE(io.has);
  EXPECT_EQ(io.count, 0u);  // no line made sense
  // No controller at all: nothing found, nothing read.
  EXPECT_FALSE(locate_controller(config, "hugetlb", dir));
  read_io_stats(config.root, dir, io);
  EXPECT_FALSE(io.has);
}

// More devices and interfaces than the tables keep (a host's network
// namespace, a cgroup that touched many disks): the totals still count every
// one, how many went unlisted is known, and a file that is not an interface
// (the bonding driver's bonding_masters) is none.
TEST(CgroupStats, DevicesAndInterfacesPastTheTablesStayInTheTotals) {
  TempRoot root;
  write_v2(root);
  Config config = root.config();
  std::string io_stat;
  const size_t devices = kMaxIoDevices + 16;
  for (size_t i = 0; i < devices; ++i)
    io_stat += "7:" + std::to_string(i) + " rbytes=1000 wbytes=10 rios=2 wios=1 dbytes=0 dios=0\n";
  root.write("sys/fs/cgroup/io.stat", io_stat);
  CgroupDir io_dir;
  ASSERT_TRUE(locate_controller(config, "blkio", io_dir));
  IoStats io;
  read_io_stats(config.root, io_dir, io);
  ASSERT_TRUE(io.has);
  EXPECT_EQ(io.count, kMaxIoDevices);
  EXPECT_EQ(io.more, 16u);
  uint64_t read_bytes = io.rest.read_bytes, writes = io.rest.writes;
  for (size_t i = 0; i < io.count; ++i) read_bytes += io.devices[i].read_bytes, writes += io.devices[i].writes;
  EXPECT_EQ(read_bytes, 1000u * devices);
  EXPECT_EQ(writes, devices);
  // The served /proc/diskstats would read the unlisted ones as untouched: the host's file instead.
  EXPECT_EQ(render_file(VirtualFile::Diskstats, config), "<not served>");

  TempRoot v1;
  write_v1(v1);
  std::string bytes, ops;
  for (size_t i = 0; i < devices; ++i) {
    std::string dev = "7:" + std::to_string(i);
    bytes += dev + " Read 4096\n" + dev + " Write 512\n" + dev + " Total 4608\n";
    ops += dev + " Read 3\n" + dev + " Write 1\n" + dev + " Total 4\n";
  }
  v1.write("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive", bytes);
  v1.write("sys/fs/cgroup/blkio/blkio.throttle.io_serviced_recursive", ops);
  Config v1_config = v1.config();
  ASSERT_TRUE(locate_controller(v1_config, "blkio", io_dir));
  read_io_stats(v1_config.root, io_dir, io);
  EXPECT_EQ(io.count, kMaxIoDevices);
  EXPECT_EQ(io.more, 16u);
  EXPECT_EQ(io.rest.read_bytes, 4096u * 16);
  EXPECT_EQ(io.rest.write_bytes, 512u * 16);
  EXPECT_EQ(io.rest.reads, 3u * 16);
  EXPECT_EQ(io.rest.writes, 16u);

  const size_t interfaces = kMaxInterfaces + 8;
  for (size_t i = 0; i < interfaces; ++i) {
    std::string stats = "sys/class/net/veth" + std::to_string(i) + "/statistics/";
    root.write(stats + "rx_bytes", "100\n");
    root.write(stats + "tx_packets", "3\n");
  }
  root.write("sys/class/net/bonding_masters", "bond0\n");
  NetStats net;
  read_net_stats(config.root, net);
  ASSERT_TRUE(net.has);
  EXPECT_EQ(net.count, kMaxInterfaces);
  EXPECT_EQ(net.more, interfaces + 1 - kMaxInterfaces);  // eth0 from write_v2 too
  uint64_t rx = net.rest.rx_bytes.value, tx_packets = net.rest.tx_packets.value;
  for (size_t i = 0; i < net.count; ++i) {
    EXPECT_NE(net.interfaces[i].name.view(), "bonding_masters");
    rx += net.interfaces[i].rx_bytes.value, tx_packets += net.interfaces[i].tx_packets.value;
  }
  EXPECT_EQ(rx, 100u * interfaces + 1000);
  EXPECT_EQ(tx_packets, 3u * interfaces + 20);
}

// /proc/net/dev, where there is one, names the interfaces: those of the
// reader's network namespace, which /sys/class/net (the namespace sysfs was
// mounted in) may not be. A name of 15 characters leaves no blank before its
// numbers; headers, lo and malformed lines are no interfaces.
TEST(CgroupStats, NetworkFromProcNetDev) {
  TempRoot root;
  root.write("sys/class/net/eth9/statistics/rx_bytes", "1\n");  // another namespace's
  root.write("proc/net/dev",
             "Inter-|   Receive                                                |  Transmit\n"
             " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
             "carrier compressed\n"
             "    lo:  700  7 0 0 0 0 0 0  700  7 0 0 0 0 0 0\n"
             "  eth0: 5661263447  117101    0    0    0     0          0         0  5248157   68032    0    0    0     0"
             "       0          0\n"
             "veth1234567890a:100 2 0 0 0 0 0 0 300 4 0 0 0 0 0 0\n"
             "  bad0: 1 2 3\n"
             "  bad1: x 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n");
  NetStats net;
  read_net_stats(root.config().root, net);
  ASSERT_TRUE(net.has);
  ASSERT_EQ(net.count, 2u);
  EXPECT_EQ(net.interfaces[0].name.view(), "eth0");
  EXPECT_EQ(net.interfaces[0].rx_bytes.value, 5661263447u);
  EXPECT_EQ(net.interfaces[0].rx_packets.value, 117101u);
  EXPECT_EQ(net.interfaces[0].tx_bytes.value, 5248157u);
  EXPECT_EQ(net.interfaces[0].tx_packets.value, 68032u);
  EXPECT_EQ(net.interfaces[1].name.view(), "veth1234567890a");
  EXPECT_EQ(net.interfaces[1].rx_bytes.value, 100u);
  EXPECT_EQ(net.interfaces[1].tx_packets.value, 4u);
  // Only lo: no interface, and yet figures (all zero), not "unreadable".
  root.write("proc/net/dev", "Inter-|\n face |\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n");
  read_net_stats(root.config().root, net);
  EXPECT_TRUE(net.has);
  EXPECT_EQ(net.count, 0u);
}

TEST(ServedStatsFiles, SwapsShowsTheSwapAllowance) {
  TempRoot root;
  write_v2(root);
  // The kernel's layout: name padded to 40 columns, tab-separated sizes in kB.
  EXPECT_EQ(render_file(VirtualFile::Swaps, root.config()),
            "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
            "none                                    virtual\t65536\t\t1024\t\t-2\n");
  root.write("sys/fs/cgroup/memory.swap.max", "0\n");
  EXPECT_EQ(render_file(VirtualFile::Swaps, root.config()), "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
  root.write("sys/fs/cgroup/memory.swap.max", "max\n");
  EXPECT_EQ(render_file(VirtualFile::Swaps, root.config()), "<not served>");  // the host's file
}

TEST(ServedStatsFiles, PressureIsTheCgroupsOnV2AndTheHostsOnV1) {
  TempRoot v2;
  write_v2(v2);
  EXPECT_EQ(render_file(VirtualFile::PressureCpu, v2.config()),
            "some avg10=1.50 avg60=0.20 avg300=0.05 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  EXPECT_NE(render_file(VirtualFile::PressureMemory, v2.config()).find("total=77"), std::string::npos);
  EXPECT_NE(render_file(VirtualFile::PressureIo, v2.config()).find("avg10=9.99"), std::string::npos);
  v2.write("sys/fs/cgroup/io.pressure", "garbage\n");
  EXPECT_EQ(render_file(VirtualFile::PressureIo, v2.config()), "<not served>");
  v2.remove("sys/fs/cgroup/cpu.pressure");
  EXPECT_EQ(render_file(VirtualFile::PressureCpu, v2.config()), "<not served>");
  TempRoot v1;
  write_v1(v1);
  EXPECT_EQ(render_file(VirtualFile::PressureCpu, v1.config()), "<not served>");
}

TEST(ServedStatsFiles, DiskstatsCarriesTheCgroupsCounters) {
  TempRoot v2;
  write_v2(v2);
  // sda: 100 reads, 4096000/512 sectors, 2 writes, 16 sectors; the rest 0.
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v2.config()),
            "   8       0 sda 100 0 8000 0 2 0 16 0 0 0 0 0 0 0 0 0 0\n"
            "   8       1 sda1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
            " 253       0 dm-0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  TempRoot v1;
  write_v1(v1);
  std::string v1_text = render_file(VirtualFile::Diskstats, v1.config());
  EXPECT_EQ(v1_text.substr(0, v1_text.find('\n') + 1), "   8       0 sda 30 0 2048 0 40 0 4096 0 0 0 0 0 0 0 0 0 0\n");
  // A line it cannot read: the host's whole file instead.
  v1.write("proc/diskstats", std::string(kDiskstats) + "   8   2\n");
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v1.config()), "<not served>");
  // A device name too long for a rewritten line: not served cut short.
  v1.write("proc/diskstats", std::string(kDiskstats) + "   8   3 " + std::string(600, 'x') +
                                 " 1 2 3 4 5 6 7 8 9 10 11\n");
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v1.config()), "<not served>");
  // A process at the top of the v1 blkio hierarchy is the host's: the host's file.
  v1.write("proc/self/mountinfo", "45 30 0:40 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n");
  v1.write("proc/self/cgroup", "5:blkio:/\n");
  v1.write("proc/diskstats", kDiskstats);
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v1.config()), "<not served>");
  v1.write("proc/self/cgroup", "5:blkio:/docker/abc\n");  // a child of the top: served
  v1.write("sys/fs/cgroup/blkio/docker/abc/blkio.throttle.io_service_bytes", "8:0 Write 1024\n");
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v1.config()).substr(0, 44), "   8       0 sda 0 0 0 0 0 0 2 0 0 0 0 0 0 0");
  v1.write("proc/self/mountinfo", "45 30 0:40 /docker/abc /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n");
  // No I/O accounting: the host's file.
  v1.remove("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive");
  v1.remove("sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes");
  v1.remove("sys/fs/cgroup/blkio/blkio.throttle.io_serviced_recursive");
  v1.write("proc/diskstats", kDiskstats);
  EXPECT_EQ(render_file(VirtualFile::Diskstats, v1.config()), "<not served>");
}

TEST(ServedStatsFiles, PathsAreRecognized) {
  EXPECT_EQ(virtual_file_for("/proc/swaps"), VirtualFile::Swaps);
  EXPECT_EQ(virtual_file_for("/proc/pressure/cpu"), VirtualFile::PressureCpu);
  EXPECT_EQ(virtual_file_for("/proc/pressure/memory"), VirtualFile::PressureMemory);
  EXPECT_EQ(virtual_file_for("/proc/pressure/io"), VirtualFile::PressureIo);
  EXPECT_EQ(virtual_file_for("/proc/diskstats"), VirtualFile::Diskstats);
  PathText out;
  EXPECT_FALSE(normalize_path("/proc/pressure/cpu/../io", out));  // cpu is a file: the real walk fails
  ASSERT_TRUE(normalize_path("/proc/pressure/../pressure/io", out));
  EXPECT_EQ(out.view(), "/proc/pressure/io");
}

// /sys/block/DEV/stat (iostat): the device comes from its "dev" file; the
// line carries the cgroup's counters in the host file's field count.
TEST(ServedStatsFiles, BlockStatCarriesTheCgroupsCounters) {
  TempRoot v2;
  write_v2(v2);
  Config config = v2.config();
  v2.write("sys/block/sda/dev", "8:0\n");
  v2.write("sys/block/sda/sda1/dev", "8:1\n");
  v2.write("sys/class/block/sda/dev", "8:0\n");
  v2.write("sys/dev/block/8:0/stat", std::string(17, ' ') + "9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9\n");
  v2.write("sys/dev/block/8:1/stat", "1 1 1 1 1 1 1 1 1 1 1\n");
  uint32_t dev = 0;
  ASSERT_TRUE(block_stat_device(config.root, "/sys/block/sda/stat", dev));
  EXPECT_EQ(dev, 8u << 20);
  ASSERT_TRUE(block_stat_device(config.root, "/sys/class/block/sda/stat", dev));
  EXPECT_EQ(dev, 8u << 20);
  ASSERT_TRUE(block_stat_device(config.root, "/sys/block/sda/sda1/stat", dev));
  EXPECT_EQ(dev, 8u << 20 | 1);
  // Not a disk's stat file, or no readable device number: not served.
  EXPECT_FALSE(block_stat_device(config.root, "/sys/block/sda/queue/stat", dev));
  EXPECT_FALSE(block_stat_device(config.root, "/sys/block/stat", dev));
  EXPECT_FALSE(block_stat_device(config.root, "/sys/block/sda/sda1/x/stat", dev));
  EXPECT_FALSE(block_stat_device(config.root, "/proc/stat", dev));
  v2.write("sys/block/sdb/dev", "8:x\n");
  EXPECT_FALSE(block_stat_device(config.root, "/sys/block/sdb/stat", dev));
  v2.write("sys/block/sdb/dev", "99999:0\n");  // above the kernel's 12 bits of major
  EXPECT_FALSE(block_stat_device(config.root, "/sys/block/sdb/stat", dev));

  auto limits = cgview_test::limits_for(config);
  auto render_dev = [&](uint32_t d) {
    std::string text;
    Sink sink(cgview_test::append_to_string, &text);
    return render_block_stat(config, *limits, d, sink) ? text : "<not served>";
  };
  // sda: 100 reads, 4096000 bytes read, 2 writes, 8192 bytes written (io.stat).
  EXPECT_EQ(render_dev(8u << 20), "     100        0     8000        0        2        0       16        0        0"
                                  "        0        0        0        0        0        0        0        0\n");
  // A partition the cgroup never touched: zeros, 11 fields as its host file has.
  EXPECT_EQ(render_dev(8u << 20 | 1),
            "       0        0        0        0        0        0        0        0        0        0        0\n");
  v2.write("sys/dev/block/8:1/stat", "1 2 3\n");  // not as the kernel writes it
  EXPECT_EQ(render_dev(8u << 20 | 1), "<not served>");
  TempRoot v1;
  write_v1(v1);
  v1.write("proc/self/cgroup", "5:blkio:/\n");
  v1.write("proc/self/mountinfo", "45 30 0:40 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n");
  v1.write("sys/dev/block/8:0/stat", "1 1 1 1 1 1 1 1 1 1 1\n");
  Config top = v1.config();
  auto top_limits = cgview_test::limits_for(top);
  std::string text;
  Sink sink(cgview_test::append_to_string, &text);
  EXPECT_FALSE(render_block_stat(top, *top_limits, 8u << 20, sink)) << "the top of a v1 hierarchy: the host's";
}

// Controllers outside the cached four (pids, blkio) are placed by discovery's
// own rules, the search by cgroup.procs included: under `unshare -C` without a
// remount the mount shows "/../.." and /proc/self/cgroup says "/", and the
// process's directory is the one whose cgroup.procs lists it (worker/inner), not the mount.
TEST(LocateController, FindsTheDirectoryByCgroupProcsWhereThePathIsOutsideTheMount) {
  Config config = cgview_test::fixture_config("unshare-no-mount");
  CgroupDir dir;
  bool at_top = true;
  ASSERT_TRUE(locate_controller(config, "pids", dir, &at_top));
  EXPECT_TRUE(dir.v2);
  EXPECT_EQ(dir.path.view(), "/sys/fs/cgroup/worker/inner");  // the old copy stopped at /sys/fs/cgroup
  EXPECT_FALSE(at_top);
  PidsStats pids;
  read_pids_stats(config.root, dir, pids);
  EXPECT_TRUE(pids.current.has);
}
