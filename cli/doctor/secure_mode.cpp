#include "secure_mode.hpp"

namespace cgview::cli {

std::string Privileges::phrase() const {
  return setuid ? "is setuid" : setgid ? "is setgid" : "has file capabilities";
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
