// The cgview command's front door: --version, --help, one-line usage errors
// (exit 2), --sysroot naming no directory (exit 1), and the malformed-setting
// warnings it prints and lists in `show`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "real_cgroup.hpp"

using cgview::test::run_program;
using cgview::test::RunResult;

namespace {

const std::string kCli = CGVIEW_CLI_PATH;
const std::string kFixtures = CGVIEW_FIXTURES;

RunResult cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), kCli);
  return run_program(args, env);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// Output that cannot be written (a full disk) fails the command, with a line
// on stderr, rather than leave a cut file behind an exit status of 0.
TEST(CliUsage, OutputThatCannotBeWrittenFailsTheCommand) {
  for (const char* args : {"show", "show --json", "--version", "--help", "cat /proc/meminfo", "doctor /bin/true",
                           "stats --json --count 1 --interval 0.1"}) {
    auto r = run_program({"/bin/sh", "-c", std::string(CGVIEW_CLI_PATH) + " " + args + " > /dev/full"}, {});
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(r.err, "cgview: cannot write to stdout\n") << args;
  }
}

TEST(CliUsage, VersionIsTheProjectVersion) {
  RunResult r = cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("cgview ") + CGVIEW_PROJECT_VERSION + "\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliUsage, HelpIsTheFullUsageOnStdout) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"-h"}, {"show", "--help"}}) {
    RunResult r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind("usage: cgview", 0), 0u) << r.out;
    for (const char* word : {"show", "cat PATH", "run [--cpus X]", "--sysroot DIR", "--version", "CGVIEW_CPUS"})
      EXPECT_NE(r.out.find(word), std::string::npos) << word;
    // Within a terminal's 80 columns.
    for (size_t at = 0, end; at < r.out.size(); at = end + 1) {
      end = r.out.find('\n', at);
      if (end == std::string::npos) end = r.out.size();
      EXPECT_LE(end - at, 80u) << r.out.substr(at, end - at);
    }
  }
}

// One line each, naming what was wrong, then where to look; nothing on stdout.
TEST(CliUsage, UsageErrorsAreOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"--bogus"},
      {"--sysroot"},
      {"cat"},
      {"cat", "/proc/meminfo", "/proc/stat"},
      {"cat", "--", "/proc/meminfo", "/proc/stat"},
      {"show", "--yaml"},
      {"run", "--cpus", "1"},
      {"run", "--frob", "--", "/bin/true"},
      {"run", "nproc"},
      {"--version", "extra"},
      {"run", "--cpus", "0", "--", "/bin/true"},
      {"run", "--memory", "lots", "--", "/bin/true"},
      {"stats", "--bogus"},
      {"stats", "--interval", "0"},
      {"run", "--cpus"},
      {"doctor", "--root"},
      // An option's value forgotten: the next option is not taken for it.
      {"doctor", "--library-path", "--json", "/bin/true"},
      {"doctor", "--root", "--json"},
      {"doctor", "--env-file", "--user", "0", "/bin/true"},
      {"doctor", "--user", "--json", "/bin/true"},
      {"doctor", "--user", "app:", "/bin/true"},
      {"enable", "--root"},
      {"show", "--sysroot"},
      // enable and disable name their root with --root: a --sysroot after them
      // is refused, never taken as the live root's /etc/ld.so.preload.
      {"enable", "--sysroot", "/tmp"},
      {"disable", "--sysroot", "/tmp"},
      {"--sysroot", kFixtures + "/docker-v2-private-ns", "enable"},
      {"--sysroot", kFixtures + "/docker-v2-private-ns", "disable"},
  };
  for (const auto& args : cases) {
    RunResult r = cli(args);
    std::string shown = args.empty() ? "(none)" : args[0];
    EXPECT_EQ(r.exit_code, 2) << shown;
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_EQ(count(r.err, "\n"), 1u) << shown << ": " << r.err;
    EXPECT_EQ(r.err.rfind("cgview: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("; try 'cgview --help'\n"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("usage:"), std::string::npos) << "not the whole usage: " << r.err;
  }
  EXPECT_NE(cli({"frobnicate"}).err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(cli({"--bogus"}).err.find("unknown option '--bogus'"), std::string::npos);
  // A command given to run without -- is shown where it goes.
  EXPECT_NE(cli({"run", "nproc"}).err.find("the command goes after --: cgview run -- nproc ..."), std::string::npos);
  EXPECT_NE(cli({"--version", "extra"}).err.find("--version: unexpected argument 'extra'"), std::string::npos);
  // Before the command too: it once enabled the live system's preload.
  EXPECT_NE(cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "enable"}).err.find("enable takes --root DIR, not --sysroot"),
            std::string::npos);
}

