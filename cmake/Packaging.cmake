# `cpack -G DEB` in the build dir makes cgview_<version>_<arch>.deb: /usr/bin/cgview
# and /usr/lib/libcgview.so (the layout `cgview run` and `cgview enable` expect:
# the library at ../lib/ from the binary). Its dependencies are computed when
# it is made, so they stay right when a dependency is added: with the command
# linked statically, from the library's glibc version needs (deb/depends.cmake
# says why not dpkg-shlibdeps); otherwise by dpkg-shlibdeps from what the
# binaries link.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cgview)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "cgview")
# Whoever publishes the package sets this (cmake -DCGVIEW_PACKAGE_MAINTAINER=...).
set(CGVIEW_PACKAGE_MAINTAINER "cgview maintainers <cgview@example.org>" CACHE STRING
    "The Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${CGVIEW_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "make programs in a container see its CPUs and memory")
# The extended description: CPack indents each line and turns the empty one into " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "libcgview.so, preloaded (LD_PRELOAD or /etc/ld.so.preload), answers
sysconf, get_nprocs, sched_getaffinity, sysinfo and the reading of
/proc/meminfo, /proc/cpuinfo, /proc/stat and /sys/devices/system/cpu/online
from the container's cgroup limits, so unmodified programs (JVMs, nginx,
Python, free, top) size themselves for the container instead of the host.

The cgview command shows that view and where each number came from, runs a
program under the shim, and enables it system-wide.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(CGVIEW_STATIC_CLI)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_CGVIEW_OBJDUMP "${CMAKE_OBJDUMP}")
  set(CPACK_CGVIEW_SHIM_FILE "${CMAKE_BINARY_DIR}/shim/libcgview.so")
  set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/deb/depends.cmake)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# A cross build's package is for the compiler's target: CPack would label it
# with this machine's architecture (dpkg --print-architecture).
if(CMAKE_CROSSCOMPILING)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -dumpmachine OUTPUT_VARIABLE cgview_target
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND dpkg-architecture -t${cgview_target} -qDEB_HOST_ARCH OUTPUT_VARIABLE cgview_deb_arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE cgview_deb_arch_status)
  if(cgview_deb_arch_status EQUAL 0 AND cgview_deb_arch)
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${cgview_deb_arch})
  else()
    message(WARNING "no Debian architecture for ${cgview_target}: cpack would label the .deb with this machine's")
  endif()
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# prerm: `cgview disable` on removal, so /etc/ld.so.preload never names a
# library that is gone. postinst and postrm do nothing: given, they keep CPack
# from adding ldconfig calls (the triggers file asks for the ldconfig trigger,
# as lintian wants of a package with a library in /usr/lib).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/deb/prerm ${CMAKE_CURRENT_LIST_DIR}/deb/postinst ${CMAKE_CURRENT_LIST_DIR}/deb/postrm
    ${CMAKE_CURRENT_LIST_DIR}/deb/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# What Debian's policy asks of every package: copyright and changelog in its doc
# dir (the changelog gzipped without a timestamp), and the lintian overrides
# that say why the library has no soname.
set(cgview_changelog ${CMAKE_CURRENT_BINARY_DIR}/changelog)
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  string(TIMESTAMP cgview_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
else()
  set(cgview_date "Mon, 30 Nov 2026 00:00:00 +0000")
endif()
file(WRITE ${cgview_changelog}
  "cgview (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
  "  * Packaged with CPack (cpack -G DEB).\n\n"
  " -- ${CGVIEW_PACKAGE_MAINTAINER}  ${cgview_date}\n")
execute_process(COMMAND gzip -9nf ${cgview_changelog})
install(FILES ${cgview_changelog}.gz ${CMAKE_CURRENT_LIST_DIR}/deb/copyright DESTINATION share/doc/cgview)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/deb/lintian-overrides DESTINATION share/lintian/overrides RENAME cgview)
include(CPack)
