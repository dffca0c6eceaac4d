// Which builds ld.so loads together, and what doctor calls them: ELF headers
// of ports this machine cannot run (big-endian ppc64, ARM's two float ABIs,
// MIPS o32 and n32), made byte by byte, and this build's own files read both
// by the header reader and by libelf.
#include <elf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "elf_identity.hpp"
#include "elf_inspect.hpp"

namespace cgview::cli {
namespace {

// A whole ELF header of the given kind, every field in its byte order.
std::string header(int elf_class, int data, int machine, uint32_t flags = 0, int type = ET_DYN) {
  const bool is64 = elf_class == ELFCLASS64;
  std::string h(is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), '\0');
  h.replace(0, SELFMAG, ELFMAG);
  h[EI_CLASS] = char(elf_class);
  h[EI_DATA] = char(data);
  h[EI_VERSION] = EV_CURRENT;
  auto put = [&](size_t at, uint32_t value, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      size_t shift = 8 * (data == ELFDATA2MSB ? size - 1 - i : i);
      h[at + i] = char(value >> shift & 0xff);
    }
  };
  put(offsetof(Elf64_Ehdr, e_type), uint32_t(type), 2);
  put(offsetof(Elf64_Ehdr, e_machine), uint32_t(machine), 2);
  put(is64 ? offsetof(Elf64_Ehdr, e_flags) : offsetof(Elf32_Ehdr, e_flags), flags, 4);
  return h;
}

ElfIdentity identity_of(const std::string& head) {
  ElfIdentity id;
  EXPECT_TRUE(elf_identity(head, id));
  return id;
}

constexpr uint32_t kArmHard = EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD;
constexpr uint32_t kArmSoft = EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_SOFT;

TEST(ElfIdentity, ReadsEveryFieldInTheFilesByteOrder) {
  ElfIdentity be = identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64, 0x12345678, ET_EXEC));
  EXPECT_EQ(be.elf_class, ELFCLASS64);
  EXPECT_EQ(be.data, ELFDATA2MSB);
  EXPECT_EQ(be.machine, EM_PPC64);
  EXPECT_EQ(be.type, ET_EXEC);
  EXPECT_EQ(be.flags, 0x12345678u);
  ElfIdentity arm = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmHard));
  EXPECT_EQ(arm.machine, EM_ARM);
  EXPECT_EQ(arm.flags, kArmHard);
  // e_flags lies further in a 64-bit header: a 32-bit one's offset there holds
  // part of e_shoff.
  std::string wide = header(ELFCLASS64, ELFDATA2LSB, EM_X86_64, 0);
  wide[offsetof(Elf32_Ehdr, e_flags)] = 0x7f;
  EXPECT_EQ(identity_of(wide).flags, 0u);
}

TEST(ElfIdentity, AShortHeaderHasNoFlagsAndTooShortIsNotElf) {
  std::string full = header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmSoft);
  ElfIdentity cut = identity_of(full.substr(0, EI_NIDENT + 4));
  EXPECT_EQ(cut.machine, EM_ARM);
  EXPECT_EQ(cut.flags, 0u);
  ElfIdentity id;
  EXPECT_FALSE(elf_identity(full.substr(0, EI_NIDENT + 3), id));
  std::string not_elf = full;
  not_elf[1] = 'X';
  EXPECT_FALSE(elf_identity(not_elf, id));
}

TEST(ElfIdentity, LoadsOnlyWithItsOwnClassByteOrderAndMachine) {
  ElfIdentity le = identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_PPC64));
  ElfIdentity be = identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64));
  EXPECT_TRUE(le.loads_with(le));
  EXPECT_FALSE(le.loads_with(be));
  EXPECT_FALSE(be.loads_with(le));
  EXPECT_FALSE(identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_X86_64)).loads_with(
      identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_X86_64))));  // x32 and x86-64
  EXPECT_FALSE(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_AARCH64)).loads_with(
      identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_X86_64))));
  // A program and a library differ in type, not in what loads with what.
  EXPECT_TRUE(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_X86_64, 0, ET_EXEC))
                  .loads_with(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_X86_64, 0, ET_DYN))));
}

