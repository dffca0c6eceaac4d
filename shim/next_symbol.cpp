#include "next_symbol.hpp"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

namespace cgview::shim {

namespace {

// An object's dynamic tables, as ld.so left them in memory.
struct Tables {
  uintptr_t base = 0;
  uintptr_t start = 0, end = 0;  // where its segments are mapped
  const ElfW(Sym)* symbols = nullptr;
  const char* strings = nullptr;
  const uint32_t* gnu_hash = nullptr;
  // DT_HASH's words: 32-bit but on 64-bit s390x (and Alpha), whose .hash has
  // 64-bit entries; <link.h> names each port's as Elf_Symndx.
  const Elf_Symndx* sysv_hash = nullptr;
  const ElfW(Half)* versions = nullptr;  // DT_VERSYM: one entry per symbol
  const ElfW(Verdef)* definitions = nullptr;
};

struct Query {
  const char* name;
  const char* version;
  uintptr_t self;  // an address inside libcgview.so
  bool past_self = false;
  void* found = nullptr;
};

// ld.so rewrites most dynamic entries to run-time addresses, but not all (never
// DT_VERDEF; none where the dynamic section is read-only: MIPS, RISC-V, the vDSO):
// those are still offsets from the object's base. A value inside the object's
// mapped segments is an address already.
uintptr_t runtime_address(const Tables& t, uintptr_t value) {
  return value >= t.start && value < t.end ? value : t.base + value;
}

Tables read_tables(uintptr_t base, uintptr_t start, uintptr_t end, const ElfW(Dyn)* dynamic) {
  Tables t;
  t.base = base;
  t.start = start;
  t.end = end;
  for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
    uintptr_t at = runtime_address(t, d->d_un.d_ptr);
    switch (d->d_tag) {
      case DT_SYMTAB: t.symbols = reinterpret_cast<const ElfW(Sym)*>(at); break;
      case DT_STRTAB: t.strings = reinterpret_cast<const char*>(at); break;
      case DT_GNU_HASH: t.gnu_hash = reinterpret_cast<const uint32_t*>(at); break;
      case DT_HASH: t.sysv_hash = reinterpret_cast<const Elf_Symndx*>(at); break;
      case DT_VERSYM: t.versions = reinterpret_cast<const ElfW(Half)*>(at); break;
      case DT_VERDEF: t.definitions = reinterpret_cast<const ElfW(Verdef)*>(at); break;
      default: break;
    }
  }
  return t;
}

bool version_named(const Tables& t, unsigned index, const char* version) {
  if (t.definitions == nullptr) return false;
  for (const ElfW(Verdef)* d = t.definitions;;
       d = reinterpret_cast<const ElfW(Verdef)*>(reinterpret_cast<const char*>(d) + d->vd_next)) {
    if (d->vd_ndx == index) {
      auto aux = reinterpret_cast<const ElfW(Verdaux)*>(reinterpret_cast<const char*>(d) + d->vd_aux);
      return std::strcmp(t.strings + aux->vda_name, version) == 0;
    }
    if (d->vd_next == 0) return false;
  }
}

// The rules ld.so applies to a definition (do_lookup_x, check_match). An indirect
// function (IFUNC) matches too: the caller answers nothing for it (see the header).
bool matches(const Tables& t, uint32_t i, const Query& q) {
  const ElfW(Sym)& s = t.symbols[i];
  if (s.st_shndx == SHN_UNDEF || s.st_value == 0) return false;
  // st_info's type and binding, alike in 32- and 64-bit ELF (ELF32_ST_TYPE == ELF64_ST_TYPE).
  int type = ELF64_ST_TYPE(s.st_info);
  if (type != STT_FUNC && type != STT_GNU_IFUNC) return false;
  int binding = ELF64_ST_BIND(s.st_info);
  if (binding != STB_GLOBAL && binding != STB_WEAK) return false;
  if (std::strcmp(t.strings + s.st_name, q.name) != 0) return false;
  if (t.versions == nullptr) return true;  // an object without versions answers any
  unsigned index = t.versions[i] & 0x7fff;
  bool hidden = (t.versions[i] & 0x8000) != 0;
  if (index == VER_NDX_LOCAL) return false;
  // dlvsym asks for its version by name (ld.so's "hidden" lookup): an unversioned
  // definition in a versioned object answers only a lookup without one.
  if (index == VER_NDX_GLOBAL) return q.version == nullptr;
  return q.version != nullptr ? version_named(t, index, q.version) : !hidden;
}

uint32_t gnu_hash_of(const char* s) {
  uint32_t h = 5381;
  for (; *s != '\0'; ++s) h = h * 33 + static_cast<unsigned char>(*s);
  return h;
}

uint32_t sysv_hash_of(const char* s) {
  uint32_t h = 0;
  for (; *s != '\0'; ++s) {
    h = (h << 4) + static_cast<unsigned char>(*s);
    uint32_t top = h & 0xf0000000u;
    if (top != 0) h ^= top >> 24;
    h &= ~top;
  }
  return h;
}

// Symbol index of the definition, or 0 (STN_UNDEF).
uint32_t find_in(const Tables& t, const Query& q) {
  if (t.symbols == nullptr || t.strings == nullptr) return 0;
  if (t.gnu_hash != nullptr) {
    uint32_t buckets = t.gnu_hash[0], first = t.gnu_hash[1], bloom_words = t.gnu_hash[2];
    if (buckets == 0) return 0;
    auto bloom = reinterpret_cast<const ElfW(Addr)*>(t.gnu_hash + 4);
    auto bucket = reinterpret_cast<const uint32_t*>(bloom + bloom_words);
    const uint32_t* chain = bucket + buckets;
    uint32_t hash = gnu_hash_of(q.name);
    for (uint32_t i = bucket[hash % buckets]; i >= first && i != 0; ++i) {
      uint32_t entry = chain[i - first];
      if ((entry | 1) == (hash | 1) && matches(t, i, q)) return i;
      if ((entry & 1) != 0) break;  // the chain's last entry
    }
    return 0;
  }
  if (t.sysv_hash != nullptr) {
    auto buckets = t.sysv_hash[0];
    if (buckets == 0) return 0;
    const Elf_Symndx* bucket = t.sysv_hash + 2;
    const Elf_Symndx* chain = bucket + buckets;
    for (auto i = uint32_t(bucket[sysv_hash_of(q.name) % buckets]); i != 0; i = uint32_t(chain[i]))
      if (matches(t, i, q)) return i;
  }
  return 0;
}

int visit(dl_phdr_info* info, size_t, void* data) {
  Query& q = *static_cast<Query*>(data);
  const ElfW(Phdr)* dynamic = nullptr;
  bool holds_self = false;
  uintptr_t mapped_start = UINTPTR_MAX, mapped_end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_DYNAMIC) dynamic = &ph;
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (q.self >= start && q.self - start < ph.p_memsz) holds_self = true;
    if (start < mapped_start) mapped_start = start;
    if (start + ph.p_memsz > mapped_end) mapped_end = start + ph.p_memsz;
  }
  if (holds_self) {
    q.past_self = true;
    return 0;
  }
  if (!q.past_self || dynamic == nullptr) return 0;
  Tables t = read_tables(info->dlpi_addr, mapped_start, mapped_end,
                         reinterpret_cast<const ElfW(Dyn)*>(info->dlpi_addr + dynamic->p_vaddr));
  uint32_t i = find_in(t, q);
  if (i == 0) return 0;
  // The first definition answers, an IFUNC's with nothing: a later object's is not the one.
  if (ELF64_ST_TYPE(t.symbols[i].st_info) != STT_GNU_IFUNC) q.found = reinterpret_cast<void*>(t.base + t.symbols[i].st_value);
  return 1;  // stops the walk
}

}  // namespace

void* next_symbol(const char* name, const char* version) {
  Query q{name, version, reinterpret_cast<uintptr_t>(&next_symbol)};
  dl_iterate_phdr(visit, &q);
  return q.found;
}

void* loaded_symbol(const char* name) {
  Query q{name, nullptr, reinterpret_cast<uintptr_t>(&next_symbol)};
  q.past_self = true;  // every object but ours, those loaded before it included
  dl_iterate_phdr(visit, &q);
  return q.found;
}

}  // namespace cgview::shim
