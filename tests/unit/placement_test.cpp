// Placement of V in A (CGVIEW_CPU_PLACEMENT) and the rotation that narrows
// any mask of the process to its view.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "placement.hpp"
#include "test_support.hpp"

using namespace cgview;
using cgview_test::cpu_list;
using cgview_test::expand_ids;

namespace {

CpuSet set_of(std::string_view list) {
  CpuSet set;
  for (unsigned id : expand_ids(list)) set.add(id);
  return set;
}

std::string rotated(std::string_view list, unsigned n, unsigned start) {
  CpuSet set = set_of(list);
  set.keep_rotated(n, start);
  return cpu_list(set);
}

// A caller's mask as the kernel and CPU_SET lay it out: CPU i at bit i % W of the
// native unsigned long i / W (W its bits). On a little-endian port that is bit
// i % 8 of byte i / 8, which gives a mask of any number of bytes a meaning; a
// big-endian port's masks are whole longs.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
constexpr size_t kLongBytes = sizeof(unsigned long), kLongBits = 8 * kLongBytes;

size_t byte_of(size_t cpu) {
  if (kLittleEndian) return cpu / 8;
  return cpu / kLongBits * kLongBytes + kLongBytes - 1 - cpu % kLongBits / 8;
}

// A mask of at least `bytes` bytes that the port can lay out (whole longs where big-endian).
size_t mask_size(size_t bytes) { return kLittleEndian ? bytes : (bytes + kLongBytes - 1) / kLongBytes * kLongBytes; }

bool has_cpu(const std::vector<unsigned char>& mask, size_t cpu) { return (mask[byte_of(cpu)] >> (cpu % 8)) & 1; }
void add_cpu(std::vector<unsigned char>& mask, size_t cpu) { mask[byte_of(cpu)] |= static_cast<unsigned char>(1u << (cpu % 8)); }

// A mask of `size` bytes holding CPUs first-last.
std::vector<unsigned char> mask_with(size_t size, size_t first, size_t last) {
  std::vector<unsigned char> mask(size, 0);
  for (size_t cpu = first; cpu <= last; ++cpu) add_cpu(mask, cpu);
  return mask;
}

TEST(KeepInRotation, TakesIdsFromTheStartThenWrapsToTheLowest) {
  EXPECT_EQ(rotated("0-7", 2, 0), "0-1");
  EXPECT_EQ(rotated("0-7", 2, 4), "4-5");
  EXPECT_EQ(rotated("0-7", 3, 6), "0,6-7");
  EXPECT_EQ(rotated("0-7", 0, 5), "0-7");   // 0: not narrowed
  EXPECT_EQ(rotated("0-7", 9, 5), "0-7");   // more than there are: all
  EXPECT_EQ(rotated("2-3,6", 2, 4), "2,6");  // start between members: the next one up
  EXPECT_EQ(rotated("1", 1, 40), "1");       // a thread pinned below the start keeps its CPU
  EXPECT_EQ(rotated("60-70", 4, 63), "63-66");  // across a 64-bit word
  EXPECT_EQ(rotated("0-8191", 2, 8191), "0,8191");
}

TEST(KeepInRotation, WorksOnMasksOfAnySize) {
  // sched_getaffinity's callers pass any size, not a multiple of 8 (3 bytes here;
  // a long, where big-endian).
  auto mask = mask_with(mask_size(3), 0, 19);
  keep_in_rotation(mask.data(), mask.size(), 3, 14);
  EXPECT_EQ(mask, mask_with(mask.size(), 14, 16));
  if (kLittleEndian) {
    EXPECT_EQ(mask, (std::vector<unsigned char>{0x00, 0xc0, 0x01}));
  }
  auto small = mask_with(mask_size(1), 0, 3);
  keep_in_rotation(small.data(), small.size(), 2, 200);  // a start beyond the mask: from its lowest
  EXPECT_EQ(small, mask_with(small.size(), 0, 1));
}

// Against the rule spelled bit by bit: masks of 1-140 bytes (whole 64-bit
// words and every length of a short tail; whole longs where big-endian),
// sparse to full, counts from none to more than the mask holds, starts inside
// and past it. The reference finds CPU i where the kernel puts it (byte_of).
TEST(KeepInRotation, AgreesWithTheRuleBitByBit) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int trial = 0; trial < 20000; ++trial) {
    size_t size = mask_size(1 + next() % 140);
    std::vector<unsigned char> mask(size), expected(size, 0);
    int density = trial % 4;  // a sixteenth, a quarter, a half, all of the bits set
    for (auto& byte : mask) {
      uint64_t bits = density == 0 ? next() & next() & next() & next()
                      : density == 1 ? next() & next()
                      : density == 2 ? next()
                                     : ~uint64_t(0);
      byte = static_cast<unsigned char>(bits);
    }
    unsigned n = unsigned(trial % 3 == 0 ? next() % (size * 8 + 3) : next() % 12);
    unsigned start = unsigned(next() % (size * 8 + 16));
    size_t bits = size * 8;
    if (n == 0) {
      expected = mask;
    } else {
      unsigned kept = 0;
      size_t from = start >= bits ? 0 : start;
      for (size_t k = 0; k < bits && kept < n; ++k) {
        size_t i = (from + k) % bits;
        if (has_cpu(mask, i)) {
          add_cpu(expected, i);
          ++kept;
        }
      }
    }
    keep_in_rotation(mask.data(), size, n, start);
    ASSERT_EQ(mask, expected) << "size " << size << ", n " << n << ", start " << start;
  }
}

