// The CGVIEW_* environment, read the same way by the shim and the CLI.
#pragma once

#include <cstddef>
#include <cstdint>

#include "host_files.hpp"

namespace cgview {

enum class Rounding : uint8_t { Ceil, Floor, Round };

// Which N CPUs of the affinity mask make the view (CGVIEW_CPU_PLACEMENT).
enum class Placement : uint8_t { Spread, Lowest };

// Every CGVIEW_* variable, in the order warnings about them are printed.
enum class Setting : uint8_t { Disable, Debug, HoldFiles, Sysroot, Cpus, Memory, CpuRounding, CpuPlacement };
inline constexpr size_t kSettingCount = 8;

// CGVIEW_HOLD_FILES when unset: off, so that no fd of cgview's outlives a call
// unless the user asks for it.
inline constexpr bool kHoldFilesDefault = false;

// A variable that was set to a value cgview does not accept, and so ignored.
// The value is a copy (the environment may change), cut to kShownValueMax
// bytes with "..." after, and any byte that is not printable ASCII shown as
// '?', so the warning stays one line of text.
inline constexpr size_t kShownValueMax = 64;
struct SettingWarning {
  Setting setting;
  char value[kShownValueMax + 4];  // NUL-terminated
};

struct Config {
  bool disabled = false;  // CGVIEW_DISABLE=1: everything passes through
  bool debug = false;     // CGVIEW_DEBUG=1: one stderr line per decision
  // Where debug's lines are folded into a hash instead of written, to tell
  // whether they changed since they were last said (the shim's refresh;
  // debug_log.hpp). nullptr: written at once.
  uint64_t* debug_hash = nullptr;
  Sysroot root;           // CGVIEW_SYSROOT; root.hold_inputs = CGVIEW_HOLD_FILES
  bool has_cpus_override = false;
  uint64_t cpus_override_micro = 0;  // CGVIEW_CPUS in millionths of a CPU
  bool has_memory_override = false;
  uint64_t memory_override = 0;  // CGVIEW_MEMORY in bytes
  Rounding rounding = Rounding::Ceil;
  Placement placement = Placement::Spread;
  // The malformed variables, at most one entry per variable.
  uint8_t warning_count = 0;
  SettingWarning warnings[kSettingCount] = {};
};

// The same settings with CGVIEW_DEBUG's lines off: for the cgview command's
// second looks at what its first computation already said (a check beside
// the view, each later sample of `stats`), so each line is said once.
inline Config without_debug_lines(const Config& config) {
  Config quiet = config;
  quiet.debug = false;
  return quiet;
}

// Looks up a variable; the shim and CLI pass secure_getenv so setuid programs
// ignore the environment. nullptr = unset.
using EnvLookup = const char* (*)(const char* name);

// Builds the configuration. A variable set to the empty string counts as
// unset (a Dockerfile's ENV cannot unset one). A malformed value is ignored,
// as if unset, and recorded in `warnings`; nothing is printed here.
Config config_from_env(EnvLookup lookup);

// Setters shared by the environment and the CLI's flags; false = malformed.
bool set_sysroot(Config& config, const char* dir);  // syntax only; see sysroot_exists
// CGVIEW_CPUS's bound, in micro-CPUs (exclusive): below 10^13 CPUs, as its
// warning says (the micro-CPUs fit 64 bits up to 1.8 * 10^13).
inline constexpr uint64_t kCpusOverrideMicroBound = 10'000'000'000'000'000'000u;
bool set_cpus_override(Config& config, const char* text);
inline constexpr uint64_t kMinMemoryOverride = uint64_t(1) << 20;  // CGVIEW_MEMORY's smallest
bool set_memory_override(Config& config, const char* text);
bool set_rounding(Config& config, const char* text);
bool set_placement(Config& config, const char* text);
// The words the setters take: "ceil", "spread", ...
const char* rounding_name(Rounding rounding);
const char* placement_name(Placement placement);
// 1/true/yes/on and 0/false/no/off, in any case; false = neither.
bool parse_bool(const char* text, bool& value);
// The sysroot names an existing directory (the live system always does).
bool sysroot_exists(const Config& config);
// It holds proc/ or sys/, as a system's root does: a mistyped one (/tmp)
// would give no cgroup and no host figures, as if cgview were off.
bool sysroot_is_a_systems_root(const Config& config);

// The variable's name ("CGVIEW_CPUS") and what it accepts ("ceil, floor or round").
const char* setting_name(Setting setting);
const char* setting_expected(Setting setting);

// One warning as the user reads it: "ignoring CGVIEW_X=VALUE: expected ...",
// without the "cgview: " that starts the line on stderr.
using WarningText = FixedText<256>;
void format_warning(const SettingWarning& warning, WarningText& out);

// Calls fn(const SettingWarning&) for each malformed variable, in a fixed order.
template <class Fn>
void for_each_warning(const Config& config, Fn&& fn) {
  for (uint8_t i = 0; i < config.warning_count; ++i) fn(config.warnings[i]);
}

// Writes "cgview: ignoring ..." on stderr (fd 2, one raw write each) for each
// warning whose variable this process has not warned about yet: once per
// process and variable, whichever threads ask. Keeps errno. Async-signal-safe.
void print_warnings_once(const Config& config);

}  // namespace cgview
