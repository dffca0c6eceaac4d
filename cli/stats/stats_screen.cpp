// The terminal view of `cgview stats`: a few labelled lines, each at most 80
// columns, with bars for CPU and memory. Figures the kernel does not give
// show as "-".
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "screen_wrap.hpp"
#include "stand_in_warnings.hpp"
#include "stats_sample.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kColumns = 80;
constexpr int kBarWidth = 30;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Bytes with a binary unit: 512B, 1.5K, 20.0M, 3.2G.
std::string bytes(uint64_t n) {
  const char* units = "KMGTPE";
  if (n < 1024) return std::to_string(n) + "B";
  double v = double(n) / 1024;
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%c", v, units[u]);
  return buf;
}
std::string bytes(const Figure& f) { return f.has ? bytes(f.value) : "-"; }

std::string per_second_bytes(const std::optional<double>& r) {
  if (!r) return "+-/s";
  std::string out = "+";
  return out.append(bytes(uint64_t(*r + 0.5))).append("/s");
}
std::string per_second(const std::optional<double>& r) { return r ? format("+%.0f/s", *r) : "+-/s"; }

// [#####.....] for a fraction, `width` wide inside; all blank when unknown.
// Width 0: no bar at all (its line then starts with the figures).
std::string bar(const std::optional<double>& fraction, int width) {
  if (width <= 0) return "";
  std::string b = "[";
  int filled = 0;
  if (fraction) {
    double f = *fraction < 0 ? 0 : (*fraction > 1 ? 1 : *fraction);
    filled = int(f * width + 0.5);
  }
  for (int i = 0; i < width; ++i) b += i < filled ? '#' : (fraction ? '.' : ' ');
  return b + "] ";
}

// On a terminal narrower than 80 columns the bars give way first, so the
// figures after them stay whole: the bar's width less the missing columns,
// none below 5.
int bar_width(size_t columns) {
  int width = kBarWidth - (columns < kColumns ? int(kColumns - columns) : 0);
  return width < 5 ? 0 : width;
}

std::string fit(std::string line) {
  if (line.size() > kColumns) line.resize(kColumns);
  return line;
}

// A path in at most `room` columns: its end, which names the cgroup, after
// "...", not starting inside a UTF-8 character.
std::string path_tail(std::string_view path, size_t room) {
  if (path.size() <= room) return std::string(path);
  if (room <= 3) return std::string(room, '.');
  std::string_view tail = path.substr(path.size() - (room - 3));
  while (!tail.empty() && (static_cast<unsigned char>(tail.front()) & 0xc0) == 0x80) tail.remove_prefix(1);
  return "..." + std::string(tail);
}

}  // namespace

