// What `cgview run --cpus/--memory` and `show` under CGVIEW_CPUS/CGVIEW_MEMORY
// say about an override that does not do what it reads as: one above what
// the kernel enforces (programs size themselves for what they cannot have),
// or one above what the host has (it changes nothing).
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace cgview::cli {

// How the overrides were given, for the lines: "--cpus 4" or "CGVIEW_CPUS=4";
// empty for one not given.
struct OverrideNames {
  std::string cpus, memory;
};

// The overrides set in the environment, as "CGVIEW_CPUS=4" (empty where unset).
OverrideNames names_from_environment();

// One line each (no "cgview: warning: " prefix), for `with_overrides`'s
// overrides against the same configuration without them.
std::vector<std::string> override_warnings(const Config& with_overrides, const OverrideNames& names);

}  // namespace cgview::cli
