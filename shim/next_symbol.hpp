// The next definition of a symbol after libcgview.so, found without dlsym.
//
// The shim finds dlsym and dlvsym themselves this way (naming them would tie it to
// glibc 2.34's new version of them: shim/real_functions.cpp). Before glibc 2.34 it
// finds libc's real functions this way too: dlsym lives in libdl there, which a
// program that does not link it never loads, and where it is loaded it allocates on
// first use, which the first resolution must not (real_functions.cpp says why). It
// walks the loaded objects in load order (dl_iterate_phdr, in libc on every glibc),
// skips up to and including its own, and looks the name up in each next object's
// dynamic symbol table (GNU or SysV hash, symbol versions). That finds what
// dlsym(RTLD_NEXT) finds: libc, loaded before anything a program dlopens, defines
// every name the shim looks up, so objects outside the global scope (dlopened
// RTLD_LOCAL, or what glibc loads itself: NSS, iconv, libgcc_s) come after the answer.
// The one exception, before 2.32-2.34 the pthread_*affinity_np pair is libpthread's:
// a libpthread only dlopened RTLD_LOCAL is found here, where dlsym would find none.
#pragma once

namespace cgview::shim {

// The address of `name` in the first object loaded after ours that defines it: at
// `version` when given (or in an object without versions), else at its default
// version. nullptr when no later object defines it, and when the first that does
// defines an indirect function (IFUNC), whose resolver this does not call: none of the
// names the shim looks up is one in glibc (checked back to 2.31).
void* next_symbol(const char* name, const char* version);

// The same over every loaded object but ours, in load order, whether loaded before
// or after it (the shim dlopen'ed after libc): at the default version.
void* loaded_symbol(const char* name);

}  // namespace cgview::shim
