#include "virtual_files.hpp"

#include "host_files.hpp"

namespace cgview {

namespace {

// The files served under one fixed path, as the kernel names them: both
// directions (virtual_file_for, served_file_path) read this one table. A status
// file's first entry is the process's own, the one served_file_path gives.
struct NamedFile {
  std::string_view path;
  VirtualFile file;
};
constexpr NamedFile kNamedFiles[] = {
    {"/proc/meminfo", VirtualFile::Meminfo},
    {"/proc/cpuinfo", VirtualFile::Cpuinfo},
    {"/proc/stat", VirtualFile::Stat},
    {"/sys/devices/system/cpu/online", VirtualFile::CpuOnline},
    {"/sys/devices/system/cpu/offline", VirtualFile::CpuOffline},
    {"/sys/devices/system/node/has_cpu", VirtualFile::NodeHasCpu},
    {"/proc/swaps", VirtualFile::Swaps},
    {"/proc/pressure/cpu", VirtualFile::PressureCpu},
    {"/proc/pressure/memory", VirtualFile::PressureMemory},
    {"/proc/pressure/io", VirtualFile::PressureIo},
    {"/proc/diskstats", VirtualFile::Diskstats},
    {"/proc/self/status", VirtualFile::Status},
    {"/proc/thread-self/status", VirtualFile::Status},
};

}  // namespace

VirtualFile virtual_file_for(std::string_view path) {
  for (const NamedFile& named : kNamedFiles) {
    if (named.path == path) return named.file;
  }
  VirtualFile cpu_file = VirtualFile::None;
  if (cpu_file_for(path, cpu_file)) return cpu_file;
  return VirtualFile::None;
}

// Cold (optimized for size): a status file's open is rare, and the
// library's size is budgeted.
[[gnu::cold]] void status_file_path(uint32_t task, PathText& out) {
  std::string_view dir = task == 0 ? "/proc/self" : (task & kThreadDirectory) ? "/proc/" : "/proc/self/task/";
  out.add(dir);
  if (task != 0) out.add_u64(task & ~kThreadDirectory);
  out.add("/status");
}

bool served_file_path(VirtualFile file, uint32_t task, PathText& out) {
  out.clear();
  CpuFileRef cpu;
  if (split_cpu_file(file, cpu)) {
    cpu_file_path(cpu, out);
  } else if (file == VirtualFile::BlockStat) {
    block_stat_path(task, out);
  } else if (file == VirtualFile::Status) {
    status_file_path(task, out);
  } else {
    for (const NamedFile& named : kNamedFiles) {
      if (named.file == file) {
        out.add(named.path);
        break;
      }
    }
  }
  return out.size() != 0 && !out.overflowed();
}

namespace {

// A pid or tid as /proc names its directory: digits alone, no leading zero
// (parse_u64 would also take blanks around them, as in "/proc/12\n/status",
// a file that does not exist).
bool task_id(std::string_view name, uint64_t& out) {
  if (name.empty() || name.front() == '0') return false;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
  }
  return parse_u64(name, out);
}

}  // namespace

bool status_file_task(std::string_view path, uint64_t own_pid, uint64_t own_tid, uint32_t& task,
                      bool (*is_thread)(uint64_t own_pid, uint64_t id)) {
  constexpr std::string_view kProc = "/proc/", kStatus = "/status";
  if (path.substr(0, kProc.size()) != kProc || path.size() < kStatus.size() ||
      path.substr(path.size() - kStatus.size()) != kStatus)
    return false;
  std::string_view middle = path.substr(kProc.size(), path.size() - kProc.size() - kStatus.size());
  // A task's own file, the main thread's too, is a file of its own beside the
  // process's (its inode differs: fstat of a served one names it).
  if (middle == "thread-self") {
    if (own_tid == 0 || own_tid > UINT32_MAX) return false;
    task = uint32_t(own_tid);
    return true;
  }
  size_t slash = middle.find('/');
  std::string_view who = middle.substr(0, slash);
  uint64_t pid = 0;
  if (who != "self" && !task_id(who, pid)) return false;
  // /proc/<tid> of a thread of this process is that thread's directory, as
  // /proc/<pid>/task/<tid> is (code that takes gettid()'s answer for a pid
  // reads it); its task/ lists the process's threads, as the process's does.
  bool a_thread = who != "self" && pid != own_pid;
  if (a_thread) {
    // Its task/ (another directory's inodes) is left alone.
    if (slash != std::string_view::npos || pid >= kThreadDirectory) return false;
    if (pid != own_tid && (is_thread == nullptr || !is_thread(own_pid, pid))) return false;
    task = uint32_t(pid) | kThreadDirectory;
    return true;
  }
  if (slash == std::string_view::npos) {
    task = 0;
    return true;
  }
  std::string_view rest = middle.substr(slash + 1), tid_text;
  constexpr std::string_view kTask = "task/";
  if (rest.substr(0, kTask.size()) != kTask) return false;
  tid_text = rest.substr(kTask.size());
  uint64_t tid = 0;
  if (!task_id(tid_text, tid) || tid > UINT32_MAX) return false;
  task = uint32_t(tid);
  return true;
}

namespace {

// The last component of each served path: none of them is a directory.
bool served_file_name(std::string_view name) {
  return name == "meminfo" || name == "cpuinfo" || name == "stat" || name == "status" || cpu_file_name(name);
}

}  // namespace

