#include "env_signals.hpp"

#include <signal.h>

#include <array>
#include <cctype>
#include <climits>
#include <optional>
#include <string>

namespace cgview::cli {

namespace {

struct SignalName {
  std::string_view name;
  int number;
};

// The names env knows (gnulib's sig2str table for Linux), by this build's
// numbers: they differ between architectures (SIGBUS is 7 on x86, 10 on MIPS).
constexpr std::array kSignalNames{
    SignalName{"HUP", SIGHUP},   SignalName{"INT", SIGINT},       SignalName{"QUIT", SIGQUIT},
    SignalName{"ILL", SIGILL},   SignalName{"TRAP", SIGTRAP},     SignalName{"ABRT", SIGABRT},
    SignalName{"IOT", SIGIOT},   SignalName{"FPE", SIGFPE},       SignalName{"KILL", SIGKILL},
    SignalName{"BUS", SIGBUS},   SignalName{"SEGV", SIGSEGV},     SignalName{"SYS", SIGSYS},
    SignalName{"PIPE", SIGPIPE}, SignalName{"ALRM", SIGALRM},     SignalName{"TERM", SIGTERM},
    SignalName{"USR1", SIGUSR1}, SignalName{"USR2", SIGUSR2},     SignalName{"CHLD", SIGCHLD},
    SignalName{"CLD", SIGCHLD},  SignalName{"URG", SIGURG},       SignalName{"STOP", SIGSTOP},
    SignalName{"TSTP", SIGTSTP}, SignalName{"CONT", SIGCONT},     SignalName{"TTIN", SIGTTIN},
    SignalName{"TTOU", SIGTTOU}, SignalName{"VTALRM", SIGVTALRM}, SignalName{"PROF", SIGPROF},
    SignalName{"XCPU", SIGXCPU}, SignalName{"XFSZ", SIGXFSZ},     SignalName{"WINCH", SIGWINCH},
    SignalName{"IO", SIGIO},     SignalName{"POLL", SIGPOLL},     SignalName{"PWR", SIGPWR},
#ifdef SIGSTKFLT
    SignalName{"STKFLT", SIGSTKFLT},
#endif
#ifdef SIGEMT
    SignalName{"EMT", SIGEMT},
#endif
};

// strtol's reading of `s` in base 10 (leading blanks, a sign), where it takes
// all of `s` and fits a long; nullopt else.
std::optional<long> whole_number(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return std::nullopt;
  long value = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    const int digit = s[i] - '0';
    if (value > (LONG_MAX - digit) / 10) return std::nullopt;  // ERANGE
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

// Whether this system names signal `n` (gnulib's sig2str succeeds): a name
// of the table, or one of the real-time range. 0 is "EXIT".
bool is_named(int n) {
  if (n == 0 || (n >= SIGRTMIN && n <= SIGRTMAX)) return true;
  for (const SignalName& s : kSignalNames)
    if (s.number == n) return true;
  return false;
}

// gnulib's str2sig of an upper-cased name: a number up to the highest
// signal, a table name, RTMIN[+N] or RTMAX[-N]; -1 where none.
int name_to_number(std::string_view name) {
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
    std::optional<long> n = whole_number(name);
    return n && *n <= SIGRTMAX ? int(*n) : -1;
  }
  if (name == "EXIT") return 0;
  for (const SignalName& s : kSignalNames)
    if (s.name == name) return s.number;
  const int span = SIGRTMAX - SIGRTMIN;
  if (name.starts_with("RTMIN")) {
    std::optional<long> n = name.size() == 5 ? 0L : whole_number(name.substr(5));
    return n && *n >= 0 && *n <= span ? SIGRTMIN + int(*n) : -1;
  }
  if (name.starts_with("RTMAX")) {
    std::optional<long> n = name.size() == 5 ? 0L : whole_number(name.substr(5));
    return n && *n <= 0 && *n >= -span ? SIGRTMAX + int(*n) : -1;
  }
  return -1;
}

}  // namespace

int env_signal_number(std::string_view operand) {
  int signal = -1;
  if (!operand.empty() && std::isdigit(static_cast<unsigned char>(operand[0]))) {
    // A shell's exit status: 128 + N (bash), 256 + N (ksh); coreutils takes
    // its low 7 bits, or 8 from 255 up.
    std::optional<long> n = whole_number(operand);
    if (n && *n <= INT_MAX) signal = int(*n) & (*n >= 0xff ? 0xff : 0x7f);
  } else {
    std::string upper(operand);
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');  // the C locale's, whatever the program's
    signal = name_to_number(upper);
    if (signal < 0 && upper.starts_with("SIG")) signal = name_to_number(std::string_view(upper).substr(3));
  }
  return signal > 0 && is_named(signal) ? signal : 0;
}

}  // namespace cgview::cli
