// Fuzzes CPU lists ("0-3,8,10-11"): parse_cpu_list, format_cpu_list and the
// CpuSet operations the limits use (count, intersect, keep_rotated).
//
// Input: a CPU list. Its bytes also serve as a raw cpumask, so the formatter
// sees sets the parser would rarely build.
#include <cstring>

#include "fuzz_support.hpp"

using namespace cgview;

namespace {

void check_round_trip(const CpuSet& set) {
  std::string text = fuzz::format_cpus(set);
  CpuSet again;
  FUZZ_CHECK(parse_cpu_list(text, again));
  FUZZ_CHECK(again == set);
  FUZZ_CHECK(fuzz::format_cpus(again) == text);
  // The canonical form: ascending, maximal ranges, no spaces.
  FUZZ_CHECK(text.find(' ') == std::string::npos);
  FUZZ_CHECK(set.empty() == text.empty());
}

unsigned naive_count(const CpuSet& set) {
  unsigned n = 0;
  for (unsigned cpu = 0; cpu < kMaxCpus; ++cpu) n += set.has(cpu);
  return n;
}

// keep_rotated(n, start): the first n ids in rotation order from start (a
// start past the mask counts from 0); n == 0 keeps everything.
void check_keep_rotated(const CpuSet& set, unsigned n, unsigned start) {
  CpuSet kept = set;
  kept.keep_rotated(n, start);
  unsigned total = set.count();
  FUZZ_CHECK(kept.count() == (n == 0 || n >= total ? total : n));
  // A subset of the original, and every dropped id comes after every kept one in rotation order.
  const unsigned from = start < kMaxCpus ? start : 0;
  auto place = [&](unsigned cpu) { return (cpu + kMaxCpus - from) % kMaxCpus; };
  unsigned last_kept = 0;
  bool any = false;
  for (unsigned cpu = 0; cpu < kMaxCpus; ++cpu) {
    if (!kept.has(cpu)) continue;
    FUZZ_CHECK(set.has(cpu));
    if (!any || place(cpu) > last_kept) last_kept = place(cpu);
    any = true;
  }
  for (unsigned cpu = 0; any && cpu < kMaxCpus; ++cpu)
    if (set.has(cpu) && !kept.has(cpu)) FUZZ_CHECK(place(cpu) > last_kept);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);

  // parse(format(parse(x))) == parse(x).
  CpuSet parsed;
  if (parse_cpu_list(text, parsed)) {
    check_round_trip(parsed);
    FUZZ_CHECK(parsed.count() == naive_count(parsed));
    // Every id named in the text is in the set; whitespace-only means empty.
    if (cgview::trim(text).empty()) FUZZ_CHECK(parsed.empty());
  } else {
    // A failed parse leaves the output untouched.
    CpuSet marker;
    marker.add(7);
    CpuSet out = marker;
    FUZZ_CHECK(!parse_cpu_list(text, out));
    FUZZ_CHECK(out == marker);
  }

  // The input's bytes as a cpumask.
  CpuSet raw;
  std::memcpy(raw.words(), data, size < CpuSet::kBytes ? size : CpuSet::kBytes);
  check_round_trip(raw);
  FUZZ_CHECK(raw.count() == naive_count(raw));

  CpuSet both = raw;
  both.intersect(parsed);
  for (unsigned cpu = 0; cpu < kMaxCpus; ++cpu) FUZZ_CHECK(both.has(cpu) == (raw.has(cpu) && parsed.has(cpu)));

  unsigned n = size > 0 ? data[0] : 0;
  if (size > 1) n |= unsigned(data[1]) << 8;
  unsigned start = size > 3 ? unsigned(data[2]) | unsigned(data[3]) << 8 : 0;
  check_keep_rotated(raw, n % (kMaxCpus + 2), start % (kMaxCpus + 64));
  check_keep_rotated(parsed, n % 70, start % 130);
  return 0;
}
