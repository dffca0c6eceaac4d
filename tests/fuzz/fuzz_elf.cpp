// Fuzzes `cgview doctor`'s ELF reader (cli/elf/elf_inspect.cpp with libelf, and
// the Go build info parser) over arbitrary bytes: it must end without a crash,
// leak or hang, and what it reports must be consistent with the input:
// imports only from the interposed list, strings found really present, a Go
// version short and printable, bounded lists.
//
// Input: a file. Seeds: the programs tests/doctor builds (dynamic, static,
// musl, Go, a shared library), cut to -max_len.
#include <algorithm>
#include <string>

#include "elf_inspect.hpp"
#include "fuzz_support.hpp"
#include "reach_tables.hpp"

using namespace cgview::cli;

namespace {

void check_facts(const ElfFacts& f, std::string_view input) {
  FUZZ_CHECK(f.needed.size() <= 1024);
  for (const std::string& s : f.imports) {
    auto table = interposed_symbols();
    FUZZ_CHECK(std::find(table.begin(), table.end(), s) != table.end());
    FUZZ_CHECK(input.find(s) != std::string_view::npos);  // the name is in .dynstr
  }
  for (const std::string& s : f.served_paths) FUZZ_CHECK(input.find(s) != std::string_view::npos);
  for (const std::string& s : f.cgroup_names) FUZZ_CHECK(input.find(s) != std::string_view::npos);
  FUZZ_CHECK(f.go_version.size() <= 128);
  for (char c : f.go_version) FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
  if (!f.go_version.empty()) FUZZ_CHECK(f.go);
  FUZZ_CHECK(f.interp.size() <= 4096);
  if (!f.is_elf) FUZZ_CHECK(f.imports.empty() && f.needed.empty() && !f.has_interp);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  for (ElfDepth depth : {ElfDepth::Linking, ElfDepth::Contents}) {
    std::string copy(input);  // libelf may convert in place
    ElfFacts facts = inspect_elf_memory(copy.data(), copy.size(), depth);
    check_facts(facts, input);
    if (depth == ElfDepth::Linking) FUZZ_CHECK(facts.imports.empty() && facts.served_paths.empty());
  }
  return 0;
}