TEST(Placement, LowestAndNoIdentityStartAtTheLowestId) {
  CpuSet a = set_of("4-11");
  EXPECT_EQ(placement_start(a, 2, 12345, Placement::Lowest), 4u);
  EXPECT_EQ(placement_start(a, 2, 0, Placement::Spread), 4u);
  EXPECT_EQ(placement_start(a, 8, 12345, Placement::Spread), 4u);  // N = |A|: all of A
}

TEST(Placement, SpreadIsStableAndAlignedAndInsideA) {
  CpuSet a = set_of("0-63");
  for (uint64_t inode = 1000; inode < 1200; ++inode) {
    unsigned start = placement_start(a, 2, inode, Placement::Spread);
    EXPECT_EQ(start, placement_start(a, 2, inode, Placement::Spread)) << "not stable";
    EXPECT_EQ(start % 2, 0u) << "a pair split at " << start;
    EXPECT_LT(start, 64u);
    EXPECT_EQ(placement_start(a, 4, inode, Placement::Spread) % 4, 0u);
    EXPECT_EQ(placement_start(a, 3, inode, Placement::Spread) % 2, 0u);  // 3: aligned to 2
  }
  // Alignment counts members of A, not ids: A = {1,2,5,6,9,10}, pairs (1,2) (5,6) (9,10).
  CpuSet odd = set_of("1-2,5-6,9-10");
  for (uint64_t inode = 1; inode < 100; ++inode) {
    unsigned start = placement_start(odd, 2, inode, Placement::Spread);
    EXPECT_TRUE(start == 1 || start == 5 || start == 9) << start;
  }
}

// The most containers whose V shares one CPU, for 32 sibling containers of
// quota 2 on a 64-CPU host whose cgroup directories have these inodes.
unsigned most_sharing_one_cpu(const std::vector<uint64_t>& inodes, Placement placement) {
  CpuSet a = set_of("0-63");
  std::vector<unsigned> users(64, 0);
  for (uint64_t inode : inodes) {
    CpuSet v = a;
    v.keep_rotated(2, placement_start(a, 2, inode, placement));
    EXPECT_EQ(v.count(), 2u);
    for (unsigned cpu = 0; cpu < 64; ++cpu) users[cpu] += v.has(cpu);
  }
  return *std::max_element(users.begin(), users.end());
}

TEST(Placement, ThirtyTwoContainersOnSixtyFourCpusSpreadOut) {
  // Inode numbers as sibling cgroup directories get them: kernfs hands out
  // ids one after another, and every file of a new cgroup takes one too, so
  // siblings made in a row are a fixed stride apart (the stride is the
  // number of files per cgroup: it depends on the controllers); containers
  // started over time get scattered ones.
  struct Pattern {
    std::string name;
    std::vector<uint64_t> inodes;
  };
  std::vector<Pattern> patterns;
  for (uint64_t stride : {1, 2, 16, 32, 37, 64, 73, 89, 128, 144}) {
    Pattern p{"stride " + std::to_string(stride), {}};
    for (uint64_t i = 0; i < 32; ++i) p.inodes.push_back(2113 + i * stride);
    patterns.push_back(p);
  }
  uint64_t x = 88172645463325252ull;  // xorshift64: scattered inodes
  Pattern scattered{"scattered", {}};
  for (int i = 0; i < 32; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    scattered.inodes.push_back(4096 + x % 5000000);
  }
  patterns.push_back(scattered);
  Pattern high{"near 2^32", {}};  // large numbers, as on long-running hosts
  for (uint64_t i = 0; i < 32; ++i) high.inodes.push_back(4026532000ull + i * 3);
  patterns.push_back(high);

  for (const Pattern& p : patterns) {
    const std::string& name = p.name;
    unsigned lowest = most_sharing_one_cpu(p.inodes, Placement::Lowest);
    unsigned spread = most_sharing_one_cpu(p.inodes, Placement::Spread);
    std::printf("placement simulation, 64 CPUs, 32 containers of quota 2, inodes %-10s: lowest %u, spread %u\n",
                name.c_str(), lowest, spread);
    EXPECT_EQ(lowest, 32u) << name;
    EXPECT_LE(spread, 5u) << name;
  }
}

