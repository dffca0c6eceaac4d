// Finding files as a program in an image would: paths, PATH lookup and
// symlinks resolve inside a root directory (an unpacked image or chroot; "/"
// is the running system). Absolute symlink targets are re-rooted, ".." never
// climbs above the root, and symlink loops end with an error.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cgview::cli {

struct Found {
  bool ok = false;
  std::string path;   // in the root's terms, symlinks resolved ("/usr/bin/nproc")
  std::string error;  // when !ok: "does not exist", "is a symlink loop", ...
  bool missing = false;  // when !ok: because a component of the path does not exist
  bool dropped = false;  // when !ok: a DT_NEEDED name ld.so leaves out (a token it cannot expand)
  bool denied = false;   // when !ok: a directory of the path may not be searched by this process (EACCES)
  // A library found by LibrarySearch: the path as ld.so opens it, its
  // directory as the search gave it, symlinks unresolved (ld.so takes $ORIGIN
  // from this, not from `path`).
  std::string opened = {};
  // The directories (in the root's terms) the walk looked a name up in, each
  // once, in the order met, from the first of the path's own (the working
  // directory for a relative one): the kernel refuses the path (EACCES) to a
  // process without search permission on any of them.
  std::vector<std::string> searched = {};
  // find_command: the first PATH candidate ("/root/bin/x") passed over
  // because its runner may not start it, where a later one was taken.
  std::string passed_over = {};
};

class RootFs {
 public:
  // `root` is a host directory; "" or "/" is the running system.
  explicit RootFs(std::string_view root);

  bool live() const { return prefix_.empty(); }
  const std::string& prefix() const { return prefix_; }

  // The host path of a path in the root's terms.
  std::string host(std::string_view path) const { return prefix_ + std::string(path); }

  // Resolves an absolute path (or one relative to `cwd`, in the root's terms)
  // through every symlink.
  Found resolve(std::string_view path, std::string_view cwd = "/") const;

  // A command name as execvp finds it: a name with '/' is a path; otherwise
  // the first executable regular file in `path_var`'s directories that
  // `may_run` (where given) says its runner may execute: execvp passes over
  // one whose exec fails with EACCES, for its mode or a directory on its path
  // (MayRun judges both), or one under a directory this process may not
  // search. Where the runner may execute none, the first such (execvp fails
  // with EACCES then).
  using MayRun = std::function<bool(const Found&, const struct stat&)>;
  Found find_command(std::string_view name, std::string_view path_var, std::string_view cwd,
                     const MayRun& may_run = {}) const;

  // The glob matches of an absolute pattern, in the root's terms, sorted.
  std::vector<std::string> glob(std::string_view pattern) const;

  // Whole file, at most `limit` bytes; false when unreadable.
  bool read_file(std::string_view path, size_t limit, std::string& out) const;

  // Where relative names are taken from: on the running system this process's
  // working directory (programs started from here inherit it); in another
  // root, its top.
  std::string working_dir() const;

 private:
  // Why find_command passed over `candidate` (a PATH entry joined with the
  // name), which resolved to `found`: a dangling symlink, a directory, ...;
  // empty when there is nothing by that name.
  std::string why_passed_over(const std::string& candidate, const Found& found, std::string_view cwd) const;

  std::string prefix_;
};

// PATH used for --root images, which carry no environment: Docker's default for
// containers (and Debian's for root).
inline constexpr std::string_view kDefaultImagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The directory part of a path in the root's terms ("/usr/bin/x" -> "/usr/bin").
std::string parent_of(std::string_view path);

}  // namespace cgview::cli
