#include "secure_mode.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace cgview::cli {

namespace {

uint32_t le32(std::string_view raw, size_t at) {
  const auto* b = reinterpret_cast<const unsigned char*>(raw.data() + at);
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

}  // namespace

std::optional<FileCapabilities> parse_file_capabilities(std::string_view raw) {
  if (raw.size() < 4) return std::nullopt;
  const uint32_t magic = le32(raw, 0);
  size_t sets = 0;  // 32-bit {permitted, inheritable} pairs after the magic
  switch (magic & VFS_CAP_REVISION_MASK) {
    case VFS_CAP_REVISION_1:
      if (raw.size() != XATTR_CAPS_SZ_1) return std::nullopt;
      sets = 1;
      break;
    case VFS_CAP_REVISION_2:
      if (raw.size() != XATTR_CAPS_SZ_2) return std::nullopt;
      sets = 2;
      break;
    case VFS_CAP_REVISION_3:  // revision 2 and the root id of a user namespace
      if (raw.size() != XATTR_CAPS_SZ_3) return std::nullopt;
      sets = 2;
      break;
    default: return std::nullopt;
  }
  FileCapabilities caps;
  caps.effective = magic & VFS_CAP_FLAGS_EFFECTIVE;
  for (size_t i = 0; i < sets; ++i) {
    caps.permitted |= uint64_t(le32(raw, 4 + 8 * i)) << (32 * i);
    caps.inheritable |= uint64_t(le32(raw, 8 + 8 * i)) << (32 * i);
  }
  return caps;
}

Runner this_runner() {
  Runner r;
  r.uid = getuid();
  r.gid = getgid();
  int count = getgroups(0, nullptr);
  if (count > 0) {
    r.groups.resize(size_t(count));
    count = getgroups(count, r.groups.data());
    r.groups.resize(count > 0 ? size_t(count) : 0);
  }
  r.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) == 0) {
    r.permitted = data[0].permitted | uint64_t(data[1].permitted) << 32;
    r.effective = data[0].effective | uint64_t(data[1].effective) << 32;
    r.inheritable = data[0].inheritable | uint64_t(data[1].inheritable) << 32;
  }
  // The bounding set, one capability at a time, up to the last this kernel
  // knows (EINVAL past it).
  r.bounding = 0;
  for (int cap = 0; cap < 64; ++cap) {
    int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in < 0) break;
    if (in == 1) r.bounding |= uint64_t(1) << cap;
  }
  return r;
}

namespace {

// The file of status `st`, its mount's flags from `vfs` (null: not live or not known).
ExecFile exec_file_from(const struct stat& st, const struct statvfs* vfs) {
  ExecFile file;
  file.mode = st.st_mode;
  file.uid = st.st_uid;
  file.gid = st.st_gid;
  if (vfs != nullptr) {
    file.nosuid_mount = vfs->f_flag & ST_NOSUID;
    file.noexec_mount = vfs->f_flag & ST_NOEXEC;
  }
  return file;
}

}  // namespace

ExecFile exec_file_of(int fd, const struct stat& st, bool live) {
  struct statvfs vfs;
  ExecFile file = exec_file_from(st, live && fstatvfs(fd, &vfs) == 0 ? &vfs : nullptr);
  char raw[XATTR_CAPS_SZ_3 + 1];
  ssize_t n = fgetxattr(fd, "security.capability", raw, sizeof raw);
  if (n > 0) file.capabilities = parse_file_capabilities(std::string_view(raw, size_t(n)));
  return file;
}

ExecFile exec_file_at(const std::string& host_path, const struct stat& st, bool live) {
  struct statvfs vfs;
  return exec_file_from(st, live && statvfs(host_path.c_str(), &vfs) == 0 ? &vfs : nullptr);
}

std::string Privileges::phrase() const {
  return setuid ? "is setuid" : setgid ? "is setgid" : "has file capabilities";
}

