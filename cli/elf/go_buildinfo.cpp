#include "go_buildinfo.hpp"

namespace cgview::cli {

namespace {

constexpr size_t kHeaderSize = 32;        // magic, pointer size, flags, padding to 32
constexpr uint8_t kFlagBigEndian = 0x1;
constexpr uint8_t kFlagInlineStrings = 0x2;  // Go 1.18+
constexpr size_t kMaxVersionLength = 128;    // "go1.22.3 X:boringcrypto" and the like

uint64_t read_word(std::string_view bytes, size_t size, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    uint8_t b = static_cast<uint8_t>(bytes[big_endian ? i : size - 1 - i]);
    value = value << 8 | b;
  }
  return value;
}

bool plausible(std::string_view version) {
  if (version.empty() || version.size() > kMaxVersionLength) return false;
  for (char c : version)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

}  // namespace

bool go_version_from_buildinfo(std::string_view block, const ReadAtAddress& read, std::string& version) {
  if (block.size() < kHeaderSize || block.substr(0, kGoBuildInfoMagic.size()) != kGoBuildInfoMagic) return false;
  size_t pointer_size = static_cast<uint8_t>(block[14]);
  uint8_t flags = static_cast<uint8_t>(block[15]);
  if (flags & kFlagInlineStrings) {
    // A uvarint length, then the bytes.
    uint64_t length = 0;
    size_t at = kHeaderSize;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= block.size()) return false;
      uint8_t b = static_cast<uint8_t>(block[at++]);
      length |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (length > kMaxVersionLength || length > block.size() - at) return false;
    version.assign(block.substr(at, length));
    return plausible(version);
  }
  if (pointer_size != 4 && pointer_size != 8) return false;
  bool big_endian = flags & kFlagBigEndian;
  // block[16]: address of the version's Go string header {data pointer, length}.
  if (block.size() < 16 + pointer_size) return false;
  uint64_t header_address = read_word(block.substr(16), pointer_size, big_endian);
  std::string header;
  if (!read(header_address, 2 * pointer_size, header)) return false;
  uint64_t data = read_word(header, pointer_size, big_endian);
  uint64_t length = read_word(std::string_view(header).substr(pointer_size), pointer_size, big_endian);
  if (length > kMaxVersionLength) return false;
  if (!read(data, length, version)) return false;
  return plausible(version);
}

int go_minor_version(std::string_view version) {
  if (version.substr(0, 4) != "go1.") return -1;
  int minor = 0;
  size_t i = 4;
  for (; i < version.size() && version[i] >= '0' && version[i] <= '9' && i < 8; ++i) minor = minor * 10 + (version[i] - '0');
  return i == 4 ? -1 : minor;
}

}  // namespace cgview::cli
