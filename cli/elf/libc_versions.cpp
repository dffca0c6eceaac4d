#include "libc_versions.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cgview::cli {

namespace {

// The file's symbol versions (and the rest of what linking needs).
bool read_facts(const std::string& path, ElfFacts& facts, std::string& why) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  facts = inspect_elf_fd(fd, ElfDepth::Linking);
  close(fd);
  if (facts.is_elf && facts.damage.empty()) return true;
  why = facts.damage.empty() ? "not an ELF file" : facts.damage;
  return false;
}

}  // namespace

std::vector<std::string> libc_versions_required(const ElfFacts& library) {
  for (const ElfFacts::VersionsNeeded& need : library.versions_needed)
    if (need.file == "libc.so.6") return need.versions;
  return {};
}

std::vector<std::string> versions_missing(const std::vector<std::string>& required, const ElfFacts& libc) {
  std::vector<std::string> missing;
  // A library without versions satisfies every requirement: ld.so checks
  // none (verbose, it notes "no version information available").
  if (libc.versions_defined.empty()) return missing;
  const std::vector<std::string>& defined = libc.versions_defined;
  for (const std::string& version : required)
    if (std::find(defined.begin(), defined.end(), version) == defined.end()) missing.push_back(version);
  return missing;
}

bool read_libc_versions_required(const std::string& library, std::vector<std::string>& required, std::string& why) {
  ElfFacts facts;
  if (!read_facts(library, facts, why)) return false;
  required = libc_versions_required(facts);
  return true;
}

bool read_versions_missing(const std::string& libc, const std::vector<std::string>& required,
                           std::vector<std::string>& missing, std::string& why) {
  ElfFacts facts;
  if (!read_facts(libc, facts, why)) return false;
  missing = versions_missing(required, facts);
  return true;
}

std::string join_versions(const std::vector<std::string>& versions) {
  std::string out;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (i > 0) out += i + 1 == versions.size() ? " and " : ", ";
    out += versions[i];
  }
  return out;
}

}  // namespace cgview::cli
