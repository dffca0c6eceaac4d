// `cgview enable|disable [--root DIR]`: the system-wide mode. Programs that
// start their children with a clean environment (sudo, cron, service managers,
// `env -i`) drop LD_PRELOAD; ld.so reads DIR/etc/ld.so.preload for every
// program instead. A line there that names a file of the wrong kind makes
// ld.so complain in every program, and a library that asks more of the root's
// glibc than it has stops every program there, so enable checks both first;
// both commands replace the file in one rename, never leaving half of it.
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "elf_identity.hpp"
#include "library_location.hpp"
#include "lib_layout.hpp"
#include "libc_fit.hpp"
#include "libc_versions.hpp"
#include "library_search.hpp"
#include "program_lookup.hpp"

namespace cgview::cli {

namespace {

// One line saying why `library` cannot be preloaded here, or "" when it can.
std::string unloadable_reason(const std::string& library) {
  ElfIdentity lib;
  int open_error = 0;
  if (!elf_identity_of_file(library, lib, &open_error)) return open_error != 0 ? std::strerror(open_error) : "not an ELF file";
  // This cgview's own build stands for the system's: the two are installed together.
  const ElfIdentity self = this_build_identity();
  if (lib.type != ET_DYN) return "not a shared object";
  if (lib.elf_class != self.elf_class) return lib.elf_class == ELFCLASS64 ? "64-bit, this system is 32-bit"
                                                                          : "32-bit, this system is 64-bit";
  if (lib.data != self.data) return "byte order differs from this system's";
  if (lib.machine != self.machine)
    return "built for " + describe_machine(lib.machine, lib.elf_class) + ", this system is " +
           describe_machine(self.machine, self.elf_class);
  return {};
}

// One line saying why the root's glibc cannot load `library` (in the root's
// terms), or "" (libc_fit.hpp). `warning` says what could not be checked: a
// root without glibc (only glibc's loader reads ld.so.preload: the line is
// harmless there, and does nothing) or an unreadable libc.so.6.
std::string glibc_reason(const RootFs& root, const std::string& dir, const Found& lib, std::string& warning) {
  std::vector<std::string> required;
  std::string why;
  if (!read_libc_versions_required(root.host(lib.path), required, why)) return "cannot read its symbol versions: " + why;
  Requester who;
  who.path = lib.path;
  ElfIdentity identity;
  if (!elf_identity_of_file(root.host(lib.path), identity)) return "cannot read its ELF header";
  who.elf_class = identity.elf_class;
  who.machine = identity.machine;
  LibrarySearch search(root);
  LibcVerdict v = LibcFit(root, search, required).judge(who);
  std::string glibc = "the glibc in " + dir + " (" + v.libc_path + ")";
  switch (v.kind) {
    case LibcVerdict::Fits: return {};
    case LibcVerdict::Lacks:
      return glibc + " lacks " + join_versions(v.missing) + ", which the library requires: every program there would " +
             "fail to start (version `" + v.missing.front() + "' not found)";
    case LibcVerdict::OtherMachine:
      return glibc + " is built for " + v.detail + ": its loader cannot load the library, and would print an error " +
             "in every program";
    case LibcVerdict::NoGlibc:
      warning = "no glibc (libc.so.6) found in " + dir + ": only glibc's loader reads /etc/ld.so.preload, so nothing " +
                "there will load the library";
      return {};
    case LibcVerdict::Unreadable:
      warning = "cannot read " + v.libc_path + " in " + dir + " (" + v.detail + "): its glibc version is not checked";
      return {};
  }
  return {};
}

bool read_file(const std::string& path, std::string& out, bool& exists) {
  exists = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  exists = true;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close(fd);
  return n == 0;
}

// "cannot <what> <path>: <errno's text>", with what usually causes it: another
// user than root, or a file mounted over ld.so.preload (a Kubernetes
// ConfigMap's subPath), which neither rename nor unlink can replace.
std::string change_error(const std::string& what, const std::string& path) {
  int error = errno;
  std::string why = "cannot " + what + " " + path + ": " + std::strerror(error);
  if ((error == EACCES || error == EPERM) && geteuid() != 0) why += " (the system-wide mode is root's to change)";
  if (error == EBUSY) why += " (a file is mounted there: change it where it is mounted from)";
  return why;
}

// Replaces `path` by `content` with one rename: a reader sees the old file or
// the new one. Keeps the old file's mode (0644 for a new one).
bool replace_file(const std::string& path, const std::string& content, std::string& why) {
  mode_t mode = 0644;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::string temp = path + ".cgview-XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    why = change_error("create a file next to", path);
    return false;
  }
  size_t done = 0;
  bool ok = true;
  while (ok && done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (ok && rename(temp.c_str(), path.c_str()) == 0) return true;
  why = change_error("write", path);
  unlink(temp.c_str());
  return false;
}

// The file's lines, each without its newline; a last line without one counts.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string trimmed(const std::string& line) {
  size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "cgview: %s\n", message.c_str());
  return 1;
}

}  // namespace

