// When the kernel runs a program in secure mode, as doctor and cgview run
// judge it (cli/doctor/secure_mode.hpp). tests/doctor/doctor_test.py checks
// the same rules against the real kernel and ld.so.
#include "secure_mode.hpp"

#include <linux/capability.h>

#include <gtest/gtest.h>

#include <string>

using namespace cgview::cli;

namespace {

std::string le32(uint32_t v) {
  return {char(v & 0xff), char(v >> 8 & 0xff), char(v >> 16 & 0xff), char(v >> 24 & 0xff)};
}

// A revision-2 attribute, as setcap writes it.
std::string caps_v2(bool effective, uint64_t permitted, uint64_t inheritable) {
  return le32(0x02000000 | (effective ? 1 : 0)) + le32(uint32_t(permitted)) + le32(uint32_t(inheritable)) +
         le32(uint32_t(permitted >> 32)) + le32(uint32_t(inheritable >> 32));
}

constexpr uint64_t kNetRaw = uint64_t(1) << 13;
constexpr uint64_t kHighCap = uint64_t(1) << 40;  // CAP_CHECKPOINT_RESTORE: in the second word

ExecFile file_with_caps(bool effective, uint64_t permitted, uint64_t inheritable) {
  ExecFile f;
  f.mode = S_IFREG | 0755;
  f.capabilities = parse_file_capabilities(caps_v2(effective, permitted, inheritable));
  return f;
}

Runner user(uid_t uid, gid_t gid) {
  Runner r;
  r.uid = uid;
  r.gid = gid;
  return r;
}

}  // namespace

TEST(FileCapabilities, EachRevisionAtItsSize) {
  auto v2 = parse_file_capabilities(caps_v2(true, kNetRaw | kHighCap, kNetRaw));
  ASSERT_TRUE(v2);
  EXPECT_TRUE(v2->effective);
  EXPECT_EQ(v2->permitted, kNetRaw | kHighCap);
  EXPECT_EQ(v2->inheritable, kNetRaw);
  auto v1 = parse_file_capabilities(le32(0x01000000) + le32(uint32_t(kNetRaw)) + le32(0));
  ASSERT_TRUE(v1);
  EXPECT_FALSE(v1->effective);
  EXPECT_EQ(v1->permitted, kNetRaw);
  // Revision 3: revision 2's sets and a user namespace's root id
  // (exec_file_of drops the sets on the running system where it is not 0).
  std::string v3 = caps_v2(false, kNetRaw, 0) + le32(100000);
  v3.replace(0, 4, le32(0x03000000));
  auto parsed = parse_file_capabilities(v3);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->permitted, kNetRaw);
  EXPECT_EQ(parsed->root_id, 100000u);
  EXPECT_EQ(v2->root_id, 0u);
}

TEST(FileCapabilities, WhatTheKernelRefusesIsNone) {
  EXPECT_FALSE(parse_file_capabilities(""));
  EXPECT_FALSE(parse_file_capabilities("abc"));
  EXPECT_FALSE(parse_file_capabilities(caps_v2(true, kNetRaw, 0).substr(0, 12)));  // revision 2 at revision 1's size
  EXPECT_FALSE(parse_file_capabilities(caps_v2(true, kNetRaw, 0) + "x"));
  std::string unknown = caps_v2(true, kNetRaw, 0);
  unknown.replace(0, 4, le32(0x04000001));
  EXPECT_FALSE(parse_file_capabilities(unknown));
}

TEST(SecureMode, SetuidAndSetgidForAnotherUserOrGroup) {
  ExecFile suid;
  suid.mode = S_IFREG | S_ISUID | 0755;  // owned by root
  EXPECT_TRUE(privileges_for(suid, std::nullopt).secure());  // an ordinary user
  EXPECT_TRUE(privileges_for(suid, user(65534, 65534)).setuid);
  EXPECT_FALSE(privileges_for(suid, user(0, 0)).secure());  // root running a setuid-root program
  suid.uid = 1;                                             // setuid to daemon
  EXPECT_TRUE(privileges_for(suid, user(0, 0)).setuid);
  ExecFile sgid;
  sgid.mode = S_IFREG | S_ISGID | 0755;
  sgid.gid = 42;
  EXPECT_TRUE(privileges_for(sgid, user(0, 0)).setgid);
  EXPECT_FALSE(privileges_for(sgid, user(1000, 42)).secure());  // the runner's own group
  sgid.mode = S_IFREG | S_ISGID | 0745;  // no group execute: mandatory locking
  EXPECT_FALSE(privileges_for(sgid, std::nullopt).secure());
}

