// The kernel's own answer to a system call, past libcgview.so's interposer of
// libc's syscall(). The shim shows a program that asks the kernel for its mask
// through syscall() the view's mask (shim/syscall_entry.S); the core and the
// shim's own hooks need the real one, and must not re-enter the view while
// forming it.
#pragma once

namespace cgview {

// Inside libcgview.so: its forwarding entry, which goes straight on to the next
// syscall() (libc's). In the cgview command and the tests: libc's syscall().
// `number` is SYS_sched_getaffinity or SYS_sched_setaffinity; the answer is the
// system call's (the bytes written, or 0), -1 and errno on failure, as syscall().
long kernel_affinity_call(long number, long pid, unsigned long size, const void* mask);

}  // namespace cgview
