// Fuzzes a NUMA node's meminfo renderer over arbitrary host node files, under
// the fixed cgroup setups, on a host of one node (node/online reads "0").
// Input: one setup byte (render_setups.hpp), then the host's node0/meminfo.
// Model (docs/what-programs-see.md): the host's lines byte for byte but the
// "Node 0 Key:  N kB" lines cgview names, each rewritten in the kernel's
// layout, only where the host's value is a number, MemTotal the limit and
// below the node's, MemFree at most the node's, MemUsed their difference; the
// host's file where there is no memory limit or more than a page of text.
#include <algorithm>
#include <optional>
#include <string>
#include <set>

#include "render_setups.hpp"

namespace {

const std::set<std::string_view> kRewritten = {
    "MemTotal", "MemFree", "MemUsed", "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
    "Inactive(file)", "Unevictable", "Dirty", "Writeback", "FilePages", "Mapped", "AnonPages", "Shmem",
    "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "SwapCached", "KernelStack", "PageTables",
    "SecPageTables", "AnonHugePages", "ShmemHugePages", "FileHugePages", "Mlocked", "ShmemPmdMapped",
    "FilePmdMapped", "HighTotal", "HighFree", "LowTotal", "LowFree", "Unaccepted",
    "NFS_Unstable", "WritebackTmp", "Bounce", "ShadowCallStack"};

// "Node 0 Key: ... kB" -> key, and the bytes where the value is a number
// (a line ending in " kB" is rewritten whatever stands before it).
bool node_kb_line(std::string_view line, std::string_view& key, std::optional<uint64_t>& bytes) {
  constexpr std::string_view kPrefix = "Node 0 ";
  size_t colon = line.find(':');
  if (line.substr(0, kPrefix.size()) != kPrefix || colon == std::string_view::npos || line.size() < 3 ||
      line.substr(line.size() - 3) != " kB")
    return false;
  key = line.substr(kPrefix.size(), colon - kPrefix.size());
  std::string_view value = cgview::trim(line.substr(colon + 1, line.size() - 3 - colon - 1));
  uint64_t kb = 0;
  bytes.reset();
  if (cgview::parse_u64(value, kb) && kb <= (UINT64_MAX >> 10)) bytes = kb << 10;
  return true;
}

// MemUsed is the written MemTotal less the written MemFree.
bool used_ok(const std::vector<fuzz::HostLine>& got, uint64_t used) {
  std::optional<uint64_t> total, free;
  for (const fuzz::HostLine& l : got) {
    std::string_view key;
    std::optional<uint64_t> bytes;
    if (!node_kb_line(l.text, key, bytes) || !bytes) continue;
    if (key == "MemTotal" && !total) total = bytes;
    if (key == "MemFree" && !free) free = bytes;
  }
  return !total || !free || used == *total - *free;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view host;
  fuzz::Setup& s = fuzz::pick_setup(data, size, host);
  FUZZ_CHECK(s.root.write("sys/devices/system/node/online", "0\n"));
  FUZZ_CHECK(s.root.write("sys/devices/system/node/node0/meminfo", host));
  fuzz::StringSink out;
  bool ok = cgview::render(cgview::cpu_file({cgview::CpuFile::NodeMeminfo, 0, 0}), s.config, s.limits, nullptr,
                           out.sink);
  if (!s.spec->memory_limited || host.empty() || host.size() > 4096) {
    FUZZ_CHECK(!ok);
    return 0;
  }
  if (!ok) return 0;  // no node MemTotal above the limit: the host's file
  std::vector<fuzz::HostLine> in = fuzz::host_lines(host), got = fuzz::host_lines(out.text);
  FUZZ_CHECK(in.size() == got.size());
  bool seen_total = false, seen_free = false;
  for (size_t i = 0; i < in.size(); ++i) {
    // The first MemTotal (MemFree) line of the form the renderer rewrites is
    // the node's, whether or not its text changed.
    std::string_view in_key;
    std::optional<uint64_t> in_bytes;
    bool rewritable = node_kb_line(in[i].text, in_key, in_bytes);
    bool first_total = !seen_total && rewritable && in_key == "MemTotal";
    bool first_free = !seen_free && rewritable && in_key == "MemFree";
    seen_total = seen_total || first_total;
    seen_free = seen_free || first_free;
    if (in[i].text == got[i].text) {
      FUZZ_CHECK(!first_total);  // the view's total is below the node's: always rewritten
      continue;
    }
    std::string_view key, got_key;
    std::optional<uint64_t> was, now;
    FUZZ_CHECK(node_kb_line(in[i].text, key, was));
    FUZZ_CHECK(node_kb_line(got[i].text, got_key, now));
    FUZZ_CHECK(key == got_key && kRewritten.count(key) == 1 && now.has_value());
    FUZZ_CHECK(got[i].terminated);
    // The kernel's layout: "Node 0 ", the key and colon in 16 columns, the kB in 8.
    size_t digits = std::to_string(*now >> 10).size();
    FUZZ_CHECK(key.size() > 15 || got[i].text.size() == 7 + 16 + std::max<size_t>(digits, 8) + 3);
    // Only numbers are replaced, and the node is at least as large as the view.
    FUZZ_CHECK(was.has_value());
    if (key == "MemTotal") FUZZ_CHECK(*now == (s.limits.memory.limit >> 10 << 10));
    if (first_total) FUZZ_CHECK(*now < *was);
    if (first_free) FUZZ_CHECK(*now <= *was);
    if (key == "MemUsed") FUZZ_CHECK(used_ok(got, *now));
  }
  return 0;
}
