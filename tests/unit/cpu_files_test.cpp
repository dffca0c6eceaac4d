// /sys/devices/system/cpu/cpuK/online and cpuK/topology/*: which paths are
// served, and what they say for CPUs in and outside V.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// A sysroot with only the cpuK files a test writes.
class CpuFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/cgview-cpufiles-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // `rel` under /sys/devices/system/cpu/ ("../node/..." for the node files).
  void write(const std::string& rel, const std::string& bytes) {
    std::string path = std::filesystem::path(dir_ + "/sys/devices/system/cpu/" + rel).lexically_normal().string();
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    ASSERT_TRUE(bool(out));
  }
  Rendered render(const std::string& rel, const char* visible, const char* host_online = "") {
    Limits limits;
    EXPECT_TRUE(parse_cpu_list(visible, limits.cpu.visible));
    if (*host_online) {
      EXPECT_TRUE(parse_cpu_list(host_online, limits.cpu.online));
    }
    limits.cpu.count = limits.cpu.visible.count();
    VirtualFile file = virtual_file_for(std::filesystem::path("/sys/devices/system/cpu/" + rel).lexically_normal().string());
    EXPECT_NE(file, VirtualFile::None) << rel;
    return render_to_string(file, config_for_dir(dir_), limits);
  }
  std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string dir_;
};

}  // namespace

