// /proc/cpuinfo: the host's blocks for the CPUs in V only, byte for byte.
// A block starts at a "processor : N" line; text before the first block
// (some architectures print a header) is kept.
#include "virtual_files.hpp"

namespace cgview {

namespace {

// The id on a "processor\t: 3" line; false for any other line.
bool processor_line(std::string_view line, uint64_t& id) {
  std::string_view key = "processor";
  if (line.substr(0, key.size()) != key) return false;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !trim(line.substr(key.size(), colon - key.size())).empty()) return false;
  return parse_u64(line.substr(colon + 1), id);
}

}  // namespace

bool render_cpuinfo(const Config& config, const Limits& limits, Sink& out) {
  int fd = open_host_file(config.root, "/proc/cpuinfo");
  if (fd < 0) return false;
  char buf[4096];
  LineReader reader(fd, buf);
  LineReader::Piece piece;
  bool keep = true;
  while (reader.next(piece)) {
    uint64_t id = 0;
    if (piece.whole() && processor_line(piece.text, id)) keep = id < kMaxCpus && limits.cpu.visible.has(unsigned(id));
    if (!keep) continue;
    out.put(piece.text);
    if (piece.ends_line) out.put('\n');
  }
  bool ok = !reader.failed();
  close_fd(fd);
  return out.finish() && ok;
}

}  // namespace cgview
