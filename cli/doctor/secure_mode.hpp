// Whether the kernel runs a program in secure mode (AT_SECURE), where glibc's
// ld.so ignores LD_PRELOAD and LD_LIBRARY_PATH: when the exec raises its
// privileges. As fs/exec.c and security/commoncap.c decide it:
// - a setuid bit to a user other than the runner's real one, a setgid bit
//   (with group execute: without, it means mandatory locking) to another
//   group than the runner's real one, unless the runner has no_new_privs
//   (Kubernetes' allowPrivilegeEscalation: false, docker's
//   no-new-privileges), which leaves both bits unapplied;
// - file capabilities (the security.capability attribute setcap writes), for
//   a runner who is not root: where their effective flag is set, or they give
//   the new program a permitted capability (the file's permitted ones in the
//   runner's bounding set, or its inheritable ones the runner also holds);
// - nothing at all from a file on a nosuid mount.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "program_lookup.hpp"

namespace cgview::cli {

// A security.capability attribute (struct vfs_cap_data, revision 1, 2 or 3).
struct FileCapabilities {
  bool effective = false;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
};

// The attribute's value; nullopt where it is no capability set the kernel
// reads (the wrong size for its revision, an unknown revision).
std::optional<FileCapabilities> parse_file_capabilities(std::string_view raw);

// Who runs the programs, where known (cgview run: itself).
struct Runner {
  uid_t uid = 0;  // real
  gid_t gid = 0;  // real
  std::vector<gid_t> groups;  // supplementary
  bool no_new_privs = false;
  uint64_t permitted = 0, inheritable = 0, bounding = ~uint64_t(0);
  // What the kernel checks for file access (CAP_DAC_*): a process may hold
  // in its permitted set what it has taken out of this one.
  uint64_t effective = 0;
};

// This process, as the runner of what it starts.
Runner this_runner();

// What exec looks at in a program's file.
struct ExecFile {
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  bool nosuid_mount = false;
  bool noexec_mount = false;  // exec fails with EACCES, whatever the mode says
  std::optional<FileCapabilities> capabilities;
};

// The file open at `fd`, of status `st`. `live`: it runs where it lies, so
// its mount's nosuid and noexec count (not so in an unpacked image).
ExecFile exec_file_of(int fd, const struct stat& st, bool live);
// The same of the file at `host_path` without opening it, but for its file
// capabilities (not read): enough for may_execute.
ExecFile exec_file_at(const std::string& host_path, const struct stat& st, bool live);

// What a program's file gives it when run.
struct Privileges {
  bool setuid = false;
  bool setgid = false;
  bool file_capabilities = false;
  bool secure() const { return setuid || setgid || file_capabilities; }
  // "is setuid", "is setgid", "has file capabilities".
  std::string phrase() const;
};

// Whether exec lets `runner` start `file` at all (else EACCES), as the
// kernel decides: nobody a file on a noexec mount; a runner with
// CAP_DAC_OVERRIDE in its effective set (root, unless dropped) given an
// execute bit for anyone; another runner given the one of its class, the
// owner's, else the group's (its own group or a supplementary one), else the
// others'. Without a runner, an ordinary user's: neither the file's owner nor
// in its group.
bool may_execute(const ExecFile& file, const std::optional<Runner>& runner);

// Whether `runner` may open `file` for reading, by the same classes; with
// CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH always. A script's interpreter
// opens the script so: exec needs only the execute bit, the interpreter the
// read one (an ELF program runs without it).
bool may_read(const ExecFile& file, const std::optional<Runner>& runner);

// Whether `runner` may search the directory `dir` (look a name up in it), by
// the same classes' execute bits; with CAP_DAC_OVERRIDE or
// CAP_DAC_READ_SEARCH always. Exec and open need it of every directory their
// path goes through (EACCES).
bool may_search(const ExecFile& dir, const std::optional<Runner>& runner);

// Of `dirs` (in `root`'s terms: Found::searched), the first `runner` may not
// search, with its status in `dir`; empty: none. The top of a root other than
// "/" is not judged: it is the directory an image was unpacked into.
std::string first_unsearchable(const RootFs& root, const std::vector<std::string>& dirs,
                               const std::optional<Runner>& runner, ExecFile& dir);

// Why `runner` (without one, an ordinary user: neither root nor the owner or
// group of the file or a directory on its path) may not open the file at
// `path` (in `root`'s terms) for reading: "may not search /root (mode 0700,
// ...)", "may not read it (mode 0600, ...)"; empty where it may, or where
// there is no such file. ld.so opens a preloaded library so, as the
// program's user. A relative `path` is from `cwd` (no search permission is
// needed above it).
std::string closed_to(const RootFs& root, const std::string& path, const std::optional<Runner>& runner,
                      std::string_view cwd = "/");

// " (mode 0700, owner 0, group 0)", as said of a file a runner is refused.
std::string mode_and_owner(const ExecFile& file);

// The privileges `file` gives `runner`; without one, an ordinary user's:
// neither root nor the file's owner or group, no_new_privs unset, no
// inheritable capabilities, every capability in the bounding set.
// `no_new_privs`: the runner has it whatever `runner` says.
Privileges privileges_for(const ExecFile& file, const std::optional<Runner>& runner, bool no_new_privs = false);

}  // namespace cgview::cli
