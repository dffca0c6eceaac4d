#include "debug_log.hpp"

namespace cgview {

DebugLine::~DebugLine() {
  if (!on_) return;
  text_.add('\n');
  write_all(2, text_.view().data(), text_.size());
}

}  // namespace cgview
