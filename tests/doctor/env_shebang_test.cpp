// What GNU env makes of a #! line's one argument (cli/doctor/env_shebang.hpp).
// Each expectation is what coreutils 9.1's env did with the same line here;
// doctor_test.py's test_env_shebang_against_env runs a set of them for real.
#include "env_shebang.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "env_signals.hpp"

namespace cgview::cli {
namespace {

std::optional<std::string> no_variables(std::string_view) { return std::nullopt; }

EnvShebang read(std::string_view argument, const EnvLookup& lookup = no_variables) {
  return read_env_shebang(argument, lookup);
}

TEST(EnvShebang, ACommandAloneIsRunWithItsBlanks) {
  EXPECT_EQ(read("python3").command, "python3");
  EnvShebang one_name = read("python3 -u");
  EXPECT_EQ(one_name.command, "python3 -u");  // one name, blanks and all
  EXPECT_FALSE(one_name.split);
}

TEST(EnvShebang, SplitStringInAnyOfItsSpellings) {
  for (const char* argument : {"-S python3 -u", "-Spython3 -u", "-vS python3 -u", "--split-string=python3 -u",
                               "--sp=python3 -u", "-S -S python3 -u", "-S -- python3 -u", "-S --split-string python3"}) {
    EnvShebang env = read(argument);
    EXPECT_EQ(env.command, "python3") << argument;
    EXPECT_TRUE(env.split) << argument;
    EXPECT_EQ(env.drops_preload, "") << argument;
    EXPECT_EQ(env.runs_nothing, "") << argument;
  }
}

TEST(EnvShebang, WhatDropsLdPreload) {
  EXPECT_EQ(read("-iS nproc").drops_preload, "-i");
  EXPECT_EQ(read("-S -iv nproc").drops_preload, "-i");
  EXPECT_EQ(read("-S -vi nproc").drops_preload, "-i");
  EXPECT_EQ(read("-S - nproc").drops_preload, "-");
  EXPECT_EQ(read("-S --ignore-environment nproc").drops_preload, "--ignore-environment");
  EXPECT_EQ(read("-S -u LD_PRELOAD nproc").drops_preload, "-u LD_PRELOAD");
  EXPECT_EQ(read("-S -uLD_PRELOAD nproc").drops_preload, "-u LD_PRELOAD");
  EXPECT_EQ(read("-S --u=LD_PRELOAD nproc").drops_preload, "--unset LD_PRELOAD");
  EXPECT_EQ(read("-S LD_PRELOAD= nproc").drops_preload, "LD_PRELOAD=");
  EXPECT_EQ(read("-S -i -S nproc").drops_preload, "-i");
  EXPECT_EQ(read("-S -i -S nproc").command, "nproc");
  // What keeps it: another variable, or LD_PRELOAD set again after -i.
  EXPECT_EQ(read("-S -u HOME nproc").drops_preload, "");
  EXPECT_EQ(read("-S -i LD_PRELOAD=/usr/lib/libcgview.so nproc").drops_preload, "");
  EXPECT_EQ(read("-S -C / nproc").command, "nproc");  // -C takes the next word
  EXPECT_EQ(read("-S -a name nproc").command, "nproc");  // as does 9.6's -a
}

TEST(EnvShebang, NoCommandRunsTheScriptItselfForEver) {
  for (const char* argument : {"", "-i", "-v", "FOO=1 X", "-S FOO=1", "-S", "-S -S", "-u LD_PRELOAD nproc", "-S # nproc",
                               "-S \\cnproc"}) {
    EnvShebang env = read(argument);
    EXPECT_TRUE(env.runs_script_itself) << argument;
    EXPECT_EQ(env.command, "") << argument;
    EXPECT_EQ(env.drops_preload, "") << argument;
  }
  EXPECT_FALSE(read("-S nproc").runs_script_itself);
}

TEST(EnvShebang, WhereEnvRunsNothing) {
  auto nothing = [](const char* argument) {
    EnvShebang env = read(argument);
    EXPECT_EQ(env.command, "") << argument;
    EXPECT_FALSE(env.runs_script_itself) << argument;
    return env.runs_nothing;
  };
  EXPECT_EQ(nothing("-i nproc"), "fails (invalid option -- ' ')");
  EXPECT_EQ(nothing("-S -x nproc"), "fails (invalid option -- 'x')");
  EXPECT_EQ(nothing("-S --ign nproc"), "fails (option '--ign' is ambiguous)");
  EXPECT_EQ(nothing("-S --nope nproc"), "fails (unrecognized option '--nope')");
  // getopt quotes the whole word, '=' and all (env --de=x: "option '--de=x' is ambiguous").
  EXPECT_EQ(nothing("-S --de=x nproc"), "fails (option '--de=x' is ambiguous)");
  EXPECT_EQ(nothing("--debug PATH=/x"), "fails (unrecognized option '--debug PATH=/x')");
  EXPECT_EQ(nothing("-S --ignore-environment=x nproc"), "fails (option '--ignore-environment' doesn't allow an argument)");
  EXPECT_EQ(nothing("-S -0 nproc"), "fails (cannot specify --null (-0) with command)");
  EXPECT_EQ(nothing("-S '' nproc"), "fails (no program is named '')");
  EXPECT_EQ(nothing("-S --help nproc"), "prints its help");
  EXPECT_EQ(nothing("-S --version"), "prints its version");
  EXPECT_EQ(nothing("-S -u"), "prints its environment");  // -u took the script's path
  EXPECT_EQ(nothing("-u"), "prints its environment");
}

TEST(EnvShebang, SplitStringQuotesAndEscapes) {
  EXPECT_EQ(read("-S 'py thon' x").command, "py thon");
  EXPECT_EQ(read("-S \"py thon\" x").command, "py thon");
  EXPECT_EQ(read("-S \"py\\_thon\"").command, "py thon");  // \_ is a blank in double quotes
  EXPECT_EQ(read("-S py\\_thon").command, "py");           // and ends a word outside them
  EXPECT_EQ(read("-S 'py\\_thon'").command, "py\\_thon");   // single quotes keep it
  EXPECT_EQ(read("-S 'it\\'s'").command, "it's");
  EXPECT_EQ(read("-S a\\#b").command, "a#b");
  EXPECT_EQ(read("-S a#b").command, "a#b");  // # begins a comment only at a word's start
  EXPECT_EQ(read("-S py\"th\"on").command, "python");
  EXPECT_EQ(read("-S\tpython3\tx").command, "python3");
  EXPECT_EQ(read("-S \\_ nproc").command, "nproc");  // \_ and \c make no word of their own
  EXPECT_EQ(read("-S nproc\\c -i").command, "nproc");  // \c ends the string
  EXPECT_EQ(read("-S nproc\\c -i").drops_preload, "");
  EXPECT_EQ(read("-S nproc 'abc").runs_nothing, "fails (no terminating quote in -S string)");
  EXPECT_EQ(read("-S \\q nproc").runs_nothing, "fails (invalid sequence '\\q' in -S)");
  EXPECT_EQ(read("-S \"a\\cb\"").runs_nothing, "fails ('\\c' must not appear in double-quoted -S string)");
  EXPECT_EQ(read("-S \\").runs_nothing, "fails (invalid sequence '\\' in -S)");
}

TEST(EnvShebang, SplitStringExpandsBracedVariablesOnly) {
  EnvLookup lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "BIN") return "/opt/app bin";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(read("-S ${BIN}/run x", lookup).command, "/opt/app bin/run");  // never split
  EXPECT_EQ(read("-S ${NOPE}nproc", lookup).command, "nproc");             // unset: empty
  EXPECT_EQ(read("-S ${NOPE} nproc", lookup).command, "nproc");            // and no word
  EXPECT_EQ(read("-S ${EMPTY} nproc", lookup).runs_nothing, "fails (no program is named '')");  // set: a word
  EXPECT_EQ(read("-S '${BIN}'", lookup).command, "${BIN}");                // not in single quotes
  EXPECT_EQ(read("-S \"${BIN}\"", lookup).command, "/opt/app bin");
  for (const char* bad : {"-S $BIN", "-S ${BIN", "-S ${1X}", "-S ${}", "-S $"})
    EXPECT_TRUE(read(bad, lookup).runs_nothing.starts_with("fails (only ${VARNAME} expansion is supported")) << bad;
}

TEST(EnvShebang, MalformedInputNeverRunsAway) {
  std::string nested = "-S";
  for (int i = 0; i < 200; ++i) nested += " -S";
  EXPECT_EQ(read(nested + " nproc").command, "nproc");  // each -S takes the next word: nproc at last
  // A variable that holds -S and itself: env splits it for ever (timeout ends the real one).
  EnvLookup itself = [](std::string_view name) -> std::optional<std::string> {
    if (name == "X") return "-S ${X}";
    return std::nullopt;
  };
  EXPECT_EQ(read("-S ${X}", itself).runs_nothing, "splits -S strings for ever (a ${NAME} that holds -S and itself)");
  EXPECT_EQ(read(std::string(300, '-')).command, "");
  EXPECT_TRUE(read("=").runs_script_itself);  // NAME=VALUE with no name, then the script
}

}  // namespace
}  // namespace cgview::cli

