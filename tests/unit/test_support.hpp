// Helpers shared by the unit tests. Header-only: tests/unit/CMakeLists.txt
// builds every *_test.cpp, and this file is included by them.
//
// Nothing here computes an expected value: the helpers only load fixture
// files, render through a string sink, and copy fixtures for malformed input.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "cpu_set.hpp"
#include "limits.hpp"
#include "sink.hpp"
#include "virtual_files.hpp"

namespace cgview_test {

// Grows the stack now: under forbid_new_mappings it could not grow later.
[[gnu::noinline]] inline void grow_stack(size_t bytes) {
  volatile char pad[256 * 1024];
  for (size_t i = 0; i < bytes && i < sizeof pad; i += 4096) pad[i] = 1;
}

// For a death-test child: sets RLIMIT_AS to the address space in use, so no
// new mapping can be made (brk and the stack cannot grow either; 256 KiB of
// stack is grown first). False when it could not be set.
inline bool forbid_new_mappings() {
  grow_stack(256 * 1024);
  char text[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) return false;
  text[n] = '\0';
  const char* line = strstr(text, "VmSize:");
  long mapped_kb = line ? strtol(line + 7, nullptr, 10) : 0;
  struct rlimit limit = {};
  if (mapped_kb <= 0 || getrlimit(RLIMIT_AS, &limit) != 0) return false;
  limit.rlim_cur = rlim_t(mapped_kb) * 1024;
  return setrlimit(RLIMIT_AS, &limit) == 0;
}

inline std::string fixture_dir(std::string_view name) {
  return std::string(CGVIEW_FIXTURES) + "/" + std::string(name);
}

// Reads a whole file as bytes; `ok` false when it cannot be opened.
inline std::string read_file(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok != nullptr) *ok = bool(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string read_fixture_file(std::string_view fixture, std::string_view rel) {
  bool ok = false;
  std::string text = read_file(fixture_dir(fixture) + "/" + std::string(rel), &ok);
  EXPECT_TRUE(ok) << "missing fixture file " << fixture << "/" << rel;
  return text;
}

// A Config reading below `dir`, with an optional rounding mode.
inline cgview::Config config_for_dir(const std::string& dir, const char* rounding = nullptr) {
  cgview::Config config;
  EXPECT_TRUE(cgview::set_sysroot(config, dir.c_str())) << dir;
  if (rounding != nullptr) {
    EXPECT_TRUE(cgview::set_rounding(config, rounding)) << rounding;
  }
  return config;
}

inline cgview::Config fixture_config(std::string_view name, const char* rounding = nullptr) {
  return config_for_dir(fixture_dir(name), rounding);
}

// Limits is a few KiB; keep it off the test's stack frame.
inline std::unique_ptr<cgview::Limits> limits_for(const cgview::Config& config, bool* ok = nullptr) {
  auto limits = std::make_unique<cgview::Limits>();
  bool result = cgview::compute_limits(config, *limits);
  if (ok != nullptr) *ok = result;
  return limits;
}

inline bool append_to_string(void* context, const char* data, size_t len) {
  static_cast<std::string*>(context)->append(data, len);
  return true;
}

struct Rendered {
  bool ok = false;
  std::string text;
};

inline Rendered render_to_string(cgview::VirtualFile file, const cgview::Config& config,
                                 const cgview::Limits& limits, cgview::StatClock* clock = nullptr) {
  Rendered r;
  cgview::Sink sink(append_to_string, &r.text);
  r.ok = cgview::render(file, config, limits, clock, sink);
  return r;
}

inline std::string cpu_list(const cgview::CpuSet& set) {
  cgview::FixedText<8192 * 6> text;
  cgview::format_cpu_list(set, text);
  return std::string(text.view());
}

// Expands a hand-written list like "2-3,6" into ids (test-side, so expected
// values never come from the parser under test).
inline std::vector<unsigned> expand_ids(std::string_view list) {
  std::vector<unsigned> ids;
  std::string item;
  std::istringstream in{std::string(list)};
  while (std::getline(in, item, ',')) {
    size_t dash = item.find('-');
    unsigned first = unsigned(std::stoul(item.substr(0, dash)));
    unsigned last = dash == std::string::npos ? first : unsigned(std::stoul(item.substr(dash + 1)));
    for (unsigned id = first; id <= last; ++id) ids.push_back(id);
  }
  return ids;
}

// Lines without their '\n'; a final line without newline is included.
inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// Whitespace-separated fields of a line.
inline std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  std::string f;
  while (in >> f) out.push_back(f);
  return out;
}

// "Key:" of a meminfo line ("" when there is no colon).
inline std::string meminfo_key(std::string_view line) {
  size_t colon = line.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(line.substr(0, colon));
}

// The kB number of `key` in meminfo text; -1 when absent or not a kB line.
inline int64_t meminfo_kb(std::string_view text, std::string_view key) {
  for (const std::string& line : split_lines(text)) {
    if (meminfo_key(line) != key) continue;
    std::vector<std::string> f = fields(line);
    if (f.size() != 3 || f[2] != "kB") return -1;
    return std::stoll(f[1]);
  }
  return -1;
}

// A fixture copied into a fresh directory under /tmp, so one file can be
// replaced or removed. Tests derive from this and call copy_fixture().
class CopiedFixture : public ::testing::Test {
 protected:
  // A second call (a test that starts over from another fixture) replaces the first copy.
  void copy_fixture(std::string_view name) {
    remove_copy();
    char templ[] = "/tmp/cgview-unit-XXXXXX";
    // Not ASSERT: it would return from this helper only, and the test would
    // go on writing below "/".
    if (mkdtemp(templ) == nullptr) {
      std::perror("copy_fixture: mkdtemp");
      std::abort();
    }
    dir_ = templ;
    std::filesystem::copy(fixture_dir(name), dir_,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  }
  void TearDown() override { remove_copy(); }
  void remove_copy() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
  std::string path(std::string_view rel) const { return dir_ + "/" + std::string(rel); }
  // Replaces (or creates) `rel` with exactly these bytes.
  void write(std::string_view rel, std::string_view bytes) {
    std::filesystem::create_directories(std::filesystem::path(path(rel)).parent_path());
    std::ofstream out(path(rel), std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(bool(out)) << rel;
    out.write(bytes.data(), std::streamsize(bytes.size()));
    ASSERT_TRUE(bool(out)) << rel;
  }
  void remove(std::string_view rel) { ASSERT_TRUE(std::filesystem::remove(path(rel))) << rel; }
  std::string read(std::string_view rel) const { return read_file(path(rel)); }
  cgview::Config config(const char* rounding = nullptr) const { return config_for_dir(dir_, rounding); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace cgview_test