TEST(CpuFilePaths, ServedAndNot) {
  auto split = [](const char* path) {
    CpuFileRef f;
    EXPECT_TRUE(split_cpu_file(virtual_file_for(path), f)) << path;
    return f;
  };
  CpuFileRef f = split("/sys/devices/system/cpu/cpu12/online");
  EXPECT_EQ(f.kind, CpuFile::Online);
  EXPECT_EQ(f.cpu, 12u);
  f = split("/sys/devices/system/cpu/cpu0/topology/core_cpus_list");
  EXPECT_EQ(f.kind, CpuFile::CoreCpusList);
  EXPECT_EQ(f.cpu, 0u);
  f = split("/sys/devices/system/cpu/cpu8191/topology/die_cpus");
  EXPECT_EQ(f.kind, CpuFile::DieCpus);
  EXPECT_EQ(f.cpu, 8191u);
  f = split("/sys/devices/system/cpu/cpu8191/topology/drawer_siblings");
  EXPECT_EQ(f.kind, CpuFile::DrawerSiblings);
  EXPECT_EQ(f.cpu, 8191u);
  EXPECT_EQ(split("/sys/devices/system/cpu/cpu3/topology/cluster_cpus_list").kind, CpuFile::ClusterCpusList);
  EXPECT_EQ(split("/sys/devices/system/cpu/cpu3/topology/core_id").kind, CpuFile::CoreId);
  EXPECT_EQ(split("/sys/devices/system/cpu/cpu3/topology/physical_package_id").kind, CpuFile::PackageId);
  EXPECT_EQ(split("/sys/devices/system/cpu/cpu3/topology/drawer_id").kind, CpuFile::DrawerId);
  f = split("/sys/devices/system/cpu/cpu8191/cache/index15/shared_cpu_map");
  EXPECT_EQ(f.kind, CpuFile::CacheSharedCpuMap);
  EXPECT_EQ(f.cpu, 8191u);
  EXPECT_EQ(f.cache, 15u);
  f = split("/sys/devices/system/cpu/cpu2/cache/index0/shared_cpu_list");
  EXPECT_EQ(f.kind, CpuFile::CacheSharedCpuList);
  EXPECT_EQ(f.cpu, 2u);
  EXPECT_EQ(f.cache, 0u);
  f = split("/sys/devices/system/node/node0/cpulist");
  EXPECT_EQ(f.kind, CpuFile::NodeCpuList);
  EXPECT_EQ(f.cpu, 0u);
  f = split("/sys/devices/system/node/node1023/cpumap");
  EXPECT_EQ(f.kind, CpuFile::NodeCpuMap);
  EXPECT_EQ(f.cpu, 1023u);
  // The bus's symlinks name the same files.
  EXPECT_EQ(virtual_file_for("/sys/bus/cpu/devices/cpu3/online"),
            virtual_file_for("/sys/devices/system/cpu/cpu3/online"));
  EXPECT_EQ(virtual_file_for("/sys/bus/cpu/devices/cpu3/topology/core_cpus_list"),
            virtual_file_for("/sys/devices/system/cpu/cpu3/topology/core_cpus_list"));
  EXPECT_EQ(virtual_file_for("/sys/bus/node/devices/node1/cpulist"),
            virtual_file_for("/sys/devices/system/node/node1/cpulist"));
  EXPECT_EQ(virtual_file_for("/sys/bus/node/devices/node0/meminfo"),
            virtual_file_for("/sys/devices/system/node/node0/meminfo"));
  CpuFileRef none;
  EXPECT_FALSE(split_cpu_file(VirtualFile::Meminfo, none));
  for (const char* p : {"/sys/devices/system/cpu/cpu01/online", "/sys/devices/system/cpu/cpu/online",
                        "/sys/devices/system/cpu/cpu8192/online", "/sys/devices/system/cpu/cpu1/topology/core_idx",
                        "/sys/devices/system/cpu/cpu1/cache/index0/core_id",
                        "/sys/devices/system/cpu/cpu1/topology", "/sys/devices/system/cpu/cpu1/online/x",
                        "/sys/devices/system/cpu/cpu-1/online", "/sys/devices/system/cpu/cpu1/cache/core_cpus",
                        "/sys/devices/system/cpu/cpu1/cache/index1/size",
                        "/sys/devices/system/cpu/cpu1/cache/index01/shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/cache/index16/shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/cache/index/shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/cache/index1shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/cache/shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/topology/shared_cpu_list",
                        "/sys/devices/system/cpu/cpu1/cache/index1/core_cpus_list",
                        "/sys/devices/system/cpu/cpu123456/online",
                        "/sys/devices/system/cpu/possible", "/sys/devices/system/cpu/present",
                        "/sys/devices/system/node/node0/vmstat", "/sys/devices/system/node/node01/cpulist",
                        "/sys/devices/system/node/node/cpulist", "/sys/devices/system/node/node0cpulist",
                        "/sys/devices/system/node/node0/online", "/sys/devices/system/node/node0/core_cpus",
                        "/sys/devices/system/node/online", "/sys/devices/system/cpu/cpu0/cpulist",
                        "/sys/devices/system/cpu/cpu0/topology/cpumap", "/sys/devices/system/node/node8192/cpulist",
                        "/sys/bus/cpu/devices/cpu1/cpulist", "/sys/bus/node/devices/node0/online",
                        "/sys/bus/cpu/devices/online", "/sys/bus/cpu/cpu1/online", "/sys/bus/node/node0/cpulist"})
    EXPECT_EQ(virtual_file_for(p), VirtualFile::None) << p;
  PathText path;
  cpu_file_path({CpuFile::ThreadSiblingsList, 7}, path);
  EXPECT_EQ(path.view(), "/sys/devices/system/cpu/cpu7/topology/thread_siblings_list");
  cpu_file_path({CpuFile::CacheSharedCpuMap, 7, 3}, path);
  EXPECT_EQ(path.view(), "/sys/devices/system/cpu/cpu7/cache/index3/shared_cpu_map");
  cpu_file_path({CpuFile::NodeCpuMap, 12}, path);
  EXPECT_EQ(path.view(), "/sys/devices/system/node/node12/cpumap");
  // ".." after a served name needs it to be a directory: the real walk fails.
  PathText n;
  EXPECT_FALSE(normalize_path("/sys/devices/system/cpu/cpu1/topology/core_cpus/../core_cpus", n));
}

TEST_F(CpuFiles, OnlineSaysWhetherTheCpuIsShown) {
  for (int cpu : {1, 2, 3}) write("cpu" + std::to_string(cpu) + "/online", "1\n");
  EXPECT_EQ(render("cpu1/online", "1,3").text, "1\n");
  EXPECT_EQ(render("cpu2/online", "1,3").text, "0\n");
  EXPECT_EQ(render("cpu3/online", "1,3").text, "1\n");
  // x86 has no cpu0/online: the real open answers (ENOENT).
  EXPECT_FALSE(render("cpu0/online", "0-3").ok);
  // Nor is there a file for a CPU outside `possible`.
  EXPECT_FALSE(render("cpu9/online", "0-3").ok);
}

