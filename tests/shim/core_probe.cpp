// The core's live limits computed in a process with libcgview.so preloaded, as
// a dynamically linked cgview command computes them under LD_PRELOAD or
// /etc/ld.so.preload (a -DCGVIEW_STATIC_CLI=OFF or sanitizer build): the core
// must read the real affinity mask A, not the view the preloaded syscall()
// shows. Prints |A| and N, one "key=value" line each.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "config.hpp"
#include "limits.hpp"

int main() {
  cgview::Config config = cgview::config_from_env([](const char* name) -> const char* { return std::getenv(name); });
  auto limits = std::make_unique<cgview::Limits>();
  if (!cgview::compute_limits(config, *limits)) {
    std::printf("error=compute_limits failed\n");
    return 1;
  }
  std::printf("affinity_count=%u\n", limits->cpu.affinity.count());
  std::printf("count=%u\n", limits->cpu.count);
  return 0;
}
