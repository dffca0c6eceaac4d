#include "secure_mode.hpp"

namespace cgview::cli {

namespace {

// An id that owns nothing and names no one in an ACL: the ordinary user's
// own, where exec does not replace it.
constexpr uid_t kNoOnesId = static_cast<uid_t>(-1);

// The capabilities exec leaves `user` (the runner with the ids the file gave
// it), as security/commoncap.c decides them: where the new effective or the
// real uid is 0, the bounding set and the inheritable one, effective for an
// effective uid 0, but for a setuid-root program with file capabilities run
// by another user (those decide alone); else what the file capabilities give;
// effective with their effective flag. Under no_new_privs no more than the
// runner had.
void set_capabilities_after_exec(const ExecFile& file, const Runner& runner, Runner& user, bool no_new_privs) {
  uint64_t permitted = 0;
  bool raise = false;
  if (file.capabilities) {
    permitted = (file.capabilities->permitted & runner.bounding) | (file.capabilities->inheritable & runner.inheritable);
    raise = file.capabilities->effective;
  }
  const bool root_effective = user.uid == 0, root_real = runner.uid == 0;
  const bool mixed = file.capabilities && root_effective && !root_real;
  if ((root_effective || root_real) && !mixed) {
    permitted = runner.bounding | runner.inheritable;
    raise |= root_effective;
  }
  if (no_new_privs) permitted &= runner.permitted;
  user.permitted = permitted;
  user.effective = raise ? permitted : 0;
}

// Who access(2) checks in the started program `user`: its real ids, with
// the capabilities it holds only for a real root (faccessat's override
// credentials); an ordinary user has none either way.
std::optional<Runner> access_checker(const std::optional<Runner>& runner, const std::optional<Runner>& user) {
  if (!runner) return std::nullopt;
  Runner real = *runner;
  real.effective = real.uid == 0 ? (user ? user->permitted : real.bounding | real.inheritable) : 0;
  return real;
}

}  // namespace

std::string Privileges::phrase() const {
  return setuid ? "is setuid" : setgid ? "is setgid" : "has file capabilities";
}

std::string Privileges::ids_gained() const {
  if (!user) return "";
  std::string ids;
  if (setuid && setgid)
    ids = "user " + std::to_string(user->uid) + " and group " + std::to_string(user->gid) + " (its setuid and setgid bits')";
  else if (setuid) ids = "user " + std::to_string(user->uid) + " (its setuid bit's)";
  else if (setgid) ids = "group " + std::to_string(user->gid) + " (its setgid bit's)";
  // Even a setuid-root program's: they decide alone (set_capabilities_after_exec).
  if (!ids.empty() && file_capabilities) ids += " with only the capabilities its file gives";
  return ids;
}

Privileges privileges_for(const ExecFile& file, const std::optional<Runner>& runner, bool no_new_privs) {
  Privileges p;
  p.user = runner;
  p.real_user = access_checker(runner, std::nullopt);
  if (file.nosuid_mount) return p;
  no_new_privs |= runner && runner->no_new_privs;
  const bool ids_apply = !no_new_privs;
  p.setuid = ids_apply && (file.mode & S_ISUID) && (!runner || file.uid != runner->uid);
  p.setgid = ids_apply && (file.mode & S_ISGID) && (file.mode & S_IXGRP) && (!runner || file.gid != runner->gid);
  Runner ordinary;  // empty permitted and inheritable sets, full bounding set
  ordinary.uid = ordinary.gid = kNoOnesId;
  const Runner& who = runner ? *runner : ordinary;
  if (file.capabilities && !(runner && runner->uid == 0)) {
    const FileCapabilities& caps = *file.capabilities;
    uint64_t gained = (caps.permitted & who.bounding) | (caps.inheritable & who.inheritable);
    // With no_new_privs the new program keeps no more than the runner had.
    if (no_new_privs) gained &= who.permitted;
    p.file_capabilities = caps.effective || gained != 0;
  }
  if (!p.secure()) return p;
  Runner user = who;
  if (p.setuid) user.uid = file.uid;
  if (p.setgid) user.gid = file.gid;
  set_capabilities_after_exec(file, who, user, no_new_privs);
  p.user = std::move(user);
  p.real_user = access_checker(runner, p.user);
  return p;
}

}  // namespace cgview::cli
