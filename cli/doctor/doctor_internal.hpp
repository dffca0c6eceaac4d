// What the files of the Doctor class share (doctor.cpp, doctor_preload.cpp,
// doctor_libraries.cpp): nothing else uses it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "doctor.hpp"

namespace cgview::cli {

inline constexpr std::string_view kMuslLibc = "libc.so";  // musl's libc (and loader); glibc's is libc.so.6

// Where something else keeps a glibc program or library from being reached
// (setuid, a missing loader, an old glibc), its first reason no longer says
// how cgview loads into it.
void drop_reach_claim(ProgramReport& report);

// The object at `path` (as ld.so opened it), asking for its needs. `secure`:
// the program runs in secure mode (an object it loads takes its loader's).
Requester requester(std::string path, const ElfFacts& facts, const ElfIdentity& build,
                    std::shared_ptr<const Requester> loader, bool secure = false);

// glibc's loader, by its file name on each port: ld-linux-x86-64.so.2,
// ld-linux-aarch64.so.1, ld-linux-armhf.so.3, ld-linux.so.2 (i386), ld64.so.1
// and ld64.so.2 (s390x, ppc64), ld.so.1 (MIPS, 32-bit PowerPC, s390, m68k,
// hppa, microblaze).
bool is_glibc_loader(std::string_view file_name);

}  // namespace cgview::cli
