// Each libcgview.so entry point against the native glibc call, measured in the
// same process. The shim is dlopen'ed RTLD_NOW|RTLD_LOCAL: nothing in
// this process is interposed, and calling through the dlsym'ed pointers runs the
// shim, whose dlsym(RTLD_NEXT) resolves to libc.
//
// Each benchmark is one row: a pair of bodies, the reference (native glibc,
// the floor, or LXCFS with --lxcfs=MNT) and the subject (the shim, or the
// floor against native), timed in alternating blocks; see run_pair. The floor
// is the raw reads the shim's answer needs, done as cheaply as possible, and
// one memfd. How it reads each input follows the shim's setting in this
// process: by default an open, one read and a close (no fd of the shim's
// outlives a call); with CGVIEW_HOLD_FILES=1 a pread from offset 0 of an fd
// opened once (the kernel regenerates the file there) and the fstat that
// makes reading a kept fd safe (is it still ours?).
// scripts/bench runs this inside a cgroup with a memory limit and a CPU quota
// (without a limit the shim passes everything through), once as it is and
// once with CGVIEW_HOLD_FILES=1 for the /proc/meminfo rows, and builds the table.
//
// Own flags: --shim=PATH, --lxcfs=MNT [--lxcfs-pid=PID: also count the daemon's
// CPU time], --quick (two iterations each, for ctest).
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "config.hpp"
#include "discovery.hpp"

namespace {

struct ShimFunctions {
  long (*sysconf)(int) = nullptr;
  int (*get_nprocs)() = nullptr;
  int (*sched_getaffinity)(pid_t, size_t, cpu_set_t*) = nullptr;
  int (*sysinfo)(struct sysinfo*) = nullptr;
  int (*open)(const char*, int, ...) = nullptr;
  FILE* (*fopen)(const char*, const char*) = nullptr;
  long (*syscall)(long, ...) = nullptr;  // x86-64, i386, arm64, ppc64el and s390x only (shim/syscall_entry.S)
} g_shim;

char g_buf[1 << 17];

// What a program does with a /proc file: read until end of file.
size_t read_all(int fd) {
  size_t total = 0;
  for (;;) {
    ssize_t n = read(fd, g_buf, sizeof g_buf);
    if (n <= 0) break;
    total += size_t(n);
  }
  return total;
}

size_t read_path(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t n = read_all(fd);
  close(fd);
  return n;
}

size_t shim_read_path(const char* path) {
  int fd = g_shim.open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t n = read_all(fd);
  close(fd);
  return n;
}

// The floor's reads: from the start of an fd opened once, by pread, after
// checking with fstat that it is still the file it was.
size_t pread_all(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  size_t total = 0;
  for (;;) {
    ssize_t n = pread(fd, g_buf, sizeof g_buf, off_t(total));
    if (n <= 0) break;
    total += size_t(n);
  }
  return total;
}

// The default floor's reads: open, read until a short read (the end, for
// kernel files as for the shim, which reads them the same way), close.
size_t open_read_close(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t total = 0;
  while (total < sizeof g_buf) {
    size_t wanted = sizeof g_buf - total;
    ssize_t n = read(fd, g_buf + total, wanted);
    if (n <= 0) break;
    total += size_t(n);
    if (size_t(n) < wanted) break;
  }
  close(fd);
  return total;
}

// Handing `size` bytes back in an fd and the program reading them: one memfd,
// one write, the program's read, one close.
void memfd_round_trip(size_t size) {
  int fd = int(syscall(SYS_memfd_create, "floor", MFD_CLOEXEC));
  if (fd < 0) return;
  if (write(fd, g_buf, size) < 0) size = 0;
  lseek(fd, 0, SEEK_SET);
  benchmark::DoNotOptimize(read_all(fd));
  close(fd);
}

// The cgroup files the shim reads, from the core's own discovery, and the
// floor's fds of them and of the host files (-1: none).
struct Paths {
  std::string usage, memory_stat, cpu_stat;
} g_paths;
struct FloorFds {
  int meminfo = -1, stat = -1, cpuinfo = -1, usage = -1, memory_stat = -1, cpu_stat = -1;
} g_floor;

int open_for_floor(const std::string& path) {
  return path.empty() ? -1 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

// CGVIEW_HOLD_FILES=1 in this process: the shim keeps its inputs open, and
// so does the floor.
bool g_hold = false;

// One input of the floor, read as the shim's setting allows at the least.
size_t floor_input(int held_fd, const std::string& path) {
  if (g_hold) return pread_all(held_fd);
  return path.empty() ? 0 : open_read_close(path.c_str());
}

// The sizes of the shim's rendered files (what the floor's memfd must carry).
size_t g_meminfo_size = 0, g_stat_size = 0, g_cpuinfo_size = 0;

std::string g_lxcfs;
int g_lxcfs_pid = 0;

uint64_t thread_cpu_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
}

// The CPU time of every thread of the lxcfs daemon (FUSE workers), in ns.
uint64_t daemon_cpu_ns() {
  char dir_path[64];
  snprintf(dir_path, sizeof dir_path, "/proc/%d/task", g_lxcfs_pid);
  DIR* dir = opendir(dir_path);
  if (dir == nullptr) return 0;
  uint64_t total = 0;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    char path[512], text[128];
    snprintf(path, sizeof path, "%s/%s/schedstat", dir_path, e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n > 0) {
      text[n] = 0;
      total += strtoull(text, nullptr, 10);
    }
  }
  closedir(dir);
  return total;
}

