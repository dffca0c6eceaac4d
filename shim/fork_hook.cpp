// fork: the real one, once no other thread holds files of the shim's open
// (own_fds_section.hpp), so that the child gets none of them.
#include <errno.h>
#include <unistd.h>

#include "export.hpp"
#include "own_fds_section.hpp"
#include "real_functions.hpp"

using namespace cgview::shim;

// glibc's own name for fork: where the next object's fork cannot be found
// (nothing found does on glibc). Weak, as the shim's other glibc names.
extern "C" pid_t __fork() __attribute__((weak));

CGVIEW_EXPORT pid_t fork() {
  const RealFunctions* r = real_wait();  // null only inside this thread's own resolution, which never forks
  pid_t (*real)() = r != nullptr && r->fork != nullptr ? r->fork : __fork;
  if (real == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return fork_between_sections(real);
}
