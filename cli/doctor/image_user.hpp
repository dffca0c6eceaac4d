// `cgview doctor --user USER[:GROUP]`: the runner a root's programs are
// judged for, named as docker's USER instruction and `docker run --user`
// name it: a name or a number each, names looked up in the root's
// /etc/passwd and /etc/group.
#pragma once

#include <string>
#include <string_view>

#include "program_lookup.hpp"
#include "file_access.hpp"

namespace cgview::cli {

// Whether `spec` has USER or USER:GROUP's form, each part non-empty (an
// empty spec, docker's for an image without USER, is root). Which ids the
// names stand for is runner_for_user's to find.
bool is_user_spec(std::string_view spec);

// The runner `spec` names inside `root`: its user id; its group, or the
// user's primary group from /etc/passwd (0 for a number /etc/passwd lacks, as
// docker takes it); its supplementary groups, as docker gives them: that
// group, and for a user named without one the groups /etc/group lists it in;
// an empty spec, an image's without USER, is root. root
// holds every capability, other users none. False, with the reason, for a
// name the files lack, an empty part or a number out of range.
bool runner_for_user(const RootFs& root, std::string_view spec, Runner& out, std::string& error);

}  // namespace cgview::cli
