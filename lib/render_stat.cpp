// /proc/stat: "cpu" and "cpuN" lines for V only; every other line passes through.
//
// Busy time is the cgroup's CPU time spread evenly over the N lines; idle is
// the rest of N x uptime. Over any interval busy/(busy+idle) is then the
// cgroup's use divided by N CPUs, as top would show in a VM with N CPUs.
#include "cpu_usage.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// Line k of n gets ceil-or-floor of total/n so the lines sum to total and
// each line grows monotonically with total.
uint64_t share(uint64_t total, unsigned n, unsigned k) { return total / n + (k < total % n ? 1 : 0); }

void put_cpu_line(Sink& out, std::string_view name, uint64_t user, uint64_t system, uint64_t idle) {
  FixedText<256> line;
  line.add(name).add(' ').add_u64(user).add(" 0 ").add_u64(system).add(' ').add_u64(idle).add(" 0 0 0 0 0 0\n");
  out.put(line.view());
}

struct Synthesized {
  bool ok = false;
  CpuUsage busy;
  uint64_t idle = 0;
};

constexpr int kRebaseNBits = 14;  // N <= kMaxCpus = 8192
constexpr uint64_t kRebaseNMask = (uint64_t(1) << kRebaseNBits) - 1;
constexpr __int128 kRebaseOffsetLimit = __int128(1) << 49;

// N x uptime - busy counts idle as if the cgroup had always had N CPUs, so a
// change of N would move idle by the change x the whole uptime: from 4 CPUs to
// 1, idle would stop until uptime tripled, and top would show 100% busy. The
// clock's offset makes idle carry on from where it was instead: at a change
// from n0 to n at `uptime`, offset += (n0 - n) x uptime.
__int128 idle_offset(StatClock& clock, uint64_t n, uint64_t uptime) {
  uint64_t state = clock.rebase.load(std::memory_order_relaxed);
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint64_t last_n = state & kRebaseNMask;
    __int128 offset = int64_t(state) >> kRebaseNBits;  // arithmetic shift: the signed offset
    if (last_n == n) return offset;
    __int128 next = last_n == 0 ? 0 : offset + (__int128(last_n) - __int128(n)) * __int128(uptime);
    if (next >= kRebaseOffsetLimit || next < -kRebaseOffsetLimit) next = 0;  // nonsense uptime: start over
    uint64_t packed = (uint64_t(int64_t(next)) << kRebaseNBits) | (n & kRebaseNMask);
    if (clock.rebase.compare_exchange_weak(state, packed, std::memory_order_relaxed)) return next;
  }
  return 0;
}

Synthesized synthesize(const Config& config, const Limits& limits, StatClock* clock) {
  Synthesized s;
  uint64_t uptime = 0;
  if (!read_cpu_usage(config.root, limits.cgroups.of(Controller::Cpuacct), s.busy) ||
      !read_uptime_ticks(config.root, uptime))
    return s;
  uint64_t n = limits.cpu.count, busy = add_saturating(s.busy.user_ticks, s.busy.system_ticks);
  __int128 idle = __int128(mul_saturating(uptime, n)) - __int128(busy);
  if (clock != nullptr) idle += idle_offset(*clock, n, uptime);
  s.idle = idle <= 0 ? 0 : idle >= __int128(UINT64_MAX) ? UINT64_MAX : uint64_t(idle);
  if (clock != nullptr) {
    uint64_t floor = clock->idle_floor.load(std::memory_order_relaxed);
    while (s.idle > floor && !clock->idle_floor.compare_exchange_weak(floor, s.idle, std::memory_order_relaxed)) {
    }
    if (floor > s.idle) s.idle = floor;
  }
  s.ok = true;
  return s;
}

void put_synthesized(Sink& out, const Limits& limits, const Synthesized& s) {
  put_cpu_line(out, "cpu ", s.busy.user_ticks, s.busy.system_ticks, s.idle);
  unsigned n = limits.cpu.count, k = 0;
  for_each_cpu(limits.cpu.visible, [&](unsigned cpu) {
    FixedText<16> name;
    name.add("cpu").add_u64(cpu);
    put_cpu_line(out, name.view(), share(s.busy.user_ticks, n, k), share(s.busy.system_ticks, n, k),
                 share(s.idle, n, k));
    ++k;
  });
}

// "cpu" -> aggregate; "cpuN" -> N; anything else is not a CPU line.
enum class CpuLine { None, Aggregate, One };
CpuLine classify(std::string_view line, uint64_t& id) {
  if (line.substr(0, 3) != "cpu") return CpuLine::None;
  std::string_view rest = line.substr(3), name;
  if (!rest.empty() && rest.front() == ' ') return CpuLine::Aggregate;
  if (!next_field(rest, name) || !parse_u64(name, id)) return CpuLine::None;
  return CpuLine::One;
}

// Without the cgroup's CPU time, the host's cpuN lines for V are kept; the
// aggregate must then be their sum, or the lines would disagree. A first pass
// over the host file adds them up.
struct HostSum {
  bool ok = false;
  uint64_t fields[10] = {};
};

HostSum sum_visible_host_lines(const Config& config, const Limits& limits) {
  HostSum sum;
  int fd = open_host_file(config.root, "/proc/stat");
  if (fd < 0) return sum;
  char buf[4096];
  LineReader reader(fd, buf);
  std::string_view line;
  while (reader.next_whole_line(line)) {
    uint64_t id = 0;
    if (classify(line, id) != CpuLine::One || id >= kMaxCpus || !limits.cpu.visible.has(unsigned(id))) continue;
    std::string_view rest = line, field;
    next_field(rest, field);  // "cpuN"
    for (uint64_t& total : sum.fields) {
      uint64_t v = 0;
      if (next_field(rest, field) && parse_u64(field, v)) total = add_saturating(total, v);
    }
  }
  sum.ok = !reader.failed();
  close_fd(fd);
  return sum;
}

void put_host_sum(Sink& out, const HostSum& sum) {
  FixedText<256> line;
  line.add("cpu ");
  for (uint64_t v : sum.fields) line.add(' ').add_u64(v);
  line.add('\n');
  out.put(line.view());
}

}  // namespace

bool render_stat(const Config& config, const Limits& limits, StatClock* clock, Sink& out) {
  // Without a restriction, the host's CPU lines are the truth.
  bool restricted = !(limits.cpu.visible == limits.cpu.online);
  Synthesized s;
  HostSum host_sum;
  if (restricted) s = synthesize(config, limits, clock);
  if (restricted && !s.ok) host_sum = sum_visible_host_lines(config, limits);
  bool ok = filter_host_lines(config.root, "/proc/stat", out, [&](const LineReader::Piece& piece) {
    uint64_t id = 0;
    CpuLine kind = restricted ? classify(piece.text, id) : CpuLine::None;
    if (kind == CpuLine::Aggregate && s.ok) {
      put_synthesized(out, limits, s);
      return false;
    }
    if (kind == CpuLine::Aggregate && host_sum.ok) {
      put_host_sum(out, host_sum);
      return false;
    }
    // Synthesized lines replace these; without usage, keep the host's for V.
    if (kind == CpuLine::One) return !s.ok && id < kMaxCpus && limits.cpu.visible.has(unsigned(id));
    return true;
  });
  return out.finish() && ok;
}

}  // namespace cgview