TEST(CliUsage, SysrootThatIsNoDirectoryIsAnError) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--sysroot", "/nonexistent/cgview", "show"},
                                        {"--sysroot", "/etc/hostname", "show"},
                                        {"run", "--sysroot", "/nonexistent/cgview", "--", "/bin/true"}}) {
    RunResult r = cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count(r.err, "\n"), 1u) << r.err;
    EXPECT_NE(r.err.find("not an existing directory"), std::string::npos) << r.err;
  }
  EXPECT_EQ(cli({"--sysroot", kFixtures + "/docker-v2-private-ns", "show"}).exit_code, 0);
}

// A directory that is no system's root (a mistyped --sysroot) is refused
// rather than shown as an empty view with exit 0.
TEST(CliUsage, SysrootWithoutProcOrSysIsAnError) {
  const std::string not_a_root = kFixtures + "/cpuinfo-arch";
  for (std::vector<std::string> args : {std::vector<std::string>{"--sysroot", not_a_root, "show"},
                                        {"cat", "/proc/meminfo", "--sysroot", not_a_root},
                                        {"run", "--sysroot", not_a_root, "--", "/bin/true"}}) {
    RunResult r = cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "cgview: --sysroot " + not_a_root + ": has neither proc/ nor sys/, so it is not a system's root\n");
  }
  // One of the two is enough: a tree made for a single file.
  EXPECT_EQ(cli({"--sysroot", kFixtures + "/cpuinfo-arch/alpha", "cat", "/proc/cpuinfo"}).exit_code, 0);
}

