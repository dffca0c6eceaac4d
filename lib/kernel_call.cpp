#include "kernel_call.hpp"

#include <unistd.h>

// Defined (hidden) by the shim's shim/syscall_entry.S on the ports where it
// interposes syscall(); elsewhere, and in everything else linking the core,
// undefined, and so null: a weak reference.
extern "C" long cgview_forward_syscall(long number, ...) __attribute__((weak));

namespace cgview {

long kernel_affinity_call(long number, long pid, unsigned long size, const void* mask) {
  if (cgview_forward_syscall != nullptr) return cgview_forward_syscall(number, pid, size, mask);
  return syscall(number, pid, size, mask);
}

}  // namespace cgview
