// The next definition of a symbol after libcgview.so, found without dlsym.
//
// The shim finds dlsym and dlvsym themselves this way (naming them would tie it to
// glibc 2.34's new version of them: shim/real_functions.cpp). And before glibc 2.34
// they live in libdl, which a program that does not link it never loads (coreutils,
// most daemons): there the shim finds libc's real functions this way too. It walks the
// loaded objects in load order (dl_iterate_phdr, in libc on every glibc), skips up to
// and including its own, and looks the name up in each next object's dynamic symbol
// table (GNU or SysV hash, symbol versions). A process without libdl cannot have
// dlopened anything (dlopen is in libdl too), so load order is its global scope, and
// the answer is dlsym(RTLD_NEXT)'s.
#pragma once

namespace cgview::shim {

// The address of `name` in the first object loaded after ours that defines it: at
// `version` when given (or unversioned), else at its default version. nullptr when no
// later object defines it, and for an indirect function (IFUNC), whose resolver this
// does not call: none of the functions the shim interposes is one in glibc.
void* next_symbol(const char* name, const char* version);

}  // namespace cgview::shim
