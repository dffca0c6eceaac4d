// Fuzzes /proc/self/cgroup lines: parse_proc_cgroup_line and list_has_controller.
// Input: a /proc/self/cgroup file.
#include "cgroup_files.hpp"
#include "fuzz_support.hpp"

using namespace cgview;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (std::string_view line : fuzz::split(fuzz::as_text(data, size), '\n')) {
    ProcCgroupLine entry;
    if (!parse_proc_cgroup_line(line, entry)) continue;
    // "id:controllers:path": only the first two colons split.
    FUZZ_CHECK(entry.hierarchy_id.find(':') == std::string_view::npos);
    FUZZ_CHECK(entry.controllers.find(':') == std::string_view::npos);
    std::string joined = std::string(entry.hierarchy_id) + ":" + std::string(entry.controllers) + ":" +
                         std::string(entry.path);
    // The path is taken as the kernel writes it: a cgroup's name may end in a blank.
    FUZZ_CHECK(line == joined);
    uint64_t id = 0;
    FUZZ_CHECK(parse_u64(entry.hierarchy_id, id));
    FUZZ_CHECK(!entry.path.empty() && entry.path.front() == '/');
    for (int c = 0; c < kControllerCount; ++c) {
      std::string_view name = controller_name(Controller(c));
      bool expected = false;
      for (std::string_view item : fuzz::split(entry.controllers, ',')) expected |= item == name;
      FUZZ_CHECK(list_has_controller(entry.controllers, name) == expected);
    }
  }
  return 0;
}
