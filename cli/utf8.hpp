// Reading UTF-8 text that may hold any bytes (file and cgroup names are bytes):
// one character at a time, or where the bytes are not one, the run of them a
// decoder replaces with one U+FFFD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cgview::cli {

struct Utf8Step {
  char32_t code = 0;   // the character, when valid
  size_t length = 1;   // bytes taken: the character's, or the ill-formed run's (at least 1)
  bool valid = false;
};

// The step at the start of `text` (not empty). An ill-formed run is Unicode's
// "maximal subpart": the longest start of a well-formed sequence that is
// there (a lead byte and the continuation bytes that can follow it, cut
// short), else one byte; so an overlong form, a surrogate or a code point
// past U+10FFFF is one U+FFFD per byte, and "\xe7\xa8" before an ASCII byte
// one U+FFFD in all, as Python's and browsers' decoders read them.
inline Utf8Step next_utf8(std::string_view text) {
  const auto byte = [&](size_t i) { return uint8_t(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                       : 0;
  if (length == 0) return {};
  // The second byte's range rules out overlong forms, surrogates and code
  // points past U+10FFFF; every other continuation byte is 80..BF.
  const uint8_t low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
  const uint8_t high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
  char32_t code = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const bool fits = i < text.size() && byte(i) >= (i == 1 ? low : 0x80) && byte(i) <= (i == 1 ? high : 0xBF);
    if (!fits) return {0, i, false};
    code = code << 6 | (byte(i) & 0x3F);
  }
  return {code, length, true};
}

}  // namespace cgview::cli
