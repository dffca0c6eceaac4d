// The JSON form of a sample: one object per line for `cgview stats`, and the
// same members in `cgview show --json`. Absent figures are null.
#include "json.hpp"
#include "stats_sample.hpp"

namespace cgview::cli {

namespace {

std::optional<uint64_t> opt(const Figure& f) { return f.has ? std::optional<uint64_t>(f.value) : std::nullopt; }
std::optional<bool> flag(const Figure& f) { return f.has ? std::optional<bool>(f.value != 0) : std::nullopt; }

std::optional<double> percent(const Figure& part, const Figure& whole) {
  if (!part.has || !whole.has || whole.value == 0) return std::nullopt;
  return double(part.value) * 100.0 / double(whole.value);
}

void cgroup_member(Json& j, std::string_view key, const CgroupDir& dir) {
  if (!dir.found) {
    j.null(key);
    return;
  }
  j.str(key, std::string(dir.path.view()));
}

}  // namespace

void sample_json(Json& j, const Config& config, const Sample& now, const Sample* before) {
  std::optional<Rates> r;
  if (before != nullptr) r = compute_rates(*before, now);
  double seconds = r ? r->seconds : 0;

  j.open("cpu");
  if (now.have_limits) j.num("cpus", now.cpus);
  else j.null("cpus");
  j.real("quota", now.quota, 6);
  j.num("usage_ns", opt(now.cpu.usage_ns));
  if (r) {
    j.real("percent", r->cpu_percent, 1);
    j.real("cpus_used", r->cpus_used, 3);
    j.real("quota_percent", r->quota_percent, 1);
  }
  j.num("periods", opt(now.cpu.periods));
  j.num("throttled_periods", opt(now.cpu.throttled_periods));
  j.num("throttled_ns", opt(now.cpu.throttled_ns));
  if (r) {
    j.real("throttled_periods_per_s", r->throttled_periods_per_s, 1);
    j.real("throttled_seconds_per_s", r->throttled_time_per_s, 3);
  }
  cgroup_member(j, "cgroup", now.cgroups.of(Controller::Cpu));
  cgroup_member(j, "throttle_cgroup", now.quota_dir);  // where periods and throttling are counted
  j.close();

  const MemoryStats& m = now.memory;
  j.open("memory");
  j.num("usage", opt(m.usage));
  j.num("limit", opt(m.limit));
  j.real("percent", percent(m.usage, m.limit), 1);
  j.num("cache", opt(m.cache));
  j.num("working_set", opt(working_set(m)));
  j.num("swap_used", opt(m.swap_used));
  j.num("swap_limit", opt(m.swap_limit));
  j.num("high", opt(m.high));  // v2 memory.high: reclaim and throttling above it, no kill
  j.num("high_events", opt(m.high_events));
  j.num("max_events", opt(m.max_events));
  cgroup_member(j, "cgroup", now.cgroups.of(Controller::Memory));
  // The cgroup whose limit binds, the process's own or an ancestor, and the
  // usage there, as pids' limit_cgroup and limit_current; null where none
  // binds, or where v1 tells only that one above the cgroup mount does.
  const CgroupDir& own = now.cgroups.of(Controller::Memory);
  const bool own_binds = !memory_limit_is_an_ancestors(now) && m.limit.has && !now.memory_limit_hidden && own.found;
  j.num("limit_usage", opt(own_binds ? m.usage : now.memory_limit_usage));
  // How full the limit is; unknown where the limit is set above the view
  // (what else uses it is not seen): null, not the cgroup's own share.
  j.real("limit_percent", now.memory_limit_hidden ? std::nullopt : percent(memory_usage_at_limit(now), m.limit), 1);
  if (memory_limit_is_an_ancestors(now)) j.str("limit_cgroup", std::string(now.memory_limit_dir.view()));
  else if (own_binds) j.str("limit_cgroup", std::string(own.path.view()));
  else j.null("limit_cgroup");
  j.boolean("limit_above_view", now.memory_limit_hidden);
  j.close();

  j.open("oom");
  // The killer is on unless oom_kill_disable says otherwise.
  j.boolean("killer", m.oom_kill_disable.has ? std::optional<bool>(m.oom_kill_disable.value == 0) : std::nullopt);
  j.boolean("under_oom", flag(m.under_oom));
  j.num("kills", opt(m.oom_kills));
  j.num("events", opt(m.oom_events));
  j.boolean("group", flag(m.oom_group));
  j.close();

  j.open("pids");
  j.num("current", opt(now.pids.current));
  j.num("max", opt(now.pids.max));
  // The count where that max is set (an ancestor's includes its other processes).
  j.num("limit_current", opt(now.pids.limit_current));
  if (now.pids.limit_dir.size() > 0) j.str("limit_cgroup", std::string(now.pids.limit_dir.view()));
  else j.null("limit_cgroup");
  cgroup_member(j, "cgroup", now.pids_dir);
  j.close();

  if (!now.io.has) {
    j.null("io");
  } else {
    IoTotals t = io_totals(now.io);
    j.open("io");
    j.num("read_bytes", t.read_bytes).num("write_bytes", t.write_bytes);
    j.num("reads", t.reads).num("writes", t.writes);
    if (r) {
      IoTotals b = io_totals(before->io);
      double io_seconds = r->io_comparable ? seconds : 0;  // another cgroup's counters: no rate
      j.real("read_bytes_per_s", rate(b.read_bytes, t.read_bytes, io_seconds), 1);
      j.real("write_bytes_per_s", rate(b.write_bytes, t.write_bytes, io_seconds), 1);
      j.real("reads_per_s", rate(b.reads, t.reads, io_seconds), 1);
      j.real("writes_per_s", rate(b.writes, t.writes, io_seconds), 1);
    }
    j.open_array("devices");
    for (size_t i = 0; i < now.io.count; ++i) {
      const IoDevice& d = now.io.devices[i];
      j.open().str("device", device_label(config, d)).num("major", d.major).num("minor", d.minor);
      j.num("read_bytes", d.read_bytes).num("write_bytes", d.write_bytes).num("reads", d.reads).num("writes", d.writes);
      j.close();
    }
    j.close_array();
    j.num("more_devices", uint64_t(now.io.more));  // counted in the totals, not listed
    cgroup_member(j, "cgroup", now.io_dir);
    j.close();
  }

  if (!now.net.has) {
    j.null("net");
  } else {
    NetTotals t = net_totals(now.net);
    j.open("net");
    j.num("rx_bytes", t.rx_bytes).num("tx_bytes", t.tx_bytes);
    j.num("rx_packets", t.rx_packets).num("tx_packets", t.tx_packets);
    if (r) {
      NetTotals b = net_totals(before->net);
      j.real("rx_bytes_per_s", rate(b.rx_bytes, t.rx_bytes, seconds), 1);
      j.real("tx_bytes_per_s", rate(b.tx_bytes, t.tx_bytes, seconds), 1);
      j.real("rx_packets_per_s", rate(b.rx_packets, t.rx_packets, seconds), 1);
      j.real("tx_packets_per_s", rate(b.tx_packets, t.tx_packets, seconds), 1);
    }
    j.open_array("interfaces");
    for (size_t i = 0; i < now.net.count; ++i) {
      const NetInterface& n = now.net.interfaces[i];
      j.open().str("name", std::string(n.name.view()));
      j.num("rx_bytes", opt(n.rx_bytes)).num("tx_bytes", opt(n.tx_bytes));
      j.num("rx_packets", opt(n.rx_packets)).num("tx_packets", opt(n.tx_packets));
      j.close();
    }
    j.close_array();
    j.num("more_interfaces", uint64_t(now.net.more));  // counted in the totals, not listed
    j.close();
  }
}

}  // namespace cgview::cli
