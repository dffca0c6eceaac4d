#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"

using namespace cgview;
using namespace std::literals;
using cgview_test::cpu_list;

namespace {

CpuSet set_of(std::initializer_list<unsigned> ids) {
  CpuSet s;
  for (unsigned id : ids) s.add(id);
  return s;
}

}  // namespace

TEST(CpuList, ParsesRangesAndSingles) {
  CpuSet s;
  ASSERT_TRUE(parse_cpu_list("0-3,5", s));
  EXPECT_EQ(s.count(), 5u);
  for (unsigned id : {0u, 1u, 2u, 3u, 5u}) EXPECT_TRUE(s.has(id)) << id;
  EXPECT_FALSE(s.has(4));
  EXPECT_FALSE(s.has(6));
  EXPECT_EQ(s, set_of({0, 1, 2, 3, 5}));

  ASSERT_TRUE(parse_cpu_list("2-3,6\n", s));
  EXPECT_EQ(s, set_of({2, 3, 6}));
  ASSERT_TRUE(parse_cpu_list("7", s));
  EXPECT_EQ(s, set_of({7}));
  ASSERT_TRUE(parse_cpu_list("4-4", s));
  EXPECT_EQ(s, set_of({4}));
  ASSERT_TRUE(parse_cpu_list("8191", s));
  EXPECT_EQ(s, set_of({8191}));
}

TEST(CpuList, EmptyListIsEmptySet) {
  CpuSet s = set_of({1});
  ASSERT_TRUE(parse_cpu_list("", s));
  EXPECT_TRUE(s.empty());
  s = set_of({1});
  ASSERT_TRUE(parse_cpu_list("\n", s));
  EXPECT_TRUE(s.empty());
}

TEST(CpuList, FullRange) {
  CpuSet s;
  ASSERT_TRUE(parse_cpu_list("0-8191", s));
  EXPECT_EQ(s.count(), 8192u);
  EXPECT_TRUE(s.has(0));
  EXPECT_TRUE(s.has(8191));
  EXPECT_FALSE(s.has(8192));
  EXPECT_EQ(cpu_list(s), "0-8191");
}

TEST(CpuList, Malformed) {
  const CpuSet before = set_of({9});
  for (std::string_view bad :
       {"3-1", "1,", ",1", "1,,2", "8192", "0-8192", "100000", "18446744073709551616", "abc", "1-", "-1",
        "1-2-3", "1;2", "0x1", "1.5", "a-b", "0-3,x", "0-18446744073709551615"}) {
    CpuSet s = before;
    EXPECT_FALSE(parse_cpu_list(bad, s)) << bad;
    EXPECT_EQ(s, before) << bad << ": untouched on failure";
  }
  CpuSet s = before;
  EXPECT_FALSE(parse_cpu_list("0-3\0"sv, s));
  EXPECT_FALSE(parse_cpu_list("\0"sv, s));
}

TEST(CpuList, Format) {
  EXPECT_EQ(cpu_list(set_of({0, 1, 2, 3, 5})), "0-3,5");
  EXPECT_EQ(cpu_list(set_of({2, 3, 6})), "2-3,6");
  EXPECT_EQ(cpu_list(set_of({0})), "0");
  EXPECT_EQ(cpu_list(set_of({1, 3, 5})), "1,3,5");
  EXPECT_EQ(cpu_list(set_of({63, 64})), "63-64");
  EXPECT_EQ(cpu_list(CpuSet{}), "");
}

// From start 0, rotation order is ascending: the n lowest.
TEST(CpuSetOps, KeepRotatedFromZeroKeepsTheLowest) {
  CpuSet s = set_of({2, 3, 6, 70, 100});
  s.keep_rotated(3, 0);
  EXPECT_EQ(s, set_of({2, 3, 6}));
  s = set_of({2, 3, 6, 70, 100});
  s.keep_rotated(4, 0);  // crosses a 64-bit word
  EXPECT_EQ(s, set_of({2, 3, 6, 70}));
  s = set_of({2, 3});
  s.keep_rotated(10, 0);
  EXPECT_EQ(s, set_of({2, 3}));
  s.keep_rotated(0, 0);  // n = 0 keeps everything
  EXPECT_EQ(s, set_of({2, 3}));
  CpuSet all;
  ASSERT_TRUE(parse_cpu_list("0-8191", all));
  all.keep_rotated(65, 0);
  EXPECT_EQ(cpu_list(all), "0-64");
}

TEST(CpuSetOps, IntersectAndBounds) {
  CpuSet a = set_of({0, 1, 2, 3, 4, 5, 6, 7});
  a.intersect(set_of({2, 3, 6, 9}));
  EXPECT_EQ(a, set_of({2, 3, 6}));
  CpuSet b;
  b.add(8192);  // out of range: ignored
  b.add(100000);
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.has(8192));
}
