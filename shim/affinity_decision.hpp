// What a getter of affinity shows, and what a setter does with a mask the
// program was shown: shared by the getters (cpu_hooks.cpp), the setters of
// running tasks (affinity_set_hooks.cpp) and of thread attributes
// (affinity_attr_hooks.cpp), and syscall() (syscall_hooks.cpp). A mask equal to what the task was
// shown (its narrowed real mask) stands for its real mask; a mask equal to
// the process's V stands for A, the mask V was narrowed from; any other mask
// is the program's own choice of real CPU ids and passes through.
#pragma once

#include <sched.h>
#include <stddef.h>

#include "cpu_set.hpp"
#include "view_cache.hpp"

namespace cgview::shim {

// Narrows a successful real answer in place: the first N ids of the mask in
// the rotation from V's start (cpu_set.hpp keep_in_rotation), N = the rounded
// quota; applied to A that is V, to a thread's own mask that thread's view of
// it. Under a sysroot, the fixture's V. `size` is the bytes the answer holds.
void narrow_to_view(size_t size, cpu_set_t* mask);

// sched_setaffinity's rule, with `set_real` the setter of the real mask (libc's
// function, or the system call for syscall()): -1 and errno, or 0, as it.
using RealSetter = int (*)(pid_t pid, size_t size, const cpu_set_t* mask);
int set_task_affinity(pid_t pid, size_t size, const cpu_set_t* mask, RealSetter set_real);

// Whether the caller's `size`-byte mask holds exactly the ids of `set`.
bool same_mask(const cpu_set_t* mask, size_t size, const CpuSet& set);

// Whether this process's masks are narrowed at all (else every setter passes
// through); fills `rule` when they are.
bool narrowing(AffinityRule& rule);

// What `real` (a task's real mask) looks like through the view: under a
// sysroot the fixture's V, else `real` narrowed by the rule.
bool shown_mask_of(const AffinityRule& rule, const CpuSet& real, CpuSet& shown);

// Before a setter changes a mask: keeps the process's A and V as they are now,
// the first time only, so that a V saved before and restored after the view's
// A changed (the main thread pinned itself) still stands for that A.
void remember_view_before_first_set();

enum class Decision { PassThrough, KeepReal, SetAffinity };

// `real` is the task's real mask. KeepReal: the mask stands for `real`;
// SetAffinity: it stands for `process_mask` (A); PassThrough: it is meant as given.
Decision decide(const AffinityRule& rule, const cpu_set_t* mask, size_t size, const CpuSet& real,
                CpuSet& process_mask);

// Copies `set` into the caller's `size`-byte mask, zeroing the rest of it.
void write_mask(const CpuSet& set, size_t size, cpu_set_t* mask);

}  // namespace cgview::shim
