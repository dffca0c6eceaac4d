#include "elf_identity.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace cgview::cli {

namespace {

// ARM's float ABI as an EABI 5 object's flags state it (0: not stated).
unsigned arm_float_abi(unsigned flags) {
  if (EF_ARM_EABI_VERSION(flags) != EF_ARM_EABI_VER5) return 0;
  return flags & (EF_ARM_ABI_FLOAT_SOFT | EF_ARM_ABI_FLOAT_HARD);
}

// What beyond class, byte order and machine glibc's loader requires to be its
// own (its VALID_ELF_HEADER and elf_machine_matches_host), as the object's
// flag bits, and whether the object states it: one that does not loads with
// either.
struct AbiBits {
  unsigned bits = 0;
  bool stated = true;
};
AbiBits abi_bits(const ElfIdentity& build) {
  switch (build.machine) {
    case EM_ARM: {  // the float ABI, soft or hard
      unsigned abi = arm_float_abi(build.flags);
      return {abi, abi != 0};
    }
    case EM_PPC64: {  // ELFv1 or ELFv2
      unsigned abi = build.flags & EF_PPC64_ABI;
      return {abi, abi != 0};
    }
    case EM_RISCV: return {build.flags & EF_RISCV_FLOAT_ABI};
    case EM_MIPS: {  // the NaN encoding; on 32-bit, o32 or n32
      unsigned bits = build.flags & EF_MIPS_NAN2008;
      if (build.elf_class == ELFCLASS32) bits |= build.flags & EF_MIPS_ABI2;
      return {bits};
    }
    default: return {};
  }
}

bool arm_soft_float(const ElfIdentity& build) {
  return build.machine == EM_ARM && arm_float_abi(build.flags) == EF_ARM_ABI_FLOAT_SOFT;
}

bool mips_n32(const ElfIdentity& build) {
  return build.machine == EM_MIPS && build.elf_class == ELFCLASS32 && (build.flags & EF_MIPS_ABI2) != 0;
}

// MIPS release 6, whose ports Debian names apart (mipsisa64r6el-...).
bool mips_r6(const ElfIdentity& build) {
  constexpr unsigned kArch32r6 = 0x90000000, kArch64r6 = 0xa0000000;  // EF_MIPS_ARCH values
  unsigned arch = build.flags & EF_MIPS_ARCH;
  return build.machine == EM_MIPS && (arch == kArch32r6 || arch == kArch64r6);
}

}  // namespace

bool ElfIdentity::loads_with(const ElfIdentity& other) const {
  if (elf_class != other.elf_class || data != other.data || machine != other.machine) return false;
  AbiBits mine = abi_bits(*this), theirs = abi_bits(other);
  return !mine.stated || !theirs.stated || mine.bits == theirs.bits;
}

bool elf_identity(std::string_view head, ElfIdentity& out) {
  if (head.size() < EI_NIDENT + 4 || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) return false;
  auto byte = [&](size_t i) { return unsigned(static_cast<unsigned char>(head[i])); };
  out.elf_class = int(byte(EI_CLASS));
  out.data = int(byte(EI_DATA));
  // The header's fields are in the file's byte order.
  auto field = [&](size_t at, size_t size) {
    unsigned value = 0;
    for (size_t i = 0; i < size; ++i) value = value << 8 | byte(out.data == ELFDATA2MSB ? at + i : at + size - 1 - i);
    return value;
  };
  // e_type and e_machine follow e_ident in both classes; e_flags comes after
  // the entry point and two table offsets, addresses of the class's size.
  out.type = int(field(EI_NIDENT, 2));
  out.machine = int(field(EI_NIDENT + 2, 2));
  size_t flags_at = out.elf_class == ELFCLASS64 ? offsetof(Elf64_Ehdr, e_flags) : offsetof(Elf32_Ehdr, e_flags);
  out.flags = head.size() >= flags_at + 4 ? field(flags_at, 4) : 0;
  return true;
}

bool elf_identity_of_file(const std::string& path, ElfIdentity& out, int* open_error) {
  if (open_error != nullptr) *open_error = 0;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (open_error != nullptr) *open_error = errno;
    return false;
  }
  char head[sizeof(Elf64_Ehdr)];
  ssize_t got = pread(fd, head, sizeof head, 0);
  bool ok = got > 0 && elf_identity({head, size_t(got)}, out);
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
      elf_identity(std::string_view(reinterpret_cast<const char*>(__ehdr_start),
                                    sizeof(void*) == 8 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)),
                   me))
    return me;
  me.elf_class = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
  me.data = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ELFDATA2MSB : ELFDATA2LSB;
  me.type = ET_EXEC;
#if defined(__x86_64__)
  me.machine = EM_X86_64;
#elif defined(__aarch64__)
  me.machine = EM_AARCH64;
#elif defined(__i386__)
  me.machine = EM_386;
#elif defined(__powerpc64__)
  me.machine = EM_PPC64;
