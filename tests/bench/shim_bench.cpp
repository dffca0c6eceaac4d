// Each libcgview.so entry point against the native glibc call, measured in the
// same process (issue 5). The shim is dlopen'ed RTLD_NOW|RTLD_LOCAL: nothing in
// this process is interposed, and calling through the dlsym'ed pointers runs the
// shim, whose dlsym(RTLD_NEXT) resolves to libc.
//
// Names: native/X (glibc), shim/X (libcgview.so), floor/X (the raw reads the
// shim's answer needs, done as cheaply as possible), lxcfs/X (--lxcfs=MNT).
// scripts/bench runs this inside a cgroup with a memory limit and a CPU quota
// (without a limit the shim passes everything through) and builds the table.
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
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

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

// The cgroup files the shim reads, from the core's own discovery.
struct Paths {
  std::string usage, memory_stat, cpu_stat;
} g_paths;

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
  g_shim.sched_getaffinity =
      reinterpret_cast<int (*)(pid_t, size_t, cpu_set_t*)>(dlvsym(h, "sched_getaffinity", "GLIBC_2.3.4"));
  g_shim.sysinfo = reinterpret_cast<int (*)(struct sysinfo*)>(dlsym(h, "sysinfo"));
  g_shim.open = reinterpret_cast<int (*)(const char*, int, ...)>(dlsym(h, "open"));
  g_shim.fopen = reinterpret_cast<FILE* (*)(const char*, const char*)>(dlsym(h, "fopen"));
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

struct Case {
  const char* name;
  Body body;
  bool real_time = false;  // time another process's work too (FUSE)
};

constexpr const char* kUnserved = "/etc/hostname";

std::vector<Case> cases() {
  std::vector<Case> c = {
      {"native/sysconf_nprocessors_onln", [] { benchmark::DoNotOptimize(sysconf(_SC_NPROCESSORS_ONLN)); }},
      {"shim/sysconf_nprocessors_onln", [] { benchmark::DoNotOptimize(g_shim.sysconf(_SC_NPROCESSORS_ONLN)); }},
      {"native/get_nprocs", [] { benchmark::DoNotOptimize(get_nprocs()); }},
      {"shim/get_nprocs", [] { benchmark::DoNotOptimize(g_shim.get_nprocs()); }},
      {"native/sched_getaffinity",
       [] {
         cpu_set_t set;
         benchmark::DoNotOptimize(sched_getaffinity(0, sizeof set, &set));
         benchmark::DoNotOptimize(set);
       }},
      {"shim/sched_getaffinity",
       [] {
         cpu_set_t set;
         benchmark::DoNotOptimize(g_shim.sched_getaffinity(0, sizeof set, &set));
         benchmark::DoNotOptimize(set);
       }},
      {"native/sysinfo",
       [] {
         struct sysinfo si;
         benchmark::DoNotOptimize(sysinfo(&si));
         benchmark::DoNotOptimize(si);
       }},
      {"shim/sysinfo",
       [] {
         struct sysinfo si;
         benchmark::DoNotOptimize(g_shim.sysinfo(&si));
         benchmark::DoNotOptimize(si);
       }},
      {"floor/sysinfo",
       [] {
         benchmark::DoNotOptimize(read_path(g_paths.usage.c_str()));
         benchmark::DoNotOptimize(read_path(g_paths.memory_stat.c_str()));
       }},
      {"native/meminfo", [] { benchmark::DoNotOptimize(read_path("/proc/meminfo")); }},
      {"shim/meminfo", [] { benchmark::DoNotOptimize(shim_read_path("/proc/meminfo")); }},
      {"floor/meminfo",
       [] {
         benchmark::DoNotOptimize(read_path("/proc/meminfo"));
         benchmark::DoNotOptimize(read_path(g_paths.usage.c_str()));
         benchmark::DoNotOptimize(read_path(g_paths.memory_stat.c_str()));
         memfd_round_trip(g_meminfo_size);
       }},
      {"native/stat", [] { benchmark::DoNotOptimize(read_path("/proc/stat")); }},
      {"shim/stat", [] { benchmark::DoNotOptimize(shim_read_path("/proc/stat")); }},
      {"floor/stat",
       [] {
         benchmark::DoNotOptimize(read_path("/proc/stat"));
         benchmark::DoNotOptimize(read_path(g_paths.cpu_stat.c_str()));
         memfd_round_trip(g_stat_size);
       }},
      {"native/cpuinfo", [] { benchmark::DoNotOptimize(read_path("/proc/cpuinfo")); }},
      {"shim/cpuinfo", [] { benchmark::DoNotOptimize(shim_read_path("/proc/cpuinfo")); }},
      {"floor/cpuinfo",
       [] {
         benchmark::DoNotOptimize(read_path("/proc/cpuinfo"));
         memfd_round_trip(g_cpuinfo_size);
       }},
      {"native/cpu_online", [] { benchmark::DoNotOptimize(read_path("/sys/devices/system/cpu/online")); }},
      {"shim/cpu_online", [] { benchmark::DoNotOptimize(shim_read_path("/sys/devices/system/cpu/online")); }},
      {"native/open_close_unserved",
       [] {
         int fd = open(kUnserved, O_RDONLY);
         if (fd >= 0) close(fd);
       }},
      {"shim/open_close_unserved",
       [] {
         int fd = g_shim.open(kUnserved, O_RDONLY);
         if (fd >= 0) close(fd);
       }},
      {"native/fopen_fclose_unserved",
       [] {
         FILE* f = fopen(kUnserved, "r");
         if (f != nullptr) fclose(f);
       }},
      {"shim/fopen_fclose_unserved",
       [] {
         FILE* f = g_shim.fopen(kUnserved, "r");
         if (f != nullptr) fclose(f);
       }},
  };
  if (!g_lxcfs.empty()) {
    c.push_back({"lxcfs/meminfo_wall",
                 [] { benchmark::DoNotOptimize(read_path((g_lxcfs + "/proc/meminfo").c_str())); }, true});
    // The shim's meminfo in wall time too, to compare like with like.
    c.push_back({"shim/meminfo_wall", [] { benchmark::DoNotOptimize(shim_read_path("/proc/meminfo")); }, true});
  }
  return c;
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

  if (!g_lxcfs.empty() && g_lxcfs_pid > 0) {
    // The whole cost of an LXCFS read: this thread's CPU time plus the lxcfs
    // daemon's (all its threads, from schedstat, in ns), per iteration.
    auto* b = benchmark::RegisterBenchmark("lxcfs/meminfo", [](benchmark::State& state) {
      std::string path = g_lxcfs + "/proc/meminfo";
      for (auto _ : state) {
        uint64_t daemon0 = daemon_cpu_ns();
        uint64_t self0 = thread_cpu_ns();
        benchmark::DoNotOptimize(read_path(path.c_str()));
        uint64_t self1 = thread_cpu_ns();
        uint64_t daemon1 = daemon_cpu_ns();
        state.SetIterationTime(double(self1 - self0 + daemon1 - daemon0) / 1e9);
      }
    });
    b->UseManualTime();
    if (quick) b->Iterations(2);
  }
  for (const Case& c : cases()) {
    Body body = c.body;
    auto* b = benchmark::RegisterBenchmark(c.name, [body](benchmark::State& state) {
      for (auto _ : state) body();
    });
    if (c.real_time) b->UseRealTime();
    if (quick) b->Iterations(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
