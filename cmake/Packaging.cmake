# `cpack -G DEB` in the build dir makes cgview_<version>_<arch>.deb: /usr/bin/cgview
# and /usr/lib/libcgview.so (the layout `cgview run` and `cgview enable` expect:
# the library at ../lib/ from the binary). Its dependencies are computed by
# dpkg-shlibdeps from what the binaries link (libc6 for the library; whatever
# the command links besides), so they stay right when a dependency is added.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cgview)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "cgview")
set(CPACK_PACKAGE_CONTACT "cgview maintainers <cgview@localhost.localdomain>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "make programs in a container see its CPUs and memory")
# Debian's extended description: one space before each line, " ." between paragraphs.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "make programs in a container see its CPUs and memory
 libcgview.so, preloaded (LD_PRELOAD or /etc/ld.so.preload), answers sysconf,
 get_nprocs, sched_getaffinity, sysinfo and the reading of /proc/meminfo,
 /proc/cpuinfo, /proc/stat and /sys/devices/system/cpu/online from the
 container's cgroup limits, so unmodified programs (JVMs, nginx, Python, free,
 top) size themselves for the container instead of the host.
 .
 The cgview command shows that view and where each number came from, runs a
 program under the shim, and enables it system-wide.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Only the runtime: no test or benchmark target installs anything, but say so.
set(CPACK_COMPONENTS_ALL_IN_ONE_PACKAGE ON)
include(CPack)