#elif defined(__s390x__)
  me.machine = EM_S390;
#endif
  return me;
}

std::string describe_build(const ElfIdentity& build) {
  const bool is64 = build.elf_class == ELFCLASS64;
  std::string name;
  switch (build.machine) {
    case EM_X86_64: name = "x86-64"; break;
    case EM_386: name = "i386"; break;
    case EM_AARCH64: name = "arm64"; break;
    case EM_ARM: name = "arm"; break;
    case EM_RISCV: name = "riscv"; break;
    case EM_PPC64: name = build.data == ELFDATA2LSB ? "ppc64le" : "ppc64"; break;  // as uname -m says
    case EM_PPC: name = "powerpc"; break;
    case EM_S390: name = is64 ? "s390x" : "s390"; break;
    case EM_MIPS: name = "mips"; break;
    case EM_LOONGARCH: name = "loongarch"; break;
    case EM_SPARCV9: name = "sparc64"; break;
    case EM_SPARC: name = "sparc"; break;
    case EM_ALPHA: name = "alpha"; break;
    case EM_PARISC: name = "hppa"; break;
    case EM_68K: name = "m68k"; break;
    case EM_SH: name = "sh"; break;
    case EM_IA_64: name = "ia64"; break;
    default: name = "machine " + std::to_string(build.machine);
  }
  std::string traits = is64 ? "64-bit" : build.elf_class == ELFCLASS32 ? "32-bit" : "";
  auto add = [&](const char* trait) { traits += (traits.empty() ? "" : ", ") + std::string(trait); };
  // Big-endian said: ppc64, MIPS and ARM come in both orders, as different ports.
  if (build.data == ELFDATA2MSB) add("big-endian");
  // The ABIs abi_bits tells apart, where not the usual one.
  const AbiBits abi = abi_bits(build);
  if (arm_soft_float(build)) add("soft-float");
  if (build.machine == EM_PPC64 && build.data == ELFDATA2MSB && abi.stated) add(abi.bits == 1 ? "ELFv1" : "ELFv2");
  if (build.machine == EM_RISCV && abi.bits != EF_RISCV_FLOAT_ABI_DOUBLE)
    add(abi.bits == EF_RISCV_FLOAT_ABI_SOFT ? "soft-float" : abi.bits == EF_RISCV_FLOAT_ABI_SINGLE ? "single-float" : "quad-float");
  if (mips_n32(build)) add("n32");
  if (build.machine == EM_MIPS && (build.flags & EF_MIPS_NAN2008) != 0) add("nan2008");
  return traits.empty() ? name : name + " (" + traits + ")";
}

std::string multiarch_triplet(const ElfIdentity& build) {
  const bool is64 = build.elf_class == ELFCLASS64, little = build.data == ELFDATA2LSB;
  switch (build.machine) {
    case EM_X86_64: return is64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
    case EM_386: return "i386-linux-gnu";
    case EM_AARCH64: return is64 && little ? "aarch64-linux-gnu" : "";
    case EM_ARM:
      if (!little) return "";
      // Debian's armel is soft-float; an object that states neither ABI is
      // taken for armhf's, the port still carried.
      return arm_soft_float(build) ? "arm-linux-gnueabi" : "arm-linux-gnueabihf";
    case EM_PPC64: return !is64 ? "" : little ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu";
    case EM_PPC: return little ? "" : "powerpc-linux-gnu";
    case EM_S390: return is64 ? "s390x-linux-gnu" : "s390-linux-gnu";
    case EM_RISCV:  // Debian's riscv64 is lp64d, its double-float ABI
      return is64 && (build.flags & EF_RISCV_FLOAT_ABI) == EF_RISCV_FLOAT_ABI_DOUBLE ? "riscv64-linux-gnu" : "";
    case EM_LOONGARCH: return is64 ? "loongarch64-linux-gnu" : "";
    case EM_MIPS: {
      // mips, mips64, mipsisa32r6, mipsisa64r6 (n32 runs on 64-bit cores);
      // "el" when little-endian; the ABI: n64, n32 or o32.
      const bool wide = is64 || mips_n32(build);
      std::string cpu = mips_r6(build) ? (wide ? "mipsisa64r6" : "mipsisa32r6") : (wide ? "mips64" : "mips");
      return cpu + (little ? "el" : "") + (is64 ? "-linux-gnuabi64" : mips_n32(build) ? "-linux-gnuabin32" : "-linux-gnu");
    }
    case EM_SPARCV9: return "sparc64-linux-gnu";
    case EM_ALPHA: return "alpha-linux-gnu";
    case EM_PARISC: return "hppa-linux-gnu";
    case EM_68K: return "m68k-linux-gnu";
    case EM_SH: return little ? "sh4-linux-gnu" : "";
    case EM_IA_64: return "ia64-linux-gnu";
    default: return "";
  }
}

}  // namespace cgview::cli