namespace cgview::cli {
namespace {

// env changes its environment before its execvp looks for the command: -i,
// "-" and -u PATH leave no PATH (glibc's default then), PATH= sets one.
TEST(EnvShebang, ThePathEnvSearches) {
  EXPECT_EQ(read("-S nproc").path, std::nullopt);
  EXPECT_EQ(read("-S -u HOME nproc").path, std::nullopt);
  for (const char* argument : {"-S -i nproc", "-iS nproc", "-S - nproc", "-S -u PATH nproc", "-S --unset=PATH nproc",
                               "-S -i -u LD_PRELOAD nproc"})
    EXPECT_EQ(read(argument).path, "/bin:/usr/bin") << argument;
  EXPECT_EQ(read("-S -i PATH=/opt/bin nproc").path, "/opt/bin");
  EXPECT_EQ(read("-S PATH= nproc").path, "");
  EXPECT_EQ(read("-S PATH=/a PATH=/b nproc").path, "/b");
  EXPECT_TRUE(read("-S -i nproc").path_unset);
  EXPECT_FALSE(read("-S -i PATH=/opt/bin nproc").path_unset);  // set again: not glibc's default
  EXPECT_FALSE(read("-S PATH= nproc").path_unset);
  EXPECT_EQ(read("-S -i nproc").drops_preload, "-i");
}

TEST(EnvShebang, ChdirAndWhatEnvRefuses) {
  EnvShebang in_dir = read("-S -C /app ./run");
  EXPECT_EQ(in_dir.chdir, "/app");
  EXPECT_EQ(in_dir.command, "./run");
  EXPECT_EQ(read("-S --chdir=/app ./run").chdir, "/app");
  // -C with no command: env refuses (the script's path was -C's word).
  EXPECT_EQ(read("-S -C").runs_nothing, "fails (must specify command with --chdir (-C))");
  // unsetenv refuses a name with '=' or none, before env runs anything.
  EXPECT_EQ(read("-S -u X=1 nproc").runs_nothing, "fails (cannot unset 'X=1': Invalid argument)");
  EXPECT_EQ(read("-S -u '' nproc").runs_nothing, "fails (cannot unset '': Invalid argument)");
  // Not after -i or "-": coreutils 9.1 clears the environment instead of unsetting (env -i -u A=B true: 0).
  EXPECT_EQ(read("-S -i -u X=1 nproc").command, "nproc");
  EXPECT_EQ(read("-S -u X=1 - nproc").command, "nproc");
  EXPECT_EQ(read("-S -C '' nproc").chdir, "");  // given, empty: env's chdir fails (doctor says so)
  EXPECT_EQ(read("-S nproc").chdir, std::nullopt);
  EXPECT_EQ(read("-u LD_PRELOAD nproc").runs_script_itself, true);  // one name, blank and all: unsetenv takes it
}

TEST(EnvSignals, NamesAndNumbersAsEnvReadsThem) {
  for (const char* name : {"INT", "int", "SigInt", "SIGINT", "2", "02", "SIG2", "SIG02", "130", "258"})
    EXPECT_EQ(env_signal_number(name), SIGINT) << name;  // 130 and 258: bash's and ksh's $? after SIGINT
  EXPECT_EQ(env_signal_number("257"), SIGHUP);  // from 255 up, the low 8 bits
  EXPECT_EQ(env_signal_number("CLD"), SIGCHLD);
  EXPECT_EQ(env_signal_number("IOT"), SIGABRT);
  EXPECT_EQ(env_signal_number("POLL"), SIGIO);
  EXPECT_EQ(env_signal_number("rtmin"), SIGRTMIN);
  EXPECT_EQ(env_signal_number("SIGRTMIN+1"), SIGRTMIN + 1);
  EXPECT_EQ(env_signal_number("RTMIN+01"), SIGRTMIN + 1);
  EXPECT_EQ(env_signal_number("RTMIN 1"), SIGRTMIN + 1);  // strtol passes over the blank
  EXPECT_EQ(env_signal_number("RTMAX-0"), SIGRTMAX);
  EXPECT_EQ(env_signal_number("rtmax-1"), SIGRTMAX - 1);
  EXPECT_EQ(env_signal_number(std::to_string(SIGRTMAX)), SIGRTMAX);
  // Invalid: signal 0 and its name, glibc's own two below SIGRTMIN, past the range, a wait
  // status of no signal (128), junk, a sign or blank before a number, unknown names.
  for (const char* name : {"0", "EXIT", "SIG0", "32", "33", "65", "128", "127", "255", "385", "448", "SIG65",
                           "99999999999", "4294967298",
                           "2x", "0x2", "+2", "-1", " 2", "SIG 2", "RTMIN-1", "RTMIN+", "RTMAXx", "RTMAX+1",
                           "RTMIN+31", "RTMAX-31", "SIG", "SIGSIGINT", "FOO", "UNUSED", "LOST", "INFO", ""})
    EXPECT_EQ(env_signal_number(name), 0) << name;
}

TEST(EnvShebang, SignalOptions) {
  EXPECT_EQ(read("-S --default-signal=INT,,term python3").command, "python3");
  EXPECT_EQ(read("-S --ignore-signal= --block-signal python3").command, "python3");  // none, then every one
  EXPECT_EQ(read("-S --default-signal=FOO python3").runs_nothing, "fails ('FOO': invalid signal)");
  EXPECT_EQ(read("-S --def=INT,32 python3").runs_nothing, "fails ('32': invalid signal)");
  // SIGKILL's and SIGSTOP's actions cannot change: env fails where a list names them and a command
  // is left, at the lowest, unless a later option without a list (every signal, those passed over)
  // takes them back. Blocking them is quietly ignored.
  const std::string kill = "fails (failed to set signal action for signal " + std::to_string(SIGKILL);
  EXPECT_EQ(read("-S --ignore-signal=STOP,KILL python3").runs_nothing, kill + ": Invalid argument)");
  EXPECT_EQ(read("-S --default-signal=sigstop python3").runs_nothing,
            "fails (failed to set signal action for signal " + std::to_string(SIGSTOP) + ": Invalid argument)");
  // With no command of the line's, the script's own path is the command: env fails before it loops.
  EXPECT_EQ(read("--default-signal=KILL").runs_nothing, kill + ": Invalid argument)");
  EXPECT_EQ(read("-S --default-signal=KILL").runs_nothing, kill + ": Invalid argument)");
  EXPECT_EQ(read("-S --default-signal=KILL --default-signal python3").command, "python3");
  EXPECT_EQ(read("-S --default-signal --default-signal=KILL python3").runs_nothing, kill + ": Invalid argument)");
  EXPECT_EQ(read("-S --block-signal=KILL,STOP python3").command, "python3");
  EXPECT_EQ(read("-S --default-signal -D python3").runs_nothing, "fails (invalid option -- 'D')");
}

}  // namespace
}  // namespace cgview::cli
