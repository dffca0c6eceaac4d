#include "sink.hpp"

#include "host_files.hpp"

namespace cgview {

bool flush_to_fd(void* fd, const char* data, size_t len) {
  return write_all(*static_cast<int*>(fd), data, len);
}

}  // namespace cgview
