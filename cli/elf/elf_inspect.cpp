#include "elf_inspect.hpp"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string_view>
#include <utility>

#include "go_buildinfo.hpp"
#include "reach_tables.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

// Rust and Go lay string literals back to back without a NUL, so the byte
// before a name can be the last letter of another string ("icpu.cfs_quota_us"
// in a Rust 1.95 binary). Names this long are no other name's tail.
constexpr size_t kNoLeftBoundaryFrom = 16;

}  // namespace

bool contains_token(std::string_view data, std::string_view needle) {
  if (needle.empty()) return false;
  size_t from = 0;
  while (from < data.size()) {
    const void* hit = memmem(data.data() + from, data.size() - from, needle.data(), needle.size());
    if (hit == nullptr) return false;
    size_t at = static_cast<const char*>(hit) - data.data();
    bool left_ok = at == 0 || needle.front() == '/' || needle.size() >= kNoLeftBoundaryFrom ||
                   !is_identifier_char(data[at - 1]);
    size_t end = at + needle.size();
    bool right_ok = end == data.size() || !is_identifier_char(data[end]);
    if (left_ok && right_ok) return true;
    from = at + 1;
  }
  return false;
}

namespace {

// Bounds on what a file may make us walk. Real programs stay far below them
// (a large libjvm.so: ~40 sections, ~30000 dynamic symbols, ~40 DT_* entries).
constexpr size_t kMaxSections = 65536;
constexpr size_t kMaxSegments = 4096;
constexpr size_t kMaxSymbols = 4 << 20;
constexpr size_t kMaxRelocations = 16 << 20;
constexpr size_t kMaxDynamicEntries = 1 << 16;
constexpr size_t kMaxNeeded = 1024;
constexpr size_t kMaxVersionEntries = 4096;  // glibc's libc.so.6 defines about 50

ElfFacts unusable() {
  ElfFacts facts;
  facts.damage = "libelf is unusable";
  return facts;
}

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

class Inspector {
 public:
  Inspector(Elf* elf, ElfDepth depth, ElfFacts& facts) : elf_(elf), depth_(depth), facts_(facts) {
    raw_ = elf_rawfile(elf, &raw_size_);
  }

  void run() {
    GElf_Ehdr ehdr;
    if (gelf_getehdr(elf_, &ehdr) == nullptr) {
      facts_.truncated = true;
      return damaged("its ELF header is truncated or invalid");
    }
    facts_.identity = {ehdr.e_ident[EI_CLASS], ehdr.e_ident[EI_DATA], ehdr.e_type, ehdr.e_machine, ehdr.e_flags};
    // libelf shrinks a program header table cut by the end of the file to
    // the entries that fit, without an error: a program cut short would pass
    // for one with no segments, that is a library.
    if (ehdr.e_phnum != PN_XNUM && !table_fits(ehdr.e_phoff, ehdr.e_phnum, ehdr.e_phentsize))
      return truncated("its program headers lie past the end of the file");
    // libelf treats a section header table past the end as absent; say so.
    if (ehdr.e_shoff != 0 && !table_fits(ehdr.e_shoff, ehdr.e_shnum, ehdr.e_shentsize))
      damaged("its section headers lie past the end of the file");
    read_segments();
    if (facts_.truncated) return;
    read_sections();
  }

 private:
  bool table_fits(uint64_t offset, uint64_t count, uint64_t entry) const {
    return offset <= raw_size_ && count * entry <= raw_size_ - offset;
  }

  void truncated(const char* what) {
    facts_.truncated = true;
    damaged(what);
  }

  void damaged(const char* what) {
    if (facts_.damage.empty()) facts_.damage = what;
  }

  // File bytes [offset, offset + size), or an empty view when outside the file.
  std::string_view file_bytes(uint64_t offset, uint64_t size) const {
    if (raw_ == nullptr || offset > raw_size_ || size > raw_size_ - offset) return {};
    return {raw_ + offset, size_t(size)};  // size <= raw_size_, a size_t
  }

