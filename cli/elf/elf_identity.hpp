// Which system an ELF file is built for, from its first 20 bytes: what decides
// whether ld.so can load it into a program (class and machine), with its byte
// order and type. Reading a file's contents (libraries, symbols) is
// elf_inspect's, through libelf.
#pragma once

#include <string>
#include <string_view>

namespace cgview::cli {

struct ElfIdentity {
  int elf_class = 0, data = 0, type = 0, machine = 0;
  // ld.so loads an object only into programs of its own class and machine.
  bool loads_with(const ElfIdentity& other) const { return elf_class == other.elf_class && machine == other.machine; }
};

// From a file's first bytes; false when they are not an ELF header's.
bool elf_identity(std::string_view head, ElfIdentity& out);
// From the file at `path` (opened non-blocking: a FIFO there does not hang
// the command). False when it is not ELF, or cannot be opened: then
// `open_error`, when given, is the open's errno (0 for a file that is not ELF).
bool elf_identity_of_file(const std::string& path, ElfIdentity& out, int* open_error = nullptr);
// What this cgview was built for, as libcgview.so is (machine 0 where neither
// its own header nor the compiler says).
ElfIdentity this_build_identity();

// "x86-64 (64-bit)", for messages.
std::string describe_machine(int machine, int elf_class);
// The multiarch triplet Debian uses for an ELF machine and class
// ("x86_64-linux-gnu"); empty when unknown.
std::string_view multiarch_triplet(int machine, int elf_class);

}  // namespace cgview::cli
