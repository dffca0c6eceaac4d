// The Go toolchain's build info block (section .go.buildinfo, starting with
// "\xff Go buildinf:"): where a Go binary records the Go version it was built
// with. Two layouts exist: Go 1.18+ stores the version inline as a
// varint-prefixed string; older releases store a pointer to a Go string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cgview::cli {

inline constexpr std::string_view kGoBuildInfoMagic{"\xff Go buildinf:", 14};

// Copies `length` bytes at virtual address `address` of the file into `out`;
// false when the address is not backed by file contents.
using ReadAtAddress = std::function<bool(uint64_t address, size_t length, std::string& out)>;

// Reads the version from the block starting at `block` (bytes up to the end of
// the section or file). False when the block is malformed.
bool go_version_from_buildinfo(std::string_view block, const ReadAtAddress& read, std::string& version);

// "go1.25.3" -> 25 (the minor release); -1 when not of the form go1.N.
int go_minor_version(std::string_view version);

}  // namespace cgview::cli
