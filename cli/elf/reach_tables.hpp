// What `cgview doctor` looks for inside a program: the functions libcgview.so
// interposes, the files it serves, and the cgroup limit file names whose
// presence shows that a program reads its container's limits by itself.
#pragma once

#include <span>
#include <string_view>

namespace cgview::cli {

// Dynamic symbols a program must import for the shim to answer it. With
// describing_symbols, kept in step with the shim's exports by a test
// (ReachTables.CoverEveryExportOfTheShim).
std::span<const std::string_view> interposed_symbols();

// The shim's other exports, which a program's asking is not judged by: the
// stat calls that describe a served fd (shim/stat_hooks.cpp), and syscall()
// (shim/syscall_entry.S), imported by most programs for other numbers.
std::span<const std::string_view> describing_symbols();

// Paths the shim serves (lib/virtual_files.cpp maps exactly these).
std::span<const std::string_view> served_paths();

// File names of cgroup v1 and v2 limits: a program that contains them
// probably computes its own container limits.
std::span<const std::string_view> cgroup_limit_names();

}  // namespace cgview::cli
