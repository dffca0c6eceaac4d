// /proc/stat: "cpu" and "cpuN" lines for V only; every other line passes through.
//
// Busy time is the cgroup's CPU time spread evenly over the N lines; idle is
// the rest of N x uptime. Over any interval busy/(busy+idle) is then the
// cgroup's use divided by N CPUs, as top would show in a VM with N CPUs.
// Where the cgroup's time is the whole host's (a bare host under taskset or
// CGVIEW_CPUS, the root cgroup, a v1 cpuacct left at the root while cpu or
// cpuset limit N), busy is what the host's own lines say A's CPUs did,
// scaled by N/|A|: with V = A (a cpuset, taskset) exactly V's lines.
#include "cpu_usage.hpp"
#include "input_file.hpp"
#include "int128.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// Line k of n gets ceil-or-floor of total/n so the lines sum to total and
// each line grows monotonically with total.
uint64_t share(uint64_t total, unsigned n, unsigned k) { return total / n + (k < total % n ? 1 : 0); }

// The fields after "cpu" in a line: 10 since Linux 2.6.33 (guest_nice), 9
// since 2.6.24 (guest), 8 since 2.6.11 (steal), 7 since 2.6.0, 4 before.
// Lines written in place of the host's have as many as the host's aggregate
// line, so a parser made for that kernel finds what it expects.
constexpr unsigned kMaxStatFields = 10, kMinStatFields = 4;

unsigned field_count(std::string_view line) {
  std::string_view rest = line, field;
  next_field(rest, field);  // "cpu"
  unsigned n = 0;
  while (next_field(rest, field)) ++n;
  return n < kMinStatFields ? kMinStatFields : n > kMaxStatFields ? kMaxStatFields : n;
}

