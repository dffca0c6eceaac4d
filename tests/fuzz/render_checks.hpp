// Models of the renderers' output, shared by the renderer targets and the
// whole-pipeline target. Each model follows docs/design.md ("/proc/stat",
// "Memory") and the streaming rules of LineReader: lines up to 4095 bytes are
// seen whole; longer ones pass in 4096-byte pieces and are never classified
// by their tail.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "fuzz_support.hpp"
#include "host_memory.hpp"
#include "cpuinfo_lines.hpp"
#include "limits.hpp"
#include "virtual_files.hpp"

namespace fuzz {

inline constexpr size_t kReaderBuffer = 4096;  // render_cpuinfo/render_stat's LineReader buffer
inline constexpr size_t kMeminfoMax = 16384;   // render_meminfo's buffer

struct HostLine {
  std::string_view text;
  bool terminated;  // a '\n' followed
};

inline std::vector<HostLine> host_lines(std::string_view s) {
  std::vector<HostLine> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    if (nl == std::string_view::npos) {
      out.push_back({s, false});
      break;
    }
    out.push_back({s.substr(0, nl), true});
    s.remove_prefix(nl + 1);
  }
  return out;
}

// What a kept line looks like in the output: its bytes, then '\n' if it had
// one, or if it was unterminated and its last piece was seen to end the file.
inline void emit_line(std::string& out, const HostLine& line) {
  out.append(line.text);
  if (line.terminated || line.text.size() % kReaderBuffer != 0) out += '\n';
}

inline bool whole(const HostLine& line) { return line.text.size() < kReaderBuffer; }