TEST(SecureMode, NoNewPrivsAndNosuidLeaveTheBitsUnapplied) {
  ExecFile suid;
  suid.mode = S_IFREG | S_ISUID | S_ISGID | 0755;
  suid.gid = 42;
  Runner nnp = user(1000, 1000);
  nnp.no_new_privs = true;
  EXPECT_FALSE(privileges_for(suid, nnp).secure());
  // The same for the ordinary user doctor assumes, or another runner, where doctor has it.
  EXPECT_TRUE(privileges_for(suid, std::nullopt).secure());
  EXPECT_FALSE(privileges_for(suid, std::nullopt, true).secure());
  EXPECT_FALSE(privileges_for(suid, user(1000, 1000), true).secure());
  // A permitted capability is not gained under it; an effective flag still makes secure mode.
  EXPECT_FALSE(privileges_for(file_with_caps(false, kNetRaw, 0), std::nullopt, true).secure());
  EXPECT_TRUE(privileges_for(file_with_caps(true, kNetRaw, 0), std::nullopt, true).secure());
  suid.nosuid_mount = true;
  EXPECT_FALSE(privileges_for(suid, std::nullopt).secure());
  ExecFile caps = file_with_caps(true, kNetRaw, 0);
  caps.nosuid_mount = true;
  EXPECT_FALSE(privileges_for(caps, std::nullopt).secure());
}

TEST(SecureMode, FileCapabilitiesWhenTheyGiveSomething) {
  // Effective, or a permitted capability gained: secure for anyone but root.
  EXPECT_TRUE(privileges_for(file_with_caps(true, kNetRaw, 0), std::nullopt).file_capabilities);
  EXPECT_TRUE(privileges_for(file_with_caps(false, kNetRaw, 0), user(65534, 65534)).file_capabilities);
  EXPECT_TRUE(privileges_for(file_with_caps(true, 0, 0), user(65534, 65534)).file_capabilities);
  EXPECT_FALSE(privileges_for(file_with_caps(true, kNetRaw, 0), user(0, 0)).secure());
  // Nothing gained: an empty set, inheritable ones the runner lacks, permitted ones outside
  // its bounding set.
  EXPECT_FALSE(privileges_for(file_with_caps(false, 0, 0), std::nullopt).secure());
  EXPECT_FALSE(privileges_for(file_with_caps(false, 0, kNetRaw), user(65534, 65534)).secure());
  Runner bounded = user(65534, 65534);
  bounded.bounding = ~kNetRaw;
  EXPECT_FALSE(privileges_for(file_with_caps(false, kNetRaw, 0), bounded).secure());
  Runner inheriting = user(65534, 65534);
  inheriting.inheritable = kNetRaw;
  EXPECT_TRUE(privileges_for(file_with_caps(false, 0, kNetRaw), inheriting).secure());
  // no_new_privs: the program keeps no more than the runner had; the effective flag still counts.
  Runner nnp = user(65534, 65534);
  nnp.no_new_privs = true;
  EXPECT_FALSE(privileges_for(file_with_caps(false, kNetRaw, 0), nnp).secure());
  EXPECT_TRUE(privileges_for(file_with_caps(true, kNetRaw, 0), nnp).secure());
  EXPECT_EQ(privileges_for(file_with_caps(true, kNetRaw, 0), std::nullopt).phrase(), "has file capabilities");
}

