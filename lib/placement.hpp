// Which N CPUs of the affinity mask A make the view V (CGVIEW_CPU_PLACEMENT).
//
// With `lowest` every container that pins threads to "its" CPUs lands on
// CPUs 0..N-1 of the host. With `spread` (the default) V is a block of N
// consecutive CPUs of A whose start comes from the cgroup's identity: every
// process of one container agrees, and different containers start at
// different places. The block wraps around the end of A.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "cpu_set.hpp"
#include "discovery.hpp"

namespace cgview {

// The cgroup's identity: the inode number of its directory, which differs
// per container even in a private cgroup namespace where every path reads
// "/". Under a sysroot the number written in the directory's file
// `cgview-test-inode` instead (fixtures cannot choose their inodes). 0 when
// there is none: then V starts at A's lowest id.
uint64_t cgroup_identity(const Sysroot& root, const CgroupDir& dir);

// The id where V starts in A: the first CPU of the block of `n` that the
// identity picks. Blocks start at a multiple (counted in A's members) of the
// largest power of two <= n, so a block never splits an aligned pair or quad
// of neighbouring ids (where the firmware numbers SMT siblings or a cluster's
// cores next to each other, they stay together). `lowest`, identity 0 or
// n >= |A|: A's lowest id.
unsigned placement_start(const CpuSet& affinity, unsigned n, uint64_t identity, Placement placement);

// The spreading function (exposed for the tests): a 64-bit mix so that
// consecutive, strided and random-looking inode numbers all scatter.
uint64_t mix_identity(uint64_t identity);

}  // namespace cgview
