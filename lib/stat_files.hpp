// Reading the files that hold usage figures: a cgroup's (cpu.stat,
// memory.events, pids.current, io.stat...) and sysfs's (an interface's
// counters). Raw syscalls into caller-owned memory: no heap, no locks, no
// stdio. A file that is missing or malformed leaves its figure absent.
#pragma once

#include <cstdint>
#include <string_view>

#include "discovery.hpp"
#include "host_files.hpp"

namespace cgview {

// One number the kernel may or may not give.
struct Figure {
  bool has = false;
  uint64_t value = 0;
  void set(uint64_t v) {
    has = true;
    value = v;
  }
};

enum class Number { Missing, Value, Unlimited };

// DIR/dir/name holding one number; "max" (v2) and values from 2^62 (v1's
// "unlimited" is 2^63 rounded to pages) mean unlimited.
Number read_number(const Sysroot& root, std::string_view dir, std::string_view name, uint64_t& value);
// The same below a cgroup directory (Missing when it was not found).
Number read_number(const Sysroot& root, const CgroupDir& dir, std::string_view name, uint64_t& value);
// `out` set when the file holds a number (not "max").
void read_figure(const Sysroot& root, std::string_view dir, std::string_view name, Figure& out);
void read_figure(const Sysroot& root, const CgroupDir& dir, std::string_view name, Figure& out);

// Calls `each(line)` for every whole line of DIR/dir/name. False when the
// file cannot be opened or a read fails.
template <typename Each>
bool for_each_line(const Sysroot& root, const CgroupDir& dir, std::string_view name, Each each) {
  PathText path;
  path.add(dir.path.view()).add('/').add(name);
  if (!dir.found || path.overflowed()) return false;
  int fd = open_host_file(root, path.view());
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  std::string_view line;
  while (reader.next_whole_line(line)) each(line);
  close_host_file(fd);
  return !reader.failed();
}

// Calls `each(key, value)` for every "key value" line of DIR/name whose value
// is a number. False when the file cannot be opened.
template <typename Each>
bool for_each_pair(const Sysroot& root, const CgroupDir& dir, std::string_view name, Each each) {
  return for_each_line(root, dir, name, [&](std::string_view line) {
    std::string_view key, value;
    uint64_t v = 0;
    if (next_field(line, key) && next_field(line, value) && parse_u64(value, v)) each(key, v);
  });
}

}  // namespace cgview