// Placement is a hash, so no rule without coordination between containers
// can promise a bound for every set of inodes; what it can promise is to
// behave like independent random picks (32 picks of 32 blocks: more than 5
// on one block about 1% of the time) for every shape of inode numbers.
// inode % 64 or a golden-ratio step would fail this for whole families of strides.
TEST(Placement, SpreadBehavesLikeRandomPicksForAnyStride) {
  uint64_t x = 0x2545f4914f6cdd1dull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  int over_five = 0, trials = 2000;
  double total = 0;
  for (int t = 0; t < trials; ++t) {
    uint64_t base = 1000 + next() % (uint64_t(1) << 32), stride = 1 + next() % 300;
    std::vector<uint64_t> inodes;
    for (uint64_t i = 0; i < 32; ++i) inodes.push_back(base + i * stride);
    unsigned most = most_sharing_one_cpu(inodes, Placement::Spread);
    over_five += most > 5;
    total += most;
  }
  std::printf("placement simulation, %d random sibling sets (any base, stride 1-300): mean most-shared %.2f, "
              "more than 5 in %.1f%%\n",
              trials, total / trials, 100.0 * over_five / trials);
  EXPECT_LE(over_five, trials * 3 / 100);
  EXPECT_LE(total / trials, 4.0);
}

TEST(Placement, MalformedPlacementSettingIsIgnored) {
  Config config;
  EXPECT_TRUE(set_placement(config, "lowest"));
  EXPECT_EQ(config.placement, Placement::Lowest);
  EXPECT_TRUE(set_placement(config, "spread"));
  EXPECT_EQ(config.placement, Placement::Spread);
  EXPECT_FALSE(set_placement(config, "random"));
  EXPECT_EQ(config.placement, Placement::Spread);
  Config defaults;
  EXPECT_EQ(defaults.placement, Placement::Spread);
}

class PlacementFixture : public cgview_test::CopiedFixture {};

// docker-v2-private-ns: h8, A = 0-7, N = 2. With the cgroup's identity
// pinned, V moves off CPUs 0-1 under spread and stays there under lowest.
TEST_F(PlacementFixture, TheCgroupsIdentityPlacesV) {
  copy_fixture("docker-v2-private-ns");
  auto base = cgview_test::limits_for(config());
  EXPECT_EQ(cpu_list(base->cpu.visible), "0-1") << "no identity: the lowest";
  write("sys/fs/cgroup/cgview-test-inode", "4026532561\n");
  Config config = this->config();
  auto spread = cgview_test::limits_for(config);
  unsigned start = placement_start(set_of("0-7"), 2, 4026532561ull, Placement::Spread);
  ASSERT_NE(start, 0u) << "this inode happens to pick CPUs 0-1: choose another for the test";
  EXPECT_EQ(spread->cpu.identity, 4026532561ull);
  EXPECT_EQ(spread->cpu.start, start);
  EXPECT_EQ(cpu_list(spread->cpu.visible), std::to_string(start) + "-" + std::to_string(start + 1));
  EXPECT_EQ(spread->cpu.count, 2u);
  config.placement = Placement::Lowest;
  EXPECT_EQ(cpu_list(cgview_test::limits_for(config)->cpu.visible), "0-1");
}

TEST_F(PlacementFixture, AMalformedIdentityFileMeansNone) {
  copy_fixture("docker-v2-private-ns");
  write("sys/fs/cgroup/cgview-test-inode", "not a number\n");
  auto limits = cgview_test::limits_for(config());
  EXPECT_EQ(limits->cpu.identity, 0u);
  EXPECT_EQ(cpu_list(limits->cpu.visible), "0-1");
}

}  // namespace
