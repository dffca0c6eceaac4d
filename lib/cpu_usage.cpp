#include "cpu_usage.hpp"

#include <sys/auxv.h>
#include <time.h>

#include "input_file.hpp"
#include "int128.hpp"

namespace cgview {

uint64_t user_hz(const Sysroot& root) {
  constexpr uint64_t kUsual = 100;
  if (!root.live()) return kUsual;
  unsigned long hz = getauxval(AT_CLKTCK);
  return hz > 0 && hz <= 1000000 ? hz : kUsual;
}

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
  const uint64_t hz = user_hz(root);
  while (next_line(text, line)) {
    std::string_view key, value;
    uint64_t v = 0;
    if (!next_field(line, key) || !next_field(line, value) || !parse_u64(value, v)) continue;
    if (dir.v2) v = uint64_t(Int128(v) * hz / 1000000);
    if (key == user_key) { out.user_ticks = v; have_user = true; }
    if (key == system_key) { out.system_ticks = v; have_system = true; }
  }
  return have_user && have_system;
}

bool read_uptime_ticks(const Sysroot& root, uint64_t& ticks) {
  if (root.live()) {
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return false;
    const uint64_t hz = user_hz(root);
    ticks = uint64_t(ts.tv_sec) * hz + uint64_t(ts.tv_nsec) * hz / 1000000000;
    return true;
  }
  char buf[128];
  ssize_t n = read_host_file(root, "/proc/uptime", buf);
  std::string_view text(buf, n > 0 ? size_t(n) : 0), seconds;
  uint64_t micro = 0;
  if (!next_field(text, seconds) || !parse_decimal_micro(seconds, micro)) return false;
  ticks = uint64_t(Int128(micro) * user_hz(root) / 1000000);
  return true;
}

}  // namespace cgview
