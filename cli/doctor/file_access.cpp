#include "file_access.hpp"

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

// system.posix_acl_access (linux/posix_acl_xattr.h): a version, then entries.
// The owner's entry (tag 0x01) is not read: the mode's owner bits decide for
// the owner.
constexpr const char* kAccessAcl = "system.posix_acl_access";
constexpr size_t kMaxAclBytes = 4 + 8 * 1024;  // more entries than ext4 keeps
constexpr uint16_t kAclUser = 0x02, kAclGroupObj = 0x04, kAclGroup = 0x08, kAclMask = 0x10, kAclOther = 0x20;

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
  if (raw.size() == XATTR_CAPS_SZ_3) caps.root_id = le32(raw, 20);
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
  // (The kernel also honours a root id that is root in an ancestor user
  // namespace but mapped to another id in this one: not told apart here.)
  if (live && file.capabilities && file.capabilities->root_id != 0) file.capabilities.reset();
  char acl[kMaxAclBytes];
  n = fgetxattr(fd, kAccessAcl, acl, sizeof acl);
  if (n > 0) file.acl = parse_access_acl(std::string_view(acl, size_t(n)));
  return file;
}

ExecFile exec_file_at(const std::string& host_path, const struct stat& st, bool live) {
  struct statvfs vfs;
  ExecFile file = exec_file_from(st, live && statvfs(host_path.c_str(), &vfs) == 0 ? &vfs : nullptr);
  char acl[kMaxAclBytes];
  ssize_t n = getxattr(host_path.c_str(), kAccessAcl, acl, sizeof acl);
  if (n > 0) file.acl = parse_access_acl(std::string_view(acl, size_t(n)));
  return file;
}

std::optional<AccessAcl> parse_access_acl(std::string_view raw) {
  constexpr uint32_t kVersion = 2;
  if (raw.size() < 4 || (raw.size() - 4) % 8 != 0 || le32(raw, 0) != kVersion) return std::nullopt;
  AccessAcl acl;
  bool other = false;
  for (size_t at = 4; at < raw.size(); at += 8) {
    AccessAcl::Entry e;
    const uint32_t tag_and_perm = le32(raw, at);
    e.tag = uint16_t(tag_and_perm & 0xffff);
    e.perm = uint16_t(tag_and_perm >> 16);
    e.id = le32(raw, at + 4);
    other |= e.tag == kAclOther;
    acl.entries.push_back(e);
  }
  if (!other) return std::nullopt;
  return acl;
}

namespace {

bool in_group(const std::optional<Runner>& runner, gid_t gid) {
  return runner && (runner->gid == gid || std::find(runner->groups.begin(), runner->groups.end(), gid) != runner->groups.end());
}

// What the ACL gives `runner`, not the file's owner, of `want` (4 read, 1
// execute or search), as the kernel's posix_acl_permission reads it: a user
// named in an entry that entry, within the mask; a member of the
// owning group or of a named one whichever such entry grants it all, within
// the mask (none granting: refused); anyone else the others' entry. Without
// a runner, an ordinary user: named in no entry, in no group of one.
bool acl_allows(const AccessAcl& acl, gid_t file_gid, const std::optional<Runner>& runner, unsigned want) {
  uint16_t mask = 07;
  for (const AccessAcl::Entry& e : acl.entries)
    if (e.tag == kAclMask) mask = e.perm;
  bool in_a_group = false;
  for (const AccessAcl::Entry& e : acl.entries) {
    switch (e.tag) {
      case kAclUser:
        if (runner && runner->uid == e.id) return (e.perm & mask & want) == want;
        break;
      case kAclGroupObj:
      case kAclGroup:
        if (in_group(runner, e.tag == kAclGroupObj ? file_gid : gid_t(e.id))) {
          in_a_group = true;
          if ((e.perm & want) == want) return (e.perm & mask & want) == want;
        }
        break;
      case kAclOther:
        return !in_a_group && (e.perm & want) == want;
      default: break;
    }
  }
  return false;
}

// Whether `runner` has the `want` bits of `file` (S_IROTH, S_IXOTH: 4, 1),
// as the kernel's acl_permission_check decides: its owner by the mode's
// owner bits; anyone else by its ACL where it has one and the mode's group
// bits (the ACL's mask) are not all clear; else by the mode's class, the
// group's (its own or a supplementary one), else the others'. Without a
// runner, an ordinary user's: the others'.
bool allows(const ExecFile& file, const std::optional<Runner>& runner, unsigned want) {
  if (runner && file.uid == runner->uid) return ((file.mode >> 6) & want) == want;
  if (file.acl && (file.mode & S_IRWXG)) return acl_allows(*file.acl, file.gid, runner, want);
  const int shift = in_group(runner, file.gid) ? 3 : 0;
  return ((file.mode >> shift) & want) == want;
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
  return allows(file, runner, S_IXOTH);
}

bool may_read(const ExecFile& file, const std::optional<Runner>& runner) {
  if (holds(runner, CAP_DAC_OVERRIDE) || holds(runner, CAP_DAC_READ_SEARCH)) return true;
  return allows(file, runner, S_IROTH);
}

bool may_search(const ExecFile& dir, const std::optional<Runner>& runner) {
  if (holds(runner, CAP_DAC_OVERRIDE) || holds(runner, CAP_DAC_READ_SEARCH)) return true;
  return allows(dir, runner, S_IXOTH);
}

std::optional<ClosedDir> first_unsearchable(const RootFs& root, const std::vector<std::string>& dirs,
                                            const std::optional<Runner>& runner) {
  for (const std::string& path : dirs) {
    // An unpacked image's top is whatever directory it was unpacked into
    // (mktemp -d: 0700); a container's root is the image's, not that.
    if (path == "/" && !root.live()) continue;
    struct stat st;
    if (stat(root.host(path).c_str(), &st) != 0) continue;  // gone since: the walk's own error says so
    ExecFile dir = exec_file_at(root.host(path), st, false);  // a mount's noexec does not stop a search
    if (!may_search(dir, runner)) return ClosedDir{path, std::move(dir)};
  }
  return std::nullopt;
}

std::string closed_to(const RootFs& root, const std::string& path, const std::optional<Runner>& runner,
                      std::string_view cwd, std::string_view it) {
  const Found found = root.resolve(path, cwd);
  struct stat st;
  if (!found.ok || stat(root.host(found.path).c_str(), &st) != 0) return "";
  if (std::optional<ClosedDir> closed = first_unsearchable(root, found.searched, runner))
    return "may not search " + closed->path + mode_and_owner(closed->dir);
  const ExecFile file = exec_file_at(root.host(found.path), st, false);
  return may_read(file, runner) ? "" : "may not read " + std::string(it) + mode_and_owner(file);
}

bool on_noexec_mount(const std::string& host_path) {
  struct statvfs vfs;
  return statvfs(host_path.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOEXEC);
}

std::string octal_mode(const ExecFile& file) {
  char mode[16];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(file.mode & 07777));
  return mode;
}

std::string mode_and_owner(const ExecFile& file) {
  // The ACL decides for all but the owner where the mask lets it (allows).
  const bool acl = file.acl && (file.mode & S_IRWXG);
  return " (mode " + octal_mode(file) + (acl ? " and a POSIX ACL" : "") + ", owner " + std::to_string(file.uid) +
         ", group " + std::to_string(file.gid) + ")";
}

}  // namespace cgview::cli