// /proc/cpuinfo (render_cpuinfo.cpp): lines are classified by the library's
// classify_cpuinfo_line (unit-tested on its own); this model applies the
// rules to whole lines held in memory. Blocks of CPUs outside V go (a
// "processor" block with its blank line, an s390x "cpu number" block with
// the blank line before it), per-CPU lines of hidden CPUs go, count lines say
// N (alpha's "cpu active mask", the possible CPUs, stays the host's),
// siblings/cpu cores count V in the package. Nothing
// hidden: the host's bytes. Lines of 4096 bytes or more are never classified.
// A file that does not name all of A is renumbered when it names exactly
// 0..|A|-1 (entry k stands for A's k-th CPU) or else 0..N-1 (V's k-th CPU):
// kept entry lines carry the real id, siblings/cpu cores stay the file's, at
// most N. Else it is read by id when it names all of V, and otherwise passes
// through; so does text no kernel writes.
inline std::string expected_cpuinfo(std::string_view host, const cgview::Limits& limits) {
  using cgview::CpuinfoKind;
  const cgview::CpuSet& visible = limits.cpu.visible;
  unsigned count = limits.cpu.count;
  // V = every online CPU 0..N-1, N their count: the kernel's file names only those (and a
  // renumbered one the same ids), so it passes.
  bool v_from_zero = true;
  for (unsigned c = 0; c < count; ++c) v_from_zero = v_from_zero && visible.has(c);
  if (visible == limits.cpu.online && count == limits.cpu.online.count() && v_from_zero) return std::string(host);
  std::vector<HostLine> lines = host_lines(host);
  std::vector<cgview::CpuinfoLine> kinds;
  for (const HostLine& line : lines)
    kinds.push_back(whole(line) ? cgview::classify_cpuinfo_line(line.text) : cgview::CpuinfoLine{});
  // Text no kernel writes (a carriage return anywhere, a processor/count key
  // without its number): the host's bytes.
  if (host.find('\r') != std::string_view::npos) return std::string(host);
  for (const cgview::CpuinfoLine& k : kinds)
    if (k.kind == CpuinfoKind::Malformed) return std::string(host);
  std::vector<unsigned> affinity, in_v;  // A's and V's CPUs in order: entry k of a renumbered file
  for (unsigned c = 0; c < cgview::kMaxCpus; ++c) {
    if (limits.cpu.affinity.has(c)) affinity.push_back(c);
    if (visible.has(c)) in_v.push_back(c);
  }
  enum { ById, PlaceInA, PlaceInV } numbering = ById;
  auto cpu_of = [&](uint64_t id) -> uint64_t {
    const std::vector<unsigned>& order = numbering == PlaceInA ? affinity : in_v;
    if (numbering == ById) return id;
    return id < order.size() ? order[id] : cgview::kMaxCpus;
  };
  auto shown = [&](uint64_t id) {
    uint64_t cpu = cpu_of(id);
    return cpu < cgview::kMaxCpus && visible.has(unsigned(cpu));
  };
  std::set<uint64_t> named;  // the ids the file names
  // The scan: layout, whether anything changes, V's (package, core) pairs.
  bool changes = false, listed = false, complete = true, in_processor = false;
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> places;
  std::vector<uint64_t> place_order;
  uint64_t cpu = UINT64_MAX;
  std::optional<uint64_t> package, core;
  for (size_t i = 0; i < lines.size(); ++i) {
    const cgview::CpuinfoLine& k = kinds[i];
    bool starts = k.kind == CpuinfoKind::Processor || (k.kind == CpuinfoKind::CpuNumber && !in_processor);
    if (starts) {
      if (k.kind == CpuinfoKind::Processor && i > 0 && kinds[i - 1].kind == CpuinfoKind::Processor) listed = true;
      in_processor = k.kind == CpuinfoKind::Processor;
      cpu = k.number;
      package.reset();
      core.reset();
      changes |= !shown(cpu);
      if (cpu < cgview::kMaxCpus) named.insert(cpu);
    }
    if (k.kind == CpuinfoKind::CpuTagged) changes |= !shown(k.number);
    if (k.kind == CpuinfoKind::CpuTagged && k.number < cgview::kMaxCpus) named.insert(k.number);
    if (k.kind == CpuinfoKind::Count) changes |= k.number != count;
    if (k.kind == CpuinfoKind::PhysicalId) package = k.number;
    if (k.kind == CpuinfoKind::CoreId) core = k.number;
    if (k.kind == CpuinfoKind::Blank) cpu = UINT64_MAX, in_processor = false;
    if (package && core && shown(cpu) && !places.count(cpu)) {
      if (places.size() == 512 || *package > UINT32_MAX || *core > UINT32_MAX) {
        complete = false;
      } else {
        places[cpu] = {*package, *core};
      }
    }
  }
  auto names_all = [&](const cgview::CpuSet& cpus) {
    for (unsigned c = 0; c < cgview::kMaxCpus; ++c)
      if (cpus.has(c) && !named.count(c)) return false;
    return true;
  };
  auto zero_to = [&](size_t n) { return named.size() == n && *named.rbegin() + 1 == n; };
  if (!named.empty() && !names_all(limits.cpu.affinity)) {
    if (zero_to(affinity.size()) || zero_to(in_v.size())) {
      numbering = zero_to(affinity.size()) ? PlaceInA : PlaceInV;
      changes = true;
      complete = false;
    } else if (!names_all(visible)) {
      return std::string(host);
    }
  }
  // A kept entry line of a renumbered file: under the real id its entry stands for.
  auto entry_line = [&](const HostLine& line, const cgview::CpuinfoLine& k) {
    std::string s = std::string(line.text);
    if (numbering != ById) s = s.substr(0, k.value_at) + std::to_string(cpu_of(k.number)) + s.substr(k.value_end);
    return line.terminated ? s + "\n" : s;
  };
  if (!changes) return std::string(host);
  auto in_package = [&](uint64_t p, bool distinct_cores) {
    std::set<uint64_t> cores;
    unsigned cpus = 0;
    for (const auto& [c, pc] : places)
      if (pc.first == p) ++cpus, cores.insert(pc.second);
    return distinct_cores ? unsigned(cores.size()) : cpus;
  };
  auto rewritten = [&](const HostLine& line, const cgview::CpuinfoLine& k, std::string value) {
    std::string s = std::string(line.text.substr(0, k.value_at)) + value + std::string(line.text.substr(k.value_end));
    return line.terminated ? s + "\n" : s;
  };
  auto copy = [](const HostLine& line) { return std::string(line.text) + (line.terminated ? "\n" : ""); };
  std::string out;
  bool keep = true;
  enum { None, ProcessorBlock, NumberBlock } block = None;
  cpu = UINT64_MAX;
  for (size_t i = 0; i < lines.size(); ++i) {
    cgview::CpuinfoLine k = kinds[i];
    if (k.kind == CpuinfoKind::CpuNumber && block == ProcessorBlock) k.kind = CpuinfoKind::Other;
    const HostLine& line = lines[i];
    switch (k.kind) {
      case CpuinfoKind::Processor:
        if (listed) {
          if (shown(k.number)) out += entry_line(line, k);
          continue;
        }
        [[fallthrough]];
      case CpuinfoKind::CpuNumber:
        block = k.kind == CpuinfoKind::Processor ? ProcessorBlock : NumberBlock;
        cpu = k.number;
        keep = shown(cpu);
        if (keep) out += entry_line(line, k);
        continue;
      case CpuinfoKind::Blank: {
        bool goes = block == ProcessorBlock ? keep
                                            : !(i + 1 < lines.size() && kinds[i + 1].kind == CpuinfoKind::CpuNumber &&
                                                !shown(kinds[i + 1].number));
        if (goes) out += copy(line);
        keep = true;
        block = None;
        cpu = UINT64_MAX;
        continue;
      }
      case CpuinfoKind::CpuTagged:
        if (keep && shown(k.number)) out += copy(line);
        continue;
      case CpuinfoKind::Count:
        if (keep) out += rewritten(line, k, std::to_string(count));
        continue;
      case CpuinfoKind::Siblings:
      case CpuinfoKind::CpuCores:
        if (keep && block != None && complete && places.count(cpu)) {
          out += rewritten(line, k, std::to_string(in_package(places[cpu].first, k.kind == CpuinfoKind::CpuCores)));
          continue;
        }
        if (keep && block != None && k.number > count) {  // not counted: at most N
          out += rewritten(line, k, std::to_string(count));
          continue;
        }
        break;
      default: break;
    }
    if (keep) out += copy(line);
  }
  return out;
}