void find_paths() {
  cgview::Config config = cgview::config_from_env([](const char* name) -> const char* { return getenv(name); });
  g_hold = config.root.hold_inputs;
  cgview::CgroupDirs dirs;
  cgview::discover_cgroups(config, dirs);
  const cgview::CgroupDir& mem = dirs.of(cgview::Controller::Memory);
  if (mem.found) {
    std::string d(mem.path.view());
    g_paths.usage = d + (mem.v2 ? "/memory.current" : "/memory.usage_in_bytes");
    g_paths.memory_stat = d + "/memory.stat";
  }
  const cgview::CgroupDir& acct = dirs.of(cgview::Controller::Cpuacct);
  const cgview::CgroupDir& cpu = dirs.of(cgview::Controller::Cpu);
  if (acct.found && !acct.v2) g_paths.cpu_stat = std::string(acct.path.view()) + "/cpuacct.stat";
  else if (cpu.found && cpu.v2) g_paths.cpu_stat = std::string(cpu.path.view()) + "/cpu.stat";
}

bool load_shim(const char* path) {
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    fprintf(stderr, "cgview_bench: dlopen %s: %s\n", path, dlerror());
    return false;
  }
  g_shim.sysconf = reinterpret_cast<long (*)(int)>(dlsym(h, "sysconf"));
  g_shim.get_nprocs = reinterpret_cast<int (*)()>(dlsym(h, "get_nprocs"));
  // The current ABI by its version name where a port has two (x86-64), else the one there is.
  void* getaffinity = dlvsym(h, "sched_getaffinity", "GLIBC_2.3.4");
  if (getaffinity == nullptr) getaffinity = dlsym(h, "sched_getaffinity");
  g_shim.sched_getaffinity = reinterpret_cast<int (*)(pid_t, size_t, cpu_set_t*)>(getaffinity);
  g_shim.sysinfo = reinterpret_cast<int (*)(struct sysinfo*)>(dlsym(h, "sysinfo"));
  g_shim.open = reinterpret_cast<int (*)(const char*, int, ...)>(dlsym(h, "open"));
  g_shim.fopen = reinterpret_cast<FILE* (*)(const char*, const char*)>(dlsym(h, "fopen"));
  g_shim.syscall = reinterpret_cast<long (*)(long, ...)>(dlsym(h, "syscall"));
  if (!g_shim.sysconf || !g_shim.get_nprocs || !g_shim.sched_getaffinity || !g_shim.sysinfo || !g_shim.open ||
      !g_shim.fopen) {
    fprintf(stderr, "cgview_bench: %s lacks an interposer\n", path);
    return false;
  }
  return true;
}

// Whether the shim serves `path` from a memfd (it does only when a limit applies).
bool served(const char* path) {
  int fd = g_shim.open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char link[64], target[256];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  close(fd);
  return n > 0 && std::string(target, size_t(n)).rfind("/memfd:", 0) == 0;
}

using Body = void (*)();
using Clock = uint64_t (*)();  // ns