bool normalize_path(std::string_view path, PathText& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return false;
  // A last component of "", "." or ".." names a directory: the real open of
  // "/proc/meminfo/" or "/proc/meminfo/." fails with ENOTDIR, so it is not ours.
  std::string_view last = path.substr(path.rfind('/') + 1);
  bool names_directory = last.empty() || last == "." || last == "..";
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      std::string_view v = out.view();
      size_t cut = v.rfind('/');
      if (cut == std::string_view::npos) continue;  // ".." at the root stays there
      // ".." after a served file's name needs it to be a directory: the real
      // walk fails there (ENOTDIR), so leave it to the real call.
      if (served_file_name(v.substr(cut + 1)) || virtual_file_for(v) != VirtualFile::None) return false;
      // /proc/thread-self is a symlink two levels deep (/proc/<pid>/task/<tid>):
      // ".." after it climbs from there, which text cannot follow.
      if (v == "/proc/thread-self") return false;
      PathText up;
      up.add(v.substr(0, cut));
      out = up;
      continue;
    }
    out.add('/').add(part);
    if (out.overflowed()) return false;  // "..": must not shorten a path we cut short
  }
  if (out.size() == 0) out.add('/');
  if (names_directory && out.size() > 1) return false;
  return out.size() < kPathMax;
}

void put_cpu_list(const CpuSet& set, Sink& out) {
  bool first = true;
  for_each_cpu_range(set, [&](unsigned low, unsigned high) {
    FixedText<32> range;
    if (!first) range.add(',');
    range.add_u64(low);
    if (high != low) range.add('-').add_u64(high);
    out.put(range.view());
    first = false;
  });
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

unsigned MaskShape::capacity() const {
  unsigned bits = 0;
  for (unsigned g = 0; g < groups; ++g) bits += digits[g] * 4u;
  return bits;
}

bool parse_cpu_mask(std::string_view text, CpuSet& set, MaskShape& shape) {
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

void put_cpu_mask(const CpuSet& set, const MaskShape& shape, Sink& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned g = 0; g < shape.groups; ++g) {
    unsigned group = shape.groups - 1 - g;
    uint64_t value = (set.words()[group / 2] >> (group % 2 * 32)) & 0xffffffffu;
    FixedText<9> text;
    if (g > 0) text.add(',');
    for (unsigned d = shape.digits[g]; d-- > 0;) text.add(kHex[(value >> (d * 4)) & 0xf]);
    out.put(text.view());
  }
}

bool render_cpu_online(const Config& config, const Limits& limits, Sink& out) {
  // V, which the cached view holds; but only where the real file still
  // opens: within the view's half second the process may have chrooted away
  // from /sys, unmounted it, or shut itself out (Landlock), and then the real
  // open's error is the answer, as it is for every file read to be rendered.
  if (limits.cpu.visible.empty() || host_open_error(config.root, "/sys/devices/system/cpu/online") != 0)
    return false;
  put_cpu_list(limits.cpu.visible, out);
  out.put('\n');
  return out.finish();
}

bool render_cpu_offline(const Config& config, const Limits& limits, Sink& out) {
  if (limits.cpu.visible.empty()) return false;
  char buf[4096];  // CPUs at or above nr_cpu_ids end the list as one range
  ssize_t n = read_host_file(config.root, "/sys/devices/system/cpu/offline", buf);
  if (n < 0) return false;
  std::string_view text = trim(std::string_view(buf, size_t(n)));
  // Possible CPUs at or above nr_cpu_ids (nr_cpus=, possible_cpus=) follow a
  // comma even where no CPU below it is off line (drivers/base/cpu.c, since
  // 5.10): ",16-31". One such comma, and a list after it, is the kernel's.
  if (text.size() > 1 && text[0] == ',' && text[1] != ',') text.remove_prefix(1);
  CpuSet offline;
  if (!parse_cpu_list(text, offline)) return false;
  for_each_cpu_range(limits.cpu.online, [&](unsigned first, unsigned last) {
    for (unsigned cpu = first; cpu <= last; ++cpu)
      if (!limits.cpu.visible.has(cpu)) offline.add(cpu);
  });
  put_cpu_list(offline, out);  // an empty list is the newline alone, as the kernel writes it
  out.put('\n');
  return out.finish();
}

bool render(VirtualFile file, const Config& config, const Limits& limits, StatClock* clock, Sink& out,
            uint32_t task) {
  CpuFileRef cpu_file;
  if (split_cpu_file(file, cpu_file)) {
    // Not through render_cpu_file's frame: its buffers would add to this one's.
    if (cpu_file.kind == CpuFile::NodeMeminfo) return render_node_meminfo(config, limits, cpu_file.cpu, out);
    return render_cpu_file(config, limits, cpu_file, out);
  }
  switch (file) {
    case VirtualFile::Meminfo: return render_meminfo(config, limits, out);
    case VirtualFile::Cpuinfo: return render_cpuinfo(config, limits, out);
    case VirtualFile::Stat: return render_stat(config, limits, clock, out);
    case VirtualFile::CpuOnline: return render_cpu_online(config, limits, out);
    case VirtualFile::CpuOffline: return render_cpu_offline(config, limits, out);
    case VirtualFile::NodeHasCpu: return render_node_has_cpu(config, limits, out);
    case VirtualFile::Swaps: return render_swaps(config, limits, out);
    case VirtualFile::PressureCpu:
    case VirtualFile::PressureMemory:
    case VirtualFile::PressureIo: return render_pressure(config, limits, file, out);
    case VirtualFile::Diskstats: return render_diskstats(config, limits, out);
    case VirtualFile::Status: return render_status(config, limits, task, out);
    case VirtualFile::BlockStat: return task != 0 && render_block_stat(config, limits, task, out);
    case VirtualFile::None: break;
  }
  return false;
}

}  // namespace cgview
