// What GNU env (coreutils) does with the words a #! line gives it. The kernel
// splits a #! line once: the interpreter, then the rest, blanks trimmed, as
// one argument, followed by the script's own path. So `#!/usr/bin/env -S
// python3 -u` runs python3, `#!/usr/bin/env python3 -u` looks for a program
// named "python3 -u", and `#!/usr/bin/env -i nproc` fails ("invalid option --
// ' '"). Where env's words name no command, the next word is the script's own
// path: env runs the script again, which runs env again, for ever.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cgview::cli {

struct EnvShebang {
  std::string command;  // the program env runs; empty where it runs none
  // What leaves the command without LD_PRELOAD: "" where it keeps it, else
  // the words that drop it ("-i", "-u LD_PRELOAD", "LD_PRELOAD=").
  std::string drops_preload;
  // What env does instead of running a command: "fails (" its own complaint
  // ")" ("fails (invalid option -- ' ')"), "prints its environment", "prints
  // its help"; "" where it runs one (or the script itself).
  std::string runs_nothing;
  bool runs_script_itself = false;  // no command among the words: a loop
  bool split = false;               // -S split a string into words
  // The PATH env's execvp searches for the command, where the line changes
  // it: a PATH=VALUE word's value, else after -i, "-" or -u PATH glibc's
  // default "/bin:/usr/bin" (execvp's with PATH unset); nullopt: the one
  // the script runs with.
  std::optional<std::string> path;
  bool path_unset = false;  // `path` is glibc's default: the line leaves env no PATH
  // -C's directory, which env enters before it runs the command ("" too: env
  // fails to enter it); nullopt for none.
  std::optional<std::string> chdir;

  // The same line where env fails before it runs anything (`why`: "fails
  // (...)"): no command, nothing dropped, no loop; only `split` kept.
  EnvShebang running_nothing(std::string why) const {
    EnvShebang none;
    none.runs_nothing = std::move(why);
    none.split = split;
    return none;
  }
};

// A variable's value where the script runs (for -S's ${NAME}); nullopt: unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// env's reading of `argument`, the one word after env on a #! line ("" for
// none), as GNU coreutils' env reads it (checked against 9.1's): getopt's
// rules (short options grouped, a long option by a unique prefix, options end
// at the first other word), -S's splitting (quotes, backslash escapes,
// ${NAME}, # comments, \c) with the split words read as options again, then
// NAME=VALUE words, then the command; the signal options' values as env
// reads them (env_signals.hpp). Not told apart: -a/--argv0 takes a word as in
// 9.6 and later (older ones reject it); BusyBox's env, which has no -S, is
// read as GNU's.
EnvShebang read_env_shebang(std::string_view argument, const EnvLookup& lookup);

}  // namespace cgview::cli
