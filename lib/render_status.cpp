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
  // A thread's file is read by the process's name for it: /proc/<tid> could
  // be another process's by now, had the thread ended and its id been reused.
  PathText path;
  status_file_path(task & ~kThreadDirectory, path);
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
      if (!piece.whole() || !parse_cpu_mask(value, real, shape)) return false;
      view = show_visible ? limits.cpu.visible : task_view(limits, real);
      have_view = !view.empty();
      if (!have_view) return false;
      bool fits = true;
      unsigned capacity = shape.capacity();
      for_each_cpu_range(view, [&](unsigned, unsigned last) { fits = fits && last < capacity; });
      if (!fits) return false;  // ids the kernel's line has no room for: the real file
      out.put(kMaskKey);
      out.put('\t');
      put_cpu_mask(view, shape, out);
      out.put('\n');
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
