#include "host_memory.hpp"

#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "input_file.hpp"
#include "memory_view.hpp"
#include "text.hpp"

namespace cgview {

namespace {

// A name as text, not a string_view: a table of pointers would be relocated
// data, on the shim's one writable page (tests/shim: WritableDataIsOnePage).
struct KeyText {
  char text[15];
  uint8_t length;
  std::string_view view() const { return {text, length}; }
};
constexpr KeyText key_text(std::string_view name) {
  KeyText k{};
  for (size_t i = 0; i < name.size() && i < sizeof k.text; ++i) k.text[i] = name[i];
  k.length = uint8_t(name.size() < sizeof k.text ? name.size() : sizeof k.text);
  return k;
}

// Gathers HostMemory from meminfo's lines, whichever way they are read.
class MeminfoLines {
 public:
  // Shmem and Buffers, which only sysinfo's stand-in (a sysroot's host) wants.
  enum class Extras { Skip, Read };
  explicit MeminfoLines(Extras extras) : want_extras_(extras == Extras::Read) {}

  void take(std::string_view line) {
    // The keys start with 'M', 'S' or 'H' (and 'B'): most lines end here
    // (this runs on every served /proc/meminfo open). Nine names compared in
    // turn take less of the library than a KeyIndex, and about as long.
    if (line.empty() || (line[0] != 'M' && line[0] != 'S' && line[0] != 'H' && !(line[0] == 'B' && want_extras_)))
      return;
    size_t colon = find_char(line, ':');
    if (colon == line.size()) return;
    std::string_view key(line.data(), colon);
    // Past the main keys (SwapFree), only Shmem is looked for: high memory
    // lines count before it, as where the renderers' reading stops. (Buffers
    // comes before SwapFree.)
    for (int k = found_ == kMainCount ? int(kShared) : 0; k < kCount; ++k) {
      if (key != kKeys[k].view()) continue;
      if (!seen_[k]) {  // the first line counts
        seen_[k] = kb_value(line.substr(colon + 1), values_[k]);
        found_ += seen_[k] && k < kMainCount;
      }
      return;
    }
  }

  // The five main keys read (and Shmem, where wanted): the rest of the file
  // (the kernel prints them in its first twenty lines or so of about 55, after
  // the high memory lines) can be skipped.
  bool complete() const { return found_ == kMainCount && (!want_extras_ || seen_[kShared]); }

  bool finish(HostMemory& out) const {
    if (!seen_[kTotal] || values_[kTotal] == 0) return false;
    out = HostMemory{};
    out.total = values_[kTotal];
    out.free = seen_[kFree] ? values_[kFree] : values_[kTotal];
    out.has_available = seen_[kAvailable];
    out.available = values_[kAvailable];
    out.swap_total = values_[kSwapTotal];
    out.swap_free = seen_[kSwapFree] ? values_[kSwapFree] : values_[kSwapTotal];
    out.has_high = seen_[kHighTotal] && seen_[kHighFree];
    out.high_total = out.has_high ? values_[kHighTotal] : 0;
    out.high_free = out.has_high ? values_[kHighFree] : 0;
    out.shared = want_extras_ ? values_[kShared] : 0;
    out.buffers = want_extras_ ? values_[kBuffers] : 0;
    return true;
  }

 private:
  enum {
    kTotal, kFree, kAvailable, kSwapTotal, kSwapFree, kMainCount,
    kHighTotal = kMainCount, kHighFree, kShared, kBuffers, kCount
  };
  static constexpr KeyText kKeys[kCount] = {key_text("MemTotal"),  key_text("MemFree"),  key_text("MemAvailable"),
                                            key_text("SwapTotal"), key_text("SwapFree"), key_text("HighTotal"),
                                            key_text("HighFree"),  key_text("Shmem"),    key_text("Buffers")};
  bool want_extras_;
  uint64_t values_[kCount] = {};
  bool seen_[kCount] = {};
  int found_ = 0;
};

}  // namespace

bool host_memory_from_meminfo(std::string_view meminfo, HostMemory& out) {
  MeminfoLines lines(MeminfoLines::Extras::Skip);
  std::string_view line;
  while (!lines.complete() && next_line(meminfo, line)) lines.take(line);
  return lines.finish(out);
}

HostMemory host_memory_from_sysinfo(const struct sysinfo& info) {
  uint64_t unit = info.mem_unit ? info.mem_unit : 1;
  HostMemory out{info.totalram * unit, info.freeram * unit, info.totalswap * unit, info.freeswap * unit};
  out.has_high = true;
  out.high_total = uint64_t(info.totalhigh) * unit;
  out.high_free = uint64_t(info.freehigh) * unit;
  out.shared = uint64_t(info.sharedram) * unit;
  out.buffers = uint64_t(info.bufferram) * unit;
  return out;
}

bool read_host_memory(const Sysroot& root, HostMemory& out) {
  if (root.live()) {
    struct sysinfo info;
    if (syscall(SYS_sysinfo, &info) != 0) return false;
    out = host_memory_from_sysinfo(info);
    return true;
  }
  int fd = open_host_file(root, "/proc/meminfo");
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  MeminfoLines lines(MeminfoLines::Extras::Read);
  std::string_view line;
  while (!lines.complete() && reader.next_whole_line(line)) lines.take(line);
  close_host_file(fd);
  return lines.finish(out);
}

}  // namespace cgview
