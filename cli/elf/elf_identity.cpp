#include "elf_identity.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cgview::cli {

bool elf_identity(std::string_view head, ElfIdentity& out) {
  if (head.size() < EI_NIDENT + 4 || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) return false;
  auto byte = [&](size_t i) { return int(static_cast<unsigned char>(head[i])); };
  out.elf_class = byte(EI_CLASS);
  out.data = byte(EI_DATA);
  // e_type and e_machine follow e_ident in both classes, in the file's byte order.
  auto half = [&](size_t at) {
    return out.data == ELFDATA2MSB ? byte(at) << 8 | byte(at + 1) : byte(at + 1) << 8 | byte(at);
  };
  out.type = half(EI_NIDENT);
  out.machine = half(EI_NIDENT + 2);
  return true;
}

bool elf_identity_of_file(const std::string& path, ElfIdentity& out, int* open_error) {
  if (open_error != nullptr) *open_error = 0;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (open_error != nullptr) *open_error = errno;
    return false;
  }
  char head[EI_NIDENT + 4];
  bool ok = pread(fd, head, sizeof head, 0) == ssize_t(sizeof head) && elf_identity({head, sizeof head}, out);
  close(fd);
  return ok;
}

// The linker's symbol for this binary's own ELF header, mapped with its
// first segment: the class and machine it was built for, on any architecture,
// with no file to read. Weak: a link that does not map the header leaves it
// null, and then the compiler's view of the target stands in.
extern "C" const unsigned char __ehdr_start[] __attribute__((weak, visibility("hidden")));

ElfIdentity this_build_identity() {
  ElfIdentity me;
  if (__ehdr_start != nullptr &&
      elf_identity(std::string_view(reinterpret_cast<const char*>(__ehdr_start), EI_NIDENT + 4), me))
    return me;
  me.elf_class = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
  me.type = ET_EXEC;
#if defined(__x86_64__)
  me.machine = EM_X86_64;
#elif defined(__aarch64__)
  me.machine = EM_AARCH64;
#elif defined(__i386__)
  me.machine = EM_386;
#endif
  return me;
}

std::string describe_machine(int machine, int elf_class) {
  std::string name;
  switch (machine) {
    case EM_X86_64: name = "x86-64"; break;
    case EM_386: name = "i386"; break;
    case EM_AARCH64: name = "arm64"; break;
    case EM_ARM: name = "arm"; break;
    case EM_RISCV: name = "riscv"; break;
    case EM_PPC64: name = "ppc64"; break;
    case EM_S390: name = "s390x"; break;
    default: name = "machine " + std::to_string(machine);
  }
  return name + (elf_class == ELFCLASS64 ? " (64-bit)" : elf_class == ELFCLASS32 ? " (32-bit)" : "");
}

std::string_view multiarch_triplet(int machine, int elf_class) {
  switch (machine) {
    case EM_X86_64: return elf_class == ELFCLASS64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
    case EM_386: return "i386-linux-gnu";
    case EM_AARCH64: return "aarch64-linux-gnu";
    case EM_ARM: return "arm-linux-gnueabihf";
    case EM_PPC64: return "powerpc64le-linux-gnu";
    case EM_S390: return "s390x-linux-gnu";
    case EM_RISCV: return "riscv64-linux-gnu";
    default: return "";
  }
}

}  // namespace cgview::cli
