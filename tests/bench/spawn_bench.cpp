// Process start with and without the shim: posix_spawn + waitpid of /bin/true,
// COUNT times each, in batches of BATCH that alternate (A B B A ...) so drift
// in the machine's speed falls on both sides alike.
//
// Prints one line:
//   spawn native_ns=N shim_ns=S ratio=R native_wall_ns=NW shim_wall_ns=SW wall_ratio=WR batches=B
// N and S the median per-spawn CPU time (this process's and its children's:
// the cost of a start, unmoved by other tenants of a busy machine), NW and SW
// the median per-spawn wall time, over the batches; R and WR the medians of
// the ratios of each adjacent pair of batches, so drift falls on both alike.
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

extern char** environ;

namespace {

int64_t clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// CPU time of this process plus its waited-for children.
int64_t cpu_ns() {
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  int64_t children = (int64_t(ru.ru_utime.tv_sec) + ru.ru_stime.tv_sec) * 1000000000 +
                     (int64_t(ru.ru_utime.tv_usec) + ru.ru_stime.tv_usec) * 1000;
  return children + clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

struct Cost {
  double cpu = -1, wall = -1;  // per spawn; -1 when a spawn failed
};

Cost batch(char* const* envp, int n) {
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  int64_t wall = clock_ns(CLOCK_MONOTONIC), cpu = cpu_ns();
  for (int i = 0; i < n; ++i) {
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, envp) != 0) return {};
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  }
  return {double(cpu_ns() - cpu) / n, double(clock_ns(CLOCK_MONOTONIC) - wall) / n};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shim;
  int count = 1000, per_batch = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--shim")) shim = argv[i + 1];
    else if (!strcmp(argv[i], "--count")) count = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--batch")) per_batch = atoi(argv[i + 1]);
  }
  if (shim.empty() || count <= 0 || per_batch <= 0 || access(shim.c_str(), R_OK) != 0) {
    fprintf(stderr, "usage: cgview_bench_spawn --shim LIBCGVIEW.SO [--count N] [--batch B]\n");
    return 2;
  }
  // The same environment both ways, but for LD_PRELOAD.
  std::vector<std::string> base;
  for (char** e = environ; *e != nullptr; ++e)
    if (strncmp(*e, "LD_PRELOAD=", 11) != 0) base.push_back(*e);
  std::vector<std::string> with = base;
  with.push_back("LD_PRELOAD=" + shim);
  auto pointers = [](std::vector<std::string>& v) {
    std::vector<char*> p;
    for (auto& s : v) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
  };
  std::vector<char*> env_native = pointers(base), env_shim = pointers(with);

  batch(env_native.data(), per_batch);  // warm the page cache both ways
  batch(env_shim.data(), per_batch);
  int batches = (count + per_batch - 1) / per_batch;
  std::vector<double> native, shimmed, native_wall, shim_wall, ratios, wall_ratios;
  for (int b = 0; b < batches; ++b) {
    bool native_first = b % 2 == 0;
    Cost pair[2];  // native, shim
    for (int k = 0; k < 2; ++k) {
      bool is_native = (k == 0) == native_first;
      Cost c = batch(is_native ? env_native.data() : env_shim.data(), per_batch);
      if (c.cpu < 0) {
        fprintf(stderr, "cgview_bench_spawn: spawning /bin/true failed\n");
        return 1;
      }
      pair[is_native ? 0 : 1] = c;
    }
    native.push_back(pair[0].cpu);
    shimmed.push_back(pair[1].cpu);
    native_wall.push_back(pair[0].wall);
    shim_wall.push_back(pair[1].wall);
    if (pair[0].cpu > 0) ratios.push_back(pair[1].cpu / pair[0].cpu);
    if (pair[0].wall > 0) wall_ratios.push_back(pair[1].wall / pair[0].wall);
  }
  printf("spawn native_ns=%.0f shim_ns=%.0f ratio=%.4f native_wall_ns=%.0f shim_wall_ns=%.0f wall_ratio=%.4f batches=%d\n",
         median(native), median(shimmed), median(ratios), median(native_wall), median(shim_wall), median(wall_ratios),
         batches);
  return 0;
}
