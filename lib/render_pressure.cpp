// /proc/pressure/{cpu,memory,io}: on cgroup v2 the cgroup's own cpu.pressure,
// memory.pressure and io.pressure, which have the same format (the "some" and
// "full" lines). v1 has no per-cgroup pressure: the host's file.
#include "discovery.hpp"
#include "input_file.hpp"
#include "virtual_files.hpp"

namespace cgview {

bool render_pressure(const Config& config, const Limits& limits, VirtualFile file, Sink& out) {
  CgroupDir dir;
  std::string_view name;
  switch (file) {
    case VirtualFile::PressureCpu:
      dir = limits.cgroups.of(Controller::Cpu);
      name = "/cpu.pressure";
      break;
    case VirtualFile::PressureMemory:
      // On v2 every cgroup has memory.pressure, whatever its controllers: the
      // process's own (the cpu entry), not the ancestor that holds the memory
      // controller, whose pressure counts its other children too.
      dir = limits.cgroups.of(Controller::Cpu);
      if (!dir.found || !dir.v2) dir = limits.cgroups.of(Controller::Memory);
      name = "/memory.pressure";
      break;
    case VirtualFile::PressureIo:
      locate_controller(config, "blkio", dir);
      name = "/io.pressure";
      break;
    default: return false;
  }
  if (!dir.found || !dir.v2) return false;
  PathText path;
  path.add(dir.path.view()).add(name);
  char buf[512];  // two lines of some 80 bytes
  ssize_t n = path.overflowed() ? -1 : read_host_file(config.root, path.view(), buf);
  // A file that does not look like pressure (not "some ..." first) is not served.
  if (n < 5 || std::string_view(buf, 5) != "some ") return false;
  out.put(std::string_view(buf, size_t(n)));
  return out.finish();
}

}  // namespace cgview