// `--cpus=1` is `--cpus 1` for every option that takes a value; words after
// `--` are the program's and stay whole; an option that takes no value, or
// one the command does not know, glued to '=' is still refused.
TEST(CliUsage, OptionValuesMayBeGluedWithEquals) {
  const std::string fixture = kFixtures + "/docker-v2-private-ns";
  RunResult glued = cli({"--sysroot=" + fixture, "show", "--json"});
  EXPECT_EQ(glued.exit_code, 0) << glued.err;
  EXPECT_EQ(glued.out, cli({"--sysroot", fixture, "show", "--json"}).out);
  EXPECT_EQ(cli({"show", "--sysroot=" + fixture, "--json"}).out, glued.out);

  RunResult run = cli({"run", "--cpus=1", "--memory=64M", "--", "/bin/sh", "-c", "nproc; echo --cpus=3 \"$@\"", "sh", "--memory=1"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "1\n--cpus=3 --memory=1\n");

  RunResult doctor = cli({"doctor", "--root=/nonexistent/cgview"});
  EXPECT_EQ(doctor.exit_code, cli({"doctor", "--root", "/nonexistent/cgview"}).exit_code);
  EXPECT_NE(doctor.err.find("/nonexistent/cgview"), std::string::npos) << doctor.err;

  RunResult stats = cli({"stats", "--interval=0.05", "--count=2", "--json"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(count(stats.out, "\n"), 2u) << stats.out;

  // Refused, each for what the split gave: an option that takes no value, one
  // the command does not know, a value out of range, an empty one.
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"show", "--json=1"}, "show: unexpected argument '--json=1'"},
      {{"run", "--frob=1", "--", "/bin/true"}, "run: unexpected argument '--frob=1'"},
      {{"stats", "--interval=0"}, "--interval takes seconds from 0.05 to 86400"},
      {{"run", "--cpus=", "--", "/bin/true"}, "run: --cpus needs a value"},
      {{"run", "--sysroot=", "--", "/bin/true"}, "run: --sysroot needs a directory"},
      {{"--sysroot=", "show"}, "cgview: --sysroot needs a directory"},
      {{"show", "--sysroot="}, "cgview: --sysroot needs a directory"},
      {{"doctor", "--root="}, "doctor: --root needs a directory"},
      {{"enable", "--root="}, "enable: --root needs a directory"},
  };
  for (const auto& [args, message] : refused) {
    RunResult r = cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
    EXPECT_EQ(r.out, "") << args[1];
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
}

// The CLI warns as a preloaded program does (once, on stderr) and `show`
// lists the same warnings in its table and its JSON.
TEST(CliUsage, MalformedSettingsAreWarnedAndListed) {
  const std::vector<std::string> env = {"CGVIEW_CPUS=two", "CGVIEW_DEBUG=verbose",
                                        "CGVIEW_SYSROOT=" + kFixtures + "/docker-v2-private-ns"};
  const std::string cpus = "ignoring CGVIEW_CPUS=two: expected a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5";
  const std::string debug = "ignoring CGVIEW_DEBUG=verbose: expected 1, true, yes, on, 0, false, no or off";
  RunResult table = cli({"show"}, env);
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.err, "cgview: " + debug + "\ncgview: " + cpus + "\n");
  EXPECT_EQ(count(table.out, "warning: " + cpus + "\n"), 1u) << table.out;
  EXPECT_EQ(count(table.out, "warning: " + debug + "\n"), 1u) << table.out;
  RunResult json = cli({"show", "--json"}, env);
  EXPECT_EQ(json.exit_code, 0);
  // Both, in the order the variables are read, in the "warnings" array.
  size_t array = json.out.find("\"warnings\": [");
  ASSERT_NE(array, std::string::npos) << json.out;
  size_t first = json.out.find("\"" + debug + "\"", array), second = json.out.find("\"" + cpus + "\"", array);
  EXPECT_NE(first, std::string::npos) << json.out;
  EXPECT_NE(second, std::string::npos) << json.out;
  EXPECT_LT(first, second) << json.out;
  // The good sysroot still applies: the fixture's 1 GiB, not this machine's.
  EXPECT_NE(table.out.find("1048576 kB"), std::string::npos) << table.out;
  // Under `run` the program's library warns, once; run itself does only for
  // a program the library cannot reach.
  const std::vector<std::string> bad_cpus = {"CGVIEW_CPUS=two"};
  RunResult reached = cli({"run", "--", "/usr/bin/nproc"}, bad_cpus);
  EXPECT_EQ(reached.exit_code, 0) << reached.err;
  EXPECT_EQ(reached.err, "cgview: " + cpus + "\n");
  RunResult unreached = cli({"run", "--", "/sbin/ldconfig", "--version"}, bad_cpus);  // static-pie
  EXPECT_EQ(count(unreached.err, cpus), 1u) << unreached.err;
  EXPECT_NE(unreached.err.find("cgview cannot reach it"), std::string::npos) << unreached.err;
  // cgview itself (static too) reads the cgroup and the overrides on its own: no warning.
  RunResult itself = cli({"run", "--cpus", "1", "--", CGVIEW_CLI_PATH, "--version"});
  EXPECT_EQ(itself.exit_code, 0) << itself.err;
  EXPECT_EQ(itself.err, "");
  // Without malformed settings: no warning anywhere.
  RunResult clean = cli({"show", "--json"}, {"CGVIEW_CPUS=1", "CGVIEW_DEBUG=off"});
  EXPECT_EQ(clean.err, "");
  EXPECT_NE(clean.out.find("\"warnings\": []"), std::string::npos) << clean.out;
}
