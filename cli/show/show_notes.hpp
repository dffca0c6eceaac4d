// What `cgview show` says beside its table: warnings (malformed settings,
// overrides above the limits, stand-in cgroups) and notes (a limit that may
// apply unseen above a namespace's root). Both the table and --json print them.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "limits.hpp"

namespace cgview::cli {

// No limit below the host's was found, but the search stopped at a
// namespace's root: one above it would apply unseen.
std::vector<std::string> hidden_limit_notes(const Config& config, const Limits& limits, bool have_limits);

// The malformed CGVIEW_* settings, as the shim prints them; overrides above
// the enforced limits; cgroups that are stand-ins.
std::vector<std::string> view_warnings(const Config& config, const CgroupDirs& dirs);

}  // namespace cgview::cli
