// Helpers shared by the libFuzzer targets (tests/fuzz/*.cpp).
//
// The targets are ordinary test code: they may use the heap, std::string and
// stdio. Only lib/ must follow docs/design.md's rules for code inside other programs.
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "cpu_set.hpp"
#include "sink.hpp"

// An invariant the code under test must keep. Aborts (libFuzzer saves the
// input as a crash artifact) with the condition and location on stderr.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "cgview fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                             \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits on `sep`; n separators give n+1 parts (empty ones included).
inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// Lines as the kernel's files have them: a final '\n' ends the last line
// rather than starting an empty one.
inline std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  out = split(s, '\n');
  if (s.back() == '\n') out.pop_back();
  return out;
}

inline size_t count_char(std::string_view s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c;
  return n;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A Sink that appends to a std::string.
struct StringSink {
  static bool append(void* context, const char* data, size_t len) {
    static_cast<std::string*>(context)->append(data, len);
    return true;
  }
  std::string text;
  cgview::Sink sink{append, &text};
};

// A scratch sysroot, created once per process (mkdtemp) and reused by every
// input. Lives under $CGVIEW_FUZZ_TMPDIR, else /dev/shm, else /tmp.
class TempRoot {
 public:
  TempRoot() {
    const char* base = std::getenv("CGVIEW_FUZZ_TMPDIR");
    std::string candidates[] = {base != nullptr ? base : "", "/dev/shm", "/tmp"};
    for (const std::string& b : candidates) {
      if (b.empty()) continue;
      std::string templ = b + "/cgview-fuzz-XXXXXX";
      if (mkdtemp(templ.data()) != nullptr) {
        path_ = templ;
        return;
      }
    }
    std::fprintf(stderr, "cgview fuzz: cannot create a temporary directory\n");
    std::abort();
  }
  ~TempRoot() {
    clear();
    rmdir(path_.c_str());
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }

  cgview::Config config() const {
    cgview::Config config;
    FUZZ_CHECK(cgview::set_sysroot(config, path_.c_str()));
    return config;
  }

  // Creates every missing directory of `rel` (relative to the root, '/'-separated).
  bool make_dirs(std::string_view rel) {
    std::string p = path_;
    for (std::string_view part : split(rel, '/')) {
      if (part.empty()) continue;
      p += '/';
      p += part;
      if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    return true;
  }

  // Writes `content` to root/rel, creating parent directories.
  bool write(std::string_view rel, std::string_view content) {
    size_t slash = rel.rfind('/');
    if (slash != std::string_view::npos && !make_dirs(rel.substr(0, slash))) return false;
    std::string p = path_ + "/" + std::string(rel);
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = true;
    while (!content.empty()) {
      ssize_t n = ::write(fd, content.data(), content.size());
      if (n <= 0) { ok = false; break; }
      content.remove_prefix(size_t(n));
    }
    close(fd);
    return ok;
  }

  void remove(std::string_view rel) { unlink((path_ + "/" + std::string(rel)).c_str()); }

  // Removes everything below the root (the root itself stays).
  void clear() {
    nftw(path_.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    mkdir(path_.c_str(), 0700);
  }

 private:
  static int remove_entry(const char* p, const struct stat*, int, struct FTW* f) {
    if (f->level > 0) ::remove(p);
    return 0;
  }
  std::string path_;
};

// The kernel's list format of `set`, through the library's formatter.
inline std::string format_cpus(const cgview::CpuSet& set) {
  // 8192 CPUs in the worst layout ("0,2,4,...") take ~40 KB.
  static cgview::FixedText<65536> text;
  text.clear();
  cgview::format_cpu_list(set, text);
  FUZZ_CHECK(!text.overflowed());
  return std::string(text.view());
}

}  // namespace fuzz