// x86's CPU 0 cannot go off-line and has no `online` file; htop counts a CPU
// without one as online. Outside V it reads "0", as on a kernel that can take
// CPU 0 off-line; in V the file stays missing (online, as on the host).
TEST_F(CpuFiles, ACpuThatCannotGoOfflineReadsOfflineOutsideV) {
  write("cpu0/topology/core_cpus_list", "0\n");  // the CPU's directory, without `online`
  write("cpu1/online", "1\n");
  EXPECT_EQ(render("cpu0/online", "1", "0-1").text, "0\n");
  EXPECT_EQ(render("cpu1/online", "1", "0-1").text, "1\n");
  EXPECT_FALSE(render("cpu0/online", "0", "0-1").ok);    // in V
  EXPECT_FALSE(render("cpu0/online", "1", "1").ok);      // not online on the host
  EXPECT_FALSE(render("cpu5/online", "1", "0-7").ok);    // no directory
  // A file that is there but cannot be read as one is not a missing file.
  std::filesystem::create_directories(dir_ + "/sys/devices/system/cpu/cpu0/online");
  EXPECT_FALSE(render("cpu0/online", "1", "0-1").ok);
}

TEST_F(CpuFiles, ListsAreIntersectedWithV) {
  write("cpu1/topology/core_cpus_list", "1,5\n");
  write("cpu1/topology/thread_siblings_list", "1,5\n");
  write("cpu1/topology/core_siblings_list", "0-7\n");
  write("cpu1/topology/package_cpus_list", "0-7\n");
  write("cpu1/topology/die_cpus_list", "0-7\n");
  EXPECT_EQ(render("cpu1/topology/core_cpus_list", "1-2").text, "1\n");
  EXPECT_EQ(render("cpu1/topology/thread_siblings_list", "1,5").text, "1,5\n");
  EXPECT_EQ(render("cpu1/topology/core_siblings_list", "1-2").text, "1-2\n");
  EXPECT_EQ(render("cpu1/topology/package_cpus_list", "1-2,9").text, "1-2\n");
  EXPECT_EQ(render("cpu1/topology/die_cpus_list", "0-7").text, "0-7\n");  // nothing hidden: the host's
}

// Clusters (x86 and arm64 since 5.16), books and drawers (s390): the same
// rule, in both forms; hwloc and lscpu read them.
TEST_F(CpuFiles, ClusterBookAndDrawerFilesAreIntersectedWithV) {
  write("cpu2/topology/cluster_cpus_list", "0-3\n");
  write("cpu2/topology/book_siblings_list", "0-7\n");
  write("cpu2/topology/drawer_siblings_list", "0-15\n");
  write("cpu2/topology/cluster_cpus", "0f\n");
  write("cpu2/topology/book_siblings", "00ff\n");
  write("cpu2/topology/drawer_siblings", "ffff\n");
  EXPECT_EQ(render("cpu2/topology/cluster_cpus_list", "2-5").text, "2-3\n");
  EXPECT_EQ(render("cpu2/topology/book_siblings_list", "2,9").text, "2\n");
  EXPECT_EQ(render("cpu2/topology/drawer_siblings_list", "2,9").text, "2,9\n");
  EXPECT_EQ(render("cpu2/topology/cluster_cpus", "2-5").text, "0c\n");
  EXPECT_EQ(render("cpu2/topology/book_siblings", "2,9").text, "0004\n");
  EXPECT_EQ(render("cpu2/topology/drawer_siblings", "2,9").text, "0204\n");
  // A kernel without them (before 5.16, or not s390): the real open answers.
  EXPECT_FALSE(render("cpu1/topology/cluster_cpus_list", "0-3").ok);
}

// A NUMA node's CPUs as the kernel lists them: those online, so V's
// (lscpu's "NUMA node0 CPU(s)" agrees with its on-line list). A node with
// no CPU of V reads empty, as one whose CPUs are all off-line.
TEST_F(CpuFiles, NodeCpusAreIntersectedWithV) {
  write("../node/node0/cpulist", "0-3\n");
  write("../node/node1/cpulist", "4-7\n");
  write("../node/node0/cpumap", "0f\n");
  write("../node/node1/cpumap", "00000000,000000f0\n");
  EXPECT_EQ(render("../node/node0/cpulist", "2-5").text, "2-3\n");
  EXPECT_EQ(render("../node/node1/cpulist", "2-5").text, "4-5\n");
  EXPECT_EQ(render("../node/node0/cpumap", "2-5").text, "0c\n");
  EXPECT_EQ(render("../node/node1/cpumap", "2-5").text, "00000000,00000030\n");  // the host's width
  EXPECT_EQ(render("../node/node1/cpulist", "1").text, "\n");
  EXPECT_EQ(render("../node/node1/cpumap", "1").text, "00000000,00000000\n");
  EXPECT_EQ(render("../node/node0/cpulist", "0-7").text, "0-3\n");
  // A node the host does not have, or a file it could not have written: the real open.
  EXPECT_FALSE(render("../node/node2/cpulist", "0-3").ok);
  write("../node/node0/cpulist", "0-3x\n");
  EXPECT_FALSE(render("../node/node0/cpulist", "0-3").ok);
}

