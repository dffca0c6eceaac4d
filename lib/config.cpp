#include "config.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <string_view>

#include "debug_log.hpp"

namespace cgview {

namespace {

struct SettingInfo {
  const char* name;
  const char* expected;
};

// Indexed by Setting. The wording of `expected` is what users read after
// "ignoring CGVIEW_X=VALUE: expected ".
constexpr SettingInfo kSettings[kSettingCount] = {
    {"CGVIEW_DISABLE", "1, true, yes, on, 0, false, no or off"},
    {"CGVIEW_DEBUG", "1, true, yes, on, 0, false, no or off"},
    {"CGVIEW_HOLD_FILES", "1, true, yes, on, 0, false, no or off"},
    {"CGVIEW_SYSROOT", "a system's root: an existing directory with proc/ or sys/ in it"},
    {"CGVIEW_CPUS", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
    {"CGVIEW_MEMORY", "a size of 1M or more and below 2^64 bytes: whole bytes, or a K, M, G or T suffix with at most six decimals, such as 512M or 1.5G"},
    {"CGVIEW_CPU_ROUNDING", "ceil, floor or round"},
    {"CGVIEW_CPU_PLACEMENT", "spread or lowest"},
};

const SettingInfo& info(Setting s) { return kSettings[size_t(s)]; }

bool equals_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

void record_warning(Config& config, Setting setting, const char* value) {
  if (config.warning_count >= kSettingCount) return;
  SettingWarning& w = config.warnings[config.warning_count++];
  w.setting = setting;
  size_t n = 0;
  for (; value[n] != '\0' && n < kShownValueMax; ++n) {
    unsigned char c = static_cast<unsigned char>(value[n]);
    w.value[n] = c >= 0x20 && c < 0x7f ? char(c) : '?';
  }
  if (value[n] != '\0')
    for (char dot : {'.', '.', '.'}) w.value[n++] = dot;
  w.value[n] = '\0';
}

// Per-process record of the variables already warned about: one bit each.
// Set with one atomic fetch_or, so of many threads exactly one prints a line.
// A fork child inherits it (the same program, already warned); an exec starts
// a new program, which warns for itself.
constinit std::atomic<uint32_t> g_warned{0};
static_assert(kSettingCount <= 32, "one bit per variable");

}  // namespace

const char* setting_name(Setting setting) { return info(setting).name; }
const char* setting_expected(Setting setting) { return info(setting).expected; }

bool parse_bool(const char* text, bool& value) {
  std::string_view t = trim(text);
  for (std::string_view yes : {"1", "true", "yes", "on"})
    if (equals_lowercase(t, yes)) return value = true, true;
  for (std::string_view no : {"0", "false", "no", "off"})
    if (equals_lowercase(t, no)) return value = false, true;
  return false;
}

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

bool sysroot_exists(const Config& config) {
  if (config.root.live()) return true;
  // "DIR/." resolves only when DIR is a directory (ENOTDIR otherwise); one
  // raw faccessat, no fd and no struct stat whose layout differs by arch.
  ErrnoKeeper keep_errno;
  PathText dot = config.root.prefix;
  dot.add("/.");
  if (dot.overflowed()) return false;
  return syscall(SYS_faccessat, AT_FDCWD, dot.c_str(), F_OK) == 0;
}

bool sysroot_is_a_systems_root(const Config& config) {
  if (config.root.live()) return true;
  ErrnoKeeper keep_errno;
  for (const char* part : {"/proc", "/sys"}) {
    PathText dir = config.root.prefix;
    dir.add(part);
    if (!dir.overflowed() && syscall(SYS_faccessat, AT_FDCWD, dir.c_str(), F_OK) == 0) return true;
  }
  return false;
}

bool set_cpus_override(Config& config, const char* text) {
  uint64_t micro = 0;
  if (!parse_decimal_micro(text, micro) || micro == 0 || micro >= kCpusOverrideMicroBound) return false;
  config.has_cpus_override = true;
  config.cpus_override_micro = micro;
  return true;
}

bool set_memory_override(Config& config, const char* text) {
  uint64_t bytes = 0;
  // Less than 1 MiB no system runs in: below a page it would read as
  // "MemTotal: 0 kB", and programs that size themselves by it fail to start.
  if (!parse_size(text, bytes) || bytes < kMinMemoryOverride) return false;
  config.has_memory_override = true;
  config.memory_override = bytes;
  return true;
}

namespace {

// The words of each mode, in the enum's order: read by the setters, written by `show`.
constexpr const char* kRoundingNames[] = {"ceil", "floor", "round"};
constexpr const char* kPlacementNames[] = {"spread", "lowest"};

// Words, like the booleans, in any case and with blanks around them.
template <typename Mode, size_t N>
bool set_mode(Mode& mode, const char* const (&names)[N], const char* text) {
  std::string_view t = trim(text);
  for (size_t i = 0; i < N; ++i) {
    if (!equals_lowercase(t, names[i])) continue;
    mode = Mode(i);
    return true;
  }
  return false;
}

}  // namespace

const char* rounding_name(Rounding rounding) { return kRoundingNames[size_t(rounding)]; }
const char* placement_name(Placement placement) { return kPlacementNames[size_t(placement)]; }

bool set_rounding(Config& config, const char* text) { return set_mode(config.rounding, kRoundingNames, text); }
bool set_placement(Config& config, const char* text) { return set_mode(config.placement, kPlacementNames, text); }

Config config_from_env(EnvLookup lookup) {
  Config config;
  config.root.hold_inputs = kHoldFilesDefault;
  // Each setter leaves the configuration as it was when it refuses a value.
  auto apply = [&](Setting setting, auto&& set) {
    const char* value = lookup(info(setting).name);
    if (value == nullptr || value[0] == '\0') return;
    if (!set(value)) record_warning(config, setting, value);
  };
  auto flag = [&](bool& field) {
    return [&field](const char* v) { return parse_bool(v, field); };
  };
  apply(Setting::Disable, flag(config.disabled));
  apply(Setting::Debug, flag(config.debug));
  apply(Setting::HoldFiles, flag(config.root.hold_inputs));
  apply(Setting::Sysroot, [&](const char* v) {
    if (set_sysroot(config, v) && sysroot_exists(config) && sysroot_is_a_systems_root(config)) return true;
    config.root.prefix.clear();  // back to the live system, as unset
    return false;
  });
  apply(Setting::Cpus, [&](const char* v) { return set_cpus_override(config, v); });
  apply(Setting::Memory, [&](const char* v) { return set_memory_override(config, v); });
  apply(Setting::CpuRounding, [&](const char* v) { return set_rounding(config, v); });
  apply(Setting::CpuPlacement, [&](const char* v) { return set_placement(config, v); });
  return config;
}

void format_warning(const SettingWarning& warning, WarningText& out) {
  out.clear();
  // A blank at either end would read as nothing there ("CGVIEW_DISABLE= :"):
  // quoted then. Control characters are '?' already (record_warning).
  const std::string_view value = warning.value;
  const bool quoted = !value.empty() && (value.front() == ' ' || value.back() == ' ');
  out.add("ignoring ").add(setting_name(warning.setting)).add('=');
  if (quoted) out.add('"');
  out.add(value);
  if (quoted) out.add('"');
  out.add(": expected ").add(setting_expected(warning.setting));
}

void print_warnings_once(const Config& config) {
  for_each_warning(config, [](const SettingWarning& w) {
    uint32_t bit = uint32_t(1) << unsigned(w.setting);
    if (g_warned.fetch_or(bit, std::memory_order_relaxed) & bit) return;
    WarningText text;
    format_warning(w, text);
    FixedText<300> line;
    line.add("cgview: ").add(text.view());
    write_stderr_line(line.view());
  });
}

}  // namespace cgview