// glibc's loader refuses an object stating another ABI than its own: ARM's
// float ABI (an EABI 5 object stating none, or of an older EABI, loads into
// either), ppc64's ELFv1 and v2 (likewise), RISC-V's float ABI, MIPS's NaN
// encoding and o32 against n32.
TEST(ElfIdentity, ObjectsOfAnotherAbiDoNotMix) {
  ElfIdentity hard = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmHard));
  ElfIdentity soft = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmSoft));
  ElfIdentity unstated = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, EF_ARM_EABI_VER5));
  ElfIdentity old_eabi = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, 0x04000000 | EF_ARM_ABI_FLOAT_SOFT));
  EXPECT_FALSE(hard.loads_with(soft));
  EXPECT_FALSE(soft.loads_with(hard));
  EXPECT_TRUE(hard.loads_with(unstated));
  EXPECT_TRUE(unstated.loads_with(soft));
  EXPECT_TRUE(old_eabi.loads_with(hard));
  ElfIdentity o32 = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_MIPS, 0));
  ElfIdentity n32 = identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_MIPS, EF_MIPS_ABI2));
  EXPECT_FALSE(o32.loads_with(n32));
  EXPECT_TRUE(n32.loads_with(n32));
  ElfIdentity legacy_nan = identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_MIPS, 0));
  ElfIdentity nan2008 = identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_MIPS, EF_MIPS_NAN2008));
  EXPECT_FALSE(legacy_nan.loads_with(nan2008));
  EXPECT_FALSE(identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_MIPS, EF_MIPS_NAN2008)).loads_with(o32));
  EXPECT_TRUE(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_MIPS, EF_MIPS_ABI2)).loads_with(legacy_nan))
      << "EF_MIPS_ABI2 means n32 only in a 32-bit object";
  ElfIdentity elfv1 = identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64, 1));
  ElfIdentity elfv2 = identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64, 2));
  ElfIdentity ppc_unstated = identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64, 0));
  EXPECT_FALSE(elfv1.loads_with(elfv2));
  EXPECT_TRUE(elfv1.loads_with(ppc_unstated));
  EXPECT_TRUE(ppc_unstated.loads_with(elfv2));
  ElfIdentity lp64d = identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_DOUBLE));
  ElfIdentity lp64 = identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_SOFT));
  EXPECT_FALSE(lp64d.loads_with(lp64));
  EXPECT_TRUE(lp64d.loads_with(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_DOUBLE | 1))))
      << "EF_RISCV_RVC, compressed instructions, is no ABI";
}

TEST(ElfIdentity, DescribedWithWhatSetsItApart) {
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_X86_64))), "x86-64 (64-bit)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_PPC64))), "ppc64le (64-bit)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64))), "ppc64 (64-bit, big-endian)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_PPC64, 1))), "ppc64 (64-bit, big-endian, ELFv1)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_PPC64, 2))), "ppc64le (64-bit)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_DOUBLE))),
            "riscv (64-bit)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_RISCV, 0))), "riscv (64-bit, soft-float)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, EM_MIPS, EF_MIPS_NAN2008))),
            "mips (64-bit, nan2008)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS32, ELFDATA2MSB, EM_PARISC))), "hppa (32-bit, big-endian)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2MSB, EM_S390))), "s390x (64-bit, big-endian)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS32, ELFDATA2MSB, EM_S390))), "s390 (32-bit, big-endian)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmHard))), "arm (32-bit)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmSoft))), "arm (32-bit, soft-float)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS32, ELFDATA2MSB, EM_MIPS, EF_MIPS_ABI2))),
            "mips (32-bit, big-endian, n32)");
  EXPECT_EQ(describe_build(identity_of(header(ELFCLASS64, ELFDATA2LSB, 9999))), "machine 9999 (64-bit)");
  EXPECT_EQ(describe_build(ElfIdentity{}), "machine 0");
}

