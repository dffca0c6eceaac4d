#include "cpu_usage.hpp"

#include <time.h>

#include "input_file.hpp"

namespace cgview {

bool read_cpu_usage(const Sysroot& root, const CgroupDir& dir, CpuUsage& out) {
  if (!dir.found) return false;
  PathText path;
  path.add(dir.path.view()).add(dir.v2 ? "/cpu.stat" : "/cpuacct.stat");
  char buf[2048];
  ssize_t n = path.overflowed() ? -1 : read_input_file(root, path.view(), buf);
  if (n <= 0) return false;
  std::string_view text(buf, size_t(n)), line;
  std::string_view user_key = dir.v2 ? "user_usec" : "user";
  std::string_view system_key = dir.v2 ? "system_usec" : "system";
  bool have_user = false, have_system = false;
  while (next_line(text, line)) {
    std::string_view key, value;
    uint64_t v = 0;
    if (!next_field(line, key) || !next_field(line, value) || !parse_u64(value, v)) continue;
    if (dir.v2) v /= 1000000 / kUserHz;
    if (key == user_key) { out.user_ticks = v; have_user = true; }
    if (key == system_key) { out.system_ticks = v; have_system = true; }
  }
  return have_user && have_system;
}

bool read_uptime_ticks(const Sysroot& root, uint64_t& ticks) {
  if (root.live()) {
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return false;
    ticks = uint64_t(ts.tv_sec) * kUserHz + uint64_t(ts.tv_nsec) / (1000000000 / kUserHz);
    return true;
  }
  char buf[128];
  ssize_t n = read_host_file(root, "/proc/uptime", buf);
  std::string_view text(buf, n > 0 ? size_t(n) : 0), seconds;
  uint64_t micro = 0;
  if (!next_field(text, seconds) || !parse_decimal_micro(seconds, micro)) return false;
  ticks = micro / (1000000 / kUserHz);
  return true;
}

}  // namespace cgview