void put_cpu_line(Sink& out, std::string_view name, unsigned fields, uint64_t user, uint64_t system, uint64_t idle) {
  FixedText<256> line;
  line.add(name).add(' ').add_u64(user).add(" 0 ").add_u64(system).add(' ').add_u64(idle);
  for (unsigned k = kMinStatFields; k < fields; ++k) line.add(" 0");
  line.add('\n');
  out.put(line.view());
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

// The host's cpuN lines of some CPUs, added up field by field: without the
// cgroup's CPU time, V's lines are kept and the aggregate must be their sum,
// or the lines would disagree; where the cgroup's time is the whole host's,
// A's lines say what the CPUs the process can run on did.
struct HostSum {
  bool ok = false;
  uint64_t fields[kMaxStatFields] = {};  // user nice system idle iowait irq softirq steal guest guest_nice
};

HostSum sum_host_lines(const Config& config, const CpuSet& cpus) {
  HostSum sum;
  InputFile file(config.root, "/proc/stat", InputFile::kHeldStreamed);
  if (!file.ok()) return sum;
  char buf[4096];
  LineReader reader(file, buf);
  std::string_view line;
  while (reader.next_whole_line(line)) {
    uint64_t id = 0;
    if (classify(line, id) != CpuLine::One || id >= kMaxCpus || !cpus.has(unsigned(id))) continue;
    std::string_view rest = line, field;
    next_field(rest, field);  // "cpuN"
    for (uint64_t& total : sum.fields) {
      uint64_t v = 0;
      if (next_field(rest, field) && parse_u64(field, v)) total = add_saturating(total, v);
    }
  }
  sum.ok = !reader.failed();
  return sum;
}

// The CPU time the process's cgroup has used, in ticks. Where the cpuacct
// cgroup is its hierarchy's root, that time is every online CPU's, so a
// process confined to A (a cpuset, taskset) would see other CPUs' work as
// its own and V's lines 100% busy while they idle: A's own lines stand in,
// in cpuacct's terms (user with nice; system with irq and softirq), and N of
// A's CPUs did N/|A| of their work.
bool cgroup_cpu_time(const Config& config, const Limits& limits, CpuUsage& out) {
  const CgroupDir& cpuacct = limits.cgroups.of(Controller::Cpuacct);
  if (!is_hierarchy_root(config.root, cpuacct)) return read_cpu_usage(config.root, cpuacct, out);
  const CpuSet& a = limits.cpu.affinity.empty() ? limits.cpu.online : limits.cpu.affinity;
  HostSum lines = sum_host_lines(config, a);
  uint64_t n = limits.cpu.count, available = a.count();
  if (!lines.ok || available == 0) return false;
  const uint64_t* f = lines.fields;
  uint64_t user = add_saturating(f[0], f[1]);
  uint64_t system = add_saturating(add_saturating(f[2], f[5]), f[6]);
  out.user_ticks = n >= available ? user : uint64_t(Int128(user) * n / available);
  out.system_ticks = n >= available ? system : uint64_t(Int128(system) * n / available);
  return true;
}

struct Synthesized {
  bool ok = false;
  CpuUsage busy;
  uint64_t idle = 0;
  CpuTotals lines;  // what the cpuN lines split (StatClock: never going down)
};

// Which cgroup the CPU time was read in (FNV-1a over its directory): a
// process moved to another one carries its busy time on (busy_totals).
uint64_t cpu_time_identity(const Limits& limits) {
  const CgroupDir& cpuacct = limits.cgroups.of(Controller::Cpuacct);
  uint64_t h = 14695981039346656037ull;
  for (char c : cpuacct.path.view()) h = (h ^ uint8_t(c)) * 1099511628211ull;
  return cpuacct.found ? h : ~h;
}

Synthesized synthesize(const Config& config, const Limits& limits, StatClock* clock) {
  Synthesized s;
  uint64_t uptime = 0;
  if (!cgroup_cpu_time(config, limits, s.busy) || !read_uptime_ticks(config.root, uptime)) return s;
  CpuTotals busy_shown = busy_totals(clock, cpu_time_identity(limits), s.busy.user_ticks, s.busy.system_ticks);
  s.busy.user_ticks = busy_shown.user;
  s.busy.system_ticks = busy_shown.system;
  uint64_t n = limits.cpu.count;
  uint64_t busy = add_saturating(s.busy.user_ticks, s.busy.system_ticks);
  s.idle = aggregate_idle(clock, n, uptime, busy);
  s.lines = line_totals(clock, n, {s.busy.user_ticks, s.busy.system_ticks, s.idle});
  s.ok = true;
  return s;
}

void put_synthesized(Sink& out, const Limits& limits, const Synthesized& s, unsigned fields) {
  put_cpu_line(out, "cpu ", fields, s.busy.user_ticks, s.busy.system_ticks, s.idle);
  unsigned n = limits.cpu.count, k = 0;
  for_each_cpu(limits.cpu.visible, [&](unsigned cpu) {
    FixedText<16> name;
    name.add("cpu").add_u64(cpu);
    put_cpu_line(out, name.view(), fields, share(s.lines.user, n, k), share(s.lines.system, n, k),
                 share(s.lines.idle, n, k));
    ++k;
  });
}

void put_host_sum(Sink& out, const HostSum& sum, unsigned fields) {
  FixedText<256> line;
  line.add("cpu ");
  for (unsigned k = 0; k < fields; ++k) line.add(' ').add_u64(sum.fields[k]);
  line.add('\n');
  out.put(line.view());
}

}  // namespace

bool render_stat(const Config& config, const Limits& limits, StatClock* clock, Sink& out) {
  // Without a restriction, the host's CPU lines are the truth, unless this
  // process has already been shown synthesized ones: going back to the host's
  // would make them jump, and then fall when a restriction returns.
  bool restricted = !(limits.cpu.visible == limits.cpu.online) || has_rendered_lines(clock);
  Synthesized s;
  HostSum host_sum;
  if (restricted) s = synthesize(config, limits, clock);
  if (restricted && !s.ok) host_sum = sum_host_lines(config, limits.cpu.visible);
  bool ok = filter_host_lines(config.root, "/proc/stat", out, [&](const LineReader::Piece& piece) {
    uint64_t id = 0;
    CpuLine kind = restricted ? classify(piece.text, id) : CpuLine::None;
    if (kind == CpuLine::Aggregate && s.ok) {
      put_synthesized(out, limits, s, field_count(piece.text));
      return false;
    }
    if (kind == CpuLine::Aggregate && host_sum.ok) {
      put_host_sum(out, host_sum, field_count(piece.text));
      return false;
    }
    // Synthesized lines replace these; without usage, keep the host's for V.
    if (kind == CpuLine::One) return !s.ok && id < kMaxCpus && limits.cpu.visible.has(unsigned(id));
    return true;
  });
  return out.finish() && ok;
}

}  // namespace cgview