uint64_t wall_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
}

// LXCFS answers from another process: its cost is the reader's CPU time plus
// the daemon's. The shim side of the pair is charged the same way (the idle
// daemon adds nothing), so the pair compares like with like. Reading the
// daemon's schedstat files costs this thread some CPU itself: that is kept out
// by subtracting every reading's own cost from the thread's time.
uint64_t thread_and_daemon_cpu_ns() {
  static uint64_t own_cost = 0;
  uint64_t before = thread_cpu_ns();
  uint64_t daemon = daemon_cpu_ns();
  uint64_t after = thread_cpu_ns();
  own_cost += after - before;
  return after - own_cost + daemon;
}

// One row of the table: `subject` (the shim) against `reference` (native glibc,
// the floor, or LXCFS). A separate benchmark per side gives medians that move
// by more than the few percent some targets allow from run to run on a busy
// machine, so the two sides run in alternating blocks of about a millisecond
// (ABBA order), each timed on `clock`, and the row's ratio is the median of
// the per-pair ratios: drift in the machine's speed falls on both sides of
// every pair alike. Counters: reference_ns and subject_ns per call, ratio.
struct Pair {
  const char* name;
  Body reference;
  Body subject;
  Clock clock = thread_cpu_ns;
};

// Calls per block so that a block takes about `target_ns` on `clock`.
int block_size(Body body, Clock clock, double target_ns) {
  body();  // warm: first-call costs (lazy binding, the shim's cache) stay out
  uint64_t start = clock();
  for (int i = 0; i < 4; ++i) body();
  double per_call = double(clock() - start) / 4;
  if (per_call <= 0) return 1024;
  double n = target_ns / per_call;
  return n < 1 ? 1 : n > 4096 ? 4096 : int(n);
}

double time_block(Body body, Clock clock, int calls) {
  uint64_t start = clock();
  for (int i = 0; i < calls; ++i) body();
  return double(clock() - start) / calls;
}

void run_pair(benchmark::State& state, const Pair& pair) {
  constexpr double kBlockNs = 1e6;
  int reference_calls = block_size(pair.reference, pair.clock, kBlockNs);
  int subject_calls = block_size(pair.subject, pair.clock, kBlockNs);
  std::vector<double> ratios;
  double reference_total = 0, subject_total = 0;
  bool subject_first = false;
  for (auto _ : state) {
    double subject_ns = 0;
    if (subject_first) subject_ns = time_block(pair.subject, pair.clock, subject_calls);
    double reference_ns = time_block(pair.reference, pair.clock, reference_calls);
    if (!subject_first) subject_ns = time_block(pair.subject, pair.clock, subject_calls);
    subject_first = !subject_first;
    if (reference_ns > 0) ratios.push_back(subject_ns / reference_ns);
    reference_total += reference_ns;
    subject_total += subject_ns;
    state.SetIterationTime((reference_ns * reference_calls + subject_ns * subject_calls) / 1e9);
  }
  if (ratios.empty()) return;
  std::nth_element(ratios.begin(), ratios.begin() + long(ratios.size() / 2), ratios.end());
  double iterations = double(state.iterations());
  state.counters["ratio"] = ratios[ratios.size() / 2];
  state.counters["reference_ns"] = reference_total / iterations;
  state.counters["subject_ns"] = subject_total / iterations;
}

constexpr const char* kUnserved = "/etc/hostname";