std::vector<std::string> screen_lines(const Config& config, const Sample& now, const Sample& before,
                                      double interval, size_t columns, Progress progress) {
  std::vector<std::string> out;
  Rates r = compute_rates(before, now);
  char clock[16] = "";
  time_t t = time_t(now.unix_time);
  struct tm tm_now;
  if (localtime_r(&t, &tm_now) != nullptr) std::strftime(clock, sizeof clock, "%H:%M:%S", &tm_now);
  // With --count the screen ends by itself: say how far it is (its last
  // frame stays on the terminal after the end).
  std::string quits = "Ctrl-C quits";
  if (progress.count > 0)
    quits = std::to_string(progress.shown) + " of " + std::to_string(progress.count) +
            (progress.shown < progress.count ? ", " + quits : ", done");
  out.push_back(fit("cgview stats   every " + format("%g", interval) + "s   " + clock + "   " + quits));
  // The figures below may be a mount point's.
  std::string stand_in = stand_in_summary(now.cgroups, other_dirs(now));
  if (!stand_in.empty()) out.push_back(stand_in);
  if (!now.unreadable.empty()) {  // the names alone: the JSON's warnings give the paths
    std::string names;
    bool one_reason = true;
    for (const Sample::Unreadable& file : now.unreadable) {
      names += (names.empty() ? "" : ", ") + file.name;
      one_reason &= file.reason == now.unreadable.front().reason;
    }
    std::string line = "WARN  cannot read " + names + " (" + now.unreadable.front().reason + ")";
    if (!one_reason || line.size() > std::min(columns, kColumns)) line = "WARN  cannot read " + names + " (--json says why)";
    out.push_back(fit(line));
  }
  out.push_back("");

  // CPU: use in percent of the container's N CPUs, against the quota.
  std::string cpus = now.have_limits ? std::to_string(now.cpus) : "-";
  std::string quota = now.quota ? format("%.2f", *now.quota) : "none";
  std::optional<double> cpu_fraction;
  if (r.cpu_percent) cpu_fraction = *r.cpu_percent / 100.0;
  // N rounds the quota up: beside it, how much of the quota itself is used
  // (0.5 CPU of a 0.5 quota is 50% of 1 CPU, and all of the quota).
  std::string of_quota = r.quota_percent ? format(", %.0f%% used", *r.quota_percent) : "";
  out.push_back(fit("CPU   " + bar(cpu_fraction, bar_width(columns)) + (r.cpu_percent ? format("%5.1f%%", *r.cpu_percent) : "    -") +
                    " of " + cpus + " CPU" + (now.cpus == 1 ? "" : "s") + "  quota " + quota + of_quota));
  // No cpu.stat to read (no cpu controller, an unreadable file): one "-".
  const bool any_throttling = now.cpu.periods.has || now.cpu.throttled_periods.has || now.cpu.throttled_ns.has;
  std::string throttled =
      !any_throttling
          ? "      throttled -"
          : "      throttled " + figure_text(now.cpu.throttled_periods) + " of " + figure_text(now.cpu.periods) +
                " periods (" + per_second(r.throttled_periods_per_s) + "), " +
                (now.cpu.throttled_ns.has ? format("%.2fs", double(now.cpu.throttled_ns.value) / 1e9) : "-") + " (" +
                (r.throttled_time_per_s ? format("+%.2fs/s", *r.throttled_time_per_s) : "+-/s") + ")";
  out.push_back(fit(throttled));
  // Why no use (kCpuTimeIsHosts says more, in the JSON), in one screen line.
  if (now.cpu_time_is_hosts) out.push_back(fit("      use -: in the root cpuacct cgroup, whose time is the host's"));

  // Memory: how full the limit is (where an ancestor's binds, the usage there,
  // which the container's siblings share), cache, working set, swap; the
  // container's own usage and the ancestor on a line of their own.
  const MemoryStats& m = now.memory;
  const Figure& usage = memory_usage_at_limit(now);
  std::optional<double> mem_fraction;
  if (usage.has && m.limit.has && m.limit.value > 0) mem_fraction = double(usage.value) / double(m.limit.value);
  std::string limit = m.limit.has ? bytes(m.limit) : (usage.has ? "no limit" : "-");
  out.push_back(fit("MEM   " + bar(mem_fraction, bar_width(columns)) + (mem_fraction ? format("%5.1f%%", *mem_fraction * 100) : "    -") +
                    "  " + bytes(usage) + " / " + limit));
  std::string swap_limit = m.swap_limit.has ? bytes(m.swap_limit) : (m.swap_unlimited ? "no limit" : "-");
  out.push_back(fit("      cache " + bytes(m.cache) + "   working set " + bytes(working_set(m)) + "   swap " +
                    bytes(m.swap_used) + " / " + swap_limit));
  if (m.high.has)  // v2's throttling threshold: no kill, but slow above it
    out.push_back(fit("      high " + bytes(m.high) + " (throttled above it, " + figure_text(m.high_events) +
                      " times; at the limit " + figure_text(m.max_events) + ")"));
  if (memory_limit_is_an_ancestors(now)) {  // a parent's limit, which its other children share
    std::string head = "      " + bytes(m.usage) + " of it here; the limit is on:";
    // The path's end names the cgroup: where the line is too narrow for it,
    // it goes on a line of its own, cut at its start.
    const size_t width = columns < kColumns ? columns : kColumns;
    const std::string_view path = now.memory_limit_dir.view();
    if (head.size() + 1 + path.size() <= width || width <= kContinuationIndent + 4) {
      out.push_back(head + " " + path_tail(path, width > head.size() + 1 ? width - head.size() - 1 : 0));
    } else {
      out.push_back(head);
      out.push_back(std::string(kContinuationIndent, ' ') + path_tail(path, width - kContinuationIndent));
    }
  } else if (now.memory_limit_hidden) {
    out.push_back(fit("      the limit is set above this cgroup: what shares it there is not seen"));
  }

  // OOM and pids.
  std::string killer = m.oom_kill_disable.has ? (m.oom_kill_disable.value ? "off" : "on") : "-";
  std::string under = m.under_oom.has ? (m.under_oom.value ? "YES" : "no") : "-";
  std::string oom_line = "OOM   killer " + killer + "   under OOM " + under + "   kills " + figure_text(m.oom_kills);
  if (m.oom_events.has) oom_line += "   events " + figure_text(m.oom_events);
  if (m.oom_group.has) oom_line += std::string("   group ") + (m.oom_group.value ? "on" : "off");
  out.push_back(fit(oom_line));
  std::string pids_max = now.pids.max.has ? figure_text(now.pids.max) : (now.pids.max_unlimited ? "max" : "-");
  std::string pids_line = "PIDS  " + figure_text(now.pids.current) + " / " + pids_max;
  if (limit_is_an_ancestors(now))  // a parent's limit, which counts its other processes too
    pids_line += "   (" + figure_text(now.pids.limit_current) + " where that limit is)";
  out.push_back(fit(pids_line));

  // Block I/O: totals, then up to three devices.
  if (!now.io.has) {
    out.push_back("IO    -");
  } else {
    IoTotals t = io_totals(now.io), b = io_totals(before.io);
    double s = r.io_comparable ? r.seconds : 0;  // another cgroup's counters: no rate
    out.push_back(fit("IO    read  " + bytes(t.read_bytes) + " (" + per_second_bytes(rate(b.read_bytes, t.read_bytes, s)) +
                      ") " + std::to_string(t.reads) + " ops (" + per_second(rate(b.reads, t.reads, s)) + ")"));
    out.push_back(fit("      write " + bytes(t.write_bytes) + " (" +
                      per_second_bytes(rate(b.write_bytes, t.write_bytes, s)) + ") " + std::to_string(t.writes) +
                      " ops (" + per_second(rate(b.writes, t.writes, s)) + ")"));
    for (size_t i = 0; i < now.io.count && i < 3; ++i) {
      const IoDevice& d = now.io.devices[i];
      char line[128];
      std::snprintf(line, sizeof line, "      %-10s r %-8s w %-8s  %llu/%llu ops", device_label(config, d).c_str(),
                    bytes(d.read_bytes).c_str(), bytes(d.write_bytes).c_str(), (unsigned long long)d.reads,
                    (unsigned long long)d.writes);
      out.push_back(fit(line));
    }
    size_t unlisted = (now.io.count > 3 ? now.io.count - 3 : 0) + now.io.more;
    if (unlisted > 0) out.push_back("      (" + std::to_string(unlisted) + " more devices)");
  }

  // Network: the interfaces the process sees, loopback left out.
  if (!now.net.has) {
    out.push_back("NET   -");
  } else {
    NetTotals t = net_totals(now.net), b = net_totals(before.net);
    double s = r.seconds;
    out.push_back(fit("NET   rx " + bytes(t.rx_bytes) + " (" + per_second_bytes(rate(b.rx_bytes, t.rx_bytes, s)) + ") " +
                      std::to_string(t.rx_packets) + " pkts (" + per_second(rate(b.rx_packets, t.rx_packets, s)) + ")"));
    out.push_back(fit("      tx " + bytes(t.tx_bytes) + " (" + per_second_bytes(rate(b.tx_bytes, t.tx_bytes, s)) + ") " +
                      std::to_string(t.tx_packets) + " pkts (" + per_second(rate(b.tx_packets, t.tx_packets, s)) + ")"));
    std::string names = "      ";
    for (size_t i = 0; i < now.net.count; ++i) names += (i ? ", " : "") + std::string(now.net.interfaces[i].name.view());
    if (now.net.more > 0) names += " and " + std::to_string(now.net.more) + " more";
    if (now.net.count == 0) names += "(no interface but loopback)";
    out.push_back(fit(names));
  }
  // Narrower than 80 columns: each line broken between its figures, none cut.
  if (columns >= kColumns) return out;
  std::vector<std::string> wrapped;
  for (const std::string& line : out)
    for (std::string& part : wrap_to_width(line, columns)) wrapped.push_back(std::move(part));
  return wrapped;
}

}  // namespace cgview::cli
