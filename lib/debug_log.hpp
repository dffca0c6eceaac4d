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

// A computation's lines, kept so that they are said only when they differ
// from the ones said last: the shim's view is computed again every half
// second for as long as a program asks, and its decisions rarely change.
// All zero bytes is empty, nothing said yet.
struct DebugLines {
  FixedText<8192> text;  // each line with its '\n' (lines past the end are lost)
  uint64_t said = 0;     // a hash of the text said last (0: nothing yet)
  // Writes the kept lines, one raw write each, if they differ from the ones
  // said last; then empties the text.
  void say_if_changed();
};

class DebugLine {
 public:
  explicit DebugLine(const Config& config) : on_(config.debug), keep_(config.debug_lines) {
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
  DebugLines* keep_;
  FixedText<1024> text_;
};

}  // namespace cgview
