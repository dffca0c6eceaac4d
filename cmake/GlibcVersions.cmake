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

# The first symbol version of dlsym on this port (GLIBC_2.2.5 on x86-64, GLIBC_2.17 on
# aarch64 and ppc64el, ...): the shim binds dlsym and dlvsym there, not at GLIBC_2.34,
# so that it loads on every glibc since the port's first (shim/real_functions.cpp).
# Sets CGVIEW_GLIBC_FIRST_VERSION; a link check against the target's libc for each
# version name a glibc port has started from.
set(CGVIEW_GLIBC_FIRST_VERSION "")
foreach(candidate GLIBC_2.2.5 GLIBC_2.17 GLIBC_2.0 GLIBC_2.1 GLIBC_2.2 GLIBC_2.3 GLIBC_2.4
                  GLIBC_2.18 GLIBC_2.21 GLIBC_2.27 GLIBC_2.29 GLIBC_2.32 GLIBC_2.35 GLIBC_2.36)
  string(MAKE_C_IDENTIFIER "CGVIEW_DLSYM_AT_${candidate}" result_var)
  set(CMAKE_REQUIRED_LIBRARIES ${CMAKE_DL_LIBS})
  check_c_source_compiles("
void* first_dlsym(void* handle, const char* name);
__asm__(\".symver first_dlsym,dlsym@${candidate}\");
int main(void) { return first_dlsym((void*)0, \"main\") != 0; }
" ${result_var})
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(${result_var})
    set(CGVIEW_GLIBC_FIRST_VERSION ${candidate})
    break()
  endif()
endforeach()
if(NOT CGVIEW_GLIBC_FIRST_VERSION)
  message(FATAL_ERROR "cgview: found no first version of dlsym in the target's glibc")
endif()
message(STATUS "cgview: dlsym's first version: ${CGVIEW_GLIBC_FIRST_VERSION}")
