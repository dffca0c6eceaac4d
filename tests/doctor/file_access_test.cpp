// Who may execute, read or search a file (cli/doctor/file_access.hpp): the
// mode's classes, POSIX ACLs, CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as
// the kernel decides them. doctor_test.py's test_secure_mode checks the same
// against real execs by nobody.
#include "file_access.hpp"

#include <linux/capability.h>

#include <gtest/gtest.h>

#include <string>

using namespace cgview::cli;

namespace {

// A system.posix_acl_access value: version 2, then (tag, perm, id) entries.
std::string acl_bytes(std::initializer_list<AccessAcl::Entry> entries) {
  auto le = [](uint32_t v, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += char((v >> (8 * i)) & 0xff);
    return out;
  };
  std::string raw = le(2, 4);
  for (const AccessAcl::Entry& e : entries) raw += le(e.tag, 2) + le(e.perm, 2) + le(e.id, 4);
  return raw;
}

constexpr uint16_t kOwner = 0x01, kUser = 0x02, kGroup = 0x04, kNamedGroup = 0x08, kMask = 0x10, kOthers = 0x20;
constexpr uint32_t kNoId = 0xffffffff;

Runner user(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
  Runner r;
  r.uid = uid;
  r.gid = gid;
  r.groups = std::move(groups);
  return r;
}

ExecFile dir_with_acl(mode_t mode, std::initializer_list<AccessAcl::Entry> entries) {
  ExecFile d;
  d.mode = S_IFDIR | mode;
  d.uid = 0;
  d.gid = 0;
  d.acl = parse_access_acl(acl_bytes(entries));
  return d;
}

}  // namespace

TEST(FileAccess, AclValuesTheKernelTakes) {
  auto parsed = parse_access_acl(acl_bytes({{kOwner, 7, kNoId}, {kUser, 1, 65534}, {kGroup, 5, kNoId},
                                            {kMask, 5, kNoId}, {kOthers, 0, kNoId}}));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->entries.size(), 5u);
  EXPECT_EQ(parsed->entries[1].tag, kUser);
  EXPECT_EQ(parsed->entries[1].perm, 1);
  EXPECT_EQ(parsed->entries[1].id, 65534u);
  EXPECT_FALSE(parse_access_acl(""));
  EXPECT_FALSE(parse_access_acl(acl_bytes({{kOthers, 0, kNoId}}).substr(0, 9)));  // not whole entries
  std::string version_1 = acl_bytes({{kOthers, 0, kNoId}});
  version_1[0] = 1;
  EXPECT_FALSE(parse_access_acl(version_1));
  EXPECT_FALSE(parse_access_acl(acl_bytes({{kOwner, 7, kNoId}})));  // no others' entry
}

TEST(FileAccess, AclEntriesWithinTheMask) {
  // setfacl -m u:65534:x,g:50:x on a 0750 directory (the mask r-x).
  const ExecFile d = dir_with_acl(0750, {{kOwner, 7, kNoId}, {kUser, 1, 65534}, {kGroup, 5, kNoId},
                                         {kNamedGroup, 1, 50}, {kMask, 5, kNoId}, {kOthers, 0, kNoId}});
  EXPECT_TRUE(may_search(d, user(65534, 65534)));       // the named user
  EXPECT_TRUE(may_search(d, user(1000, 1000, {50})));   // a named group
  EXPECT_TRUE(may_search(d, user(1000, 0)));            // the owning group
  EXPECT_FALSE(may_search(d, user(1000, 1000)));        // others
  EXPECT_FALSE(may_search(d, std::nullopt));            // an ordinary user: named nowhere
  EXPECT_FALSE(may_read(d, user(65534, 65534)));        // its entry gives search alone
  // A named user refused outright, though the others may.
  const ExecFile refusing = dir_with_acl(0755, {{kOwner, 7, kNoId}, {kUser, 0, 65534}, {kGroup, 5, kNoId},
                                                {kMask, 5, kNoId}, {kOthers, 5, kNoId}});
  EXPECT_FALSE(may_search(refusing, user(65534, 65534)));
  EXPECT_TRUE(may_search(refusing, user(1000, 1000)));
  // The mask limits named users and groups: x granted, but masked off.
  const ExecFile masked = dir_with_acl(0740, {{kOwner, 7, kNoId}, {kUser, 1, 65534}, {kGroup, 5, kNoId},
                                              {kMask, 4, kNoId}, {kOthers, 0, kNoId}});
  EXPECT_FALSE(may_search(masked, user(65534, 65534)));
  // A group entry that matches but grants too little refuses, rather than fall to the others'.
  const ExecFile group_refuses = dir_with_acl(0755, {{kOwner, 7, kNoId}, {kGroup, 4, kNoId}, {kMask, 5, kNoId},
                                                     {kOthers, 5, kNoId}});
  EXPECT_FALSE(may_search(group_refuses, user(1000, 0)));
  EXPECT_TRUE(may_search(group_refuses, user(1000, 1000)));
}

TEST(FileAccess, TheOwnerAndAnAllClearMaskGoByTheMode) {
  // The owner: the mode's owner bits, whatever the ACL says.
  const ExecFile owned = dir_with_acl(0070, {{kOwner, 0, kNoId}, {kUser, 7, 0}, {kGroup, 7, kNoId},
                                             {kMask, 7, kNoId}, {kOthers, 0, kNoId}});
  EXPECT_FALSE(may_search(owned, user(0, 0)));
  // Group bits (the mask) all clear: the kernel reads the mode alone, so a named user falls to the
  // others' bits.
  const ExecFile no_mask = dir_with_acl(0701, {{kOwner, 7, kNoId}, {kUser, 0, 65534}, {kGroup, 0, kNoId},
                                               {kMask, 0, kNoId}, {kOthers, 1, kNoId}});
  EXPECT_TRUE(may_search(no_mask, user(65534, 65534)));
}

