// `cgview show`: each number a program would be told, the host's number, and
// the file it came from. The container column is parsed back out of the very
// text the shim serves, so the two cannot disagree.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"

namespace cgview::cli {

namespace {

struct Row {
  std::string name, host, container, source;
};

std::string cpu_list(const CpuSet& set) {
  FixedText<kMaxCpus * 5> text;
  format_cpu_list(set, text);
  return std::string(text.view());
}

std::string quota_text(const Quota& q) {
  // Three decimals are enough for any period the kernel accepts.
  uint64_t milli = (uint64_t)(((unsigned __int128)q.quota * 1000 + q.period / 2) / q.period);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu.%03llu", (unsigned long long)(milli / 1000), (unsigned long long)(milli % 1000));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The "Key:  123 kB" value of a meminfo text, as a string ("" when absent).
std::string meminfo_value(const std::string& text, const std::string& key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (line.rfind(key + ":", 0) == 0) {
      size_t v = line.find_first_not_of(' ', key.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
    at = end + 1;
  }
  return "";
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

std::vector<Row> collect(const Config& config, const Limits& limits, bool have_limits) {
  std::vector<Row> rows;
  const CpuLimits& cpu = limits.cpu;
  std::string cpu_source = "affinity mask";
  if (cpu.has_quota) cpu_source = std::string(cpu.quota_source.file.view());
  else if (cpu.has_cpuset) cpu_source = std::string(cpu.cpuset_source.file.view());
  if (have_limits) {
    rows.push_back({"CPUs", std::to_string(cpu.online.count()), std::to_string(cpu.count), cpu_source});
    rows.push_back({"online CPUs", cpu_list(cpu.online), cpu_list(cpu.visible), cpu_source});
    rows.push_back({"CPU quota", "none", cpu.has_quota ? quota_text(cpu.quota) : "none",
                    cpu.has_quota ? std::string(cpu.quota_source.file.view()) : "-"});
    rows.push_back({"cpuset", cpu_list(cpu.online), cpu.has_cpuset ? cpu_list(cpu.affinity) : "none",
                    cpu.has_cpuset ? std::string(cpu.cpuset_source.file.view()) : "-"});
  }
  Config host_config = config;
  host_config.disabled = true;
  std::string host, container;
  read_as_program(host_config, VirtualFile::Meminfo, host);
  read_as_program(config, VirtualFile::Meminfo, container);
  const MemoryLimits& mem = limits.memory;
  std::string usage_source = "-", stat_source = "-";
  const CgroupDir& memdir = limits.cgroups.of(Controller::Memory);
  if (mem.has_limit && memdir.found) {
    usage_source = std::string(memdir.path.view()) + (memdir.v2 ? "/memory.current" : "/memory.usage_in_bytes");
    stat_source = std::string(memdir.path.view()) + "/memory.stat";
  } else if (mem.has_limit) {
    usage_source = stat_source = "/proc/meminfo (no memory cgroup: the host's usage)";
  }
  struct MemRow {
    const char* key;
    std::string source;
  };
  const MemRow mem_rows[] = {
      {"MemTotal", mem.has_limit ? std::string(mem.limit_source.file.view()) : "-"},
      {"MemFree", usage_source},
      {"MemAvailable", stat_source},
      {"SwapTotal", mem.has_swap_allowance ? std::string(mem.swap_source.file.view()) : "-"},
      {"SwapFree", mem.has_swap_allowance ? std::string(mem.swap_source.file.view()) : "-"},
  };
  for (const MemRow& r : mem_rows)
    rows.push_back({r.key, meminfo_value(host, r.key), meminfo_value(container, r.key), r.source});
  return rows;
}

}  // namespace

int show(const Config& config, bool json) {
  Limits limits;
  bool have_limits = !config.disabled && compute_limits(config, limits);
  std::vector<Row> rows = collect(config, limits, have_limits);
  if (json) {
    std::printf("{\n  \"sysroot\": \"%s\",\n  \"disabled\": %s,\n  \"view\": [\n",
                json_escape(std::string(config.root.prefix.view())).c_str(), config.disabled ? "true" : "false");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("    {\"name\": \"%s\", \"host\": \"%s\", \"container\": \"%s\", \"source\": \"%s\"}%s\n",
                  json_escape(r.name).c_str(), json_escape(r.host).c_str(), json_escape(r.container).c_str(),
                  json_escape(r.source).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::printf("  ],\n");
    // The malformed CGVIEW_* variables, ignored (the lines the shim prints).
    std::printf("  \"warnings\": [");
    const char* sep = "";
    for_each_warning(config, [&](const SettingWarning& w) {
      WarningText text;
      format_warning(w, text);
      std::printf("%s\"%s\"", sep, json_escape(std::string(text.view())).c_str());
      sep = ", ";
    });
    std::printf("]\n}\n");
    return 0;
  }
  if (config.disabled) std::printf("CGVIEW_DISABLE is set: programs see the host.\n");
  if (!have_limits && !config.disabled) std::printf("The CPU view cannot be formed here: programs see the host's CPUs.\n");
  std::printf("%-14s %-20s %-20s %s\n", "", "host", "container", "source");
  for (const Row& r : rows)
    std::printf("%-14s %-20s %-20s %s\n", r.name.c_str(), r.host.c_str(), r.container.c_str(), r.source.c_str());
  // The malformed CGVIEW_* variables, ignored (the lines the shim prints).
  for_each_warning(config, [](const SettingWarning& w) {
    WarningText text;
    format_warning(w, text);
    std::printf("warning: %.*s\n", int(text.size()), text.view().data());
  });
  return 0;
}

}  // namespace cgview::cli
