// CGVIEW_DEBUG output: one line on stderr per decision, prefixed "cgview:".
// Written with one raw write(2), so it is safe in signal handlers and never
// touches the program's stdio buffers.
#pragma once

#include <cstdint>
#include <string_view>

#include "config.hpp"

namespace cgview {

// Writes `line` and a newline to fd 2 in one raw write: errno kept, and a
// stderr pipe whose reader has gone raises no SIGPIPE. Async-signal-safe.
// Longer lines are cut to 1023 bytes.
void write_stderr_line(std::string_view line);

// A computation's lines folded into one number (FNV-1a), so that a caller
// can tell whether they changed since it last said them (Config::debug_hash:
// the shim's view is computed again every half second for as long as a
// program asks, and its decisions rarely change). Never 0.
inline constexpr uint64_t kDebugHashStart = 14695981039346656037u;
uint64_t fold_debug_hash(uint64_t hash, std::string_view line);

class DebugLine {
 public:
  explicit DebugLine(const Config& config) : on_(config.debug), hash_(config.debug_hash) {
    if (on_) text_.add("cgview: ");
  }
  ~DebugLine();
  DebugLine(const DebugLine&) = delete;
  DebugLine& operator=(const DebugLine&) = delete;
  DebugLine& operator<<(std::string_view s) {
    if (on_) text_.add(s);
    return *this;
  }
  DebugLine& operator<<(uint64_t v) {
    if (on_) text_.add_u64(v);
    return *this;
  }

 private:
  bool on_;
  uint64_t* hash_;
  FixedText<1024> text_;
};

}  // namespace cgview
