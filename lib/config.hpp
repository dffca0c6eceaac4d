// The CGVIEW_* environment, read the same way by the shim and the CLI.
#pragma once

#include <cstdint>

#include "host_files.hpp"

namespace cgview {

enum class Rounding : uint8_t { Ceil, Floor, Round };

// Which N CPUs of the affinity mask make the view (CGVIEW_CPU_PLACEMENT):
// a block starting where the cgroup's identity points (Spread), or the lowest ids.
enum class Placement : uint8_t { Spread, Lowest };

struct Config {
  bool disabled = false;  // CGVIEW_DISABLE=1: everything passes through
  bool debug = false;     // CGVIEW_DEBUG=1: one stderr line per decision
  Sysroot root;           // CGVIEW_SYSROOT
  bool has_cpus_override = false;
  uint64_t cpus_override_micro = 0;  // CGVIEW_CPUS in millionths of a CPU
  bool has_memory_override = false;
  uint64_t memory_override = 0;  // CGVIEW_MEMORY in bytes
  Rounding rounding = Rounding::Ceil;
  Placement placement = Placement::Spread;
};

// Looks up a variable; the shim and CLI pass secure_getenv so setuid programs
// ignore the environment. nullptr = unset.
using EnvLookup = const char* (*)(const char* name);

// Builds the configuration. Malformed values are ignored (logged under debug).
Config config_from_env(EnvLookup lookup);

// Setters shared by the environment and the CLI's flags; false = malformed.
bool set_sysroot(Config& config, const char* dir);
bool set_cpus_override(Config& config, const char* text);
bool set_memory_override(Config& config, const char* text);
bool set_rounding(Config& config, const char* text);
bool set_placement(Config& config, const char* text);

}  // namespace cgview
