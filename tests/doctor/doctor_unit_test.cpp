// The ELF reader of `cgview doctor`: Go build info in both layouts, real
// binaries the suite builds, damaged copies of them, and the interposed list
// against the symbols libcgview.so really exports.
#include <elf.h>
#include <link.h>  // ElfW: this build's own ELF class, as of the programs it examines
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "elf_inspect.hpp"
#include "go_buildinfo.hpp"
#include "kernel_call.h"
#include "libc_versions.hpp"
#include "reach_tables.hpp"
#include "virtual_files.hpp"

namespace cgview::cli {
namespace {

// The class of this build's programs and libraries (the i386 build's are 32-bit).
constexpr char kOwnElfClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ElfFacts inspect_copy(std::string bytes) {
  return inspect_elf_memory(bytes.data(), bytes.size(), ElfDepth::Contents);
}

std::string header(uint8_t pointer_size, uint8_t flags) {
  std::string block(kGoBuildInfoMagic);
  block += char(pointer_size);
  block += char(flags);
  block.resize(32, '\0');
  return block;
}

TEST(GoBuildInfo, InlineVersionOfGo118AndLater) {
  std::string block = header(8, 2);
  block += char(8);
  block += "go1.25.1";
  block += "\x10path\tmain";
  std::string version;
  ASSERT_TRUE(go_version_from_buildinfo(block, nullptr, version));
  EXPECT_EQ(version, "go1.25.1");
  EXPECT_EQ(go_minor_version(version), 25);
}

TEST(GoBuildInfo, PointerToAGoStringBefore118) {
  for (bool big : {false, true}) {
    std::string block = header(8, big ? 1 : 0);
    auto word = [big](uint64_t v) {
      std::string w(8, '\0');
      for (int i = 0; i < 8; ++i) w[big ? 7 - i : i] = char(v >> (8 * i));
      return w;
    };
    block.replace(16, 8, word(0x1000));
    std::map<uint64_t, std::string> memory{{0x1000, word(0x2000) + word(8)}, {0x2000, "go1.17.5"}};
    ReadAtAddress read = [&](uint64_t a, size_t n, std::string& out) {
      auto it = memory.find(a);
      if (it == memory.end() || it->second.size() < n) return false;
      out = it->second.substr(0, n);
      return true;
    };
    std::string version;
    ASSERT_TRUE(go_version_from_buildinfo(block, read, version)) << big;
    EXPECT_EQ(version, "go1.17.5");
    EXPECT_EQ(go_minor_version(version), 17);
  }
}

TEST(GoBuildInfo, MalformedBlocksAreRefused) {
  std::string version;
  EXPECT_FALSE(go_version_from_buildinfo("\xff Go buildinf:", nullptr, version));  // short
  std::string huge = header(8, 2) + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  EXPECT_FALSE(go_version_from_buildinfo(huge, nullptr, version));
  std::string cut = header(8, 2) + char(40) + "go1.2";  // length beyond the block
  EXPECT_FALSE(go_version_from_buildinfo(cut, nullptr, version));
  std::string nowhere = header(8, 0);
  ReadAtAddress none = [](uint64_t, size_t, std::string&) { return false; };
  EXPECT_FALSE(go_version_from_buildinfo(nowhere, none, version));
  std::string odd = header(3, 0);  // no such pointer size
  EXPECT_FALSE(go_version_from_buildinfo(odd, none, version));
  EXPECT_EQ(go_minor_version("devel +abc"), -1);
  EXPECT_EQ(go_minor_version("go1.9"), 9);
}

TEST(ElfInspect, DynamicProgramImportsAndNames) {
  ElfFacts f = inspect_copy(slurp(DOCTOR_PROGRAMS "/doctor_dynamic"));
  ASSERT_TRUE(f.is_elf) << f.damage;
  EXPECT_TRUE(f.damage.empty()) << f.damage;
  EXPECT_EQ(f.identity.elf_class, kOwnElfClass);
  EXPECT_TRUE(f.has_interp);
  // glibc's loader, by whatever name the port gives it (ld-linux-x86-64.so.2, ld64.so.2 on ppc64el).
  std::string_view loader = std::string_view(f.interp).substr(f.interp.rfind('/') + 1);
  EXPECT_TRUE(f.interp.starts_with("/lib") && loader.starts_with("ld") && loader.find(".so.") != std::string_view::npos)
      << f.interp;
  EXPECT_NE(std::find(f.needed.begin(), f.needed.end(), "libc.so.6"), f.needed.end());
  EXPECT_NE(std::find(f.imports.begin(), f.imports.end(), "sysconf"), f.imports.end());
  EXPECT_NE(std::find(f.imports.begin(), f.imports.end(), "fopen"), f.imports.end());
  EXPECT_EQ(std::find(f.imports.begin(), f.imports.end(), "sysinfo"), f.imports.end());
  ASSERT_EQ(f.served_paths.size(), 1u);
  EXPECT_EQ(f.served_paths[0], "/proc/meminfo");
  EXPECT_FALSE(f.go);
}

// Names in read-only data: whole names only, but Rust and Go pack literals
// back to back, so a long name may follow any byte.
TEST(ElfInspect, NamesInPackedStrings) {
  using cgview::cli::contains_token;
  using namespace std::string_view_literals;
  EXPECT_TRUE(contains_token("x\0/proc/stat\0"sv, "/proc/stat"));
  EXPECT_FALSE(contains_token("/proc/statm", "/proc/stat"));
  EXPECT_FALSE(contains_token("memory.max_usage_in_bytes", "memory.max"));
  EXPECT_FALSE(contains_token("percpu.max", "cpu.max"));
  EXPECT_TRUE(contains_token("\acpu.max\a", "cpu.max"));
  EXPECT_TRUE(contains_token("/proc/self/cgroupicpu.cfs_quota_us\a\a", "cpu.cfs_quota_us"));  // Rust 1.95
  EXPECT_TRUE(contains_token("lenmemory.limit_in_bytes", "memory.limit_in_bytes"));
  EXPECT_FALSE(contains_token("cpu.cfs_quota_used", "cpu.cfs_quota_us"));
  EXPECT_FALSE(contains_token("", "cpu.max"));
  EXPECT_FALSE(contains_token("anything", ""));
}

TEST(ElfInspect, StaticMuslAndGoPrograms) {
  ElfFacts st = inspect_copy(slurp(DOCTOR_PROGRAMS "/doctor_static"));
  EXPECT_TRUE(st.is_elf);
  EXPECT_FALSE(st.has_interp);
  EXPECT_TRUE(st.needed.empty());
  ElfFacts musl = inspect_copy(slurp(DOCTOR_PROGRAMS "/doctor_musl"));
  EXPECT_NE(musl.interp.find("ld-musl-"), std::string::npos) << musl.interp;
  ElfFacts go = inspect_copy(slurp(DOCTOR_PROGRAMS "/doctor_go"));
  EXPECT_TRUE(go.go);
  EXPECT_EQ(go.go_version.substr(0, 4), "go1.") << go.go_version;
  EXPECT_GT(go_minor_version(go.go_version), 0);
}

TEST(ElfInspect, NotElfAndEmpty) {
  EXPECT_FALSE(inspect_copy("#!/bin/sh\necho hi\n").is_elf);
  EXPECT_FALSE(inspect_copy("").is_elf);
  ElfFacts only_magic = inspect_copy("\x7f" "ELF");
  EXPECT_FALSE(only_magic.is_elf && only_magic.identity.elf_class != 0 && only_magic.damage.empty());
}

// Every prefix of a real program (in steps), and copies with header fields
// made hostile: inspecting them ends, and says so when it could not read.
TEST(ElfInspect, TruncatedAndHostileCopiesNeverCrash) {
  std::string real = slurp(DOCTOR_PROGRAMS "/doctor_dynamic");
  ASSERT_GT(real.size(), sizeof(ElfW(Ehdr)));
  for (size_t n = 0; n < real.size(); n += 97) inspect_copy(real.substr(0, n));
  ElfFacts cut = inspect_copy(real.substr(0, real.size() / 2));  // section headers sit at the end
  EXPECT_FALSE(cut.damage.empty());
  // Cut inside the program headers, which libelf then shortens to none without an error.
  EXPECT_TRUE(inspect_copy(real.substr(0, sizeof(ElfW(Ehdr)) + 36)).truncated);

  ElfW(Ehdr) eh;
  std::memcpy(&eh, real.data(), sizeof eh);
  auto patched = [&](auto mutate) {
    std::string copy = real;
    ElfW(Ehdr) h = eh;
    mutate(h, copy);
    std::memcpy(copy.data(), &h, sizeof h);
    return inspect_copy(copy);
  };
  EXPECT_FALSE(patched([](ElfW(Ehdr)& h, std::string&) { h.e_shoff = ~ElfW(Off)(0) >> 1; }).damage.empty());
  EXPECT_FALSE(patched([](ElfW(Ehdr)& h, std::string&) { h.e_phoff = ~ElfW(Off)(0) >> 1; }).damage.empty());
  patched([](ElfW(Ehdr)& h, std::string&) { h.e_shnum = 0xffff; });
  patched([](ElfW(Ehdr)& h, std::string&) { h.e_phnum = 0xffff; });
  patched([](ElfW(Ehdr)& h, std::string&) { h.e_shstrndx = 0xfffe; });
  patched([](ElfW(Ehdr)& h, std::string&) { h.e_shentsize = 1; });
  // Every section made to point past the end, or to overlap the header, or be huge.
  for (ElfW(Off) bad : {ElfW(Off)(0), ElfW(Off)(real.size()), ~ElfW(Off)(0) >> 4}) {
    patched([&](ElfW(Ehdr)& h, std::string& copy) {
      for (size_t i = 0; i < h.e_shnum; ++i) {
        size_t at = h.e_shoff + i * sizeof(ElfW(Shdr));
        if (at + sizeof(ElfW(Shdr)) > copy.size()) break;
        ElfW(Shdr) sh;
        std::memcpy(&sh, copy.data() + at, sizeof sh);
        sh.sh_offset = bad;
        sh.sh_size = bad == 0 ? copy.size() : bad;
        sh.sh_link = uint32_t(bad);
        std::memcpy(copy.data() + at, &sh, sizeof sh);
      }
    });
  }
}

// The section of `type` in a copy of one of this build's objects: its header's offset in the file.
size_t section_header_of(const std::string& elf, uint32_t type) {
  ElfW(Ehdr) eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    ElfW(Shdr) sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (sh.sh_type == type) return eh.e_shoff + i * sizeof sh;
  }
  return 0;
}

// The libc.so.6 this test runs with.
std::string own_libc_path() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    if (line.find("/libc.so.6") != std::string::npos) return line.substr(line.find('/'));
  return {};
}

