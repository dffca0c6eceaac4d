// The part of `cgview show` below the table: the cgroup's own figures now
// (throttling, OOM, pids, block I/O), as `cgview stats` shows them once.
#pragma once

#include "config.hpp"

namespace cgview::cli {

void print_figures(const Config& config);

}  // namespace cgview::cli
