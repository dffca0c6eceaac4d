// Pointers the kernel is sure to refuse with EFAULT.
#pragma once

#include <cstdint>

namespace cgview::shim {

// In the first page, which Linux never maps (mmap_min_addr is at least
// 4096), or, on 64-bit, in the kernel's half of the address space. The shim
// reads a path or a mask itself before the real call; for such a pointer it
// leaves the call, and so the EFAULT, to the kernel, as without the shim.
// Other unmapped or PROT_NONE memory still faults in the shim (README,
// Limitations): telling it apart costs a system call on every open.
inline bool surely_refused_pointer(const void* p) {
  uintptr_t v = reinterpret_cast<uintptr_t>(p);
  return v < 4096 || (sizeof v == 8 && (v >> (8 * sizeof v - 1)) != 0);
}

}  // namespace cgview::shim