int system_wide(const char* root, bool enable) {
  std::string library = library_next_to_binary();
  if (library.empty()) return fail(library_not_found());
  // ld.so splits ld.so.preload at white space and colons.
  if (library.find_first_of(" \t\n:") != std::string::npos) {
    return fail("cannot name " + library + " in ld.so.preload: the path holds a space or a colon");
  }
  std::string dir = root != nullptr ? root : "/";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string etc = (dir == "/" ? "" : dir) + "/etc";
  std::string path = etc + "/ld.so.preload";
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return fail(dir + ": no such directory");
  // Every path in the root is resolved inside it, symlinks too: an image's
  // /etc -> /private/etc, or a link to /etc/ld.so.preload, never reaches the
  // host's files.
  RootFs rootfs(dir == "/" ? "" : dir);
  Found etc_dir = rootfs.resolve("/etc");
  if (!etc_dir.ok || stat(rootfs.host(etc_dir.path).c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(etc + ": no such directory");
  const std::string in_etc = rootfs.host(etc_dir.path) + "/ld.so.preload";
  // A managed ld.so.preload that is a symlink (to a file a configuration tool
  // owns) is written where it points: replacing the link by a file would cut
  // it off from its source.
  std::string target = in_etc;
  bool linked = lstat(in_etc.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  if (linked) {
    Found file = rootfs.resolve(etc_dir.path + "/ld.so.preload");
    if (!file.ok && !file.missing) return fail(path + " is a symlink that " + file.error);
    target = rootfs.host(file.path);
  }
  std::string text;
  bool exists;
  if (!read_file(target, text, exists)) return fail("cannot read " + target + ": " + std::strerror(errno));
  // The library's own entry, or one naming it through $LIB (README): that loads each
  // program's own build, and a second line would make ld.so complain in programs of
  // the other class. As ld.so reads the file, comments and all.
  // Another copy of the library (the Kubernetes one in /cgview beside an image's
  // /usr/lib one) is the same mode: enable does not add a second, disable takes
  // out every copy.
  auto names_this_library = [&](const std::string& entry) {
    return entry == library || names_cgview_through_lib(entry);
  };
  auto names_library = [&](const std::string& entry) {  // any copy, of any class: disable's
    return entry == library || names_cgview(rootfs, entry);
  };
  std::vector<std::string> entries = preload_file_entries(text);
  const std::optional<LibraryBuild> own_build = library_build_of_file(library);
  bool present = false;  // enable's: this path, or $LIB
  std::string copy;      // an entry naming another copy of this build (same class and machine)
  for (const std::string& entry : entries) {
    present = present || names_this_library(entry);
    if (copy.empty() && own_build && entry != library && library_build_named(rootfs, entry) == own_build)
      copy = entry;
  }

  std::string why;
  if (enable) {
    // Named through $LIB, each program loads its own build from the layout: nothing
    // to check against this one's path.
    for (const std::string& entry : entries) {
      if (!names_cgview_through_lib(entry)) continue;
      std::printf("cgview: already enabled: %s is in %s\n", entry.c_str(), path.c_str());
      return 0;
    }
    if (!copy.empty()) {
      std::printf("cgview: already enabled: %s, a copy of %s, is in %s\n", copy.c_str(), library.c_str(),
                  path.c_str());
      return 0;
    }
    // What the programs under DIR will load: the same path, resolved inside DIR
    // (an absolute symlink there points into DIR, not into this system).
    Found lib = rootfs.resolve(library);
    std::string seen = rootfs.host(library);
    std::string reason = lib.ok                  ? unloadable_reason(rootfs.host(lib.path))
                         : lib.path == library ? lib.error
                                               : lib.path + " " + lib.error + " there";
    std::string warning;
    if (reason.empty()) reason = glibc_reason(rootfs, dir, lib, warning);
    if (!reason.empty() && present) {
      return fail(library + " is in " + path + " already, but " + reason + "; `cgview disable" +
                  (root != nullptr ? " --root " + dir : std::string()) + "` takes it out");
    }
    // The usual first step missed with --root: the library is not in the image yet.
    if (root != nullptr && !lib.ok && lib.missing) {
      return fail("not enabling " + seen + ": " + reason + " (programs under " + dir + " load the library at " +
                  library + " there: copy it in first)");
    }
    if (!reason.empty()) return fail("not enabling " + seen + ": " + reason);
    if (!warning.empty()) std::fprintf(stderr, "cgview: warning: %s\n", warning.c_str());
    if (present) {
      std::printf("cgview: already enabled: %s is in %s\n", library.c_str(), path.c_str());
      return 0;
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    if (!replace_file(target, text + library + "\n", why)) return fail(why);
    std::printf("cgview: enabled: %s added to %s\n", library.c_str(), path.c_str());
    return 0;
  }

  bool any_copy = false;
  for (const std::string& entry : entries) any_copy = any_copy || names_library(entry);
  if (!any_copy) {
    std::printf("cgview: not enabled: %s is not in %s\n", library.c_str(), path.c_str());
    return 0;
  }
  // The lines whose entries (as ld.so reads them) all name the library go; the
  // others stay as they were, comments included.
  std::vector<std::string> lines = split_lines(text), read = split_lines(without_preload_comments(text));
  std::string rest, gone;
  bool anything_else = false, removed = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> words = split_words(read[i], kPreloadFileSeparators);
    bool library_only = !words.empty();
    for (const std::string& word : words) library_only = library_only && names_library(word);
    if (library_only) {
      for (const std::string& word : words) gone += (gone.empty() ? "" : ", ") + word;
      removed = true;
      continue;
    }
    rest += lines[i];
    // Keep a missing final newline missing: the other lines stay as they were.
    if (i + 1 < lines.size() || text.back() == '\n') rest += '\n';
    anything_else = anything_else || !trimmed(lines[i]).empty();
  }
  if (!removed) return fail("not disabling: " + path + " names " + library + " on a line with other entries; edit it by hand");
  // A file that named only the library was most likely made by enable (one a
  // symlink points to is another's: it is emptied, and stays).
  if (!anything_else && !linked) {
    if (unlink(in_etc.c_str()) != 0) return fail(change_error("remove", path));
  } else if (!replace_file(target, rest, why)) {
    return fail(why);
  }
  std::printf("cgview: disabled: %s removed from %s\n", gone.c_str(), path.c_str());
  return 0;
}

}  // namespace cgview::cli
