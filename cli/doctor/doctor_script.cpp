// How doctor judges a #! script: the kernel runs its interpreter, or env runs
// what the rest of the line names (env_shebang.hpp), and cgview reaches the
// script when it reaches that program.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "doctor.hpp"
#include "env_shebang.hpp"
#include "secure_mode.hpp"
#include "text_util.hpp"

namespace cgview::cli {

namespace {

// The kernel runs a #! script whose interpreter is a script and so on, five
// deep (Linux 5.8 and later; four before): a sixth fails with ELOOP. env
// starts its command with an exec of its own, where the count starts again.
constexpr int kMaxInterpreterDepth = 5;
constexpr int kMaxInterpreterChain = 40;  // through env too: where doctor stops following a loop

std::string_view trim_blanks(std::string_view s) {
  size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// The command a #! line runs: the interpreter, or what env makes of the rest
// of the line (env_shebang.hpp).
struct ScriptLine {
  std::string interpreter;
  std::string argument;  // the rest of the line, blanks trimmed: one word to the interpreter
  bool carriage_return = false;  // the line ends in '\r': the file has Windows line ends
  bool via_env = false;          // the interpreter is env
  EnvShebang env;
};

ScriptLine parse_script_line(std::string_view line, const EnvLookup& lookup) {
  ScriptLine out;
  line = line.substr(2);
  out.carriage_return = !line.empty() && line.back() == '\r';  // the kernel keeps it, in the last name
  line = trim_blanks(line);
  size_t end = line.find_first_of(" \t");
  out.interpreter = line.substr(0, end);
  out.argument = end == std::string_view::npos ? std::string_view() : trim_blanks(line.substr(end));
  // `#!/usr/bin/env` alone: env's one word is the script's own path (a loop).
  out.via_env = basename_of(out.interpreter) == "env";
  if (out.via_env) out.env = read_env_shebang(out.argument, lookup);
  return out;
}

}  // namespace

void Doctor::examine_script(ProgramReport& report, std::string_view first_line, bool deep, int depth) {
  // -S's ${NAME}: the variables doctor knows the programs run with, and on
  // the running system the rest of its own environment, which they inherit.
  ScriptLine line = parse_script_line(first_line, [this](std::string_view name) -> std::optional<std::string> {
    if (name == "PATH") return env_.path;
    if (name == "LD_LIBRARY_PATH") return env_.library_path;
    if (name == "LD_PRELOAD") return env_.preload;
    const char* value = root_.live() ? getenv(std::string(name).c_str()) : nullptr;
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  });
  if (line.interpreter.empty()) {
    report.why_not = "has an empty #! line";
    report.reasons.push_back("Its #! line names no interpreter.");
    return;
  }
  if (depth >= kMaxInterpreterDepth) {
    report.why_not = "nests #! interpreters too deeply";
    report.reasons.push_back("Its #! interpreters nest too deeply for the kernel to run it.");
    return;
  }
  if (++chain_ > kMaxInterpreterChain) {
    std::string most = std::to_string(kMaxInterpreterChain);
    report.why_not = "runs a chain of more than " + most + " interpreters";
    report.reasons.push_back("Its #! interpreters run one another more than " + most + " times (a loop through env?).");
    return;
  }
  if (line.via_env) {
    // An env the kernel cannot start (none there: distroless images have no
    // /usr/bin/env; or one its runner may not execute) is what is examined.
    Found env = root_.resolve(line.interpreter, cwd_);
    struct stat st;
    const bool runs = env.ok && stat(root_.host(env.path).c_str(), &st) == 0 && S_ISREG(st.st_mode) && may_start(env, st);
    if (!runs) {
      line.via_env = false;
      line.env = EnvShebang{};
    }
  }
  // env's -C: env enters the directory before it runs the command (or the script).
  std::string env_cwd = cwd_;
  if ((!line.env.command.empty() || line.env.runs_script_itself) && line.env.chdir) {
    Found dir = root_.resolve(*line.env.chdir, cwd_);  // chdir("") fails (ENOENT): resolve would give cwd_
    struct stat st;
    // chdir, as the runner, needs the search bit of the directory itself and
    // of each one on its way there (EACCES).
    std::vector<std::string> entered = dir.searched;
    entered.push_back(dir.path);
    const bool denied = dir.ok && first_unsearchable(root_, entered, runner_).has_value();
    if (!line.env.chdir->empty() && dir.ok && stat(root_.host(dir.path).c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
        !denied) {
      env_cwd = dir.path;
    } else {
      line.env = line.env.running_nothing("fails (cannot change directory to '" + *line.env.chdir + "'" +
                                          (denied ? ": Permission denied" : "") + ")");
    }
  }
  // Where env runs no command of the line's, env itself is what is examined.
  const bool env_command = !line.env.command.empty();
  std::string command = env_command ? line.env.command : line.interpreter;
  // A relative #! interpreter is relative to the working directory, as the kernel resolves it.
  // env's execvp searches the PATH its #! line leaves it (-i: none, so glibc's default).
  const std::string& env_path = line.env.path ? *line.env.path : env_.path;
  Found found = env_command ? find_command(command, env_path, env_cwd) : root_.resolve(line.interpreter, cwd_);
  const int interp_depth = env_command ? 0 : depth + 1;  // env's exec starts the kernel's count again
  auto interp = std::make_unique<ProgramReport>(examine_at(command, found, deep, interp_depth));
  report.reached = interp->reached;
  report.unexecutable = interp->unexecutable;
  report.asks = interp->asks;
  report.served_paths = interp->served_paths;
  report.container_aware = interp->container_aware;
  report.container_evidence = interp->container_evidence;
  std::string shown = interp->path.empty() ? command : interp->path;
  // env run with -i, -u LD_PRELOAD or LD_PRELOAD= starts the command without
  // LD_PRELOAD: only /etc/ld.so.preload loads the library into it then.
  const bool dropped = !line.env.drops_preload.empty() && interp->reached;
  const bool file_entry = std::any_of(cgview_entries_.begin(), cgview_entries_.end(),
                                      [](const CgviewEntry& e) { return e.from_file; });
  bool system_wide = file_entry;
  if (dropped && system_wide && any_lib_entry_ &&
      std::any_of(cgview_entries_.begin(), cgview_entries_.end(), [](const CgviewEntry& e) { return !e.from_file; })) {
    // The interpreter was judged with LD_PRELOAD's entries too: judge it again
    // with /etc/ld.so.preload's alone, which may give it no build.
    std::vector<CgviewEntry> all = cgview_entries_;
    std::erase_if(cgview_entries_, [](const CgviewEntry& e) { return !e.from_file; });
    const int chain = chain_;
    system_wide = examine_at(command, found, false, interp_depth).reached;
    chain_ = chain;
    cgview_entries_ = std::move(all);
  }
  if (line.via_env && !env_command)  // env runs no program of the line's (below)
    report.reasons.push_back("It is a script run by " + shown + " (" + kind_name(interp->kind) + ").");
  else
    report.reasons.push_back("It is a script run by " + shown + " (" + kind_name(interp->kind) + "); cgview reaches it when it " +
                             "reaches that interpreter" + (!interp->reached ? ", which it does not."
                                                           : dropped && !system_wide ? ", which it does not here (below)."
                                                                                     : ", as it does."));
  if (!interp->reached) report.why_not = "runs " + shown + ", which " + interp->why_not;
  if (dropped) {
    report.reasons.push_back("Its #! line runs it through env " + line.env.drops_preload + ", which drops LD_PRELOAD: `cgview " +
                             "run` (LD_PRELOAD) cannot reach it; only the system-wide mode (`cgview enable`, " +
                             "/etc/ld.so.preload) does, which is " + std::string(system_wide ? "enabled here." : file_entry ? "enabled here but gives it no build of libcgview.so." : "not enabled here."));
    if (!system_wide) {
      report.reached = false;
      report.why_not = "runs " + shown + " through env " + line.env.drops_preload +
                       ", which drops LD_PRELOAD (only `cgview enable` reaches it)";
    }
  }
  // The kernel passes the rest of a #! line to env as one word: only -S splits it.
  const bool one_word = !line.env.split && line.argument.find_first_of(" \t") != std::string::npos;
  const std::string split_hint = one_word ? " (the kernel passes the rest of a #! line to env as one word; `#!/usr/bin/env -S " +
                                                line.argument + "` splits it)"
                                          : "";
  if (line.via_env && !env_command) {
    if (line.env.runs_script_itself)
      report.reasons.push_back("Its #! line gives env no command" + split_hint + ": env runs the script's own path, " +
                               "which runs env again, for ever, and no program ever starts.");
    else
      report.reasons.push_back("env, given '" + line.argument + "' by its #! line, runs no command: it " +
                               line.env.runs_nothing + split_hint + ".");
    report.reached = false;
    report.why_not = line.env.runs_script_itself ? "gives env no command on its #! line, so it runs itself for ever"
                                                 : "passes env '" + line.argument + "', which runs no command";
  }
  if (env_command && line.env.path && command.find('/') == std::string::npos)
    report.reasons.push_back(
        "env looks for " + command + " in " +
        (line.env.path_unset ? *line.env.path + ", execvp's default: its #! line (-i, - or -u PATH) leaves env no PATH."
         : line.env.path->empty() ? "the working directory: its #! line sets PATH empty (PATH=)."
                                  : "PATH=" + *line.env.path + ", which its #! line sets."));
  if (env_command && !found.passed_over.empty())  // env's execvp passed over a match, as exec's would
    report.reasons.push_back(passed_over_reason(found.passed_over, env_cwd));
  if (env_command && one_word && line.env.command.find_first_of(" \t") != std::string::npos)
    report.reasons.push_back("env receives '" + line.env.command + "' as one name: the kernel passes the rest of a #! line "
                             "as one argument (`#!/usr/bin/env -S " + line.env.command + "` splits it).");
  if (line.carriage_return) {
    report.reasons.push_back("Its #! line ends in a carriage return (the file has Windows line ends): the kernel "
                             "keeps it as the last character of the interpreter's name or argument; dos2unix "
                             "converts the file.");
    if (!interp->reached) report.why_not = "has a #! line ending in a carriage return (Windows line ends)";
  }
  report.interpreter = std::move(interp);
}

}  // namespace cgview::cli