void sched_getaffinity_native() {
  cpu_set_t set;
  benchmark::DoNotOptimize(sched_getaffinity(0, sizeof set, &set));
  benchmark::DoNotOptimize(set);
}
void sched_getaffinity_shim() {
  cpu_set_t set;
  benchmark::DoNotOptimize(g_shim.sched_getaffinity(0, sizeof set, &set));
  benchmark::DoNotOptimize(set);
}
// syscall(): the affinity number it serves, and a number it passes on (gettid, as
// cheap a system call as there is, so the jump's cost shows most).
void syscall_getaffinity_native() {
  cpu_set_t set;
  benchmark::DoNotOptimize(syscall(SYS_sched_getaffinity, 0, sizeof set, &set));
  benchmark::DoNotOptimize(set);
}
void syscall_getaffinity_shim() {
  cpu_set_t set;
  benchmark::DoNotOptimize(g_shim.syscall(SYS_sched_getaffinity, 0, sizeof set, &set));
  benchmark::DoNotOptimize(set);
}
void syscall_gettid_native() { benchmark::DoNotOptimize(syscall(SYS_gettid)); }
void syscall_gettid_shim() { benchmark::DoNotOptimize(g_shim.syscall(SYS_gettid)); }
void sysinfo_native() {
  struct sysinfo si;
  benchmark::DoNotOptimize(sysinfo(&si));
  benchmark::DoNotOptimize(si);
}
void sysinfo_shim() {
  struct sysinfo si;
  benchmark::DoNotOptimize(g_shim.sysinfo(&si));
  benchmark::DoNotOptimize(si);
}
const std::string kMeminfo = "/proc/meminfo", kStat = "/proc/stat", kCpuinfo = "/proc/cpuinfo";
void sysinfo_floor() {
  benchmark::DoNotOptimize(floor_input(g_floor.usage, g_paths.usage));
  benchmark::DoNotOptimize(floor_input(g_floor.memory_stat, g_paths.memory_stat));
}
void meminfo_native() { benchmark::DoNotOptimize(read_path("/proc/meminfo")); }
void meminfo_shim() { benchmark::DoNotOptimize(shim_read_path("/proc/meminfo")); }
void meminfo_floor() {
  benchmark::DoNotOptimize(floor_input(g_floor.meminfo, kMeminfo));
  benchmark::DoNotOptimize(floor_input(g_floor.usage, g_paths.usage));
  benchmark::DoNotOptimize(floor_input(g_floor.memory_stat, g_paths.memory_stat));
  memfd_round_trip(g_meminfo_size);
}
void meminfo_lxcfs() { benchmark::DoNotOptimize(read_path((g_lxcfs + "/proc/meminfo").c_str())); }
void stat_native() { benchmark::DoNotOptimize(read_path("/proc/stat")); }
void stat_shim() { benchmark::DoNotOptimize(shim_read_path("/proc/stat")); }
void stat_floor() {
  benchmark::DoNotOptimize(floor_input(g_floor.stat, kStat));
  benchmark::DoNotOptimize(floor_input(g_floor.cpu_stat, g_paths.cpu_stat));
  memfd_round_trip(g_stat_size);
}
void cpuinfo_native() { benchmark::DoNotOptimize(read_path("/proc/cpuinfo")); }
void cpuinfo_shim() { benchmark::DoNotOptimize(shim_read_path("/proc/cpuinfo")); }
void cpuinfo_floor() {
  benchmark::DoNotOptimize(floor_input(g_floor.cpuinfo, kCpuinfo));
  memfd_round_trip(g_cpuinfo_size);
}
void cpu_online_native() { benchmark::DoNotOptimize(read_path("/sys/devices/system/cpu/online")); }
void cpu_online_shim() { benchmark::DoNotOptimize(shim_read_path("/sys/devices/system/cpu/online")); }
void open_close_native() {
  int fd = open(kUnserved, O_RDONLY);
  if (fd >= 0) close(fd);
}
void open_close_shim() {
  int fd = g_shim.open(kUnserved, O_RDONLY);
  if (fd >= 0) close(fd);
}
void fopen_fclose_native() {
  FILE* f = fopen(kUnserved, "r");
  if (f != nullptr) fclose(f);
}
void fopen_fclose_shim() {
  FILE* f = g_shim.fopen(kUnserved, "r");
  if (f != nullptr) fclose(f);
}

