// The StatClock directly: the numbers /proc/stat's lines are made from never
// go down, however N changes and however many threads ask at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "stat_clock.hpp"

using namespace cgview;

namespace {

// Line 0 of n gets the largest share of a total (render_stat's split).
uint64_t first_line(uint64_t total, uint64_t n) { return total / n + (total % n != 0 ? 1 : 0); }

}  // namespace

TEST(StatClock, WithoutAClockTheLinesSplitTheAggregate) {
  CpuTotals got = line_totals(nullptr, 4, {100, 20, 4000});
  EXPECT_EQ(got.user, 100u);
  EXPECT_EQ(got.idle, 4000u);
  EXPECT_FALSE(has_rendered_lines(nullptr));
}

TEST(StatClock, NGoingBackAndForthNeverLowersALine) {
  StatClock clock;
  uint64_t user = 4000, last = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t n = i % 2 == 0 ? 1 : 4;
    user += 7;
    CpuTotals lines = line_totals(&clock, n, {user, 0, 0});
    uint64_t line = first_line(lines.user, n);
    EXPECT_GE(line, last) << "read " << i << " with N = " << n;
    last = line;
  }
  EXPECT_FALSE(has_rendered_lines(&clock));  // aggregate_idle was never asked
  aggregate_idle(&clock, 2, 1000, 0);
  EXPECT_TRUE(has_rendered_lines(&clock));
}

// Two threads whose cached views disagree on N (a refresh in between) render
// at once, from the same totals: each thread's own reads of a line never go
// down. (Totals sampled a few ticks apart by the two threads can cost a line
// those few ticks once: the files are read outside any lock.)
TEST(StatClock, ThreadsWithDifferentNNeverSeeALineGoDown) {
  StatClock clock;
  std::atomic<int> drops{0};
  auto reader = [&](uint64_t n) {
    uint64_t last = 0;
    for (int i = 0; i < 20000; ++i) {
      CpuTotals lines = line_totals(&clock, n, {4000, 0, 0});
      uint64_t line = first_line(lines.user, n);
      if (line < last) ++drops;
      last = line;
    }
  };
  std::thread one(reader, 1), four(reader, 4);
  one.join();
  four.join();
  EXPECT_EQ(drops.load(), 0);
}

TEST(StatClock, AbsurdUptimesStickRatherThanWrap) {
  StatClock clock;
  uint64_t huge = uint64_t(1) << 60;
  uint64_t first = aggregate_idle(&clock, 1, huge, 0);
  uint64_t second = aggregate_idle(&clock, 4, huge + 100, 0);
  EXPECT_GE(second, first);
}