namespace {

// The shift of the runner's class among the mode's permission bits, as the
// kernel picks it: the owner's (6), else the group's, its own or a
// supplementary one (3), else the others' (0). Without a runner, an ordinary
// user's: the others'.
int permission_class(const ExecFile& file, const std::optional<Runner>& runner) {
  if (!runner) return 0;
  if (file.uid == runner->uid) return 6;
  const bool in_group = file.gid == runner->gid ||
                        std::find(runner->groups.begin(), runner->groups.end(), file.gid) != runner->groups.end();
  return in_group ? 3 : 0;
}

bool holds(const std::optional<Runner>& runner, int capability) {
  return runner && (runner->effective & (uint64_t(1) << capability));
}

}  // namespace

bool may_execute(const ExecFile& file, const std::optional<Runner>& runner) {
  if (file.noexec_mount) return false;  // for anyone, root included
  // CAP_DAC_OVERRIDE (root's, unless dropped: docker --cap-drop) passes the
  // class rule, given any execute bit; without it root is held to the rule too.
  if (holds(runner, CAP_DAC_OVERRIDE)) return file.mode & (S_IXUSR | S_IXGRP | S_IXOTH);
  return (file.mode >> permission_class(file, runner)) & S_IXOTH;
}

bool may_read(const ExecFile& file, const std::optional<Runner>& runner) {
  if (holds(runner, CAP_DAC_OVERRIDE) || holds(runner, CAP_DAC_READ_SEARCH)) return true;
  return (file.mode >> permission_class(file, runner)) & S_IROTH;
}

bool may_search(const ExecFile& dir, const std::optional<Runner>& runner) {
  if (holds(runner, CAP_DAC_OVERRIDE) || holds(runner, CAP_DAC_READ_SEARCH)) return true;
  return (dir.mode >> permission_class(dir, runner)) & S_IXOTH;
}

std::string first_unsearchable(const RootFs& root, const std::vector<std::string>& dirs,
                               const std::optional<Runner>& runner, ExecFile& dir) {
  for (const std::string& path : dirs) {
    // An unpacked image's top is whatever directory it was unpacked into
    // (mktemp -d: 0700); a container's root is the image's, not that.
    if (path == "/" && !root.live()) continue;
    struct stat st;
    if (stat(root.host(path).c_str(), &st) != 0) continue;  // gone since: the walk's own error says so
    dir = exec_file_at(root.host(path), st, false);  // a mount's noexec does not stop a search
    if (!may_search(dir, runner)) return path;
  }
  return "";
}

std::string closed_to(const RootFs& root, const std::string& path, const std::optional<Runner>& runner,
                      std::string_view cwd) {
  const Found found = root.resolve(path, cwd);
  struct stat st;
  if (!found.ok || stat(root.host(found.path).c_str(), &st) != 0) return "";
  ExecFile dir;
  if (std::string unsearchable = first_unsearchable(root, found.searched, runner, dir); !unsearchable.empty())
    return "may not search " + unsearchable + mode_and_owner(dir);
  const ExecFile file = exec_file_at(root.host(found.path), st, false);
  return may_read(file, runner) ? "" : "may not read it" + mode_and_owner(file);
}

std::string mode_and_owner(const ExecFile& file) {
  char mode[16];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(file.mode & 07777));
  return " (mode " + std::string(mode) + ", owner " + std::to_string(file.uid) + ", group " + std::to_string(file.gid) + ")";
}

Privileges privileges_for(const ExecFile& file, const std::optional<Runner>& runner, bool no_new_privs) {
  Privileges p;
  if (file.nosuid_mount) return p;
  no_new_privs |= runner && runner->no_new_privs;
  const bool ids_apply = !no_new_privs;
  p.setuid = ids_apply && (file.mode & S_ISUID) && (!runner || file.uid != runner->uid);
  p.setgid = ids_apply && (file.mode & S_ISGID) && (file.mode & S_IXGRP) && (!runner || file.gid != runner->gid);
  if (file.capabilities && !(runner && runner->uid == 0)) {
    const FileCapabilities& caps = *file.capabilities;
    const Runner ordinary;  // empty permitted and inheritable sets, full bounding set
    const Runner& who = runner ? *runner : ordinary;
    uint64_t gained = (caps.permitted & who.bounding) | (caps.inheritable & who.inheritable);
    // With no_new_privs the new program keeps no more than the runner had.
    if (no_new_privs) gained &= who.permitted;
    p.file_capabilities = caps.effective || gained != 0;
  }
  return p;
}

}  // namespace cgview::cli
