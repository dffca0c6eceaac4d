// rewrite_meminfo_lines writes each line as the kernel does, "%-16s%8lu kB"
// with the key and its colon: for keys of every length it rewrites and for
// numbers of every width a kB figure can have.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "meminfo_lines.hpp"
#include "text.hpp"

using namespace cgview;

namespace {

// A Sink's flush into the std::string it is given.
bool append_to_string(void* context, const char* data, size_t len) {
  static_cast<std::string*>(context)->append(data, len);
  return true;
}

std::string rewritten(std::string_view text, const MemoryFigures& figures) {
  std::string out;
  Sink sink(append_to_string, &out);
  rewrite_meminfo_lines(text, "", figures, sink);
  EXPECT_TRUE(sink.finish());
  return out;
}

std::string kernels_line(const std::string& key, uint64_t kb) {
  char line[80];
  std::snprintf(line, sizeof line, "%-16s%8" PRIu64 " kB", (key + ":").c_str(), kb);
  return line;
}

MemoryFigures figures_of(uint64_t total) {
  MemoryFigures f;
  f.has_memory = true;
  f.total = total;
  f.free = total / 3;
  f.available = total / 2;
  f.in_use = total - f.free;
  f.has_swap = true;
  f.swap_total = total / 4;
  f.swap_free = total / 5;
  for (int k = 0; k < int(StatKey::Count); ++k) f.stat.set(StatKey(k), total / 64 + uint64_t(k) * 4096);
  return f;
}

}  // namespace

TEST(MeminfoLayout, EveryWidthOfNumber) {
  // 1 kB to 2^54 - 1 kB (the most a byte count holds): one to seventeen digits.
  for (uint64_t kb = 1;; kb = kb * 10 + 7) {
    uint64_t capped = kb < (uint64_t(1) << 54) ? kb : (uint64_t(1) << 54) - 1;
    std::string out = rewritten("MemTotal:       24731400 kB\n", figures_of(capped << 10));
    EXPECT_EQ(out, kernels_line("MemTotal", capped) + "\n");
    if (capped != kb) break;
  }
  // The digit pairs: every value below 1000, and each around a power of ten.
  for (uint64_t kb = 0; kb < 1000; ++kb)
    ASSERT_EQ(rewritten("MemTotal: 1 kB", figures_of(kb << 10)), kernels_line("MemTotal", kb) + "\n");
  for (uint64_t power = 10; power < (uint64_t(1) << 54); power *= 10)
    for (uint64_t kb : {power - 1, power, power + 1})
      ASSERT_EQ(rewritten("MemTotal: 1 kB", figures_of(kb << 10)), kernels_line("MemTotal", kb) + "\n");
}

TEST(MeminfoLayout, EveryLengthOfKey) {
  // Names of four to fifteen characters, each line's value as the view gives
  // it (a value for every memory.stat key: each line is rewritten).
  const std::vector<std::string> keys = {"Slab",         "Dirty",          "Active",        "MemFree",
                                         "MemTotal",     "SwapTotal",      "PageTables",    "KernelStack",
                                         "SReclaimable", "SecPageTables",  "Inactive(file)", "ShadowCallStack"};
  std::string host;
  for (const std::string& key : keys) host += key + ":    123456 kB\n";
  std::string out = rewritten(host, figures_of(uint64_t(1) << 30));
  std::string_view rest = out, line;
  for (const std::string& key : keys) {
    ASSERT_TRUE(next_line(rest, line)) << key;
    size_t colon = line.find(':');
    ASSERT_NE(colon, std::string_view::npos) << line;
    EXPECT_EQ(line.substr(0, colon), key);
    uint64_t kb = 0;
    ASSERT_TRUE(parse_u64(trim(line.substr(colon + 1, line.size() - colon - 4)), kb)) << line;
    EXPECT_EQ(std::string(line), kernels_line(key, kb));
  }
  EXPECT_TRUE(rest.empty());
}

// Lines are formatted in place in the sink's buffer: from whatever place in
// it a line starts (the buffer is 4096 bytes, a line's room 64), the output
// is the same as from an empty sink, and after a failed flush nothing more
// is written.
TEST(MeminfoLayout, FromAnyPlaceInTheSinksBuffer) {
  const std::string host = "MemTotal:       24731400 kB\nMemFree:        1000 kB\nKernelStack:      12345 kB\n";
  const MemoryFigures figures = figures_of(uint64_t(123456789) << 10);
  const std::string alone = rewritten(host, figures);
  for (size_t before = 3900; before <= 4200; ++before) {
    std::string out;
    Sink sink(append_to_string, &out);
    sink.put(std::string(before, '.'));
    rewrite_meminfo_lines(host, "", figures, sink);
    ASSERT_TRUE(sink.finish());
    ASSERT_EQ(out, std::string(before, '.') + alone) << before;
  }
  struct Failing {
    size_t flushes = 0, bytes = 0;
  } failing;
  Sink sink(
      [](void* context, const char*, size_t len) {
        auto& f = *static_cast<Failing*>(context);
        ++f.flushes;
        f.bytes += len;
        return false;
      },
      &failing);
  sink.put(std::string(4090, '.'));
  rewrite_meminfo_lines(host, "", figures, sink);  // its first line's room needs a flush, which fails
  rewrite_meminfo_lines(host, "", figures, sink);
  EXPECT_FALSE(sink.finish());
  EXPECT_EQ(failing.flushes, 1u);
  EXPECT_EQ(failing.bytes, 4090u);
}
