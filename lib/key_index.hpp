// Looks a name up among a fixed set of names known at compile time. Kernel
// files are "name value" lines, most of which cgview does not use: the names
// are bucketed by length and first character, so an unused line usually
// costs one table load, and a used one a compare against the one or two names
// of its length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cgview {

// a[0, n) == b[0, n), inline: names are short, and most candidates differ
// in their first or last eight bytes (four, for a name of four to seven).
inline bool same_text(const char* a, const char* b, size_t n) {
  auto word = [](const char* p) {
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
  };
  auto half = [](const char* p) {
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    return w;
  };
  if (n < 4) {
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  if (n < 8) return half(a) == half(b) && half(a + n - 4) == half(b + n - 4);
  if (n <= 16) return word(a) == word(b) && word(a + n - 8) == word(b + n - 8);  // most names: no loop
  for (size_t i = 0; i + 8 < n; i += 8)
    if (word(a + i) != word(b + i)) return false;
  return word(a + n - 8) == word(b + n - 8);  // the last eight, overlapping
}

// The bytes of text a KeyIndex keeps for `names` (at least one).
template <size_t Count>
constexpr size_t key_text_bytes(const std::array<std::string_view, Count>& names) {
  size_t bytes = 0;
  for (std::string_view name : names) bytes += name.size();
  return bytes > 0 ? bytes : 1;
}

// The names' text is copied in, not pointed to: an index holds no pointer
// for ld.so to relocate, so it stays in read-only data and off the shim's
// one page of writable data. Declare one as
//   constexpr auto kList = ...;  // std::array<std::string_view, N>
//   constexpr KeyIndex<N, key_text_bytes(kList)> kIndex(kList);
template <size_t Count, size_t TextBytes>
class KeyIndex {
 public:
  static constexpr size_t kMaxLength = 48;  // longer names are never found
  static constexpr int kNone = -1;

  // Empty names are never found (a key that one cgroup version lacks).
  consteval explicit KeyIndex(const std::array<std::string_view, Count>& names) {
    static_assert(Count < 256, "indices are stored in bytes");
    static_assert(TextBytes < 65536, "text offsets are stored in 16 bits");
    size_t at = 0;
    for (size_t i = 0; i < Count; ++i) {
      start_[i] = static_cast<uint16_t>(at);
      for (char c : names[i]) text_[at++] = c;  // past TextBytes: not a constant expression
    }
    size_t next = 0;
    for (size_t length = 0; length <= kMaxLength; ++length) {
      begin_[length] = static_cast<unsigned char>(next);
      for (size_t i = 0; i < Count; ++i) {
        if (length == 0 || names[i].size() != length) continue;
        order_[next++] = static_cast<unsigned char>(i);
        first_chars_[length] |= first_char_bit(names[i][0]);
      }
    }
    begin_[kMaxLength + 1] = static_cast<unsigned char>(next);
  }

  // The index of `name` in the constructor's array, or kNone.
  int find(std::string_view name) const {
    size_t length = name.size();
    if (length == 0 || length > kMaxLength || !(first_chars_[length] & first_char_bit(name[0]))) return kNone;
    for (unsigned i = begin_[length]; i < begin_[length + 1]; ++i) {
      if (same_text(text_ + start_[order_[i]], name.data(), length)) return order_[i];
    }
    return kNone;
  }

 private:
  // A line that is none of the names usually fails here, on its length and first character.
  static constexpr uint64_t first_char_bit(char c) { return uint64_t(1) << (static_cast<unsigned char>(c) & 63); }

  char text_[TextBytes] = {};                    // the names, one after another
  uint16_t start_[Count] = {};                   // where each name starts in text_
  uint64_t first_chars_[kMaxLength + 1] = {};   // per length, the names' first characters (mod 64)
  unsigned char order_[Count] = {};              // name indices, sorted by length
  unsigned char begin_[kMaxLength + 2] = {};     // names of length L: order_[begin_[L], begin_[L + 1])
};

}  // namespace cgview