  void read_segments() {
    size_t count = 0;
    if (elf_getphdrnum(elf_, &count) != 0) return truncated("its program headers are unreadable");
    if (count > kMaxSegments) return truncated("it claims an implausible number of program headers");
    for (size_t i = 0; i < count; ++i) {
      GElf_Phdr phdr;
      if (gelf_getphdr(elf_, int(i), &phdr) == nullptr) return truncated("its program headers lie past the end of the file");
      if (phdr.p_type == PT_LOAD && !table_fits(phdr.p_offset, 1, phdr.p_filesz))
        return truncated("it is truncated: a segment extends past the end of the file");
      if (phdr.p_type == PT_INTERP) {
        std::string_view bytes = file_bytes(phdr.p_offset, phdr.p_filesz);
        if (bytes.empty() || bytes.size() > 4096) {
          damaged("its interpreter path lies outside the file");
          facts_.has_interp = true;
          continue;
        }
        facts_.has_interp = true;
        facts_.interp.assign(bytes.substr(0, bytes.find('\0')));
      }
      if (phdr.p_type == PT_LOAD) loads_.push_back(phdr);
      if (phdr.p_type == PT_DYNAMIC) facts_.has_dynamic = true;
    }
  }

  // Reads `length` bytes at a virtual address through the PT_LOAD segments.
  bool read_at_address(uint64_t address, size_t length, std::string& out) const {
    for (const GElf_Phdr& load : loads_) {
      if (address < load.p_vaddr || address - load.p_vaddr >= load.p_filesz) continue;
      uint64_t in_segment = address - load.p_vaddr;
      if (length > load.p_filesz - in_segment) return false;
      std::string_view bytes = file_bytes(load.p_offset + in_segment, length);
      if (bytes.size() != length) return false;
      out.assign(bytes);
      return true;
    }
    return false;
  }

  void read_go_buildinfo(std::string_view block) {
    facts_.go = true;
    std::string version;
    ReadAtAddress read = [this](uint64_t a, size_t n, std::string& o) { return read_at_address(a, n, o); };
    if (go_version_from_buildinfo(block, read, version)) facts_.go_version = version;
  }

