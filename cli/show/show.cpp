// `cgview show`: each number a program would be told, the host's number, and
// the file it came from. The container column is parsed back out of the very
// text the shim serves, so the two cannot disagree.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "cpu_usage.hpp"
#include "discovery.hpp"
#include "host_files.hpp"
#include "int128.hpp"
#include "json.hpp"
#include "meminfo_lines.hpp"
#include "memory_view.hpp"
#include "sink.hpp"
#include "show_figures.hpp"
#include "show_notes.hpp"
#include "stats_sample.hpp"

namespace cgview::cli {

std::string cpu_list_text(const CpuSet& set) {
  FixedText<kMaxCpus * 5> text;
  format_cpu_list(set, text);
  return std::string(text.view());
}

namespace {

// The cpuset's online CPUs, read again from the file the limits took them
// from (the view keeps only their count): A, the process's mask, is narrower
// where the process was narrowed further (taskset). Empty without a cpuset.
std::string cpuset_text(const Config& config, const CpuLimits& cpu) {
  char buf[8192];
  CpuSet cpuset;
  ssize_t n = cpu.has_cpuset ? read_host_file(config.root, cpu.cpuset_source.file.view(), buf) : -1;
  if (n <= 0 || !parse_cpu_list(std::string_view(buf, size_t(n)), cpuset)) return {};
  cpuset.intersect(cpu.online);
  return cpu_list_text(cpuset);
}

struct Row {
  std::string name, host, container, source;
};


std::string quota_text(const Quota& q) {
  // Six decimals: 200001/100000 is 2.00001, which rounds up to 3 CPUs; fewer
  // would show "2" beside them.
  // The whole CPUs and the fraction apart: a quota near 2^64 over a small
  // period has more whole CPUs than 64 bits of millionths hold.
  uint64_t whole = q.quota / q.period;
  uint64_t micro = uint64_t((Int128(q.quota % q.period) * 1000000 + q.period / 2) / q.period);
  if (micro == 1000000) {  // rounded up to the next whole CPU
    micro = 0;
    ++whole;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu.%06llu", (unsigned long long)whole, (unsigned long long)micro);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The "Key:  123 kB" value of a meminfo text, as it reads ("" when absent).
std::string meminfo_value(std::string_view text, std::string_view key) {
  KeyedLine line;
  while (next_keyed_line(text, ':', line))
    if (line.separated && line.key == key) return std::string(trim(line.rest));
  return "";
}

// What N came from: the quota where it rounds to no more CPUs than the
// affinity mask holds, else the cpuset or the mask that holds fewer.
std::string cpu_count_source(const CpuLimits& cpu) {
  unsigned available = cpu.affinity.count();
  if (cpu.has_quota && cpu.narrow_to <= available) return std::string(cpu.quota_source.file.view());
  // A is the cpuset's CPUs unless the process narrowed its mask further (taskset).
  if (cpu.has_cpuset && cpu.cpuset_count == available) return std::string(cpu.cpuset_source.file.view());
  return "affinity mask";
}

// A meminfo text's "Key: N kB" in bytes, or absent.
std::optional<uint64_t> meminfo_bytes(const std::string& text, std::string_view key) {
  uint64_t bytes = 0;
  if (!meminfo_kb(text, key, bytes)) return std::nullopt;
  return bytes;
}

// The settings with CGVIEW_DISABLE set: what programs read on the host.
Config host_config_of(const Config& config) {
  Config host_config = config;
  host_config.disabled = true;
  return host_config;
}

// The host's online CPUs, as programs read them with CGVIEW_DISABLE set.
std::optional<CpuSet> host_online(const Config& config) {
  std::string text;
  CpuSet online;
  if (!read_as_program(host_config_of(config), VirtualFile::CpuOnline, text) || !parse_cpu_list(text, online) ||
      online.empty())
    return std::nullopt;
  return online;
}

// /proc/meminfo as programs read it on the host and in the container;
// whether the container's figures are the view's (false: the host's lines
// pass through, for want of a limit or where its view could not be formed).
// The container's is rewritten from the same host text and the limits shown
// beside it, as the shim renders it (render_meminfo), so the columns agree
// and the memory cgroup's files are read once. `swap_view`: whether the swap
// lines are the view's too (a swap allowance whose swap in use is unreadable
// leaves the host's).
bool read_both_meminfos(const Config& config, const Limits& limits, std::string& host, std::string& container,
                        bool& swap_view) {
  read_as_program(host_config_of(config), VirtualFile::Meminfo, host);
  MemoryFigures figures;
  swap_view = false;
  // A file the shim's buffer cannot hold passes through whole.
  if (config.disabled || host.empty() || host.size() >= kMeminfoMax ||
      !container_figures(config, limits, host, figures)) {
    container = host;
    return false;
  }
  swap_view = figures.has_swap;
  Sink sink(append_to_string, &container);
  rewrite_meminfo_lines(host, {}, figures, sink);
  return sink.finish();
}

std::vector<Row> collect(const Config& config, const Limits& limits, bool have_limits) {
  std::vector<Row> rows;
  const CpuLimits& cpu = limits.cpu;
  std::string cpu_source = cpu_count_source(cpu);
  if (std::optional<CpuSet> online = config.disabled ? host_online(config) : std::nullopt) {
    // Disabled: programs see the host, in both columns.
    rows.push_back({"CPUs", std::to_string(online->count()), std::to_string(online->count()), "CGVIEW_DISABLE"});
    rows.push_back({"online CPUs", cpu_list_text(*online), cpu_list_text(*online), "CGVIEW_DISABLE"});
  }
  if (have_limits) {
    rows.push_back({"CPUs", std::to_string(cpu.online.count()), std::to_string(cpu.count), cpu_source});
    // Which N of A's CPUs: where the view leaves some out, the placement rule
    // chose them (CGVIEW_CPU_PLACEMENT), not the cgroup.
    std::string placed = cpu.visible == cpu.affinity ? std::string()
                         : config.placement == Placement::Lowest ? ", lowest placement"
                                                                 : ", spread placement";
    rows.push_back({"online CPUs", cpu_list_text(cpu.online), cpu_list_text(cpu.visible), cpu_source + placed});
    rows.push_back({"CPU quota", "none", cpu.has_quota ? quota_text(cpu.quota) : "none",
                    cpu.has_quota ? std::string(cpu.quota_source.file.view()) : "-"});
    std::string cpuset = cpuset_text(config, cpu);
    rows.push_back({"cpuset", cpu_list_text(cpu.online), cpuset.empty() ? "none" : cpuset,
                    cpuset.empty() ? "-" : std::string(cpu.cpuset_source.file.view())});
  }
  std::string host, container;
  bool swap_view = false;
  bool served = read_both_meminfos(config, limits, host, container, swap_view);
  const MemoryLimits& mem = limits.memory;
  std::string usage_source = "-", stat_source = "-";
  const CgroupDir& memdir = limits.cgroups.of(Controller::Memory);
  if (mem.has_limit && memdir.found) {
    // MemFree is the smallest headroom over the levels with a limit: each
    // limited ancestor's usage (a sibling's use counts) is a source too.
    std::string_view dir = memdir.path.view();
    const char* usage_file = memdir.v2 ? "/memory.current" : "/memory.usage_in_bytes";
    usage_source = std::string(dir) + usage_file;
    for (int i = 0; i < mem.levels.count; ++i)
      if (mem.levels.at[i].is_ancestor_of(dir))
        usage_source += ", " + std::string(dir.substr(0, mem.levels.at[i].path_len)) + usage_file;
    stat_source = std::string(dir) + "/memory.stat";
  } else if (mem.has_limit) {
    usage_source = stat_source = "/proc/meminfo (no memory cgroup: the host's usage)";
  }
  // SwapTotal is the allowance or the host's swap, whichever is smaller; an
  // allowance of none (memory.swappiness 0, memsw at the limit) is its own source.
  std::string swap_source = "-";
  if (mem.has_swap_allowance) {
    swap_source = std::string(mem.swap_source.file.view());
    std::optional<uint64_t> host_swap = meminfo_bytes(host, "SwapTotal");
    if (host_swap && *host_swap <= mem.swap_allowance && mem.swap_allowance > 0)
      swap_source = "/proc/meminfo (the host's swap, no more than " + swap_source + " allows)";
  }
  // SwapFree follows the swap the cgroup uses; where that cannot be read
  // both swap lines are the host's.
  std::string swap_free_source = swap_source;
  const char* swap_used_file = memdir.v2 ? "/memory.swap.current" : "/memory.memsw.usage_in_bytes";
  if (mem.has_swap_allowance && memdir.found)
    swap_free_source += ", " + std::string(memdir.path.view()) + swap_used_file;
  if (served && mem.has_swap_allowance && !swap_view)
    swap_source = swap_free_source = "the host's: " + std::string(memdir.path.view()) + swap_used_file + " unreadable";
  struct MemRow {
    const char* key;
    std::string source;
  };
  const MemRow mem_rows[] = {
      {"MemTotal", mem.has_limit ? std::string(mem.limit_source.file.view()) : "-"},
      {"MemFree", usage_source},
      {"MemAvailable", stat_source},
      {"SwapTotal", swap_source},
      {"SwapFree", swap_free_source},
  };
  // A limit whose view could not be formed (a usage or stat file unreadable
  // or malformed): programs read the host's file, which no cgroup file says.
  const bool fell_back = (mem.has_limit || mem.has_swap_allowance) && !served && !config.disabled;
  for (const MemRow& r : mem_rows)
    rows.push_back({r.key, meminfo_value(host, r.key), meminfo_value(container, r.key),
                    fell_back ? "the host's: no view from the cgroup's memory files" : r.source});
  return rows;
}

void print_cgroups(const CgroupDirs& dirs) {
  bool any = false;
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& d = dirs.dirs[c];
    if (!d.found) continue;
    std::printf("cgroup %-8s %s (%s)\n", std::string(controller_name(Controller(c))).c_str(),
                std::string(d.path.view()).c_str(), d.v2 ? "v2" : "v1");
    any = true;
  }
  if (!any) std::printf("cgroup: none found (no cgroup limits apply)\n");
}

std::string show_json(const Config& config, const Limits& limits, bool have_limits) {
  Json j(true);
  j.open();
  j.str("version", CGVIEW_VERSION);
  const CpuLimits& cpu = limits.cpu;
  j.open("cpus");
  if (have_limits) {
    j.num("host", cpu.online.count());
    j.num("container", cpu.count);
    j.str("online", cpu_list_text(cpu.visible));
    j.str("host_online", cpu_list_text(cpu.online));
    if (cpu.has_quota) j.real("quota", double(cpu.quota.quota) / double(cpu.quota.period), 6);
    else j.null("quota");
    if (std::string cpuset = cpuset_text(config, cpu); !cpuset.empty()) j.str("cpuset", cpuset);
    else j.null("cpuset");
    j.str("source", cpu_count_source(cpu));
  } else if (std::optional<CpuSet> online = config.disabled ? host_online(config) : std::nullopt) {
    j.num("host", online->count());
    j.num("container", online->count());  // programs see the host
    j.str("online", cpu_list_text(*online));
    j.str("host_online", cpu_list_text(*online));
    for (const char* key : {"quota", "cpuset"}) j.null(key);
    j.str("source", "CGVIEW_DISABLE");
  } else {
    for (const char* key : {"host", "container", "online", "host_online", "quota", "cpuset", "source"}) j.null(key);
  }
  j.close();

  std::string host, container;
  bool swap_view = false;
  bool served = read_both_meminfos(config, limits, host, container, swap_view);
  const MemoryLimits& mem = limits.memory;
  j.open("memory");
  j.num("host_total", meminfo_bytes(host, "MemTotal"));
  j.num("total", meminfo_bytes(container, "MemTotal"));
  j.num("free", meminfo_bytes(container, "MemFree"));
  j.num("available", meminfo_bytes(container, "MemAvailable"));
  j.num("swap_total", meminfo_bytes(container, "SwapTotal"));
  j.num("swap_free", meminfo_bytes(container, "SwapFree"));
  j.num("limit", mem.has_limit ? std::optional<uint64_t>(mem.limit) : std::nullopt);
  j.num("swap_allowance", mem.has_swap_allowance ? std::optional<uint64_t>(mem.swap_allowance) : std::nullopt);
  if (mem.has_limit) j.str("source", std::string(mem.limit_source.file.view()));
  else j.null("source");
  // False where programs read the host's figures: no limit, CGVIEW_DISABLE, or
  // a limit whose view could not be formed (a memory file of the cgroup unreadable).
  j.boolean("view", served);
  j.close();

  j.open("cgroup");
  for (int c = 0; c < kControllerCount; ++c) {
    const CgroupDir& d = limits.cgroups.dirs[c];
    std::string name(controller_name(Controller(c)));
    if (!d.found) {
      j.null(name);
      continue;
    }
    j.open(name).str("path", std::string(d.path.view())).num("version", d.v2 ? 2 : 1).close();
  }
  j.close();

  j.open("settings");
  if (config.root.live()) j.null("sysroot");
  else j.str("sysroot", std::string(config.root.prefix.view()));
  j.boolean("disabled", config.disabled);
  if (config.has_cpus_override) j.real("cpus", double(config.cpus_override_micro) / 1e6, 6);
  else j.null("cpus");
  j.num("memory", config.has_memory_override ? std::optional<uint64_t>(config.memory_override) : std::nullopt);
  j.str("cpu_rounding", rounding_name(config.rounding));
  j.str("cpu_placement", placement_name(config.placement));
  j.boolean("hold_files", config.root.hold_inputs);
  j.boolean("debug", config.debug);
  j.close();

  // The cgroup's own figures now, as `cgview stats` shows them (without rates).
  Sample sample;
  take_sample(without_debug_lines(config), sample);  // show's own view said the decisions
  j.open("stats");
  sample_json(j, config, sample, nullptr);
  j.close();

  j.open_array("warnings");
  for (const std::string& w : view_warnings(config, limits.cgroups)) j.element(w);
  j.close_array();
  j.open_array("notes");
  for (const std::string& n : hidden_limit_notes(config, limits, have_limits)) j.element(n);
  j.close_array();
  j.close();
  return j.text() + "\n";
}

}  // namespace

int show(const Config& config, bool json) {
  Limits limits;
  bool have_limits = !config.disabled && compute_limits(config, limits);
  if (config.disabled) discover_cgroups(config, limits.cgroups);  // still name what was found
  if (json) {
    std::fputs(show_json(config, limits, have_limits).c_str(), stdout);
    return 0;
  }
  std::vector<Row> rows = collect(config, limits, have_limits);
  if (config.disabled) std::printf("CGVIEW_DISABLE is set: programs see the host.\n");
  if (!have_limits && !config.disabled) std::printf("The CPU view cannot be formed here: programs see the host's CPUs.\n");
  print_cgroups(limits.cgroups);
  // Columns as wide as their widest entry (a long CPU list), so sources line up.
  int host_width = 20, container_width = 20;
  for (const Row& r : rows) {
    host_width = std::max(host_width, int(r.host.size()));
    container_width = std::max(container_width, int(r.container.size()));
  }
  std::printf("\n%-14s %-*s %-*s %s\n", "", host_width, "host", container_width, "container", "source");
  for (const Row& r : rows)
    std::printf("%-14s %-*s %-*s %s\n", r.name.c_str(), host_width, r.host.c_str(), container_width,
                r.container.c_str(), r.source.c_str());
  print_figures(config);
  for (const std::string& w : view_warnings(config, limits.cgroups)) std::printf("warning: %s\n", w.c_str());
  for (const std::string& n : hidden_limit_notes(config, limits, have_limits)) std::printf("note: %s\n", n.c_str());
  return 0;
}

}  // namespace cgview::cli
