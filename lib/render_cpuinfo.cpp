// /proc/cpuinfo: the host's blocks for the CPUs in V only, byte for byte.
// A block starts at a "processor : N" line and ends with a blank line; text
// outside the blocks is kept: a header before them (some architectures), and
// a trailer after them (arm32's Hardware/Revision/Serial, ppc64's
// timebase/platform/model, which programs read to tell the machine).
#include "input_file.hpp"
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
  bool keep = true;  // the current block's fate, decided at its "processor" line
  bool ok = filter_host_lines(config.root, "/proc/cpuinfo", out, [&](const LineReader::Piece& piece) {
    uint64_t id = 0;
    if (piece.whole() && processor_line(piece.text, id)) keep = id < kMaxCpus && limits.cpu.visible.has(unsigned(id));
    bool keep_this = keep;
    if (piece.whole() && piece.text.empty()) keep = true;  // the block's blank line goes with it; what follows is kept
    return keep_this;
  });
  return out.finish() && ok;
}

}  // namespace cgview
