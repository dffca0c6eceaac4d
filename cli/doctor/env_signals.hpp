// The signals coreutils env's --default-signal, --ignore-signal and
// --block-signal name, read as env reads them (its operand2sig, as kill's):
// doctor needs to know which #! lines env rejects.
#pragma once

#include <string_view>

namespace cgview::cli {

// The signal `operand` names for env, or 0 where env says "invalid signal":
// - a name as `kill -l` prints it (INT, CHLD, CLD, IOT, POLL, ...), in any
//   case, with or without SIG; RTMIN+N and RTMAX-N within the real-time range;
// - a decimal number, or a shell's exit status for one (130 is 2, bash's $?
//   after SIGINT; 258 is 2, ksh's), of a signal this system names;
// never signal 0, which env rejects.
int env_signal_number(std::string_view operand);

}  // namespace cgview::cli
