// Fuzzes the /proc/meminfo renderer over arbitrary host files, under fixed cgroup setups.
// Input: one setup byte (render_setups.hpp), then the host's /proc/meminfo.
#include "render_setups.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view host;
  fuzz::Setup& s = fuzz::pick_setup(data, size, host);
  FUZZ_CHECK(s.root.write("proc/meminfo", host));
  fuzz::StringSink out;
  bool ok = cgview::render(cgview::VirtualFile::Meminfo, s.config, s.limits, nullptr, out.sink);
  fuzz::check_meminfo(host, ok, out.text, s.limits, !s.spec->memory_limited);
  return 0;
}
