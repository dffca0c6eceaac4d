// 64 threads calling the shim's entry points at once, in one process, with the
// shim dlopen'ed after the program started. Under TSan (scripts/sanitize) this
// is the race check of the lock-free cache and fd table: a preloaded,
// instrumented shim would be called by TSan's own initialisation before TSan
// is ready. Every answer must equal the fixture's view, given on the command
// line (CPUS, MemTotal in kB): a shim that fell back to the real answers would
// still agree with itself, so the view is not taken from a first call.
//   threads_in_process SHIM FIXTURE_SYSROOT CPUS MEMTOTAL_KB
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace {

struct Shim {
  long (*sysconf)(int);
  int (*get_nprocs)();
  int (*sched_getaffinity)(pid_t, size_t, cpu_set_t*);
  int (*sysinfo)(struct sysinfo*);
  int (*open)(const char*, int, ...);
  off_t (*lseek)(int, off_t, int);
};

template <typename F>
bool find(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (out == nullptr) std::fprintf(stderr, "threads_in_process: no %s in the shim\n", name);
  return out != nullptr;
}

long meminfo_total_kb(const char* text) {
  const char* at = std::strstr(text, "MemTotal:");
  return at != nullptr ? std::atol(at + 9) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: threads_in_process SHIM FIXTURE_SYSROOT CPUS MEMTOTAL_KB\n");
    return 2;
  }
  const long cpus = std::atol(argv[3]), total_kb = std::atol(argv[4]);
  setenv("CGVIEW_SYSROOT", argv[2], 1);
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::fprintf(stderr, "threads_in_process: %s\n", dlerror());
    return 1;
  }
  Shim s;
  if (!find(lib, "sysconf", s.sysconf) || !find(lib, "get_nprocs", s.get_nprocs) ||
      !find(lib, "sched_getaffinity", s.sched_getaffinity) || !find(lib, "sysinfo", s.sysinfo) ||
      !find(lib, "open", s.open) || !find(lib, "lseek", s.lseek))
    return 1;
  // Nothing has asked yet: the threads race the configuration read and the
  // first refresh, then the main thread asks too.
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      char buf[8192];
      for (int i = 0; i < 300; ++i) {
        cpu_set_t set;
        struct sysinfo info;
        bool ok = s.sysconf(_SC_NPROCESSORS_ONLN) == cpus && s.get_nprocs() == cpus &&
                  s.sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == cpus && s.sysinfo(&info) == 0 &&
                  long(info.totalram * info.mem_unit / 1024) == total_kb;
        if ((i + t) % 10 == 0) {
          int fd = s.open("/proc/meminfo", O_RDONLY);
          ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
          if (n > 0 && s.lseek(fd, 0, SEEK_SET) == 0) n = read(fd, buf, sizeof buf - 1);  // re-rendered
          buf[n > 0 ? n : 0] = '\0';
          ok = ok && fd >= 0 && meminfo_total_kb(buf) == total_kb;
          if (fd >= 0) close(fd);
        }
        if (!ok) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  if (s.sysconf(_SC_NPROCESSORS_ONLN) != cpus) ++bad;
  std::printf("threads_in_process: expected cpus=%ld MemTotal=%ld kB, wrong answers=%d\n", cpus, total_kb, bad.load());
  return bad == 0 && cpus > 0 && total_kb > 0 ? 0 : 1;
}