// Debian's names for its ports' library directories, which $LIB and the
// default search path use.
TEST(ElfIdentity, MultiarchTripletsOfDebiansPorts) {
  struct Case {
    int elf_class, data, machine;
    uint32_t flags;
    const char* triplet;
  };
  const Case cases[] = {
      {ELFCLASS64, ELFDATA2LSB, EM_X86_64, 0, "x86_64-linux-gnu"},
      {ELFCLASS32, ELFDATA2LSB, EM_X86_64, 0, "x86_64-linux-gnux32"},
      {ELFCLASS32, ELFDATA2LSB, EM_386, 0, "i386-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_AARCH64, 0, "aarch64-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_AARCH64, 0, ""},  // no Debian port
      {ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmHard, "arm-linux-gnueabihf"},
      {ELFCLASS32, ELFDATA2LSB, EM_ARM, EF_ARM_EABI_VER5, "arm-linux-gnueabihf"},
      {ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmSoft, "arm-linux-gnueabi"},
      {ELFCLASS64, ELFDATA2LSB, EM_PPC64, 0, "powerpc64le-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_PPC64, 0, "powerpc64-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_PPC, 0, "powerpc-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_S390, 0, "s390x-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_S390, 0, "s390-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_PPC64, 1, "powerpc64-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_DOUBLE, "riscv64-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_RISCV, EF_RISCV_FLOAT_ABI_SOFT, ""},  // no Debian port
      {ELFCLASS64, ELFDATA2LSB, EM_LOONGARCH, 0, "loongarch64-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_MIPS, 0, "mips64el-linux-gnuabi64"},
      {ELFCLASS32, ELFDATA2LSB, EM_MIPS, EF_MIPS_ABI2, "mips64el-linux-gnuabin32"},
      {ELFCLASS32, ELFDATA2LSB, EM_MIPS, 0, "mipsel-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_MIPS, 0, "mips-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_MIPS, 0, "mips64-linux-gnuabi64"},
      {ELFCLASS64, ELFDATA2LSB, EM_MIPS, 0xa0000000, "mipsisa64r6el-linux-gnuabi64"},
      {ELFCLASS32, ELFDATA2LSB, EM_MIPS, 0xa0000000 | EF_MIPS_ABI2 | EF_MIPS_NAN2008, "mipsisa64r6el-linux-gnuabin32"},
      {ELFCLASS32, ELFDATA2LSB, EM_MIPS, 0x90000000 | EF_MIPS_NAN2008, "mipsisa32r6el-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_MIPS, 0x90000000 | EF_MIPS_NAN2008, "mipsisa32r6-linux-gnu"},
      {ELFCLASS64, ELFDATA2MSB, EM_SPARCV9, 0, "sparc64-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_ALPHA, 0, "alpha-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_PARISC, 0, "hppa-linux-gnu"},
      {ELFCLASS32, ELFDATA2MSB, EM_68K, 0, "m68k-linux-gnu"},
      {ELFCLASS32, ELFDATA2LSB, EM_SH, 0, "sh4-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, EM_IA_64, 0, "ia64-linux-gnu"},
      {ELFCLASS64, ELFDATA2LSB, 9999, 0, ""},
  };
  for (const Case& c : cases)
    EXPECT_EQ(multiarch_triplet(identity_of(header(c.elf_class, c.data, c.machine, c.flags))), c.triplet)
        << describe_build(identity_of(header(c.elf_class, c.data, c.machine, c.flags)));
}

// The header reader and libelf agree on real files: this build's shim, a
// program the suite built, and what this cgview says of itself.
TEST(ElfIdentity, AgreesWithLibelfOnThisBuildsFiles) {
  for (const char* path : {CGVIEW_SHIM_PATH, DOCTOR_PROGRAMS "/doctor_dynamic"}) {
    ElfIdentity header_read;
    ASSERT_TRUE(elf_identity_of_file(path, header_read)) << path;
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ElfFacts facts = inspect_elf_memory(bytes.data(), bytes.size(), ElfDepth::Linking);
    const ElfIdentity& libelf_read = facts.identity;
    EXPECT_EQ(header_read.elf_class, libelf_read.elf_class) << path;
    EXPECT_EQ(header_read.data, libelf_read.data) << path;
    EXPECT_EQ(header_read.machine, libelf_read.machine) << path;
    EXPECT_EQ(header_read.type, libelf_read.type) << path;
    EXPECT_EQ(header_read.flags, libelf_read.flags) << path;
    EXPECT_TRUE(header_read.loads_with(this_build_identity())) << path;
  }
  const ElfIdentity me = this_build_identity();
  EXPECT_EQ(me.data, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ELFDATA2MSB : ELFDATA2LSB);
  EXPECT_FALSE(multiarch_triplet(me).empty()) << describe_build(me);
}

TEST(ElfIdentity, FilesTooShortMissingOrNotRegularAreRefused) {
  char dir_template[] = "/tmp/cgview-elf-identity-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template, shortfile = dir + "/short", fifo = dir + "/fifo", arm = dir + "/arm";
  std::ofstream(shortfile, std::ios::binary) << header(ELFCLASS64, ELFDATA2LSB, EM_X86_64).substr(0, 10);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A file no longer than a 32-bit header, shorter than the 64-bit one read for.
  std::ofstream(arm, std::ios::binary) << header(ELFCLASS32, ELFDATA2LSB, EM_ARM, kArmSoft);
  ElfIdentity id;
  ASSERT_TRUE(elf_identity_of_file(arm, id));
  EXPECT_EQ(id.flags, kArmSoft);
  int open_error = -1;
  EXPECT_FALSE(elf_identity_of_file(shortfile, id, &open_error));
  EXPECT_EQ(open_error, 0);
  EXPECT_FALSE(elf_identity_of_file(fifo, id, &open_error));  // opened non-blocking: no writer, no hang
  EXPECT_FALSE(elf_identity_of_file(dir + "/none", id, &open_error));
  EXPECT_EQ(open_error, ENOENT);
  unlink(shortfile.c_str());
  unlink(arm.c_str());
  unlink(fifo.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace cgview::cli
