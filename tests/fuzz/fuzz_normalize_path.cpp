// Fuzzes normalize_path (how the shim recognises "/proc//./meminfo" and friends)
// against a reference built on std::string, and virtual_file_for on the result.
// Input: a path.
//
// Found here: when the path grew past kPathMax before ".." shortened it again,
// the library lost the overflow and answered a wrong path ("/" + 510 x "a" +
// "/b/c/../.." -> "/"). Fixed; -DCGVIEW_FUZZ_STRICT=0 tolerates it again.
#include <regex>

#include "fuzz_support.hpp"
#include "virtual_files.hpp"

using namespace cgview;

#ifndef CGVIEW_FUZZ_STRICT
#define CGVIEW_FUZZ_STRICT 1
#endif

namespace {

const std::regex kCpuFileName(
    "(core_cpus|thread_siblings|core_siblings|package_cpus|die_cpus|cluster_cpus|book_siblings|drawer_siblings)"
    "(_list)?|shared_cpu_(list|map)|(core|physical_package|die|cluster|book|drawer)_id|cpu(list|map)");

// /sys/devices/system/cpu/cpuK/online, cpuK/topology/<list or mask> and
// cpuK/cache/indexN/shared_cpu_<list or map>, K < 8192 and N < 16 spelled as the kernel does;
// /sys/devices/system/node/nodeN/{cpulist,cpumap,meminfo}, N < 8192; both also through
// the bus's symlinks (/sys/bus/cpu/devices/cpuK, /sys/bus/node/devices/nodeN).
bool cpu_file_path(std::string_view v) {
  static const std::regex path("/sys/(devices/system/cpu|bus/cpu/devices)/cpu(0|[1-9][0-9]{0,3})/(online|topology/"
                               "(core_cpus|thread_siblings|core_siblings|package_cpus|die_cpus|cluster_cpus|"
                               "book_siblings|drawer_siblings)(_list)?|topology/(core|physical_package|die|cluster|book|drawer)_id|"
                               "cache/index([0-9]|1[0-5])/shared_cpu_(list|map))");
  static const std::regex node("/sys/(devices/system/node|bus/node/devices)/node(0|[1-9][0-9]{0,3})/(cpulist|cpumap|meminfo)");
  std::cmatch m;
  if (std::regex_match(v.data(), v.data() + v.size(), m, node)) return std::stoul(m[2].str()) < 8192;
  return std::regex_match(v.data(), v.data() + v.size(), m, path) && std::stoul(m[2].str()) < 8192;
}

// Every path cgview serves, as the reference knows them.
bool served_path(const std::string& v) {
  return v == "/proc/meminfo" || v == "/proc/cpuinfo" || v == "/proc/stat" || v == "/sys/devices/system/cpu/online" ||
         v == "/sys/devices/system/cpu/offline" || v == "/sys/devices/system/node/has_cpu" || cpu_file_path(v) || v == "/proc/self/status" || v == "/proc/thread-self/status" || v == "/proc/swaps" ||
         v == "/proc/pressure/cpu" || v == "/proc/pressure/memory" || v == "/proc/pressure/io" ||
         v == "/proc/diskstats";
}

// Lexical normalization: "//" and "/./" collapse, ".." pops (never above "/").
// A path whose last component is "", "." or ".." names a directory, which no
// served file is: refused (except "/" itself). So is ".." after the name of a
// served file (meminfo, cpuinfo, stat, online, status, a topology or cache list): the real walk fails there.
bool reference(std::string_view path, std::string& out, size_t& longest) {
  if (path.empty() || path.front() != '/') return false;
  std::string_view last = path.substr(path.rfind('/') + 1);
  bool names_directory = last.empty() || last == "." || last == "..";
  std::vector<std::string_view> parts;
  for (std::string_view part : fuzz::split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) continue;
      std::string_view popped = parts.back();
      if (popped == "meminfo" || popped == "cpuinfo" || popped == "stat" || popped == "online" ||
          std::regex_match(std::string(popped), kCpuFileName) || popped == "status")
        return false;
      std::string sofar;
      for (std::string_view p : parts) sofar.append("/").append(p);
      if (served_path(sofar) || sofar == "/proc/thread-self") return false;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
    size_t len = 0;
    for (std::string_view p : parts) len += 1 + p.size();
    if (len > longest) longest = len;
  }
  out.clear();
  for (std::string_view p : parts) out.append("/").append(p);
  if (out.empty()) out = "/";
  return !(names_directory && out != "/");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view path = fuzz::as_text(data, size);
  PathText out;
  bool ok = normalize_path(path, out);
  std::string want;
  size_t longest = 0;  // the longest the path got on the way
  bool want_ok = reference(path, want, longest);
  if (longest >= kPathMax) {
    // The path grew past kPathMax on the way (before ".." shortened it):
    // refusing is right, and so is the exact answer; anything else is wrong.
    if (CGVIEW_FUZZ_STRICT) FUZZ_CHECK(!ok || (want_ok && out.view() == want));
  } else if (!want_ok) {
    FUZZ_CHECK(!ok);  // relative paths and directories are refused
  } else {
    // Never longer than kPathMax on the way: the exact answer.
    if (!ok || out.view() != want) {
      std::fprintf(stderr, "normalize_path: got %s \"%.*s\", want \"%s\"\n", ok ? "ok" : "failure",
                   int(out.size()), out.view().data(), want.c_str());
    }
    FUZZ_CHECK(ok);
    FUZZ_CHECK(out.view() == want);
  }
  if (!ok) return 0;

  std::string_view v = out.view();
  FUZZ_CHECK(!v.empty() && v.front() == '/');
  FUZZ_CHECK(v.find("//") == std::string_view::npos);
  FUZZ_CHECK(v.find("/./") == std::string_view::npos);
  FUZZ_CHECK(v.find("/../") == std::string_view::npos);
  FUZZ_CHECK(v == "/" || v.back() != '/');
  FUZZ_CHECK(!(v.size() >= 2 && v.substr(v.size() - 2) == "/."));
  FUZZ_CHECK(!(v.size() >= 3 && v.substr(v.size() - 3) == "/.."));
  // Idempotent.
  PathText again;
  FUZZ_CHECK(normalize_path(v, again) && again.view() == v);
  // A served file is recognised under any spelling that normalizes to it.
  VirtualFile f = virtual_file_for(v);
  FUZZ_CHECK((f != VirtualFile::None) == served_path(std::string(v)));
  return 0;
}
