#include "lazy_zeroed.hpp"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace cgview;

namespace {

struct Entry {
  std::atomic<uint64_t> word;
  uint32_t length;
  char text[52];
};

TEST(LazyZeroed, IsNotMappedUntilNeededThenZeroAndStable) {
  static constinit LazyZeroed<Entry, 100> table;
  EXPECT_EQ(table.if_mapped(), nullptr);
  Entry* first = table.get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(table.if_mapped(), first);
  EXPECT_EQ(table.get(), first);
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(first);
  for (size_t i = 0; i < sizeof(Entry) * 100; ++i) ASSERT_EQ(bytes[i], 0) << "byte " << i;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u) << "tables start on a cache line";
}

TEST(LazyZeroed, TablesDoNotOverlap) {
  static constinit LazyZeroed<char, 1000> a;
  static constinit LazyZeroed<char, 3000> b;
  char* pa = a.get();
  char* pb = b.get();
  ASSERT_NE(pa, nullptr);
  ASSERT_NE(pb, nullptr);
  memset(pa, 0xaa, 1000);
  memset(pb, 0xbb, 3000);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(static_cast<unsigned char>(pa[i]), 0xaa);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(static_cast<unsigned char>(pb[i]), 0xbb);
}

// Racers all get the winner's table, whether it comes from the shared
// mapping (small) or from mappings of their own (bigger than it).
template <size_t Words>
void race_for_a_table() {
  for (int round = 0; round < 20; ++round) {
    auto* table = new LazyZeroed<std::atomic<uint64_t>, Words>();
    std::atomic<bool> go{false};
    std::vector<std::atomic<uint64_t>*> got(8, nullptr);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < got.size(); ++t)
      threads.emplace_back([&, t] {
        while (!go.load()) {
        }
        got[t] = table->get();
        got[t][t].fetch_add(1);
      });
    go.store(true);
    for (std::thread& t : threads) t.join();
    for (size_t t = 0; t < got.size(); ++t) {
      ASSERT_EQ(got[t], got[0]) << "thread " << t;
      EXPECT_EQ(got[0][t].load(), 1u) << "a thread wrote to a table it lost";
    }
    delete table;  // the mapping stays, as a static table's would
  }
}

TEST(LazyZeroed, RacingThreadsGetOneTable) {
  race_for_a_table<16>();
  race_for_a_table<20000>();
}

constinit LazyZeroed<char, 1 << 20> g_too_big_to_share;  // larger than the shared mapping

// In a child: with no address space left the table is nullptr and errno is
// kept; with the limit lifted, the next call maps it. 0 when all held.
int map_with_no_address_space_left() {
  struct rlimit old = {};
  getrlimit(RLIMIT_AS, &old);
  if (!cgview_test::forbid_new_mappings()) return 3;
  errno = EINTR;
  bool refused = g_too_big_to_share.get() == nullptr && g_too_big_to_share.if_mapped() == nullptr && errno == EINTR;
  setrlimit(RLIMIT_AS, &old);
  bool later = g_too_big_to_share.get() != nullptr;
  return refused ? (later ? 0 : 2) : 1;
}

// Where nothing can be mapped, a table is nullptr (its users do without).
TEST(LazyZeroed, IsNullWhenNothingCanBeMapped) {
  EXPECT_EXIT(_exit(map_with_no_address_space_left()), ::testing::ExitedWithCode(0), "");
}

}  // namespace
