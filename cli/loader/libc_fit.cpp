#include "libc_fit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "elf_identity.hpp"
#include "libc_versions.hpp"

namespace cgview::cli {

namespace {

// Where a glibc of any port keeps libc.so.6 (Debian's multiarch directories,
// the lib64/lib32 layouts, a flat /lib).
constexpr const char* kLibcPatterns[] = {
    "/lib/*/libc.so.6", "/usr/lib/*/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6",
    "/lib32/libc.so.6", "/usr/lib32/libc.so.6", "/libx32/libc.so.6", "/lib/libc.so.6", "/usr/lib/libc.so.6"};

}  // namespace

LibcFit::LibcFit(const RootFs& root, const LibrarySearch& search, std::vector<std::string> required)
    : root_(root), search_(search), required_(std::move(required)) {}

LibcVerdict LibcFit::judge(const Requester& who) {
  Found libc = search_.find("libc.so.6", who);
  if (!libc.ok) return other_machine();
  auto cached = by_path_.find(libc.path);
  if (cached != by_path_.end()) return cached->second;
  LibcVerdict v;
  v.libc_path = libc.path;
  if (!read_versions_missing(root_.host(libc.path), required_, v.missing, v.detail)) v.kind = LibcVerdict::Unreadable;
  else v.kind = v.missing.empty() ? LibcVerdict::Fits : LibcVerdict::Lacks;
  return by_path_.emplace(libc.path, v).first->second;
}

// No libc.so.6 the library loads with: is there one of another build?
LibcVerdict LibcFit::other_machine() const {
  LibcVerdict v;
  for (const char* pattern : kLibcPatterns) {
    for (const std::string& path : root_.glob(pattern)) {
      Found found = root_.resolve(path);
      if (!found.ok) continue;
      ElfIdentity libc;
      if (!elf_identity_of_file(root_.host(found.path), libc)) continue;
      v.kind = LibcVerdict::OtherMachine;
      v.libc_path = path;
      v.detail = describe_build(libc);
      return v;
    }
  }
  return v;
}

}  // namespace cgview::cli
