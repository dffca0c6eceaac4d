// In a fork child: closing the copies of the library's own fds that other
// threads of the parent had open (lib/own_fds.hpp).
#pragma once

#include "own_fds.hpp"

namespace cgview::shim {

// Called in the child, first thing after the real fork, with the counts the
// parent read right before it. Raw system calls only (the child of a
// threaded program); errno is left as the fork set it.
void close_fds_copied_from_other_threads(const OwnFdCounts& before);

}  // namespace cgview::shim
