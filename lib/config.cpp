#include "config.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>

#include "debug_log.hpp"

namespace cgview {

bool set_sysroot(Config& config, const char* dir) {
  std::string_view d = dir;
  while (d.size() > 1 && d.back() == '/') d.remove_suffix(1);
  if (d.empty() || d == "/") {
    config.root.prefix.clear();
    return true;
  }
  config.root.prefix.clear();
  if (d.front() != '/') {
    // Relative: resolved once, here, against the cwd of the moment. Resolved
    // at each read it would follow the program's every chdir.
    ErrnoKeeper keep_errno;
    char cwd[kPathMax];
    long n = syscall(SYS_getcwd, cwd, sizeof cwd);  // the length with the NUL, or -1
    if (n <= 1 || cwd[0] != '/') return false;
    config.root.prefix.add(std::string_view(cwd, size_t(n - 1)));
    if (config.root.prefix.view() != "/") config.root.prefix.add('/');
  }
  config.root.prefix.add(d);
  // Leave room for the host paths appended below it.
  if (config.root.prefix.overflowed() || config.root.prefix.size() > kPathMax / 2) {
    config.root.prefix.clear();
    return false;
  }
  return true;
}

bool set_cpus_override(Config& config, const char* text) {
  uint64_t micro = 0;
  if (!parse_decimal_micro(text, micro) || micro == 0) return false;
  config.has_cpus_override = true;
  config.cpus_override_micro = micro;
  return true;
}

bool set_memory_override(Config& config, const char* text) {
  uint64_t bytes = 0;
  if (!parse_size(text, bytes) || bytes == 0) return false;
  config.has_memory_override = true;
  config.memory_override = bytes;
  return true;
}

bool set_rounding(Config& config, const char* text) {
  std::string_view t = text;
  if (t == "ceil") config.rounding = Rounding::Ceil;
  else if (t == "floor") config.rounding = Rounding::Floor;
  else if (t == "round") config.rounding = Rounding::Round;
  else return false;
  return true;
}

bool set_placement(Config& config, const char* text) {
  std::string_view t = text;
  if (t == "spread") config.placement = Placement::Spread;
  else if (t == "lowest") config.placement = Placement::Lowest;
  else return false;
  return true;
}

Config config_from_env(EnvLookup lookup) {
  Config config;
  auto flag = [&](const char* name) {
    const char* v = lookup(name);
    return v != nullptr && v[0] != '\0' && std::string_view(v) != "0";
  };
  config.debug = flag("CGVIEW_DEBUG");
  config.disabled = flag("CGVIEW_DISABLE");
  // On unless CGVIEW_HOLD_FILES=0; it only ever acts on the live system.
  const char* hold = lookup("CGVIEW_HOLD_FILES");
  config.root.hold_inputs = hold == nullptr || std::string_view(hold) != "0";
  struct Setting {
    const char* name;
    bool (*apply)(Config&, const char*);
  };
  static constexpr Setting kSettings[] = {
      {"CGVIEW_SYSROOT", set_sysroot},
      {"CGVIEW_CPUS", set_cpus_override},
      {"CGVIEW_MEMORY", set_memory_override},
      {"CGVIEW_CPU_ROUNDING", set_rounding},
      {"CGVIEW_CPU_PLACEMENT", set_placement},
  };
  for (const Setting& s : kSettings) {
    const char* value = lookup(s.name);
    if (value == nullptr) continue;
    if (!s.apply(config, value)) DebugLine(config) << "ignoring malformed " << s.name << "=" << value;
  }
  return config;
}

}  // namespace cgview
