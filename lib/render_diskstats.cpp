// /proc/diskstats: the host's device lines, each carrying the cgroup's own
// counters: reads and writes completed, sectors read and written (bytes /
// 512), and 0 for what the cgroup does not count (merges, times, in flight,
// discards, flushes). Devices the cgroup never touched keep their line, with
// zeros. Without I/O accounting in the cgroup, or outside any v1 blkio
// cgroup (the hierarchy's top): the host's file.
#include "io_stats.hpp"
#include "input_file.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// The kernel writes "%4d %7d %s" and then the counters, space-separated.
// False when the line does not fit (a malformed name): then nothing is served.
bool put_line(Sink& out, uint64_t major, uint64_t minor, std::string_view name, size_t fields, const IoDevice* d) {
  FixedText<512> line;
  line.add_u64(major, 4).add(' ').add_u64(minor, 7).add(' ').add(name);
  for (size_t i = 0; i < fields; ++i) line.add(' ').add_u64(diskstats_field(d, i));
  line.add('\n');
  if (line.overflowed()) return false;
  out.put(line.view());
  return true;
}

}  // namespace

bool render_diskstats(const Config& config, const Limits& limits, Sink& out) {
  (void)limits;  // the io controller is not among the cached ones: found here, fresh
  IoStats io;
  if (!read_served_io_stats(config, io)) return false;
  int fd = open_host_file(config.root, "/proc/diskstats");
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  LineReader::Piece piece;
  bool ok = true;
  while (ok && reader.next(piece)) {
    std::string_view line = piece.text, a, b, name, field;
    uint64_t major = 0, minor = 0;
    size_t fields = 0;
    bool parsed = piece.whole() && next_field(line, a) && next_field(line, b) && next_field(line, name) &&
                  parse_u64(a, major) && parse_u64(b, minor);
    while (parsed && next_field(line, field)) ++fields;
    // A line this does not understand would mislead if half rewritten: give up,
    // and the program reads the host's file.
    ok = parsed && fields >= 11 && fields <= 32;
    ok = ok && put_line(out, major, minor, name, fields, io.find(uint32_t(major), uint32_t(minor)));
  }
  ok = ok && !reader.failed();
  close_host_file(fd);
  return ok && out.finish();
}

}  // namespace cgview
