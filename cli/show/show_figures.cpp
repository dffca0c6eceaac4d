#include "show_figures.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "discovery.hpp"
#include "stats_sample.hpp"

namespace cgview::cli {

namespace {

std::string in_path(const CgroupDir& dir, const char* file) {
  return dir.found ? std::string(dir.path.view()) + "/" + file : "-";
}

}  // namespace

// The one-shot figures of `cgview stats`: throttling, OOM, pids, I/O totals.
void print_figures(const Config& config) {
  Sample s;
  take_sample(without_debug_lines(config), s);  // show's own view said the decisions
  const CgroupDir& mem = s.cgroups.of(Controller::Memory);
  struct Row {
    std::string name, figure, source;
  };
  std::vector<Row> rows;
  std::string throttled = figure_text(s.cpu.throttled_periods) + " of " + figure_text(s.cpu.periods) + " periods";
  if (s.cpu.throttled_ns.has) {
    char t[32];
    std::snprintf(t, sizeof t, ", %.2fs", double(s.cpu.throttled_ns.value) / 1e9);
    throttled += t;
  }
  rows.push_back({"throttled", throttled, in_path(s.quota_dir, "cpu.stat")});
  const MemoryStats& m = s.memory;
  std::string oom = std::string("killer ") + (m.oom_kill_disable.has ? (m.oom_kill_disable.value ? "off" : "on") : "-") +
                    ", under OOM " + (m.under_oom.has ? (m.under_oom.value ? "yes" : "no") : "-") + ", kills " +
                    figure_text(m.oom_kills);
  rows.push_back({"OOM", oom, in_path(mem, mem.v2 ? "memory.events" : "memory.oom_control")});
  std::string pids = figure_text(s.pids.current) + " / " + (s.pids.max_unlimited ? "max" : figure_text(s.pids.max));
  std::string pids_source = in_path(s.pids_dir, "pids.current");
  if (limit_is_an_ancestors(s)) {
    pids += " (" + figure_text(s.pids.limit_current) + " where that limit is)";
    pids_source += ", " + std::string(s.pids.limit_dir.view()) + "/pids.max";
  }
  // The hierarchy's root has no pids.current: say so rather than name a file
  // that is not there.
  if (!s.pids.current.has && s.pids_dir.found && is_hierarchy_root(config.root, s.pids_dir))
    pids_source = std::string(s.pids_dir.path.view()) + " (the hierarchy's root: no pids.current or pids.max there)";
  rows.push_back({"pids", pids, pids_source});
  std::string io = "-";
  if (s.io.has) {
    IoTotals t = io_totals(s.io);
    io = "read " + std::to_string(t.read_bytes) + " B/" + std::to_string(t.reads) + " ops, written " +
         std::to_string(t.write_bytes) + " B/" + std::to_string(t.writes) + " ops";
  }
  std::string io_source = in_path(s.io_dir, s.io.file != nullptr    ? s.io.file
                                            : s.io_dir.v2              ? "io.stat"
                                                                       : "blkio.throttle.io_service_bytes_recursive");
  if (s.io_is_hosts) io_source = std::string(s.io_dir.path.view()) + " (the host's own blkio cgroup: its I/O is not the container's)";
  rows.push_back({"block I/O", io, io_source});
  // The figure column as wide as its widest figure, and two spaces, so sources
  // line up apart from the longest figure.
  size_t width = 4;
  for (const Row& r : rows) width = std::max(width, r.figure.size());
  std::printf("\n%-14s %-*s  %s\n", "", int(width), "now", "source");
  for (const Row& r : rows) std::printf("%-14s %-*s  %s\n", r.name.c_str(), int(width), r.figure.c_str(), r.source.c_str());
}

}  // namespace cgview::cli
