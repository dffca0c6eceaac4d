#include "program_lookup.hpp"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>

namespace cgview::cli {

namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's ELOOP limit

// Pushes the components of `path` to the front of `queue`, in order.
void push_front_components(std::deque<std::string>& queue, std::string_view path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    if (end > at) parts.emplace_back(path.substr(at, end - at));
    at = end + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) queue.push_front(*it);
}

}  // namespace

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

RootFs::RootFs(std::string_view root) : prefix_(root) {
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
}

Found RootFs::resolve(std::string_view path, std::string_view cwd) const {
  std::deque<std::string> rest;
  push_front_components(rest, path);
  // The path's own parts are at the back, behind the working directory's
  // (and a symlink's target is pushed in front of what is left): once no
  // more is left than they, the walk is in the path's own parts, and the
  // kernel, starting a relative path at the working directory, needs no
  // permission on the directories above it.
  const size_t own_parts = rest.size();
  if (path.empty() || path.front() != '/') push_front_components(rest, cwd);
  std::string current;  // resolved so far, "" = the root
  std::vector<std::string> searched;
  bool in_own_parts = false;
  int links = 0;
  while (!rest.empty()) {
    in_own_parts |= rest.size() <= own_parts;
    if (in_own_parts) {
      std::string dir = current.empty() ? "/" : current;
      if (std::find(searched.begin(), searched.end(), dir) == searched.end()) searched.push_back(std::move(dir));
    }
    std::string part = std::move(rest.front());
    rest.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      current = current.empty() ? "" : parent_of(current);
      if (current == "/") current.clear();
      continue;
    }
    std::string next = current + "/" + part;
    std::string host_next = host(next);
    struct stat st;
    if (lstat(host_next.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        // The whole path, and which part of it is missing where that is a directory.
        std::string whole = next;
        for (const std::string& part_left : rest) whole += "/" + part_left;
        return {false, whole, rest.empty() ? "does not exist" : "does not exist (there is no " + next + ")", true};
      }
      Found denied{false, next, std::string("cannot be examined: ") + std::strerror(errno)};
      denied.denied = errno == EACCES;
      return denied;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return {false, next, "is in a symlink loop (more than 40 links)"};
      char target[PATH_MAX];
      ssize_t n = readlink(host_next.c_str(), target, sizeof target - 1);
      if (n < 0) return {false, next, std::string("cannot read the symlink: ") + std::strerror(errno)};
      std::string_view t(target, size_t(n));
      push_front_components(rest, t);
      if (!t.empty() && t.front() == '/') current.clear();  // absolute: from the root
      continue;
    }
    if (!rest.empty() && !S_ISDIR(st.st_mode)) return {false, next, "has a non-directory in its path"};
    current = std::move(next);
  }
  Found found{true, current.empty() ? "/" : current, ""};
  found.searched = std::move(searched);
  return found;
}

Found RootFs::find_command(std::string_view name, std::string_view path_var, std::string_view cwd,
                           const MayRun& may_run) const {
  if (name.empty()) return {false, "", "is empty"};
  if (name.find('/') != std::string_view::npos) return resolve(name, cwd);
  std::string why_first_passed_over;  // said where none is found
  std::optional<Found> refused;  // the first the runner may not execute
  std::string refused_candidate;
  auto refuse = [&](Found&& found, const std::string& candidate) {
    if (refused) return;
    refused = std::move(found);
    refused_candidate = candidate;
  };
  size_t at = 0;
  while (at <= path_var.size()) {
    size_t end = path_var.find(':', at);
    if (end == std::string_view::npos) end = path_var.size();
    std::string_view entry = path_var.substr(at, end - at);
    at = end + 1;
    std::string dir(entry.empty() ? "." : entry);  // an empty PATH entry is the current directory
    std::string candidate = dir + "/" + std::string(name);
    Found found = resolve(candidate, cwd);
    struct stat st;
    const std::string host_path = found.ok ? host(found.path) : std::string();
    if (found.ok && stat(host_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
      if (!may_run || may_run(found, st)) {
        if (refused) found.passed_over = refused_candidate;
        return found;
      }
      refuse(std::move(found), candidate);
      continue;
    }
    if (!found.ok && found.denied) {  // execvp's EACCES: passed over, and said if none is taken
      refuse(std::move(found), candidate);
      continue;
    }
    // execvp passes over it too; the first such is said, as a person who
    // sees the name in a PATH directory wonders why it was not taken.
    if (why_first_passed_over.empty()) why_first_passed_over = why_passed_over(candidate, found, cwd);
  }
  if (refused) return *refused;  // exec says EACCES of it (doctor: "may not be executed")
  return {false, std::string(name), "is not found in PATH" + (why_first_passed_over.empty() ? "" : "; " + why_first_passed_over)};
}

std::string RootFs::why_passed_over(const std::string& candidate, const Found& found, std::string_view cwd) const {
  if (found.ok) return candidate + " is not an executable file";
  size_t slash = candidate.rfind('/');
  Found dir = resolve(candidate.substr(0, slash), cwd);
  struct stat st;
  if (!dir.ok || lstat(host(dir.path + candidate.substr(slash)).c_str(), &st) != 0) return "";  // not there at all
  return S_ISLNK(st.st_mode) ? candidate + " is a symlink to " + found.path + ", which " + found.error
                             : candidate + " " + found.error;
}

std::vector<std::string> RootFs::glob(std::string_view pattern) const {
  std::vector<std::string> out;
  glob_t g{};
  std::string full = host(pattern);
  if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc && i < 4096; ++i) out.emplace_back(g.gl_pathv[i] + prefix_.size());
  }
  globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

bool RootFs::read_file(std::string_view path, size_t limit, std::string& out) const {
  out.clear();
  int fd = open(host(path).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  char buf[4096];
  while (ok && out.size() < limit) {
    ssize_t n = read(fd, buf, std::min(sizeof buf, limit - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    out.append(buf, size_t(n));
  }
  close(fd);
  return ok;
}

std::string RootFs::working_dir() const {
  char buf[PATH_MAX];
  if (live() && getcwd(buf, sizeof buf) != nullptr) return buf;
  return "/";
}

}  // namespace cgview::cli
