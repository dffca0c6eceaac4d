// Printing `cgview doctor`'s program verdicts: a table for people, JSON for tools.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "doctor.hpp"

namespace cgview::cli {

// One line per program; with `reasons`, each program's reasons below it; the
// LD_LIBRARY_PATH the libraries were searched with and the runner judged for
// ("UID:GID", --user) last, where there are.
void print_doctor_text(std::FILE* out, const std::vector<ProgramReport>& reports, bool reasons,
                       std::string_view library_path, std::string_view run_by);

// {"root": ..., "library_path": ... or null, "user": "UID:GID" or null,
//  "programs": [...], "reached": N, "not_reached": M}
void print_doctor_json(std::FILE* out, const std::vector<ProgramReport>& reports, std::string_view root,
                       std::string_view library_path, std::string_view run_by);

}  // namespace cgview::cli
