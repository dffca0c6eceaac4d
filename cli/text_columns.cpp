#include "text_columns.hpp"

#include "utf8.hpp"

namespace cgview::cli {

namespace {

struct Range {
  char32_t first, last;
};

#include "text_columns_ranges.inc"

template <size_t N>
bool in(const Range (&ranges)[N], char32_t c) {
  size_t low = 0, high = N;  // binary search: the first range ending at or after c
  while (low < high) {
    size_t mid = (low + high) / 2;
    if (ranges[mid].last < c) low = mid + 1;
    else high = mid;
  }
  return low < N && ranges[low].first <= c;
}

}  // namespace

size_t terminal_columns(std::string_view utf8) {
  size_t columns = 0;
  while (!utf8.empty()) {
    const Utf8Step step = next_utf8(utf8);
    if (!step.valid) ++columns;  // one replacement mark
    else columns += in(kZeroWidth, step.code) ? 0 : in(kWide, step.code) ? 2 : 1;
    utf8.remove_prefix(step.length);
  }
  return columns;
}

}  // namespace cgview::cli
