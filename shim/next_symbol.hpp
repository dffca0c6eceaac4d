// The next definition of a symbol after libcgview.so, found without dlsym.
//
// The shim finds dlsym and dlvsym themselves this way (naming them would tie it to
// glibc 2.34's new version of them: shim/real_functions.cpp). And before glibc 2.34
// they live in libdl, which a program that does not link it never loads (coreutils,
// most daemons): there the shim finds libc's real functions this way too. It walks the
// loaded objects in load order (dl_iterate_phdr, in libc on every glibc), skips up to
// and including its own, and looks the name up in each next object's dynamic symbol
// table (GNU or SysV hash, symbol versions). In a process without libdl the program
// itself has dlopened nothing (dlopen is in libdl too); what glibc loads by itself
// (NSS, iconv, libgcc_s: not in the global scope) comes after libc, which defines every
// name the shim looks up (before 2.32-2.34 the pthread_*affinity_np pair is libpthread's,
// which such a module can bring, where dlsym would find none). So the answer is
// dlsym(RTLD_NEXT)'s.
#pragma once

namespace cgview::shim {

// The address of `name` in the first object loaded after ours that defines it: at
// `version` when given (or in an object without versions), else at its default
// version. nullptr when no later object defines it, and when the first that does
// defines an indirect function (IFUNC), whose resolver this does not call: none of the
// names the shim looks up is one in glibc (checked back to 2.31).
void* next_symbol(const char* name, const char* version);

}  // namespace cgview::shim