  void read_sections() {
    size_t count = 0, names = 0;
    if (elf_getshdrnum(elf_, &count) != 0) return damaged("its section headers are unreadable");
    if (count > kMaxSections) return damaged("it claims an implausible number of sections");
    bool names_ok = elf_getshdrstrndx(elf_, &names) == 0;
    bool saw_buildinfo = false;
    Elf_Scn* scn = nullptr;
    for (size_t i = 0; i < count && (scn = elf_nextscn(elf_, scn)) != nullptr; ++i) {
      GElf_Shdr shdr;
      if (gelf_getshdr(scn, &shdr) == nullptr) {
        damaged("a section header is unreadable");
        continue;
      }
      const char* name = names_ok ? elf_strptr(elf_, names, shdr.sh_name) : nullptr;
      if (name != nullptr && std::strcmp(name, ".go.buildinfo") == 0) {
        saw_buildinfo = true;
        if (shdr.sh_type != SHT_NOBITS) read_go_buildinfo(file_bytes(shdr.sh_offset, shdr.sh_size));
        continue;
      }
      if (shdr.sh_type == SHT_DYNAMIC) read_dynamic(scn, shdr);
      else if (shdr.sh_type == SHT_GNU_verdef) read_versions_defined(scn, shdr);
      else if (shdr.sh_type == SHT_GNU_verneed) read_versions_needed(scn, shdr);
      else if (shdr.sh_type == SHT_DYNSYM && depth_ == ElfDepth::Contents) read_imports(scn, shdr);
      else if ((shdr.sh_type == SHT_RELA || shdr.sh_type == SHT_REL) && depth_ == ElfDepth::Contents)
        relocations_.push_back(scn);
      else if (shdr.sh_type == SHT_PROGBITS && !(shdr.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
               depth_ == ElfDepth::Contents)
        scan_read_only(file_bytes(shdr.sh_offset, shdr.sh_size));
    }
    if (depth_ == ElfDepth::Contents) keep_relocated_imports();
    // Section headers stripped (or none): look for the Go block in the file itself.
    if (!saw_buildinfo && count == 0 && raw_ != nullptr) {
      std::string_view all(raw_, raw_size_);
      size_t at = all.find(kGoBuildInfoMagic);
      if (at != std::string_view::npos) read_go_buildinfo(all.substr(at));
    }
  }

  void read_dynamic(Elf_Scn* scn, const GElf_Shdr& shdr) {
    facts_.has_dynamic = true;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return damaged("its dynamic section lies outside the file");
    size_t entry = gelf_fsize(elf_, ELF_T_DYN, 1, EV_CURRENT);
    if (entry == 0) return;
    size_t count = data->d_size / entry;
    if (count > kMaxDynamicEntries) return damaged("its dynamic section is implausibly large");
    for (size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (gelf_getdyn(data, int(i), &dyn) == nullptr || dyn.d_tag == DT_NULL) break;
      const char* text = nullptr;
      if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_RPATH || dyn.d_tag == DT_SONAME) {
        text = elf_strptr(elf_, shdr.sh_link, dyn.d_un.d_val);
        if (text == nullptr) {
          damaged("a dynamic entry points outside its string table");
          continue;
        }
      }
      if (dyn.d_tag == DT_NEEDED && facts_.needed.size() < kMaxNeeded) facts_.needed.emplace_back(text);
      else if (dyn.d_tag == DT_RUNPATH) facts_.runpath = text, facts_.has_runpath = true;
      else if (dyn.d_tag == DT_RPATH) facts_.rpath = text;
      else if (dyn.d_tag == DT_SONAME) facts_.soname = text;
      else if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_PIE)) facts_.pie = true;
    }
    // ld.so ignores DT_RPATH where DT_RUNPATH is there, even an empty one
    // (older linkers wrote both with --enable-new-dtags; `patchelf
    // --set-rpath ''` leaves an empty one), for the object's own needs and for
    // those of the libraries it loads.
    if (facts_.has_runpath) facts_.rpath.clear();
  }

  // Both version sections are chains of records linked by byte offsets
  // relative to each record (vd_next, vd_aux, vn_next, vn_aux, vna_next): a
  // zero link ends a chain, a link that stays in place or leaves the section
  // is damage, and no chain is followed further than kMaxVersionEntries. As
  // ld.so does, the counts (vd_cnt, vn_cnt) are not trusted: the links end the
  // chains. ld.so finds the sections through DT_VERDEF/DT_VERNEED; these are
  // found by section header, which every linker writes (a file stripped of its
  // section headers reads as having no versions).
  static bool follow(size_t& offset, uint64_t link, size_t size) {
    if (link == 0 || link > size || offset > size - link || offset + link > size_t(INT_MAX)) return false;
    offset += size_t(link);
    return true;
  }

  void read_versions_defined(Elf_Scn* scn, const GElf_Shdr& shdr) {
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return damaged("its version definitions lie outside the file");
    size_t at = 0;
    for (size_t i = 0; i < kMaxVersionEntries; ++i) {
      GElf_Verdef def;
      GElf_Verdaux aux;
      size_t aux_at = at;
      if (gelf_getverdef(data, int(at), &def) == nullptr || !follow(aux_at, def.vd_aux, data->d_size) ||
          gelf_getverdaux(data, int(aux_at), &aux) == nullptr)
        return damaged("its version definitions are damaged");
      // The first aux names the version (the base entry's, the object itself).
      const char* name = elf_strptr(elf_, shdr.sh_link, aux.vda_name);
      if (name == nullptr) return damaged("a version definition points outside its string table");
      add_once(facts_.versions_defined, name);
      if (def.vd_next == 0) return;
      if (!follow(at, def.vd_next, data->d_size)) return damaged("its version definitions are damaged");
    }
    damaged("it has an implausible number of version definitions");
  }

  void read_versions_needed(Elf_Scn* scn, const GElf_Shdr& shdr) {
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return damaged("its version needs lie outside the file");
    size_t at = 0, entries = 0;
    for (size_t i = 0; i < kMaxVersionEntries; ++i) {
      GElf_Verneed need;
      if (gelf_getverneed(data, int(at), &need) == nullptr) return damaged("its version needs are damaged");
      const char* file = elf_strptr(elf_, shdr.sh_link, need.vn_file);
      if (file == nullptr) return damaged("a version need points outside its string table");
      ElfFacts::VersionsNeeded& out = facts_.versions_needed.emplace_back();
      out.file = file;
      size_t aux_at = at;
      uint64_t link = need.vn_aux;
      while (true) {
        GElf_Vernaux aux;
        if (++entries > kMaxVersionEntries) return damaged("it has an implausible number of version needs");
        if (!follow(aux_at, link, data->d_size) || gelf_getvernaux(data, int(aux_at), &aux) == nullptr)
          return damaged("its version needs are damaged");
        const char* name = elf_strptr(elf_, shdr.sh_link, aux.vna_name);
        if (name == nullptr) return damaged("a version need points outside its string table");
        if (!(aux.vna_flags & VER_FLG_WEAK)) add_once(out.versions, name);
        if (aux.vna_next == 0) break;
        link = aux.vna_next;
      }
      if (need.vn_next == 0) return;
      if (!follow(at, need.vn_next, data->d_size)) return damaged("its version needs are damaged");
    }
    damaged("it has an implausible number of version needs");
  }

  void read_imports(Elf_Scn* scn, const GElf_Shdr& shdr) {
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return damaged("its dynamic symbol table lies outside the file");
    size_t entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    if (entry == 0) return;
    size_t count = data->d_size / entry;
    if (count > kMaxSymbols) return damaged("its dynamic symbol table is implausibly large");
    std::span<const std::string_view> wanted = interposed_symbols();
    dynsym_index_ = elf_ndxscn(scn);
    for (size_t i = 1; i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, int(i), &sym) == nullptr) break;
      if (sym.st_shndx != SHN_UNDEF || sym.st_name == 0) continue;
      const char* name = elf_strptr(elf_, shdr.sh_link, sym.st_name);
      if (name == nullptr) continue;
      for (std::string_view w : wanted)
        if (w == name) undefined_.emplace_back(i, w);
    }
  }

  // The undefined symbols above that a dynamic relocation refers to: only
  // those does ld.so bind. A linker may leave an undefined symbol that no code
  // calls in the table (LLVM's tools: sched_getaffinity), which binds to
  // nothing. MIPS binds its global GOT entries without relocations, and an
  // object whose relocations cannot be read keeps every one.
  void keep_relocated_imports() {
    std::vector<bool> referred(undefined_.size(), false);
    bool read_any = false;
    if (facts_.identity.machine != EM_MIPS) {
      for (Elf_Scn* scn : relocations_) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_link != dynsym_index_ || dynsym_index_ == 0) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        const bool rela = shdr.sh_type == SHT_RELA;
        size_t entry = gelf_fsize(elf_, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
        if (data == nullptr || entry == 0) {
          read_any = false;
          break;
        }
        read_any = true;
        size_t count = std::min(data->d_size / entry, kMaxRelocations);
        for (size_t i = 0; i < count; ++i) {
          uint64_t info = 0;
          GElf_Rela ra;
          GElf_Rel r;
          if (rela ? gelf_getrela(data, int(i), &ra) != nullptr : gelf_getrel(data, int(i), &r) != nullptr)
            info = rela ? ra.r_info : r.r_info;
          else
            break;
          const size_t sym = GELF_R_SYM(info);
          for (size_t k = 0; k < undefined_.size(); ++k)
            if (undefined_[k].first == sym) referred[k] = true;
        }
      }
    }
    for (size_t k = 0; k < undefined_.size(); ++k)
      if (referred[k] || !read_any) add_once(facts_.imports, undefined_[k].second);
  }

  void scan_read_only(std::string_view bytes) {
    if (bytes.empty()) return;
    for (std::string_view path : served_paths())
      if (contains_token(bytes, path)) add_once(facts_.served_paths, path);
    for (std::string_view name : cgroup_limit_names())
      if (contains_token(bytes, name)) add_once(facts_.cgroup_names, name);
  }

  Elf* elf_;
  ElfDepth depth_;
  ElfFacts& facts_;
  const char* raw_ = nullptr;
  size_t raw_size_ = 0;
  std::vector<GElf_Phdr> loads_;
  size_t dynsym_index_ = 0;  // the .dynsym section's index
  std::vector<std::pair<size_t, std::string_view>> undefined_;  // interposed names undefined there, by symbol index
  std::vector<Elf_Scn*> relocations_;  // the REL and RELA sections
};

ElfFacts inspect(Elf* elf, ElfDepth depth) {
  ElfFacts facts;
  if (elf == nullptr) {
    facts.damage = "libelf cannot read it";
    return facts;
  }
  if (elf_kind(elf) == ELF_K_ELF) {
    facts.is_elf = true;
    Inspector(elf, depth, facts).run();
  }
  elf_end(elf);
  return facts;
}

}  // namespace

ElfFacts inspect_elf_fd(int fd, ElfDepth depth) {
  if (!libelf_ready()) return unusable();
  return inspect(elf_begin(fd, ELF_C_READ_MMAP, nullptr), depth);
}

ElfFacts inspect_elf_memory(char* data, size_t size, ElfDepth depth) {
  if (!libelf_ready()) return unusable();
  return inspect(elf_memory(data, size), depth);
}

}  // namespace cgview::cli