// node/has_cpu lists the nodes with an online CPU: those holding a CPU of V,
// as a kernel with the other CPUs off-line writes it (it drops a node when
// its last CPU goes off-line). A host of three nodes, the middle one without
// CPUs (memory only, as CXL or HBM nodes are).
TEST_F(CpuFiles, NodesWithCpusAreThoseHoldingACpuOfV) {
  write("../node/has_cpu", "0,2\n");
  write("../node/node0/cpulist", "0-3\n");
  write("../node/node1/cpulist", "\n");
  write("../node/node2/cpulist", "4-7\n");
  EXPECT_EQ(virtual_file_for("/sys/devices/system/node/has_cpu"), VirtualFile::NodeHasCpu);
  EXPECT_EQ(render("../node/has_cpu", "2-3").text, "0\n");
  EXPECT_EQ(render("../node/has_cpu", "5").text, "2\n");
  EXPECT_EQ(render("../node/has_cpu", "3-4").text, "0,2\n");
  EXPECT_EQ(render("../node/has_cpu", "0-7").text, "0,2\n");  // nothing hidden: the host's
  // A node listed with no cpulist, a list the kernel could not have written,
  // or no node holding V: the host's file.
  write("../node/has_cpu", "0-2\n");
  std::filesystem::remove(dir_ + "/sys/devices/system/node/node1/cpulist");
  EXPECT_FALSE(render("../node/has_cpu", "2-3").ok);
  write("../node/node1/cpulist", "\n");
  EXPECT_EQ(render("../node/has_cpu", "2-3").text, "0\n");
  for (const char* bad : {"0-x\n", "2-0\n", "0,,2\n", "99999\n", "-1\n"}) {
    SCOPED_TRACE(bad);
    write("../node/has_cpu", bad);
    EXPECT_FALSE(render("../node/has_cpu", "2-3").ok);
  }
  write("../node/has_cpu", "0,2\n");
  write("../node/node2/cpulist", "4-7 junk\n");
  EXPECT_FALSE(render("../node/has_cpu", "2-3").ok);
  write("../node/node2/cpulist", "4-7\n");
  EXPECT_FALSE(render("../node/has_cpu", "9").ok);
  std::filesystem::remove(dir_ + "/sys/devices/system/node/has_cpu");  // no NUMA in the kernel
  EXPECT_FALSE(render("../node/has_cpu", "2-3").ok);
}

// psutil counts distinct core_cpus_list contents over every cpuK: a CPU
// outside V never adds one (no more cores than CPUs).
TEST_F(CpuFiles, CpusOutsideVReadAsACoreOfV) {
  const char* cores[] = {"0,4\n", "1,5\n", "2,6\n", "3,7\n", "0,4\n", "1,5\n", "2,6\n", "3,7\n"};
  for (int cpu = 0; cpu < 8; ++cpu) {
    write("cpu" + std::to_string(cpu) + "/topology/core_cpus_list", cores[cpu]);
    write("cpu" + std::to_string(cpu) + "/topology/thread_siblings", cpu % 4 == 0 ? "11\n" : cpu % 4 == 1 ? "22\n" : cpu % 4 == 2 ? "44\n" : "88\n");
  }
  EXPECT_EQ(render("cpu5/topology/core_cpus_list", "1-2").text, "1\n");  // its sibling 1 is in V
  EXPECT_EQ(render("cpu7/topology/core_cpus_list", "1-2").text, "1\n");  // no sibling in V: as cpu1
  EXPECT_EQ(render("cpu0/topology/core_cpus_list", "1-2").text, "1\n");
  EXPECT_EQ(render("cpu6/topology/core_cpus_list", "1-2").text, "2\n");
  EXPECT_EQ(render("cpu3/topology/thread_siblings", "2,5").text, "04\n");  // as cpu2
  std::set<std::string> distinct;
  for (int cpu = 0; cpu < 8; ++cpu)
    distinct.insert(render("cpu" + std::to_string(cpu) + "/topology/core_cpus_list", "3-4").text);
  EXPECT_EQ(distinct.size(), 2u);  // V = {3, 4}: two cores
}