std::vector<Pair> pairs() {
  std::vector<Pair> p = {
      {"sysconf_nprocessors_onln", [] { benchmark::DoNotOptimize(sysconf(_SC_NPROCESSORS_ONLN)); },
       [] { benchmark::DoNotOptimize(g_shim.sysconf(_SC_NPROCESSORS_ONLN)); }},
      {"get_nprocs", [] { benchmark::DoNotOptimize(get_nprocs()); },
       [] { benchmark::DoNotOptimize(g_shim.get_nprocs()); }},
      {"sched_getaffinity", sched_getaffinity_native, sched_getaffinity_shim},
      {"meminfo", meminfo_native, meminfo_shim},
      {"meminfo_floor", meminfo_native, meminfo_floor},  // the floor against native
      {"meminfo_vs_floor", meminfo_floor, meminfo_shim},
      {"stat", stat_native, stat_shim},
      {"stat_floor", stat_native, stat_floor},
      {"cpuinfo", cpuinfo_native, cpuinfo_shim},
      {"cpuinfo_floor", cpuinfo_native, cpuinfo_floor},
      {"cpu_online", cpu_online_native, cpu_online_shim},
      {"sysinfo_vs_floor", sysinfo_floor, sysinfo_shim},
      {"sysinfo", sysinfo_native, sysinfo_shim},
      {"open_close_unserved", open_close_native, open_close_shim},
      {"fopen_fclose_unserved", fopen_fclose_native, fopen_fclose_shim},
  };
  if (g_shim.syscall != nullptr) {
    p.push_back({"syscall_sched_getaffinity", syscall_getaffinity_native, syscall_getaffinity_shim});
    p.push_back({"syscall_gettid", syscall_gettid_native, syscall_gettid_shim});
  }
  if (!g_lxcfs.empty()) {
    p.push_back({"lxcfs_meminfo_wall", meminfo_lxcfs, meminfo_shim, wall_ns});
    if (g_lxcfs_pid > 0) p.push_back({"lxcfs_meminfo", meminfo_lxcfs, meminfo_shim, thread_and_daemon_cpu_ns});
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* shim_path = CGVIEW_SHIM_PATH;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--shim=", 0) == 0) shim_path = argv[i] + 7;
    else if (a.rfind("--lxcfs=", 0) == 0) g_lxcfs = a.substr(8);
    else if (a.rfind("--lxcfs-pid=", 0) == 0) g_lxcfs_pid = atoi(argv[i] + 12);
    else if (a == "--quick") quick = true;
    else {
      fprintf(stderr, "cgview_bench: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (!load_shim(shim_path)) return 1;
  find_paths();
  if (g_paths.usage.empty() || g_paths.cpu_stat.empty()) {
    fprintf(stderr, "cgview_bench: no memory or cpuacct cgroup found: floor rows read nothing\n");
  }
  g_floor = {open_for_floor("/proc/meminfo"), open_for_floor("/proc/stat"),   open_for_floor("/proc/cpuinfo"),
             open_for_floor(g_paths.usage),   open_for_floor(g_paths.memory_stat), open_for_floor(g_paths.cpu_stat)};
  g_meminfo_size = shim_read_path("/proc/meminfo");
  g_stat_size = shim_read_path("/proc/stat");
  g_cpuinfo_size = shim_read_path("/proc/cpuinfo");
  if (!g_lxcfs.empty() && read_path((g_lxcfs + "/proc/meminfo").c_str()) == 0) {
    fprintf(stderr, "cgview_bench: cannot read %s/proc/meminfo\n", g_lxcfs.c_str());
    return 1;
  }

  // What the table needs to know: is the shim answering, and with what?
  auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
  benchmark::AddCustomContext("cgview_shim", shim_path);
  benchmark::AddCustomContext("cgview_hold_files", yes_no(g_hold));
  benchmark::AddCustomContext("cgview_served_meminfo", yes_no(served("/proc/meminfo")));
  benchmark::AddCustomContext("cgview_served_stat", yes_no(served("/proc/stat")));
  benchmark::AddCustomContext("cgview_served_cpuinfo", yes_no(served("/proc/cpuinfo")));
  benchmark::AddCustomContext("cgview_nprocs", std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " -> " +
                                                   std::to_string(g_shim.sysconf(_SC_NPROCESSORS_ONLN)));
  struct sysinfo native_si, shim_si;
  sysinfo(&native_si);
  g_shim.sysinfo(&shim_si);
  benchmark::AddCustomContext("cgview_totalram_mib",
                              std::to_string(uint64_t(native_si.totalram) * native_si.mem_unit >> 20) + " -> " +
                                  std::to_string(uint64_t(shim_si.totalram) * shim_si.mem_unit >> 20));
  benchmark::AddCustomContext("cgview_memory_cgroup", g_paths.usage);

  for (const Pair& pair : pairs()) {
    auto* b = benchmark::RegisterBenchmark(pair.name, [pair](benchmark::State& state) { run_pair(state, pair); });
    b->UseManualTime();
    if (quick) b->Iterations(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