// "cpu ..." -> aggregate, "cpuN ..." -> N (a copy of render_stat's rule), judged on the first piece.
enum class CpuLine { None, Aggregate, One };
inline CpuLine classify_stat_line(std::string_view line, uint64_t& id) {
  line = line.substr(0, kReaderBuffer);
  if (line.substr(0, 3) != "cpu") return CpuLine::None;
  std::string_view rest = line.substr(3), name;
  if (!rest.empty() && rest.front() == ' ') return CpuLine::Aggregate;
  if (!cgview::next_field(rest, name) || !cgview::parse_u64(name, id)) return CpuLine::None;
  return CpuLine::One;
}

// The synthesized CPU lines from docs/design.md: busy = the cgroup's ticks spread
// over the N lines, idle = N x uptime - busy, each split so the lines sum to the total;
// ten fields (expected_stat cuts them to the host's count).
inline std::string synthesized_stat(const cgview::CpuSet& visible, uint64_t user, uint64_t system,
                                    uint64_t uptime_ticks) {
  unsigned n = visible.count();
  // Sums and products stick at 2^64 - 1 rather than wrap (computed in 128 bits here).
  auto clamp = [](unsigned __int128 v) { return v > UINT64_MAX ? UINT64_MAX : uint64_t(v); };
  uint64_t busy = clamp((unsigned __int128)user + system);
  uint64_t capacity = clamp((unsigned __int128)uptime_ticks * n);
  uint64_t idle = capacity > busy ? capacity - busy : 0;
  auto line = [](std::string name, uint64_t u, uint64_t s, uint64_t i) {
    return name + " " + std::to_string(u) + " 0 " + std::to_string(s) + " " + std::to_string(i) +
           " 0 0 0 0 0 0\n";
  };
  auto share = [&](uint64_t total, unsigned k) { return total / n + (k < total % n ? 1 : 0); };
  std::string out = line("cpu ", user, system, idle);
  unsigned k = 0;
  for (unsigned cpu = 0; cpu < cgview::kMaxCpus; ++cpu) {
    if (!visible.has(cpu)) continue;
    out += line("cpu" + std::to_string(cpu), share(user, k), share(system, k), share(idle, k));
    ++k;
  }
  return out;
}

inline uint64_t add_sticking(uint64_t x, uint64_t y) { return x + y < x ? UINT64_MAX : x + y; }

