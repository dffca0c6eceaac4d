// What a line of /proc/cpuinfo says, over every layout Linux prints:
// - "processor : N" blocks up to a blank line (x86, arm, arm64, ppc, riscv,
//   loongarch, mips, ia64); arm64 before 4.x prints all processor lines back
//   to back, then one section shared by every CPU;
// - s390x: a header with "# processors : N", one "processor N: version = ..."
//   line per CPU, and on newer kernels "cpu number : N" blocks, each after a
//   blank line;
// - sparc: "ncpus active : N", per-CPU "CpuNClkTck"/"CpuNBogo" and "CPUN:" lines;
// - alpha: "cpus active : N" (its "cpu active mask" is the possible CPUs,
//   not the online ones, despite its name: it stays the host's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cgview {

enum class CpuinfoKind : unsigned char {
  Other,
  Blank,
  Processor,   // "processor : N": starts a block (or one entry of arm64's list)
  CpuNumber,   // s390x "cpu number : N": starts a block that a blank line precedes
  CpuTagged,   // a line about CPU N alone: s390x "processor N: ...", sparc "CpuN...:", "CPUN:"
  Count,       // "# processors", "ncpus active", "cpus active": the number of online CPUs
  PhysicalId,  // x86's package of the block's CPU
  CoreId,
  Siblings,  // CPUs in the package
  CpuCores,  // cores in the package
  // A line with the key of a Processor, CpuNumber, CpuTagged or Count line
  // but no id or count a kernel prints ("processor : 1\0", an id past 2^64):
  // no view can be formed from the file.
  Malformed,
};

struct CpuinfoLine {
  CpuinfoKind kind = CpuinfoKind::Other;
  uint64_t number = 0;   // the CPU id, or the value for Count/PhysicalId/CoreId/Siblings/CpuCores
  size_t value_at = 0;   // where the value begins (for rewritten lines)
  size_t value_end = 0;  // and ends
};

// Classifies one whole line (without its newline).
CpuinfoLine classify_cpuinfo_line(std::string_view line);

}  // namespace cgview
