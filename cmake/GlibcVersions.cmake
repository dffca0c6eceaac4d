# Does the target's glibc carry the affinity calls' first ABI (GLIBC_2.3.3: no size
# argument, a 128-byte mask) beside the current one? Only the ports that glibc had in
# 2004 do (x86-64, i386, s390x, big-endian ppc64, mips, sparc, alpha, ia64); the later
# ones (aarch64: GLIBC_2.17, 32-bit arm: 2.4, ppc64el: 2.17, riscv64: 2.27, loongarch64:
# 2.36) have one ABI, under their base version alone.
#
# The shim must match: where there are two ABIs it exports each under glibc's version
# names (an unversioned definition would take calls of both, each with its own argument
# list); where there is one it exports its interposers unversioned, so they bind to
# whatever version a program names. A definition under a version the port lacks binds
# nothing: a program on aarch64 asks for sched_getaffinity@GLIBC_2.17.
#
# Sets CGVIEW_OLD_AFFINITY_ABI (1 or 0); a compile-and-link check, so it answers for the
# compiler's target, cross builds included (cmake/cross-toolchain.cmake).
include(CheckCSourceCompiles)
check_c_source_compiles([[
#define _GNU_SOURCE
#include <sched.h>
int sched_getaffinity_old(pid_t pid, cpu_set_t* mask);
__asm__(".symver sched_getaffinity_old,sched_getaffinity@GLIBC_2.3.3");
int main(void) {
  cpu_set_t set;
  return sched_getaffinity_old(0, &set);
}
]] CGVIEW_GLIBC_HAS_2_3_3_AFFINITY)
if(CGVIEW_GLIBC_HAS_2_3_3_AFFINITY)
  set(CGVIEW_OLD_AFFINITY_ABI 1)
else()
  set(CGVIEW_OLD_AFFINITY_ABI 0)
endif()
message(STATUS "cgview: glibc's GLIBC_2.3.3 affinity ABI: ${CGVIEW_OLD_AFFINITY_ABI}")

