// Fuzzes the /proc/stat renderer over arbitrary host files, under fixed cgroup setups.
// Input: one setup byte (render_setups.hpp), then the host's /proc/stat.
#include "render_setups.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view host;
  fuzz::Setup& s = fuzz::pick_setup(data, size, host);
  FUZZ_CHECK(s.root.write("proc/stat", host));
  fuzz::StringSink out;
  bool ok = cgview::render(cgview::VirtualFile::Stat, s.config, s.limits, nullptr, out.sink);
  FUZZ_CHECK(ok);
  std::string whole_host =
      s.spec->whole_host_time ? fuzz::whole_host_synthesized(host, s.limits, s.spec->uptime_ticks) : "";
  std::string want = fuzz::expected_stat(host, s.limits,
                                         s.spec->whole_host_time ? &whole_host : s.spec->has_usage ? &s.synth : nullptr);
  FUZZ_CHECK(out.text == want);
  // A StatClock only ever raises idle: with a fresh clock the output is the same.
  cgview::StatClock clock;
  fuzz::StringSink again;
  FUZZ_CHECK(cgview::render(cgview::VirtualFile::Stat, s.config, s.limits, &clock, again.sink));
  FUZZ_CHECK(again.text == want);
  return 0;
}
