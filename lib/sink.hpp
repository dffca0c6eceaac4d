// Where a renderer's output goes: a fixed buffer flushed to a callback (the
// served file in the shim, a string in the CLI and tests). No heap.
#pragma once

#include <cstddef>
#include <string_view>

namespace cgview {

class Sink {
 public:
  using Flush = bool (*)(void* context, const char* data, size_t len);
  Sink(Flush flush, void* context) : flush_(flush), context_(context) {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  void put(std::string_view s) {
    while (!s.empty() && ok_) {
      if (len_ == sizeof buf_) drain();
      size_t n = s.size() < sizeof buf_ - len_ ? s.size() : sizeof buf_ - len_;
      __builtin_memcpy(buf_ + len_, s.data(), n);
      len_ += n;
      s.remove_prefix(n);
    }
  }
  void put(char c) { put(std::string_view(&c, 1)); }
  // For a writer that formats in place (one line at most kMaxRoom bytes):
  // `room` gives kMaxRoom writable bytes, or nullptr once a flush has
  // failed; `wrote(n)` keeps the first n of them. Bytes past n are scratch.
  static constexpr size_t kMaxRoom = 64;
  char* room() {
    if (sizeof buf_ - len_ < kMaxRoom) drain();
    return ok_ ? buf_ + len_ : nullptr;
  }
  void wrote(size_t n) { len_ += n <= kMaxRoom ? n : kMaxRoom; }
  // Flushes what is buffered; false if any flush failed.
  bool finish() {
    drain();
    return ok_;
  }

 private:
  void drain() {
    if (ok_ && len_ > 0) ok_ = flush_(context_, buf_, len_);
    len_ = 0;
  }
  Flush flush_;
  void* context_;
  char buf_[4096];
  size_t len_ = 0;
  bool ok_ = true;
};

}  // namespace cgview
