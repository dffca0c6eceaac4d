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
