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
#include "file_access.hpp"
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
  if (!lib.loads_with(self)) return "built for " + describe_build(lib) + ", this system is " + describe_build(self);
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
  who.identity = identity;
  LibrarySearch search(root, "/");  // the library has no search path: no relative name to take from a directory
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

int fail(const std::string& message) {
  std::fprintf(stderr, "cgview: %s\n", message.c_str());
  return 1;
}

// A root's ld.so.preload: where it is, where it is written, what it says.
struct PreloadFile {
  std::string dir;     // the root, without a trailing '/'
  RootFs root{""};     // paths resolved inside `dir`
  std::string path;    // DIR/etc/ld.so.preload, as messages name it
  std::string in_etc;  // the host path of etc/ld.so.preload, etc resolved inside the root
  std::string target;  // where it is written: in_etc, or where a symlink there points
  bool linked = false;
  std::string text;
  std::vector<std::string> entries;  // as ld.so reads the file, comments and all
};

// Finds and reads the root's ld.so.preload. False with `error` set.
bool read_preload_file(const char* root, PreloadFile& out, std::string& error) {
  out.dir = root != nullptr ? root : "/";
  while (out.dir.size() > 1 && out.dir.back() == '/') out.dir.pop_back();
  const std::string etc = (out.dir == "/" ? "" : out.dir) + "/etc";
  out.path = etc + "/ld.so.preload";
  struct stat st;
  if (stat(out.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = out.dir + ": no such directory";
    return false;
  }
  // Every path in the root is resolved inside it, symlinks too: an image's
  // /etc -> /private/etc, or a link to /etc/ld.so.preload, never reaches the
  // host's files.
  out.root = RootFs(out.dir == "/" ? "" : out.dir);
  Found etc_dir = out.root.resolve("/etc");
  if (!etc_dir.ok || stat(out.root.host(etc_dir.path).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = etc + ": no such directory";
    return false;
  }
  out.in_etc = out.root.host(etc_dir.path) + "/ld.so.preload";
  // A managed ld.so.preload that is a symlink (to a file a configuration tool
  // owns) is written where it points: replacing the link by a file would cut
  // it off from its source.
  out.target = out.in_etc;
  out.linked = lstat(out.in_etc.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  if (out.linked) {
    Found file = out.root.resolve(etc_dir.path + "/ld.so.preload");
    if (!file.ok && !file.missing) {
      error = out.path + " is a symlink that " + file.error;
      return false;
    }
    out.target = out.root.host(file.path);
  }
  bool exists;
  if (!read_file(out.target, out.text, exists)) {
    error = "cannot read " + out.target + ": " + std::strerror(errno);
    return false;
  }
  out.entries = preload_file_entries(out.text);
  return true;
}

// ld.so reads the list itself only where the program may (access(2), then
// open), and says nothing where it may not; the file keeps its mode
// (replace_file), so an 0600 one stays so: said wherever the mode is on.
void warn_if_list_closed(const PreloadFile& file) {
  const std::string closed = closed_to(file.root, "/etc/ld.so.preload", std::nullopt, "/", file.path);
  if (closed.empty()) return;
  // The mode's bits alone at fault (not a directory above, not an ACL): the fix is one chmod.
  const bool mode_bits = closed.starts_with("may not read ") && closed.find("POSIX ACL") == std::string::npos;
  std::fprintf(stderr, "cgview: warning: an ordinary user %s: ld.so reads none of the list's entries in the programs "
               "such a user runs, and says nothing%s\n", closed.c_str(),
               mode_bits ? (" (chmod 644 " + file.path + ")").c_str() : "");
}

// Adds `library` to the file, unless it, a $LIB line, or another copy of this
// build (the Kubernetes one in /cgview beside an image's /usr/lib one) is
// there already: a second line would load two copies, or make ld.so complain
// in the programs of the other class. `given_root`: --root was given.
int enable_in(PreloadFile& file, const std::string& library, bool given_root) {
  // Named through $LIB, each program loads its own build from the layout: nothing
  // to check against this one's path.
  for (const std::string& entry : file.entries) {
    if (!names_cgview_through_lib(entry)) continue;
    std::printf("cgview: already enabled: %s is in %s\n", entry.c_str(), file.path.c_str());
    warn_if_list_closed(file);
    return 0;
  }
  const std::optional<ElfIdentity> own_build = library_build_of_file(library);
  bool present = false;
  for (const std::string& entry : file.entries) {
    present = present || entry == library;
    if (!own_build || entry == library) continue;
    std::optional<ElfIdentity> named = library_build_named(file.root, entry);  // reads the entry's file
    if (named && named->loads_with(*own_build)) {
      std::printf("cgview: already enabled: %s, a copy of %s, is in %s\n", entry.c_str(), library.c_str(),
                  file.path.c_str());
      warn_if_list_closed(file);
      return 0;
    }
  }
  // What the programs under DIR will load: the same path, resolved inside DIR
  // (an absolute symlink there points into DIR, not into this system).
  Found lib = file.root.resolve(library);
  std::string seen = file.root.host(library);
  std::string reason = lib.ok                  ? unloadable_reason(file.root.host(lib.path))
                       : lib.path == library ? lib.error
                                             : lib.path + " " + lib.error + " there";
  // On the running system a noexec mount stops every program's ld.so from
  // mapping the library's code ("failed to map segment"); an image's mounts
  // are its runtime's.
  if (reason.empty() && lib.ok && file.root.live() && on_noexec_mount(file.root.host(lib.path)))
    reason = std::string("it ") + kNoexecLibrary;
  std::string warning;
  if (reason.empty()) reason = glibc_reason(file.root, file.dir, lib, warning);
  if (!reason.empty() && present) {
    return fail(library + " is in " + file.path + " already, but " + reason + "; `cgview disable" +
                (given_root ? " --root " + file.dir : std::string()) + "` takes it out");
  }
  // The usual first step missed with --root: the library is not in the image yet.
  if (given_root && !lib.ok && lib.missing) {
    return fail("not enabling " + seen + ": " + reason + " (programs under " + file.dir + " load the library at " +
                library + " there: copy it in first)");
  }
  if (!reason.empty()) return fail("not enabling " + seen + ": " + reason);
  if (!warning.empty()) std::fprintf(stderr, "cgview: warning: %s\n", warning.c_str());
  // ld.so opens it as each program's user: one who may not prints its error
  // at every start instead (a copy under /root, or of mode 0600).
  if (std::string closed = closed_to(file.root, library, std::nullopt); !closed.empty())
    std::fprintf(stderr, "cgview: warning: %s: an ordinary user %s: ld.so cannot open it in the programs such a user "
                 "runs, and prints an error in each instead\n", library.c_str(), closed.c_str());
  if (present) {
    std::printf("cgview: already enabled: %s is in %s\n", library.c_str(), file.path.c_str());
    warn_if_list_closed(file);
    return 0;
  }
  std::string text = file.text, why;
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (!replace_file(file.target, text + library + "\n", why)) return fail(why);
  std::printf("cgview: enabled: %s added to %s\n", library.c_str(), file.path.c_str());
  warn_if_list_closed(file);
  return 0;
}

// Takes out every line naming the library or any copy of it (of any class),
// so that disable always ends the mode; the other lines stay as they were.
int disable_in(const PreloadFile& file, const std::string& library) {
  auto names_library = [&](const std::string& entry) { return entry == library || names_cgview(file.root, entry); };
  bool any_copy = false;
  for (const std::string& entry : file.entries) any_copy = any_copy || names_library(entry);
  if (!any_copy) {
    std::printf("cgview: not enabled: %s is not in %s\n", library.c_str(), file.path.c_str());
    return 0;
  }
  // The lines whose entries (as ld.so reads them) all name the library go; the
  // others stay as they were, comments included.
  const std::string& text = file.text;
  std::vector<std::string> lines = split_lines(text), read = split_lines(without_preload_comments(text));
  std::string rest, gone, why;
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
    anything_else = anything_else || lines[i].find_first_not_of(" \t\r") != std::string::npos;
  }
  if (!removed)
    return fail("not disabling: " + file.path + " names " + library + " on a line with other entries; edit it by hand");
  // A file that named only the library was most likely made by enable (one a
  // symlink points to is another's: it is emptied, and stays).
  if (!anything_else && !file.linked) {
    if (unlink(file.in_etc.c_str()) != 0) return fail(change_error("remove", file.path));
  } else if (!replace_file(file.target, rest, why)) {
    return fail(why);
  }
  std::printf("cgview: disabled: %s removed from %s\n", gone.c_str(), file.path.c_str());
  return 0;
}

}  // namespace

int system_wide(const char* root, bool enable) {
  std::string library = library_next_to_binary();
  if (library.empty()) return fail(library_not_found());
  // ld.so splits ld.so.preload at white space and colons.
  if (library.find_first_of(" \t\n:") != std::string::npos) {
    return fail("cannot name " + library + " in ld.so.preload: the path holds a space or a colon");
  }
  PreloadFile file;
  std::string error;
  if (!read_preload_file(root, file, error)) return fail(error);
  return enable ? enable_in(file, library, root != nullptr) : disable_in(file, library);
}

}  // namespace cgview::cli