// The versions the shim requires of libc and those this machine's glibc
// defines, as ld.so reads them: the shim needs nothing newer than 2.17 (see
// ShimLibrary.LoadsOnEveryGlibcSince217) and this glibc has all of it.
TEST(ElfVersions, TheShimsNeedsAndThisGlibcsDefinitions) {
  ElfFacts shim = inspect_copy(slurp(CGVIEW_SHIM_PATH));
  std::vector<std::string> required = libc_versions_required(shim);
  ASSERT_FALSE(required.empty());
  for (const std::string& v : required) EXPECT_EQ(v.rfind("GLIBC_2.", 0), 0u) << v;
  // Versions of its own only where it exports the affinity calls' two ABIs (x86-64,
  // i386); on ports with one (aarch64) its interposers are unversioned.
  EXPECT_EQ(std::find(shim.versions_defined.begin(), shim.versions_defined.end(), "CGVIEW_BASE") !=
                shim.versions_defined.end(),
            CGVIEW_OLD_AFFINITY_ABI == 1);

  std::string libc_path = own_libc_path();
  ASSERT_FALSE(libc_path.empty());
  ElfFacts libc = inspect_copy(slurp(libc_path));
  EXPECT_TRUE(libc.damage.empty()) << libc.damage;
  // GLIBC_2.17: x86-64's 2.17 and a later-born port's first version.
  for (const char* v : {"libc.so.6", "GLIBC_2.17", "GLIBC_2.34", "GLIBC_PRIVATE"}) {
    EXPECT_NE(std::find(libc.versions_defined.begin(), libc.versions_defined.end(), v), libc.versions_defined.end()) << v;
  }
  EXPECT_TRUE(versions_missing(required, libc).empty());

  // Without the newest version the shim requires, that one is missing.
  ElfFacts older = libc;
  std::erase(older.versions_defined, required.back());
  EXPECT_EQ(versions_missing(required, older), std::vector<std::string>{required.back()});
  // A libc.so.6 without versions at all: ld.so checks none.
  EXPECT_TRUE(versions_missing(required, ElfFacts{}).empty());
  EXPECT_EQ(join_versions({"GLIBC_2.14", "GLIBC_2.17"}), "GLIBC_2.14 and GLIBC_2.17");
  EXPECT_EQ(join_versions({"A", "B", "C"}), "A, B and C");
}

