# Building cgview for another Linux architecture with Debian's cross compilers
# (g++-<triplet>) and that architecture's multiarch libraries (libelf-dev:<arch>,
# libgtest-dev:<arch>), as scripts/cross-test does:
#   cmake -S . -B build-cross-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/cross-toolchain.cmake \
#         -DCGVIEW_CROSS_TRIPLET=aarch64-linux-gnu
# aarch64 binaries run here under qemu-user through binfmt_misc, i386 ones natively, so
# tests need no emulator prefix.
if(NOT CGVIEW_CROSS_TRIPLET)
  message(FATAL_ERROR "cross-toolchain.cmake: set CGVIEW_CROSS_TRIPLET (e.g. aarch64-linux-gnu)")
endif()
# Try-compiles run in their own project and see only variables listed here.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CGVIEW_CROSS_TRIPLET)

string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${CGVIEW_CROSS_TRIPLET}")
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${CGVIEW_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CGVIEW_CROSS_TRIPLET}-g++)
# Debian's multiarch layout: the target's libraries, CMake packages and .pc files live
# under /usr/lib/<triplet>; headers are shared (and the target's own in /usr/include/<triplet>).
# The multiarch name is the triplet's, except i386's (the compiler is i686-linux-gnu-g++).
string(REGEX REPLACE "^i[3-6]86-" "i386-" cgview_multiarch "${CGVIEW_CROSS_TRIPLET}")
set(CMAKE_LIBRARY_ARCHITECTURE ${cgview_multiarch})
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${cgview_multiarch}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# A port with Debian's cross libc alone (libc6-dev-<arch>-cross, under /usr/<triplet>/lib)
# and no multiarch libraries (s390x: bookworm's security archive no longer carries it,
# so its multiarch packages cannot match this machine's): its programs name that
# directory's loader and search it first, so that they run under qemu-user as they
# are, without an emulator prefix or LD_LIBRARY_PATH in the environment the tests
# check. DT_RPATH (not RUNPATH) reaches the libraries' own dependencies too.
if(NOT EXISTS /usr/lib/${cgview_multiarch}/libc.so.6 AND EXISTS /usr/${CGVIEW_CROSS_TRIPLET}/lib/libc.so.6)
  file(GLOB cgview_cross_loader /usr/${CGVIEW_CROSS_TRIPLET}/lib/ld*.so.[0-9])
  if(NOT cgview_cross_loader)
    message(FATAL_ERROR "cross-toolchain.cmake: no loader (ld*.so.N) in /usr/${CGVIEW_CROSS_TRIPLET}/lib")
  endif()
  list(GET cgview_cross_loader 0 cgview_cross_loader)  # one per port (s390x: ld64.so.1)
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--dynamic-linker=${cgview_cross_loader} -Wl,-rpath,/usr/${CGVIEW_CROSS_TRIPLET}/lib -Wl,--disable-new-dtags")
endif()