// inxi counts cores by the distinct core_id of every cpuK (and packages by
// physical_package_id): a CPU outside V reads the ids of a CPU of V. Two
// packages, CPUs 0-3 and 4-7, of one-CPU cores numbered 0-3 in each.
TEST_F(CpuFiles, CpusOutsideVReadTheIdsOfACpuOfV) {
  for (int cpu = 0; cpu < 8; ++cpu) {
    std::string t = "cpu" + std::to_string(cpu) + "/topology/";
    write(t + "core_id", std::to_string(cpu % 4) + "\n");
    write(t + "physical_package_id", std::to_string(cpu / 4) + "\n");
    write(t + "core_cpus_list", std::to_string(cpu) + "\n");
    write(t + "package_cpus_list", cpu < 4 ? "0-3\n" : "4-7\n");
  }
  write("cpu2/topology/die_id", "0\n");  // no die_cpus_list to tell siblings: the host's
  EXPECT_EQ(render("cpu1/topology/core_id", "1-2").text, "1\n");  // in V: the host's
  EXPECT_EQ(render("cpu5/topology/core_id", "1-2").text, "1\n");  // no sibling in V: as cpu1
  EXPECT_EQ(render("cpu5/topology/physical_package_id", "1-2").text, "0\n");
  EXPECT_EQ(render("cpu5/topology/physical_package_id", "1,4").text, "1\n");  // 4 shares its package
  EXPECT_EQ(render("cpu2/topology/die_id", "1").text, "0\n");
  EXPECT_FALSE(render("cpu2/topology/cluster_id", "1").ok);  // not on the host: the real open answers
  std::set<std::string> cores, packages;
  for (int cpu = 0; cpu < 8; ++cpu) {
    cores.insert(render("cpu" + std::to_string(cpu) + "/topology/core_id", "6").text);
    packages.insert(render("cpu" + std::to_string(cpu) + "/topology/physical_package_id", "6").text);
  }
  EXPECT_EQ(cores, std::set<std::string>{"2\n"});
  EXPECT_EQ(packages, std::set<std::string>{"1\n"});
  // Kernels before 5.x: the older list names.
  write("cpu9/topology/core_id", "1\n");
  write("cpu9/topology/thread_siblings_list", "1,9\n");
  EXPECT_EQ(render("cpu9/topology/core_id", "1").text, "1\n");
}

