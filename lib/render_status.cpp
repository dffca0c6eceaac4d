// /proc/self/status and a thread's status file: Cpus_allowed and
// Cpus_allowed_list show the task's view of its real mask (for the process,
// V; for a thread, its own mask narrowed the way sched_getaffinity narrows
// it); every other line is the kernel's, byte for byte.
//
// The real mask is read from the kernel's own Cpus_allowed line, so the file
// agrees with itself even for a thread pinned elsewhere, and the view is
// printed in that line's exact shape (the kernel sizes it by nr_cpu_ids:
// comma-separated groups of 32 bits, the first one only as wide as needed).
#include "input_file.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

constexpr std::string_view kMaskKey = "Cpus_allowed:";
constexpr std::string_view kListKey = "Cpus_allowed_list:";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The shape of a kernel mask: how many hex digits each comma-separated group
// has, most significant group first.
struct MaskShape {
  unsigned groups = 0;
  unsigned char digits[kMaxCpus / 32] = {};
};

// Parses "3" or "ffffffff,ffffffff" (groups of 32 bits, most significant first).
bool parse_hex_mask(std::string_view text, CpuSet& set, MaskShape& shape) {
  text = trim(text);
  shape.groups = 0;
  for (size_t at = 0; at <= text.size();) {
    size_t comma = text.find(',', at);
    size_t end = comma == std::string_view::npos ? text.size() : comma;
    if (end == at || end - at > 8 || shape.groups == kMaxCpus / 32) return false;
    shape.digits[shape.groups++] = static_cast<unsigned char>(end - at);
    at = end + 1;
  }
  CpuSet parsed;
  unsigned group = shape.groups;  // counts down: the last group holds CPUs 0-31
  size_t at = 0;
  for (unsigned g = 0; g < shape.groups; ++g) {
    --group;
    uint64_t value = 0;
    for (unsigned d = 0; d < shape.digits[g]; ++d) {
      int v = hex_digit(text[at++]);
      if (v < 0) return false;
      value = value << 4 | unsigned(v);
    }
    ++at;  // the comma
    for (unsigned bit = 0; bit < 32; ++bit)
      if (value >> bit & 1) parsed.add(group * 32 + bit);
  }
  set = parsed;
  return true;
}

// The ids the kernel's line has room for: 4 per hex digit.
unsigned shape_capacity(const MaskShape& shape) {
  unsigned bits = 0;
  for (unsigned g = 0; g < shape.groups; ++g) bits += shape.digits[g] * 4u;
  return bits;
}

template <size_t N>
void format_hex_mask(const CpuSet& set, const MaskShape& shape, FixedText<N>& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned g = 0; g < shape.groups; ++g) {
    unsigned group = shape.groups - 1 - g;
    uint64_t value = (set.words()[group / 2] >> (group % 2 * 32)) & 0xffffffffu;
    if (g > 0) out.add(',');
    for (unsigned d = shape.digits[g]; d-- > 0;) out.add(kHex[(value >> (d * 4)) & 0xf]);
  }
}

// "Cpus_allowed:\t3" -> the text after the key (the kernel puts a tab there).
bool value_of(std::string_view line, std::string_view key, std::string_view& value) {
  if (line.substr(0, key.size()) != key) return false;
  value = line.substr(key.size());
  return true;
}

}  // namespace

CpuSet task_view(const Limits& limits, const CpuSet& real) {
  CpuSet view = real;
  view.keep_rotated(limits.cpu.narrow_to, limits.cpu.start);
  return view;
}

bool render_status(const Config& config, const Limits& limits, uint32_t task, Sink& out) {
  PathText path;
  if (task == 0) path.add("/proc/self/status");
  else path.add("/proc/self/task/").add_u64(task).add("/status");
  // The file describes the running task, not a sysroot's host: under a sysroot
  // it is still the real one, showing the sysroot's V (what sched_getaffinity
  // answers there), so no program reads another process's identity.
  Sysroot live;
  return render_status_file(live, path.view(), limits, !config.root.live(), out);
}

bool render_status_file(const Sysroot& root, std::string_view path, const Limits& limits, bool show_visible,
                        Sink& out) {
  // Never held open: the file belongs to one task, and a fork child would read its parent's.
  InputFile file(root, path, InputFile::kOpenOnly);
  if (!file.ok()) return false;
  char buf[4096];
  LineReader reader(file, buf);
  LineReader::Piece piece;
  CpuSet view;
  bool have_view = false, ok = true;
  while (ok && reader.next(piece)) {
    std::string_view value;
    if (piece.starts_line && value_of(piece.text, kMaskKey, value)) {
      CpuSet real;
      MaskShape shape;
      // A mask longer than the buffer (thousands of CPUs) is not ours to cut: the real file.
      if (!piece.whole() || !parse_hex_mask(value, real, shape)) return false;
      view = show_visible ? limits.cpu.visible : task_view(limits, real);
      have_view = !view.empty();
      if (!have_view) return false;
      bool fits = true;
      unsigned capacity = shape_capacity(shape);
      for_each_cpu_range(view, [&](unsigned, unsigned last) { fits = fits && last < capacity; });
      if (!fits) return false;  // ids the kernel's line has no room for: the real file
      FixedText<kMaxCpus / 4 + kMaxCpus / 32 + 32> line;
      line.add(kMaskKey).add('\t');
      format_hex_mask(view, shape, line);
      line.add('\n');
      if (line.overflowed()) return false;
      out.put(line.view());
      continue;
    }
    if (piece.starts_line && value_of(piece.text, kListKey, value)) {
      if (!have_view || !piece.whole()) return false;
      out.put(kListKey);
      out.put('\t');
      put_cpu_list(view, out);
      out.put('\n');
      continue;
    }
    out.put(piece.text);
    if (piece.ends_line) out.put('\n');
  }
  return !reader.failed() && have_view && out.finish();
}

}  // namespace cgview
