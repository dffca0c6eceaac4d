// Pointers the kernel is sure to refuse with EFAULT.
#pragma once

#include <cstdint>

namespace cgview::shim {

// In the first page, which Linux never maps (mmap_min_addr is at least
// 4096), or, on x86-64, in the kernel's half of the address space (other
// 64-bit machines may tag the top byte of user pointers: arm64's TBI), or on
// i386 in its last two pages (above a 32-bit process's space under a 64-bit
// kernel, 0xffffe000, and in the kernel's part under a 32-bit one). The shim
// reads a path or a mask itself before the real call; for such a pointer it
// leaves the call, and so the EFAULT, to the kernel, as without the shim.
// Other unmapped or PROT_NONE memory still faults in the shim (README,
// Limitations): telling it apart costs a system call on every open.
inline bool surely_refused_pointer(const void* p) {
  uintptr_t v = reinterpret_cast<uintptr_t>(p);
#if defined(__x86_64__)
  return v < 4096 || (v >> 63) != 0;
#elif defined(__i386__)
  return v < 4096 || v >= 0xffffe000u;
#else
  return v < 4096;
#endif
}

}  // namespace cgview::shim