// The CPUs sharing each cache (lscpu -C and -e, hwloc): the same rule. A
// host with SMT pairs {0,4}..{3,7}, private L1 and L2 and one L3 for all.
// An 8-CPU SMT host: L1d, L1i and L2 shared by the siblings k and k+4, one
// L3 for all. Two readers count caches from shared_cpu_map:
// - hwloc reads the online CPUs (V), and a CPU adds a cache when it is the
//   lowest of the cache's set;
// - lscpu (no cache `id` files) reads every CPU, off-line ones too, and a CPU
//   adds a cache unless a cache counted so far has it in its set (the set
//   read from the CPU that added it).
// hwloc must find each cache of V once; lscpu the host's caches, each once
// (intersecting with V made it count one per off-line CPU).
TEST_F(CpuFiles, CacheSharingCountsRightForHwlocAndLscpu) {
  for (int cpu = 0; cpu < 8; ++cpu) {
    std::string dir = "cpu" + std::to_string(cpu) + "/cache/";
    std::string core = std::to_string(cpu % 4) + "," + std::to_string(cpu % 4 + 4) + "\n";
    char mask[8];
    snprintf(mask, sizeof mask, "%02x\n", (1u << (cpu % 4)) | (1u << (cpu % 4 + 4)));
    for (int index : {0, 1, 2}) {
      write(dir + "index" + std::to_string(index) + "/shared_cpu_list", core);
      write(dir + "index" + std::to_string(index) + "/shared_cpu_map", mask);
    }
    write(dir + "index3/shared_cpu_list", "0-7\n");
    write(dir + "index3/shared_cpu_map", "ff\n");
  }
  EXPECT_EQ(render("cpu1/cache/index0/shared_cpu_list", "1,5").text, "1,5\n");  // nothing hidden
  EXPECT_EQ(render("cpu5/cache/index2/shared_cpu_list", "2,5").text, "5\n");    // without 1, below V's 5
  EXPECT_EQ(render("cpu1/cache/index2/shared_cpu_list", "1-2").text, "1,5\n");  // 1 is its lowest
  EXPECT_EQ(render("cpu2/cache/index3/shared_cpu_map", "2-3").text, "fc\n");    // 0-1 below V
  EXPECT_EQ(render("cpu2/cache/index3/shared_cpu_list", "2-3").text, "2-7\n");
  EXPECT_FALSE(render("cpu7/cache/index0/shared_cpu_list", "1-2").ok);  // outside V: the host's file

  for (const char* visible : {"3-4", "1-2", "0", "5,7", "6"}) {
    CpuSet v;
    ASSERT_TRUE(parse_cpu_list(visible, v));
    // What a reader gets for cpuK's cache: the served text, or the host's file.
    auto read = [&](int cpu, int index) {
      std::string rel = "cpu" + std::to_string(cpu) + "/cache/index" + std::to_string(index) + "/shared_cpu_map";
      Rendered r = render(rel, visible);
      std::string text = r.ok ? r.text : read_file(dir_ + "/sys/devices/system/cpu/" + rel);
      CpuSet set;
      MaskShape shape;
      EXPECT_TRUE(parse_cpu_mask(text.substr(0, text.find('\n')), set, shape)) << text;
      return set;
    };
    for (int index : {2, 3}) {
      int hwloc = 0;
      for (int cpu = 0; cpu < 8; ++cpu) {
        CpuSet set = read(cpu, index);
        unsigned lowest = 0;
        while (lowest < 8 && !set.has(lowest)) ++lowest;
        if (v.has(unsigned(cpu)) && lowest == unsigned(cpu)) ++hwloc;
      }
      std::vector<CpuSet> lscpu;
      for (int cpu = 0; cpu < 8; ++cpu) {
        bool counted = false;
        for (const CpuSet& c : lscpu) counted = counted || c.has(unsigned(cpu));
        if (!counted) lscpu.push_back(read(cpu, index));
      }
      // The L2s of V: one per pair of siblings with a member in V; one L3.
      std::set<unsigned> pairs;
      for (int cpu = 0; cpu < 8; ++cpu)
        if (v.has(unsigned(cpu))) pairs.insert(unsigned(cpu % 4));
      EXPECT_EQ(hwloc, index == 2 ? int(pairs.size()) : 1) << "V " << visible << " index" << index;
      EXPECT_EQ(lscpu.size(), index == 2 ? 4u : 1u) << "V " << visible << " index" << index;
    }
  }
  // A cache the host does not have, or a malformed file: the real open answers.
  EXPECT_FALSE(render("cpu1/cache/index4/shared_cpu_list", "1-2").ok);
  write("cpu1/cache/index3/shared_cpu_map", "zz\n");
  EXPECT_FALSE(render("cpu1/cache/index3/shared_cpu_map", "1-2").ok);
}

TEST_F(CpuFiles, MasksKeepTheHostsWidth) {
  write("cpu1/topology/core_cpus", "22\n");                          // nr_cpu_ids 8
  write("cpu1/topology/thread_siblings", "00,00000000,00000022\n");  // nr_cpu_ids 72
  write("cpu1/topology/package_cpus", "ffffffff,ffffffff\n");        // nr_cpu_ids 64
  write("cpu1/topology/core_siblings", "3\n");
  write("cpu1/topology/die_cpus", "80,00000001\n");
  EXPECT_EQ(render("cpu1/topology/core_cpus", "1-2").text, "02\n");
  EXPECT_EQ(render("cpu1/topology/thread_siblings", "1-2").text, "00,00000000,00000002\n");
  EXPECT_EQ(render("cpu1/topology/package_cpus", "1-2,40").text, "00000100,00000006\n");
  EXPECT_EQ(render("cpu1/topology/core_siblings", "0-1").text, "3\n");
  EXPECT_EQ(render("cpu1/topology/die_cpus", "1-2,39").text, "80,00000000\n");
}

TEST_F(CpuFiles, MalformedHostFilesGiveTheRealFile) {
  for (const char* bad : {"x\n", "1-\n", "99999\n", "3-1\n"}) {
    write("cpu1/topology/core_cpus_list", bad);
    EXPECT_FALSE(render("cpu1/topology/core_cpus_list", "1").ok) << bad;
  }
  for (const char* bad : {"", "\n", "xyz\n", "123456789\n", "1,,2\n", ",1\n"}) {
    write("cpu1/topology/core_cpus", bad);
    EXPECT_FALSE(render("cpu1/topology/core_cpus", "1").ok) << bad;
  }
}
