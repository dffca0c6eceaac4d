#include "env_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cgview::cli {

std::map<std::string, std::string> parse_env_file(std::string_view text) {
  std::map<std::string, std::string> vars;
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // a byte order mark (Windows editors write one)
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a file written on Windows
    size_t start = line.find_first_not_of(" \t\v\f");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);
    size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    std::string_view name = line.substr(0, eq);
    if (name.find_first_of(" \t\v\f") != std::string_view::npos) continue;
    if (line.find('\0') != std::string_view::npos) continue;  // no variable holds one: not a text file
    vars[std::string(name)] = std::string(line.substr(eq + 1));
  }
  return vars;
}

bool read_env_file(const char* path, size_t limit, std::string& text, std::string& error) {
  text.clear();
  // Non-blocking, so that opening a pipe nobody writes to does not wait; a
  // read then waits for the writer as usual.
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
  if (!ok) error = "not a regular file or a pipe";
  if (ok && S_ISFIFO(st.st_mode)) ok = fcntl(fd, F_SETFL, 0) == 0;
  char buf[65536];
  while (ok) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ok = false;
    } else if (n == 0) {
      break;
    } else if (text.size() + size_t(n) > limit) {
      error = "larger than " + std::to_string(limit >> 20) + " MiB, which no environment is";
      ok = false;
    } else {
      text.append(buf, size_t(n));
    }
  }
  close(fd);
  return ok;
}

}  // namespace cgview::cli
