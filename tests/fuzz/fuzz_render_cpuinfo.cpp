// Fuzzes the /proc/cpuinfo renderer over arbitrary host files, under fixed cgroup setups.
// Input: one setup byte (render_setups.hpp), then the host's /proc/cpuinfo.
#include "render_setups.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view host;
  fuzz::Setup& s = fuzz::pick_setup(data, size, host);
  FUZZ_CHECK(s.root.write("proc/cpuinfo", host));
  fuzz::StringSink out;
  bool ok = cgview::render(cgview::VirtualFile::Cpuinfo, s.config, s.limits, nullptr, out.sink);
  FUZZ_CHECK(ok);
  FUZZ_CHECK(out.text == fuzz::expected_cpuinfo(host, s.limits));
  return 0;
}