// Who the program is to the files it opens once started (ld.so opening its
// preloads as that user): the setuid bit's owner, the setgid bit's group, and
// the effective capabilities exec leaves it. doctor_test.py's
// test_secure_mode_closed_preload checks the same against the real ld.so.
TEST(SecureMode, TheUserTheProgramOpensFilesAs) {
  constexpr uint64_t kDacReadSearch = uint64_t(1) << CAP_DAC_READ_SEARCH;
  ExecFile suid;
  suid.mode = S_IFREG | S_ISUID | 0755;
  suid.uid = 1;  // setuid to daemon
  Privileges p = privileges_for(suid, std::nullopt);
  ASSERT_TRUE(p.user);
  EXPECT_EQ(p.user->uid, 1u);
  EXPECT_EQ(p.user->effective, 0u);
  EXPECT_EQ(p.ids_gained(), "user 1 (its setuid bit's)");
  // The ordinary user's own group is no file's.
  ExecFile owned_by_group;
  owned_by_group.gid = 0;
  owned_by_group.uid = 0;
  owned_by_group.mode = S_IFREG | 0640;
  EXPECT_FALSE(may_read(owned_by_group, p.user));
  // Root running it: its effective uid is no longer 0 and the file has no
  // capabilities with the effective flag, so none stays effective.
  p = privileges_for(suid, user(0, 0));
  ASSERT_TRUE(p.user);
  EXPECT_EQ(p.user->uid, 1u);
  EXPECT_EQ(p.user->gid, 0u);
  EXPECT_EQ(p.user->effective, 0u);
  // Setuid root: the bounding set, effective.
  suid.uid = 0;
  p = privileges_for(suid, user(65534, 65534));
  ASSERT_TRUE(p.user);
  EXPECT_EQ(p.user->uid, 0u);
  EXPECT_EQ(p.user->effective, ~uint64_t(0));
  Runner bounded = user(65534, 65534);
  bounded.bounding = ~kDacReadSearch;
  EXPECT_EQ(privileges_for(suid, bounded).user->effective, ~kDacReadSearch);
  // Setuid and setgid together.
  ExecFile both;
  both.mode = S_IFREG | S_ISUID | S_ISGID | 0755;
  both.uid = 5;
  both.gid = 42;
  EXPECT_EQ(privileges_for(both, user(65534, 65534)).ids_gained(), "user 5 and group 42 (its setuid and setgid bits')");
  // Setgid alone keeps the runner's uid.
  ExecFile sgid;
  sgid.mode = S_IFREG | S_ISGID | 0755;
  sgid.gid = 42;
  p = privileges_for(sgid, user(1000, 1000));
  EXPECT_EQ(p.user->uid, 1000u);
  EXPECT_EQ(p.user->gid, 42u);
  EXPECT_EQ(p.ids_gained(), "group 42 (its setgid bit's)");
  // File capabilities: the runner's ids, what the file gives, effective only with the flag.
  p = privileges_for(file_with_caps(true, kDacReadSearch, 0), std::nullopt);
  ASSERT_TRUE(p.user);
  EXPECT_EQ(p.user->effective, kDacReadSearch);
  EXPECT_EQ(p.ids_gained(), "");
  EXPECT_EQ(privileges_for(file_with_caps(false, kDacReadSearch, 0), std::nullopt).user->effective, 0u);
  // A setuid-root file with file capabilities, run by another user: those decide alone.
  ExecFile mixed = file_with_caps(true, kNetRaw, 0);
  mixed.mode |= S_ISUID;
  EXPECT_EQ(privileges_for(mixed, user(65534, 65534)).user->effective, kNetRaw);
  EXPECT_EQ(privileges_for(mixed, user(65534, 65534)).ids_gained(),
            "user 0 (its setuid bit's) with only the capabilities its file gives");
  // No secure mode: the runner as given.
  EXPECT_FALSE(privileges_for(ExecFile{}, std::nullopt).user);
  EXPECT_EQ(privileges_for(ExecFile{}, user(7, 8)).user->uid, 7u);
}

// Whom access(2) checks in the started program (ld.so asks it of
// /etc/ld.so.preload): the runner's real ids, with capabilities only where
// that is root, and then root's permitted set after exec.
TEST(SecureMode, TheRealIdsAccessChecks) {
  constexpr uint64_t kDacOverride = uint64_t(1) << CAP_DAC_OVERRIDE;
  ExecFile plain;
  plain.mode = S_IFREG | 0755;
  EXPECT_FALSE(privileges_for(plain, std::nullopt).real_user);  // an ordinary user: no one in particular
  Runner holding = user(1000, 1000);
  holding.effective = kDacOverride;  // a non-root runner's capabilities do not count for access(2)
  Privileges p = privileges_for(plain, holding);
  ASSERT_TRUE(p.real_user);
  EXPECT_EQ(p.real_user->uid, 1000u);
  EXPECT_EQ(p.real_user->effective, 0u);
  // Root: its bounding and inheritable sets, secure mode or not.
  Runner root = user(0, 0);
  root.bounding = ~kDacOverride;
  EXPECT_EQ(privileges_for(plain, root).real_user->effective, ~kDacOverride);
  ExecFile suid;
  suid.mode = S_IFREG | S_ISUID | 0755;
  suid.uid = 1;
  p = privileges_for(suid, root);
  ASSERT_TRUE(p.secure());
  EXPECT_EQ(p.real_user->uid, 0u);
  EXPECT_EQ(p.real_user->effective, ~kDacOverride);  // permitted, though none is effective in the program
  EXPECT_EQ(p.user->effective, 0u);
  // Run by another user, the program's setuid owner is not whom access(2) checks.
  p = privileges_for(suid, user(65534, 65534));
  EXPECT_EQ(p.real_user->uid, 65534u);
  EXPECT_EQ(p.user->uid, 1u);
}
