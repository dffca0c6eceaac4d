// /proc/meminfo: the container's lines where cgview knows them, the host's
// lines byte for byte everywhere else, in the host's order.
#include "input_file.hpp"
#include "meminfo_lines.hpp"
#include "virtual_files.hpp"

namespace cgview {

bool render_meminfo(const Config& config, const Limits& limits, Sink& out) {
  char host[kMeminfoMax];
  ssize_t n = read_input_file(config.root, "/proc/meminfo", host);
  if (n <= 0) return false;
  std::string_view text(host, size_t(n));
  MemoryFigures figures;
  if (!container_figures(config, limits, text, figures)) {
    out.put(text);  // no view: the host's file, unchanged
    return out.finish();
  }
  rewrite_meminfo_lines(text, {}, figures, out);
  return out.finish();
}

}  // namespace cgview
