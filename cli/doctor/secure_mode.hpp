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

#include <string>
#include <optional>

#include "file_access.hpp"

namespace cgview::cli {

// What a program's file gives it when run.
struct Privileges {
  bool setuid = false;
  bool setgid = false;
  bool file_capabilities = false;
  bool secure() const { return setuid || setgid || file_capabilities; }
  // "is setuid", "is setgid", "has file capabilities".
  std::string phrase() const;
  // Who the started program is to the files it opens (ld.so opening its
  // preloads among them) where it runs in secure mode: the runner (nullopt:
  // an ordinary user) with the setuid bit's owner, the setgid bit's group and
  // the effective capabilities exec leaves it. Outside secure mode, the runner.
  std::optional<Runner> user;
  // Whom access(2) checks in the started program (ld.so asks it of
  // /etc/ld.so.preload before it opens the file): the runner's real ids,
  // with capabilities only where that is root; nullopt: an ordinary user.
  std::optional<Runner> real_user;
  // "user 5 (its setuid bit's)", "group 42 (its setgid bit's)", "user 5 and
  // group 42 (its setuid and setgid bits')", each followed by " with only the
  // capabilities its file gives" where it has some; for file capabilities
  // alone "" (the runner's ids).
  std::string ids_gained() const;
};

// The privileges `file` gives `runner`; without one, an ordinary user's:
// neither root nor the file's owner or group, no_new_privs unset, no
// inheritable capabilities, every capability in the bounding set.
// `no_new_privs`: the runner has it whatever `runner` says.
Privileges privileges_for(const ExecFile& file, const std::optional<Runner>& runner, bool no_new_privs = false);

}  // namespace cgview::cli