TEST(FileAccess, WhoMayExecuteAFile) {
  auto file = [](mode_t mode, uid_t uid, gid_t gid) {
    ExecFile f;
    f.mode = S_IFREG | mode;
    f.uid = uid;
    f.gid = gid;
    return f;
  };
  auto runner = [](uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
    Runner r;
    r.uid = uid;
    r.gid = gid;
    r.groups = std::move(groups);
    r.permitted = r.effective = uid == 0 ? ~uint64_t(0) : 0;
    return std::optional<Runner>(r);
  };
  const ExecFile helper = file(04754, 0, 102);  // dbus-daemon-launch-helper
  EXPECT_FALSE(may_execute(helper, std::nullopt));  // an ordinary user: the others' bits
  EXPECT_FALSE(may_execute(helper, runner(65534, 65534)));
  EXPECT_TRUE(may_execute(helper, runner(100, 102)));               // its group
  EXPECT_TRUE(may_execute(helper, runner(100, 100, {7, 102})));     // a supplementary group
  EXPECT_TRUE(may_execute(helper, runner(0, 0)));
  EXPECT_TRUE(may_execute(file(0755, 0, 0), std::nullopt));
  // The owner's class alone counts for the owner, though the others may.
  EXPECT_FALSE(may_execute(file(0675, 1000, 0), runner(1000, 1000)));
  EXPECT_FALSE(may_execute(file(0765, 0, 50), runner(1000, 50)));  // and the group's for the group
  EXPECT_TRUE(may_execute(file(0001, 0, 0), runner(0, 0)));        // root: any execute bit
  EXPECT_FALSE(may_execute(file(0644, 0, 0), runner(0, 0)));       // but one
  // Root without CAP_DAC_OVERRIDE (docker --cap-drop ALL) is held to the class rule.
  std::optional<Runner> capless_root = runner(0, 0);
  capless_root->permitted &= ~(uint64_t(1) << CAP_DAC_OVERRIDE);
  capless_root->effective &= ~(uint64_t(1) << CAP_DAC_OVERRIDE);
  EXPECT_FALSE(may_execute(file(0700, 1000, 1000), capless_root));
  EXPECT_TRUE(may_execute(file(0700, 0, 1000), capless_root));
  EXPECT_FALSE(may_execute(file(0001, 0, 0), capless_root));
  // A noexec mount refuses everyone, root included.
  ExecFile on_noexec = file(0755, 0, 0);
  on_noexec.noexec_mount = true;
  EXPECT_FALSE(may_execute(on_noexec, runner(0, 0)));
  EXPECT_FALSE(may_execute(on_noexec, std::nullopt));
  // The effective set counts: a capability held in the permitted set alone (raised again only by
  // the process itself) gives nothing.
  std::optional<Runner> lowered = runner(0, 0);
  lowered->effective = 0;
  EXPECT_FALSE(may_execute(file(0700, 1000, 1000), lowered));
  EXPECT_FALSE(may_search(file(0700, 1000, 1000), lowered));
}

TEST(FileAccess, WhoMayReadAScript) {
  ExecFile script;
  script.mode = S_IFREG | 0711;
  script.uid = 1000;
  script.gid = 1000;
  Runner owner, other, root;
  owner.uid = owner.gid = 1000;
  other.uid = other.gid = 65534;
  root.effective = uint64_t(1) << CAP_DAC_OVERRIDE;
  EXPECT_TRUE(may_read(script, owner));
  EXPECT_FALSE(may_read(script, other));
  EXPECT_FALSE(may_read(script, std::nullopt));  // an ordinary user: the others' bits
  EXPECT_TRUE(may_read(script, root));
  Runner searcher = other;  // CAP_DAC_READ_SEARCH reads too
  searcher.effective = uint64_t(1) << CAP_DAC_READ_SEARCH;
  EXPECT_TRUE(may_read(script, searcher));
  script.mode = S_IFREG | 0755;
  EXPECT_TRUE(may_read(script, other));
}

TEST(FileAccess, WhoMaySearchADirectory) {
  ExecFile dir;
  dir.mode = S_IFDIR | 0710;  // its owner and group may look names up; others not
  dir.uid = 1000;
  dir.gid = 50;
  Runner owner, member, other, root, searcher;
  owner.uid = owner.gid = 1000;
  member.uid = member.gid = 2000;
  member.groups = {50};
  other.uid = other.gid = 65534;
  root.effective = uint64_t(1) << CAP_DAC_OVERRIDE;
  searcher = other;
  searcher.effective = uint64_t(1) << CAP_DAC_READ_SEARCH;
  EXPECT_TRUE(may_search(dir, owner));
  EXPECT_TRUE(may_search(dir, member));  // through a supplementary group
  EXPECT_FALSE(may_search(dir, other));
  EXPECT_FALSE(may_search(dir, std::nullopt));  // an ordinary user: the others' bits
  EXPECT_TRUE(may_search(dir, root));
  EXPECT_TRUE(may_search(dir, searcher));
  dir.mode = S_IFDIR | 0604;  // read without search: names cannot be looked up, even by the owner
  EXPECT_FALSE(may_search(dir, owner));
  EXPECT_FALSE(may_search(dir, other));
  EXPECT_TRUE(may_search(dir, root));  // CAP_DAC_OVERRIDE searches any directory
}