// A weak need (VER_FLG_WEAK) does not stop ld.so: it is not required. The
// shim's first need made weak in a copy leaves the list; the others stay.
TEST(ElfVersions, WeakNeedsAreNotRequired) {
  std::string copy = slurp(CGVIEW_SHIM_PATH);
  ASSERT_EQ(copy[EI_CLASS], kOwnElfClass);
  std::vector<std::string> required = libc_versions_required(inspect_copy(copy));
  size_t at = section_header_of(copy, SHT_GNU_verneed);
  ASSERT_NE(at, 0u);
  ElfW(Shdr) sh;
  std::memcpy(&sh, copy.data() + at, sizeof sh);
  ElfW(Verneed) need;
  std::memcpy(&need, copy.data() + sh.sh_offset, sizeof need);
  size_t aux_at = sh.sh_offset + need.vn_aux;
  ElfW(Vernaux) aux;
  std::memcpy(&aux, copy.data() + aux_at, sizeof aux);
  aux.vna_flags |= VER_FLG_WEAK;
  std::memcpy(copy.data() + aux_at, &aux, sizeof aux);
  std::vector<std::string> after = libc_versions_required(inspect_copy(copy));
  EXPECT_EQ(after.size() + 1, required.size());
  EXPECT_EQ(std::vector<std::string>(required.begin() + 1, required.end()), after);
}