// The host's cpuN lines of `cpus` (whole lines only), added field by field,
// ten fields, missing ones 0, each sum sticking at 2^64 - 1.
struct StatSum {
  uint64_t fields[10] = {};
};
inline StatSum sum_stat_lines(std::string_view host, const cgview::CpuSet& cpus) {
  StatSum sum;
  for (const HostLine& line : host_lines(host)) {
    uint64_t id = 0;
    if (!whole(line) || classify_stat_line(line.text, id) != CpuLine::One || id >= cgview::kMaxCpus ||
        !cpus.has(unsigned(id)))
      continue;
    std::string_view rest = line.text, field;
    cgview::next_field(rest, field);
    for (uint64_t& total : sum.fields) {
      uint64_t v = 0;
      if (cgview::next_field(rest, field) && cgview::parse_u64(field, v)) total = add_sticking(total, v);
    }
  }
  return sum;
}

// Without the cgroup's CPU time, the aggregate "cpu" line becomes the sum of
// the host's cpuN lines for V.
inline std::string host_sum_line(std::string_view host, const cgview::CpuSet& visible) {
  std::string out = "cpu ";
  for (uint64_t v : sum_stat_lines(host, visible).fields) out += " " + std::to_string(v);
  return out + "\n";
}

// Where the cgroup's CPU time is the whole host's (its cpuacct cgroup is the
// hierarchy's root), the synthesized block's busy time is the host's whole
// cpuN lines of A (user + nice, system + irq + softirq), scaled by N/|A|
// where N is below |A|.
inline std::string whole_host_synthesized(std::string_view host, const cgview::Limits& limits, uint64_t uptime_ticks) {
  const cgview::CpuSet& a = limits.cpu.affinity.empty() ? limits.cpu.online : limits.cpu.affinity;
  const StatSum sum = sum_stat_lines(host, a);
  const uint64_t* f = sum.fields;
  uint64_t n = limits.cpu.count, available = a.count();
  uint64_t user = add_sticking(f[0], f[1]), system = add_sticking(add_sticking(f[2], f[5]), f[6]);
  if (n < available) {
    user = uint64_t((unsigned __int128)user * n / available);
    system = uint64_t((unsigned __int128)system * n / available);
  }
  return synthesized_stat(limits.cpu.visible, user, system, uptime_ticks);
}

// How many numbers the host's aggregate line (its first piece) has, 4 to 10:
// the lines written in its place have as many (older kernels print fewer).
inline unsigned stat_field_count(std::string_view line) {
  std::string_view rest = line.substr(0, kReaderBuffer), field;
  cgview::next_field(rest, field);  // "cpu"
  unsigned n = 0;
  while (cgview::next_field(rest, field)) ++n;
  return n < 4 ? 4 : n > 10 ? 10 : n;
}

// Each line of a ten-field `block` cut after its first `fields` numbers.
inline std::string cut_to_fields(const std::string& block, unsigned fields) {
  std::string out;
  for (size_t start = 0; start < block.size();) {
    size_t end = block.find('\n', start);
    std::string_view line(block.data() + start, end - start);
    size_t pos = line.find(' ');  // after the name
    for (unsigned k = 0; k < fields; ++k) pos = line.find(' ', line.find_first_not_of(' ', pos));
    out.append(line.substr(0, pos)).append("\n");
    start = end + 1;
  }
  return out;
}

// /proc/stat. `synth` = the synthesized block when usage is readable, nullptr otherwise.
inline std::string expected_stat(std::string_view host, const cgview::Limits& limits, const std::string* synth) {
  bool restricted = !(limits.cpu.visible == limits.cpu.online);
  std::string host_sum = restricted && synth == nullptr ? host_sum_line(host, limits.cpu.visible) : "";
  std::string out;
  for (const HostLine& line : host_lines(host)) {
    uint64_t id = 0;
    CpuLine kind = restricted ? classify_stat_line(line.text, id) : CpuLine::None;
    bool keep = true;
    if (kind == CpuLine::Aggregate && synth != nullptr) {
      out += cut_to_fields(*synth, stat_field_count(line.text));
      keep = false;
    } else if (kind == CpuLine::Aggregate) {
      out += cut_to_fields(host_sum, stat_field_count(line.text));
      keep = false;
    } else if (kind == CpuLine::One) {
      keep = synth == nullptr && id < cgview::kMaxCpus && limits.cpu.visible.has(unsigned(id));
    }
    if (keep) emit_line(out, line);
  }
  return out;
}

