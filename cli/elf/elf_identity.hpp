// Which system an ELF file is built for, from its header: what decides
// whether ld.so can load it into a program (class, byte order, machine, and
// on some machines the ABI its flags name), with its type. Reading a file's
// contents (libraries, symbols) is elf_inspect's, through libelf.
#pragma once

#include <string>
#include <string_view>

namespace cgview::cli {

struct ElfIdentity {
  int elf_class = 0, data = 0, type = 0, machine = 0;
  unsigned flags = 0;  // e_flags; 0 when the header was cut short before them
  // Whether ld.so loads an object of this identity into a program of
  // `other`'s, and so the other way too. glibc's loader takes only its own
  // class, byte order and machine, and its own ABI where the flags state one:
  // ARM's float ABI, ppc64's ELFv1 or v2, RISC-V's float ABI, MIPS's NaN
  // encoding and on 32-bit o32 or n32. The program stands for its loader,
  // built for the same: where a program states no ABI, any build passes.
  bool loads_with(const ElfIdentity& other) const;
};

// From a file's first bytes (e_ident, e_type and e_machine at least; e_flags
// when the whole header is there); false when they are not an ELF header's.
bool elf_identity(std::string_view head, ElfIdentity& out);
// From the file at `path` (opened non-blocking: a FIFO there does not hang
// the command). False when it is not ELF, or cannot be opened: then
// `open_error`, when given, is the open's errno (0 for a file that is not ELF).
bool elf_identity_of_file(const std::string& path, ElfIdentity& out, int* open_error = nullptr);
// What this cgview was built for, as libcgview.so is (machine 0 where neither
// its own header nor the compiler says).
ElfIdentity this_build_identity();

// "x86-64 (64-bit)", "ppc64 (64-bit, big-endian, ELFv1)", "arm (32-bit,
// soft-float)", for messages.
std::string describe_build(const ElfIdentity& build);
// The multiarch triplet Debian uses for objects of this identity
// ("x86_64-linux-gnu", "powerpc64-linux-gnu" for big-endian ppc64); empty
// when unknown.
std::string multiarch_triplet(const ElfIdentity& build);

}  // namespace cgview::cli