// Version chains that point out of their section or past every bound end in
// `damage`, never a crash, a hang or a read outside the file.
TEST(ElfVersions, DamagedChainsAreDamage) {
  // The shim's chains; libc's definitions where the shim defines no versions (aarch64).
  const std::string shim = slurp(CGVIEW_SHIM_PATH), libc = slurp(own_libc_path());
  ASSERT_EQ(shim[EI_CLASS], kOwnElfClass);
  for (uint32_t type : {uint32_t(SHT_GNU_verdef), uint32_t(SHT_GNU_verneed)}) {
    const std::string& real = section_header_of(shim, type) != 0 ? shim : libc;
    size_t at = section_header_of(real, type);
    ASSERT_NE(at, 0u) << type;
    ElfW(Shdr) sh;
    std::memcpy(&sh, real.data() + at, sizeof sh);
    // Each 32-bit word of the first records (links, counts, name offsets) made
    // hostile in turn.
    for (size_t word = 0; word + 4 <= std::min<size_t>(sh.sh_size, 64); word += 4) {
      for (uint32_t bad : {0u, 1u, 0x7fffffffu, 0xffffffffu, uint32_t(sh.sh_size)}) {
        std::string copy = real;
        std::memcpy(copy.data() + sh.sh_offset + word, &bad, 4);
        inspect_copy(copy);
      }
    }
    // The section cut to a few bytes: its first record no longer fits.
    std::string copy = real;
    ElfW(Shdr) cut = sh;
    cut.sh_size = 6;
    std::memcpy(copy.data() + at, &cut, sizeof cut);
    EXPECT_FALSE(inspect_copy(copy).damage.empty()) << type;
  }
}

// Each function libcgview.so exports is one doctor looks for: a hook added to
// the shim without a line in reach_tables.cpp fails here.
TEST(ReachTables, CoverEveryExportOfTheShim) {
  FILE* nm = popen("nm -D --defined-only " CGVIEW_SHIM_PATH, "r");
  ASSERT_NE(nm, nullptr);
  std::set<std::string> exported;
  char line[512];
  while (std::fgets(line, sizeof line, nm) != nullptr) {
    char address[64], type[8], name[400];
    if (std::sscanf(line, "%63s %7s %399s", address, type, name) != 3) continue;
    if (type[0] != 'T' && type[0] != 'W' && type[0] != 'i') continue;
    std::string n = name;
    n = n.substr(0, n.find('@'));
    if (n.rfind("cgview_", 0) == 0) continue;
    exported.insert(n);
  }
  ASSERT_EQ(pclose(nm), 0);
  ASSERT_GT(exported.size(), 10u);
  std::set<std::string> known;
  for (std::string_view s : interposed_symbols()) known.emplace(s);
  for (std::string_view s : describing_symbols()) known.emplace(s);
  for (const std::string& e : exported) EXPECT_TRUE(known.count(e)) << e << " is interposed but doctor does not know it";
  // And nothing either table names is missing from the library (syscall() only
  // on the ports shim/syscall_entry.S is written for).
#if !CGVIEW_INTERPOSES_SYSCALL  // kernel_call.h
  known.erase("syscall");
#endif
  for (const std::string& k : known) EXPECT_TRUE(exported.count(k)) << k << " is not exported";
}

// Each path doctor reports as served is one the shim serves.
TEST(ReachTables, ServedPathsAreServed) {
  for (std::string_view path : served_paths()) EXPECT_NE(virtual_file_for(path), VirtualFile::None) << path;
}

}  // namespace
}  // namespace cgview::cli
