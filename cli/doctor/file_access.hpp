// Who may execute, read or search a file, as the kernel decides it (the
// permission class of the mode, or a POSIX ACL, and the CAP_DAC_*
// capabilities), and what exec reads of a program's file: its mode and
// owners, its mount's flags, its file capabilities. Exec needs the search
// permission of every directory a path goes through as well (Found::searched).
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
  // Revision 3's: the root of the user namespace they were set for (0 for
  // the older revisions). Read, the kernel gives revision 2 where that is the
  // reader's namespace's root.
  uint32_t root_id = 0;
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

// A system.posix_acl_access attribute: the entries of a POSIX ACL (setfacl's),
// in the order the kernel keeps them (sorted by tag, then id).
struct AccessAcl {
  struct Entry {
    uint16_t tag = 0;   // ACL_USER_OBJ 0x01, ACL_USER 0x02, ACL_GROUP_OBJ 0x04, ACL_GROUP 0x08, ACL_MASK 0x10, ACL_OTHER 0x20
    uint16_t perm = 0;  // 4 read, 2 write, 1 execute or search
    uint32_t id = 0;    // ACL_USER's uid, ACL_GROUP's gid
  };
  std::vector<Entry> entries;
};

// The attribute's value (version 2, then 8-byte entries); nullopt where the
// kernel would not take it (another version, a size not a whole number of
// entries, no ACL_OTHER entry).
std::optional<AccessAcl> parse_access_acl(std::string_view raw);

// What exec looks at in a program's file, and access checks in any file.
struct ExecFile {
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  bool nosuid_mount = false;
  bool noexec_mount = false;  // exec fails with EACCES, whatever the mode says
  std::optional<FileCapabilities> capabilities;
  std::optional<AccessAcl> acl;  // where it has one, it decides, not the mode's classes
};

// The file open at `fd`, of status `st`. `live`: it runs where it lies, so
// its mount's nosuid and noexec count (not so in an unpacked image), and file
// capabilities set for another user namespace's root (revision 3, a root id
// other than 0 as read: setcap in a rootless container) give exec nothing
// (rootid_owns_currentns); in an image they are that image's runtime's.
ExecFile exec_file_of(int fd, const struct stat& st, bool live);
// The same of the file at `host_path` without opening it, but for its file
// capabilities (not read): enough for may_execute, may_read and may_search.
ExecFile exec_file_at(const std::string& host_path, const struct stat& st, bool live);

// Whether exec lets `runner` start `file` at all (else EACCES), as the
// kernel decides: nobody a file on a noexec mount; a runner with
// CAP_DAC_OVERRIDE in its effective set (root, unless dropped) given an
// execute bit for anyone; another runner given the one of its class, the
// owner's, else the group's (its own group or a supplementary one), else the
// others', or what the file's ACL gives it. Without a runner, an ordinary
// user's: neither the file's owner nor in its group, nor named in its ACL.
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

// A directory a runner may not search, and its status.
struct ClosedDir {
  std::string path;  // in the root's terms
  ExecFile dir;
};

// Of `dirs` (in `root`'s terms: Found::searched), the first `runner` may not
// search; nullopt: none. The top of a root other than "/" is not judged: it
// is the directory an image was unpacked into.
std::optional<ClosedDir> first_unsearchable(const RootFs& root, const std::vector<std::string>& dirs,
                                            const std::optional<Runner>& runner);

// Why `runner` (without one, an ordinary user: neither root nor the owner or
// group of the file or a directory on its path) may not open the file at
// `path` (in `root`'s terms) for reading: "may not search /root (mode 0700,
// ...)", "may not read it (mode 0600, ...)"; empty where it may, or where
// there is no such file. ld.so opens a preloaded library so, as the
// program's user. A relative `path` is from `cwd` (no search permission is
// needed above it). `it`: how the reason names the file ("may not read it").
std::string closed_to(const RootFs& root, const std::string& path, const std::optional<Runner>& runner,
                      std::string_view cwd = "/", std::string_view it = "it");

// Whether the file at `host_path` lies on a noexec mount of the running
// system: exec fails there, and ld.so cannot map a library's code.
bool on_noexec_mount(const std::string& host_path);
// What is said of a library there, by doctor, enable and run alike.
inline constexpr const char* kNoexecLibrary = "lies on a noexec mount, where ld.so cannot map its code";

// "0700": the mode's permission bits, as ls -l's numbers.
std::string octal_mode(const ExecFile& file);
// " (mode 0700, owner 0, group 0)", as said of a file a runner is refused;
// " (mode 0750 and a POSIX ACL, ...)" where an ACL decided.
std::string mode_and_owner(const ExecFile& file);

}  // namespace cgview::cli