// The weaker /proc/stat check for setups where the synthesized block is not
// known: no cpuN line outside V, and every other line in the host's order.
inline void check_stat_shape(std::string_view host, std::string_view out, const cgview::Limits& limits) {
  bool restricted = !(limits.cpu.visible == limits.cpu.online);
  std::vector<std::string_view> others_in, others_out;
  for (const HostLine& line : host_lines(host)) {
    uint64_t id = 0;
    if (!whole(line)) return;  // keep the check simple: short lines only
    if ((restricted ? classify_stat_line(line.text, id) : CpuLine::None) == CpuLine::None) others_in.push_back(line.text);
  }
  for (const HostLine& line : host_lines(out)) {
    uint64_t id = 0;
    CpuLine kind = restricted ? classify_stat_line(line.text, id) : CpuLine::None;
    if (kind == CpuLine::One) FUZZ_CHECK(id < cgview::kMaxCpus && limits.cpu.visible.has(unsigned(id)));
    if (kind == CpuLine::None) others_out.push_back(line.text);
  }
  FUZZ_CHECK(others_in == others_out);
}

// /proc/meminfo: the host's lines in the host's order; a line differs only
// when cgview replaced its kB value, and replaced values respect the limit.
inline void check_meminfo(std::string_view host, bool ok, std::string_view out, const cgview::Limits& limits,
                          bool expect_passthrough) {
  if (host.empty() || host.size() > kMeminfoMax) {
    FUZZ_CHECK(!ok);  // unreadable or larger than the buffer: the real file
    return;
  }
  FUZZ_CHECK(ok);
  if (expect_passthrough) {
    FUZZ_CHECK(out == host);
    return;
  }
  std::vector<std::string_view> in = lines_of(host), got = lines_of(out);
  FUZZ_CHECK(in.size() == got.size());
  if (host.back() == '\n') FUZZ_CHECK(count_char(out, '\n') == count_char(host, '\n'));
  std::map<std::string_view, uint64_t> replaced;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == got[i]) continue;
    size_t colon = in[i].find(':');
    FUZZ_CHECK(colon != std::string_view::npos);
    std::string_view key = in[i].substr(0, colon);
    FUZZ_CHECK(starts_with(got[i], std::string(key) + ":"));
    std::string_view value = got[i].substr(colon + 1);
    FUZZ_CHECK(value.size() > 3 && value.substr(value.size() - 3) == " kB");
    uint64_t kb = 0;
    FUZZ_CHECK(cgview::parse_u64(value.substr(0, value.size() - 3), kb));
    replaced[key] = kb;
    if (key == "Zswapped") {  // pages in swap, not in memory: bounded by the swap used, if by anything
      FUZZ_CHECK(limits.memory.has_limit);
      if (limits.memory.has_swap_allowance) FUZZ_CHECK(kb <= (limits.memory.swap_allowance >> 10));
    } else if (key != "SwapTotal" && key != "SwapFree") {
      FUZZ_CHECK(limits.memory.has_limit);
      FUZZ_CHECK(kb <= (limits.memory.limit >> 10));
    } else {
      FUZZ_CHECK(limits.memory.has_swap_allowance && kb <= (limits.memory.swap_allowance >> 10));
    }
  }
  auto has = [&](std::string_view k) { return replaced.count(k) != 0; };
  if (has("MemTotal") && has("MemFree")) FUZZ_CHECK(replaced["MemFree"] <= replaced["MemTotal"]);
  if (has("MemTotal") && has("MemAvailable")) FUZZ_CHECK(replaced["MemAvailable"] <= replaced["MemTotal"]);
  if (has("MemFree") && has("MemAvailable")) FUZZ_CHECK(replaced["MemFree"] <= replaced["MemAvailable"]);
  if (has("SwapTotal") && has("SwapFree")) FUZZ_CHECK(replaced["SwapFree"] <= replaced["SwapTotal"]);
  if (has("Buffers")) FUZZ_CHECK(replaced["Buffers"] == 0);
  // What a kernel never shows above another line.
  for (auto [line, bound] : {std::pair<std::string_view, std::string_view>{"Mlocked", "Unevictable"},
                             {"ShmemPmdMapped", "ShmemHugePages"}, {"FilePmdMapped", "FileHugePages"},
                             {"FileHugePages", "Cached"}, {"ShmemHugePages", "Shmem"}, {"AnonHugePages", "AnonPages"},
                             {"ShmemPmdMapped", "Mapped"}, {"FilePmdMapped", "Mapped"}, {"Zswap", "Zswapped"},
                             {"NFS_Unstable", "Cached"}})
    if (has(line) && has(bound)) FUZZ_CHECK(replaced[line] <= replaced[bound]);
  if (has("Zswapped") && has("SwapTotal") && has("SwapFree"))
    FUZZ_CHECK(replaced["Zswapped"] <= replaced["SwapTotal"] - replaced["SwapFree"]);
  // A 32-bit kernel's split, where the view makes one (a limit, and the host's
  // HighTotal and HighFree read as the renderer reads them): every line of the
  // four in the kernel's form carries the view's figure, and they add up to
  // MemTotal and MemFree, each within its total.
  cgview::HostMemory host_memory;
  if (limits.memory.has_limit && cgview::host_memory_from_meminfo(host, host_memory) && host_memory.has_high) {
    std::map<std::string_view, uint64_t> shown;  // each key's first line in the kernel's form
    for (std::string_view line : got) {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || line.size() < colon + 4 || line.substr(line.size() - 3) != " kB") continue;
      uint64_t kb = 0;
      std::string_view key = line.substr(0, colon);
      if (cgview::parse_u64(line.substr(colon + 1, line.size() - 3 - colon - 1), kb) && !shown.count(key))
        shown[key] = kb;
    }
    auto at = [&](std::string_view k) { return shown.count(k) != 0; };
    if (at("MemTotal") && at("HighTotal") && at("LowTotal"))
      FUZZ_CHECK(shown["HighTotal"] + shown["LowTotal"] == shown["MemTotal"]);
    if (at("MemFree") && at("HighFree") && at("LowFree"))
      FUZZ_CHECK(shown["HighFree"] + shown["LowFree"] == shown["MemFree"]);
    if (at("HighFree") && at("HighTotal")) FUZZ_CHECK(shown["HighFree"] <= shown["HighTotal"]);
    if (at("LowFree") && at("LowTotal")) FUZZ_CHECK(shown["LowFree"] <= shown["LowTotal"]);
  }
  // Lines of memory the container holds: never above its MemTotal, whether the
  // cgroup's figure or the host's standing in for a key memory.stat lacks.
  if (!has("MemTotal")) return;
  for (std::string_view line : got) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon), value = line.substr(colon + 1);
    bool held = false;
    for (std::string_view k : {"Cached", "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
                               "Inactive(file)", "Shmem", "Mapped", "AnonPages", "Dirty", "Writeback", "Unevictable",
                               "KernelStack", "PageTables", "SecPageTables", "Percpu", "VmallocUsed", "Zswap",
                               "HighTotal", "LowTotal", "CmaTotal", "HighFree", "LowFree", "CmaFree", "Unaccepted",
                               "NFS_Unstable", "WritebackTmp", "Bounce", "ShadowCallStack"})
      held = held || key == k;
    bool free_part = key == "HighFree" || key == "LowFree" || key == "CmaFree" || key == "Unaccepted";
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    uint64_t kb = 0;
    if (!held || value.size() < 3 || value.substr(value.size() - 3) != " kB") continue;
    if (!cgview::parse_u64(value.substr(0, value.size() - 3), kb)) continue;
    FUZZ_CHECK(kb <= replaced["MemTotal"]);
    if (free_part && has("MemFree")) FUZZ_CHECK(kb <= replaced["MemFree"]);
    if (key == "Cached" && has("MemFree")) FUZZ_CHECK(kb <= replaced["MemTotal"] - replaced["MemFree"]);
  }
}

}  // namespace fuzz
