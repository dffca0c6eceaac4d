// CGVIEW_* parsing (config_from_env with a fake environment) and the overrides'
// effect on fixture limits and rendered files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// The fake environment: a static table the lookup function reads.
struct Var {
  const char* name;
  const char* value;
};
const Var* g_env = nullptr;
size_t g_env_size = 0;

const char* fake_lookup(const char* name) {
  for (size_t i = 0; i < g_env_size; ++i)
    if (strcmp(g_env[i].name, name) == 0) return g_env[i].value;
  return nullptr;
}

template <size_t N>
Config config_with(const Var (&vars)[N]) {
  g_env = vars;
  g_env_size = N;
  Config c = config_from_env(fake_lookup);
  g_env = nullptr;
  g_env_size = 0;
  return c;
}

Config config_with_nothing() {
  g_env_size = 0;
  return config_from_env(fake_lookup);
}

}  // namespace

TEST(ConfigFromEnv, Defaults) {
  Config c = config_with_nothing();
  EXPECT_FALSE(c.disabled);
  EXPECT_FALSE(c.debug);
  EXPECT_TRUE(c.root.live());
  EXPECT_FALSE(c.has_cpus_override);
  EXPECT_FALSE(c.has_memory_override);
  EXPECT_EQ(c.rounding, Rounding::Ceil);
  EXPECT_EQ(c.placement, Placement::Spread);
  EXPECT_FALSE(c.root.hold_inputs);
  EXPECT_EQ(c.warning_count, 0u);
}

TEST(ConfigFromEnv, AllSettings) {
  static const Var vars[] = {
      {"CGVIEW_SYSROOT", CGVIEW_FIXTURES "/no-limits/"}, {"CGVIEW_CPUS", "1.5"},          {"CGVIEW_MEMORY", "512M"},
      {"CGVIEW_CPU_ROUNDING", "floor"},        {"CGVIEW_DISABLE", "1"},         {"CGVIEW_DEBUG", "1"},
      {"CGVIEW_HOLD_FILES", "1"},              {"CGVIEW_CPU_PLACEMENT", "lowest"},
  };
  Config c = config_with(vars);
  EXPECT_EQ(c.warning_count, 0u);
  EXPECT_EQ(c.root.prefix.view(), CGVIEW_FIXTURES "/no-limits");
  EXPECT_TRUE(c.root.hold_inputs);
  EXPECT_EQ(c.placement, Placement::Lowest);
  EXPECT_TRUE(c.has_cpus_override);
  EXPECT_EQ(c.cpus_override_micro, 1500000u);
  EXPECT_TRUE(c.has_memory_override);
  EXPECT_EQ(c.memory_override, 536870912u);
  EXPECT_EQ(c.rounding, Rounding::Floor);
  EXPECT_TRUE(c.disabled);
  EXPECT_TRUE(c.debug);
}

TEST(ConfigFromEnv, Flags) {
  {
    static const Var vars[] = {{"CGVIEW_DISABLE", "0"}, {"CGVIEW_DEBUG", ""}};
    Config c = config_with(vars);
    EXPECT_FALSE(c.disabled);
    EXPECT_FALSE(c.debug);
  }
  {
    static const Var vars[] = {{"CGVIEW_DISABLE", "1"}};
    Config c = config_with(vars);
    EXPECT_TRUE(c.disabled);
    EXPECT_FALSE(c.debug);
  }
  {
    static const Var vars[] = {{"CGVIEW_DEBUG", "1"}};
    Config c = config_with(vars);
    EXPECT_FALSE(c.disabled);
    EXPECT_TRUE(c.debug);
  }
  {
    // Other names do not count.
    static const Var vars[] = {{"CGVIEW_DISABLED", "1"}, {"cgview_debug", "1"}, {"CGVIEW_DEBUG_", "1"}};
    Config c = config_with(vars);
    EXPECT_FALSE(c.disabled);
    EXPECT_FALSE(c.debug);
  }
}

TEST(ConfigFromEnv, MalformedValuesAreIgnored) {
  static const Var vars[] = {
      {"CGVIEW_CPUS", "two"},
      {"CGVIEW_MEMORY", "1.5"},
      {"CGVIEW_CPU_ROUNDING", "upward"},
  };
  Config c = config_with(vars);
  EXPECT_FALSE(c.has_cpus_override);
  EXPECT_FALSE(c.has_memory_override);
  EXPECT_EQ(c.rounding, Rounding::Ceil);
  EXPECT_FALSE(c.disabled);
}

TEST(ConfigFromEnv, MoreMalformedValues) {
  static const Var vars[] = {
      {"CGVIEW_CPUS", "0"},         // zero CPUs is not a limit
      {"CGVIEW_MEMORY", "0"},       // nor zero bytes
      {"CGVIEW_CPU_ROUNDING", ""},
  };
  Config c = config_with(vars);
  EXPECT_FALSE(c.has_cpus_override);
  EXPECT_FALSE(c.has_memory_override);
  EXPECT_EQ(c.rounding, Rounding::Ceil);
  static const Var more[] = {{"CGVIEW_CPUS", "-1"}, {"CGVIEW_MEMORY", "-512M"}, {"CGVIEW_CPU_ROUNDING", "up"}};
  Config d = config_with(more);
  EXPECT_FALSE(d.has_cpus_override);
  EXPECT_FALSE(d.has_memory_override);
  EXPECT_EQ(d.rounding, Rounding::Ceil);
  static const Var empty[] = {{"CGVIEW_CPUS", ""}, {"CGVIEW_MEMORY", ""}, {"CGVIEW_SYSROOT", ""}};
  Config e = config_with(empty);
  EXPECT_FALSE(e.has_cpus_override);
  EXPECT_FALSE(e.has_memory_override);
  EXPECT_TRUE(e.root.live());
}

TEST(ConfigFromEnv, MalformedUnderDebugStillIgnored) {
  static const Var vars[] = {{"CGVIEW_DEBUG", "1"}, {"CGVIEW_CPUS", "x"}, {"CGVIEW_MEMORY", "512M"}};
  testing::internal::CaptureStderr();
  Config c = config_with(vars);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(c.has_cpus_override);
  EXPECT_TRUE(c.has_memory_override);
  EXPECT_EQ(err, "") << "config_from_env only records; print_warnings_once prints";
  ASSERT_EQ(c.warning_count, 1u);
  EXPECT_EQ(c.warnings[0].setting, Setting::Cpus);
}

namespace {

// The warnings of a configuration, as the user reads them.
std::vector<std::string> warning_lines(const Config& c) {
  std::vector<std::string> lines;
  for_each_warning(c, [&](const SettingWarning& w) {
    WarningText text;
    format_warning(w, text);
    lines.emplace_back(text.view());
  });
  return lines;
}

Config config_with_one(const char* name, const char* value) {
  Var vars[] = {{name, value}};
  g_env = vars;
  g_env_size = 1;
  Config c = config_from_env(fake_lookup);
  g_env = nullptr;
  g_env_size = 0;
  return c;
}

}  // namespace

// Every boolean, every accepted spelling, and values that are neither.
TEST(ConfigFromEnv, BooleansAcceptWordsInAnyCase) {
  for (const char* name : {"CGVIEW_DISABLE", "CGVIEW_DEBUG", "CGVIEW_HOLD_FILES"}) {
    auto field = [&](const Config& c) {
      if (std::string(name) == "CGVIEW_DISABLE") return c.disabled;
      if (std::string(name) == "CGVIEW_DEBUG") return c.debug;
      return c.root.hold_inputs;
    };
    for (const char* on : {"1", "true", "yes", "on", "TRUE", "Yes", "ON", "tRuE", "true ", " 1", "\ton\n"}) {
      Config c = config_with_one(name, on);
      EXPECT_TRUE(field(c)) << name << "=" << on;
      EXPECT_EQ(c.warning_count, 0u) << name << "=" << on;
    }
    for (const char* off : {"0", "false", "no", "off", "FALSE", "No", "OFF"}) {
      Config c = config_with_one(name, off);
      EXPECT_FALSE(field(c)) << name << "=" << off;
      EXPECT_EQ(c.warning_count, 0u) << name << "=" << off;
    }
    for (const char* bad : {"2", "-1", "y", "n", "enable", "t rue", " ", "01", "yess", "o", "truee", "disabled", "maybe "}) {
      Config c = config_with_one(name, bad);
      EXPECT_FALSE(field(c)) << name << "=" << bad << " must count as unset (default off)";
      ASSERT_EQ(c.warning_count, 1u) << name << "=" << bad;
      // A blank at an end is shown in quotes: "CGVIEW_DISABLE= :" would read as empty.
      const std::string shown = std::string(bad) == " "        ? "\" \""
                                : std::string(bad) == "maybe " ? "\"maybe \""
                                                               : bad;
      EXPECT_EQ(warning_lines(c)[0],
                std::string("ignoring ") + name + "=" + shown + ": expected 1, true, yes, on, 0, false, no or off");
    }
  }
}

TEST(ConfigFromEnv, DisableFalseDoesNotDisable) {
  EXPECT_FALSE(config_with_one("CGVIEW_DISABLE", "false").disabled);
  EXPECT_FALSE(config_with_one("CGVIEW_DISABLE", "no").disabled);
  EXPECT_TRUE(config_with_one("CGVIEW_DISABLE", "yes").disabled);
}

TEST(ConfigFromEnv, HoldFilesIsOffUnlessAsked) {
  EXPECT_FALSE(kHoldFilesDefault);
  EXPECT_FALSE(config_with_nothing().root.hold_inputs);
  EXPECT_TRUE(config_with_one("CGVIEW_HOLD_FILES", "1").root.hold_inputs);
  EXPECT_FALSE(config_with_one("CGVIEW_HOLD_FILES", "maybe").root.hold_inputs);
}

TEST(ConfigFromEnv, EmptyCountsAsUnsetWithoutWarning) {
  for (const char* name : {"CGVIEW_DISABLE", "CGVIEW_DEBUG", "CGVIEW_HOLD_FILES", "CGVIEW_SYSROOT", "CGVIEW_CPUS",
                           "CGVIEW_MEMORY", "CGVIEW_CPU_ROUNDING", "CGVIEW_CPU_PLACEMENT"}) {
    Config c = config_with_one(name, "");
    EXPECT_EQ(c.warning_count, 0u) << name;
  }
}

// Each non-boolean variable: a malformed value is ignored and named, with
// what was expected.
TEST(ConfigFromEnv, EachMalformedValueIsRecorded) {
  struct Case {
    const char* name;
    const char* value;
    const char* expected;
  };
  const char* kMemoryExpected = "a size of 1M or more and below 2^64 bytes: whole bytes, or a K, M, G or T suffix with at most six decimals, such as 512M or 1.5G";
  const char* kSysrootExpected = "a system's root: an existing directory with proc/ or sys/ in it";
  static const Case cases[] = {
      {"CGVIEW_CPUS", "two", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "0", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "-1", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "1.5x", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "0.0000001", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "10000000000000", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_CPUS", "99999999999999999999", "a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5"},
      {"CGVIEW_MEMORY", "1.5", kMemoryExpected},  // a fraction of a byte
      {"CGVIEW_MEMORY", "0", kMemoryExpected},
      {"CGVIEW_MEMORY", "100", kMemoryExpected},      // below 1M: MemTotal would read 0 kB
      {"CGVIEW_MEMORY", "1023K", kMemoryExpected},
      {"CGVIEW_MEMORY", "512Q", kMemoryExpected},
      {"CGVIEW_CPU_ROUNDING", "ceiling", "ceil, floor or round"},
      {"CGVIEW_CPU_ROUNDING", "up", "ceil, floor or round"},
      {"CGVIEW_CPU_PLACEMENT", "random", "spread or lowest"},
      {"CGVIEW_CPU_PLACEMENT", "low est", "spread or lowest"},
      {"CGVIEW_SYSROOT", "/nonexistent/cgview-sysroot", kSysrootExpected},
      {"CGVIEW_SYSROOT", "/etc/hostname", kSysrootExpected},  // a file, not a directory
      {"CGVIEW_SYSROOT", CGVIEW_FIXTURES, kSysrootExpected},  // a directory, but no system's root
  };
  for (const Case& k : cases) {
    Config c = config_with_one(k.name, k.value);
    ASSERT_EQ(c.warning_count, 1u) << k.name << "=" << k.value;
    EXPECT_EQ(warning_lines(c)[0], std::string("ignoring ") + k.name + "=" + k.value + ": expected " + k.expected);
    EXPECT_FALSE(c.has_cpus_override);
    EXPECT_FALSE(c.has_memory_override);
    EXPECT_EQ(c.rounding, Rounding::Ceil);
    EXPECT_EQ(c.placement, Placement::Spread);
    EXPECT_TRUE(c.root.live()) << k.name << "=" << k.value;
  }
}

TEST(ConfigFromEnv, Placement) {
  EXPECT_EQ(config_with_nothing().placement, Placement::Spread);
  EXPECT_EQ(config_with_one("CGVIEW_CPU_PLACEMENT", "lowest").placement, Placement::Lowest);
  EXPECT_EQ(config_with_one("CGVIEW_CPU_PLACEMENT", "spread").placement, Placement::Spread);
}

TEST(ConfigFromEnv, SysrootMustBeADirectory) {
  Config c = config_with_one("CGVIEW_SYSROOT", CGVIEW_FIXTURES "/no-limits");
  EXPECT_EQ(c.warning_count, 0u);
  EXPECT_EQ(c.root.prefix.view(), CGVIEW_FIXTURES "/no-limits");
  // One of proc/ and sys/ is enough: a tree made for a single file.
  EXPECT_EQ(config_with_one("CGVIEW_SYSROOT", CGVIEW_FIXTURES "/cpuinfo-arch/alpha").warning_count, 0u);
  std::string too_long = "/" + std::string(4000, 'x');
  Config d = config_with_one("CGVIEW_SYSROOT", too_long.c_str());
  EXPECT_EQ(d.warning_count, 1u);
  EXPECT_TRUE(d.root.live());
}

// Every variable malformed at once: one warning each, in a fixed order, and
// the good defaults kept.
TEST(ConfigFromEnv, AllMalformedAtOnce) {
  static const Var vars[] = {
      {"CGVIEW_CPU_PLACEMENT", "x"}, {"CGVIEW_CPU_ROUNDING", "x"}, {"CGVIEW_MEMORY", "x"},
      {"CGVIEW_CPUS", "x"},          {"CGVIEW_SYSROOT", "/x/y/z"}, {"CGVIEW_HOLD_FILES", "x"},
      {"CGVIEW_DEBUG", "x"},         {"CGVIEW_DISABLE", "x"},
  };
  Config c = config_with(vars);
  std::vector<std::string> lines = warning_lines(c);
  ASSERT_EQ(lines.size(), kSettingCount);
  const char* order[] = {"CGVIEW_DISABLE", "CGVIEW_DEBUG",  "CGVIEW_HOLD_FILES",   "CGVIEW_SYSROOT",
                         "CGVIEW_CPUS",    "CGVIEW_MEMORY", "CGVIEW_CPU_ROUNDING", "CGVIEW_CPU_PLACEMENT"};
  for (size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(lines[i].rfind(std::string("ignoring ") + order[i] + "=", 0), 0u) << lines[i];
  EXPECT_FALSE(c.disabled);
  EXPECT_FALSE(c.debug);
  EXPECT_TRUE(c.root.live());
}

// The value shown is cut and made printable: one line, whatever was set.
TEST(ConfigFromEnv, ShownValueIsOneShortLine) {
  std::string long_value(200, 'a');
  Config c = config_with_one("CGVIEW_CPUS", long_value.c_str());
  ASSERT_EQ(c.warning_count, 1u);
  EXPECT_EQ(std::string(c.warnings[0].value), std::string(kShownValueMax, 'a') + "...");
  Config d = config_with_one("CGVIEW_MEMORY", "1\nG\x1b[31m\xff");
  ASSERT_EQ(d.warning_count, 1u);
  EXPECT_EQ(std::string(d.warnings[0].value), "1?G?[31m?");
}

// print_warnings_once: each variable once per process, "cgview: " first, errno kept.
TEST(PrintWarnings, OncePerVariableAndErrnoKept) {
  Config cpus = config_with_one("CGVIEW_CPUS", "lots");
  Config both = config_with_one("CGVIEW_CPU_ROUNDING", "up");
  both.warnings[1] = cpus.warnings[0];
  both.warning_count = 2;
  testing::internal::CaptureStderr();
  errno = EDOM;
  print_warnings_once(cpus);
  EXPECT_EQ(errno, EDOM);
  print_warnings_once(cpus);
  print_warnings_once(both);  // CPUS already said; ROUNDING not yet
  print_warnings_once(both);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "cgview: ignoring CGVIEW_CPUS=lots: expected a number of CPUs above 0 and below 10^13, with at most six decimals, such as 2 or 1.5\n"
            "cgview: ignoring CGVIEW_CPU_ROUNDING=up: expected ceil, floor or round\n");
}

TEST(ConfigSetters, CpusOverride) {
  Config c;
  ASSERT_TRUE(set_cpus_override(c, "1.5"));
  EXPECT_EQ(c.cpus_override_micro, 1500000u);
  ASSERT_TRUE(set_cpus_override(c, "0.25"));
  EXPECT_EQ(c.cpus_override_micro, 250000u);
  ASSERT_TRUE(set_cpus_override(c, "4"));
  EXPECT_EQ(c.cpus_override_micro, 4000000u);
  Config d;
  EXPECT_FALSE(set_cpus_override(d, "0"));
  EXPECT_FALSE(set_cpus_override(d, "0.0"));
  EXPECT_FALSE(set_cpus_override(d, "abc"));
  EXPECT_FALSE(set_cpus_override(d, "1.5.0"));
  EXPECT_FALSE(d.has_cpus_override);
}

TEST(ConfigSetters, MemoryOverride) {
  Config c;
  ASSERT_TRUE(set_memory_override(c, "512M"));
  EXPECT_EQ(c.memory_override, 536870912u);
  ASSERT_TRUE(set_memory_override(c, "1G"));
  EXPECT_EQ(c.memory_override, 1073741824u);
  ASSERT_TRUE(set_memory_override(c, "1073741824"));
  EXPECT_EQ(c.memory_override, 1073741824u);
  ASSERT_TRUE(set_memory_override(c, "512Mi"));
  EXPECT_EQ(c.memory_override, 536870912u);
  ASSERT_TRUE(set_memory_override(c, "1.5G"));
  EXPECT_EQ(c.memory_override, 1610612736u);
  ASSERT_TRUE(set_memory_override(c, "1M"));  // the smallest
  EXPECT_EQ(c.memory_override, 1048576u);
  Config d;
  EXPECT_FALSE(set_memory_override(d, "1048575"));
  EXPECT_FALSE(set_memory_override(d, "0"));
  EXPECT_FALSE(set_memory_override(d, "1 G"));
  EXPECT_FALSE(set_memory_override(d, "big"));
  EXPECT_FALSE(d.has_memory_override);
}

TEST(ConfigSetters, Rounding) {
  Config c;
  ASSERT_TRUE(set_rounding(c, "floor"));
  EXPECT_EQ(c.rounding, Rounding::Floor);
  ASSERT_TRUE(set_rounding(c, "round"));
  EXPECT_EQ(c.rounding, Rounding::Round);
  ASSERT_TRUE(set_rounding(c, "ceil"));
  EXPECT_EQ(c.rounding, Rounding::Ceil);
  ASSERT_TRUE(set_rounding(c, "floor"));
  EXPECT_FALSE(set_rounding(c, "nearest"));
  EXPECT_FALSE(set_rounding(c, "flo or"));
  EXPECT_EQ(c.rounding, Rounding::Floor);  // unchanged by a rejected value
  ASSERT_TRUE(set_rounding(c, " ROUND\n"));  // words, like booleans, in any case and blanks around
  EXPECT_EQ(c.rounding, Rounding::Round);
  ASSERT_TRUE(set_placement(c, "Lowest"));
  EXPECT_EQ(c.placement, Placement::Lowest);
}

// ---- Overrides applied to fixtures ----

TEST(CpusOverride, FractionalOnUnlimitedHost) {
  Config c = fixture_config("no-limits");
  ASSERT_TRUE(set_cpus_override(c, "1.5"));
  auto limits = limits_for(c);
  EXPECT_TRUE(limits->cpu.has_quota);
  EXPECT_EQ(limits->cpu.count, 2u);  // ceil(1.5)
  EXPECT_EQ(cpu_list(limits->cpu.visible), "0-1");
  EXPECT_EQ(limits->cpu.quota_source.file.view(), "CGVIEW_CPUS");
  EXPECT_EQ(render_to_string(VirtualFile::CpuOnline, c, *limits).text, "0-1\n");

  Config floor = fixture_config("no-limits", "floor");
  ASSERT_TRUE(set_cpus_override(floor, "1.5"));
  EXPECT_EQ(limits_for(floor)->cpu.count, 1u);
}

TEST(CpusOverride, QuarterCpuIsOne) {
  Config c = fixture_config("no-limits");
  ASSERT_TRUE(set_cpus_override(c, "0.25"));
  auto limits = limits_for(c);
  EXPECT_EQ(limits->cpu.count, 1u);
  EXPECT_EQ(cpu_list(limits->cpu.visible), "0");
}

TEST(CpusOverride, ReplacesTheCgroupQuota) {
  // docker-v2-private-ns has quota 1.5 (N = 2); CGVIEW_CPUS=4 replaces it, even upwards.
  Config c = fixture_config("docker-v2-private-ns");
  ASSERT_TRUE(set_cpus_override(c, "4"));
  auto limits = limits_for(c);
  EXPECT_EQ(limits->cpu.count, 4u);
  EXPECT_EQ(cpu_list(limits->cpu.visible), "0-3");
  // Still clamped to the affinity mask: v1-cpuset-small has A = {4,5}.
  Config s = fixture_config("v1-cpuset-small");
  ASSERT_TRUE(set_cpus_override(s, "16"));
  auto small = limits_for(s);
  EXPECT_EQ(small->cpu.count, 2u);
  EXPECT_EQ(cpu_list(small->cpu.visible), "4-5");
}

TEST(CpusOverride, RendersStatAndCpuinfo) {
  Config c = fixture_config("no-limits");
  ASSERT_TRUE(set_cpus_override(c, "1.5"));
  auto limits = limits_for(c);
  Rendered stat = render_to_string(VirtualFile::Stat, c, *limits);
  ASSERT_TRUE(stat.ok);
  std::vector<std::string> lines = split_lines(stat.text);
  // no-limits: cpu.stat user 3374, system 1446 ticks; uptime 12352.67 s -> 1235267 ticks;
  // N = 2: idle = 2470534 - 4820 = 2465714.
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "cpu  3374 0 1446 2465714 0 0 0 0 0 0");
  EXPECT_EQ(lines[1], "cpu0 1687 0 723 1232857 0 0 0 0 0 0");
  EXPECT_EQ(lines[2], "cpu1 1687 0 723 1232857 0 0 0 0 0 0");
  EXPECT_EQ(lines[3].substr(0, 5), "intr ");
  Rendered cpuinfo = render_to_string(VirtualFile::Cpuinfo, c, *limits);
  size_t blocks = 0;
  for (const std::string& l : split_lines(cpuinfo.text)) blocks += l.rfind("processor", 0) == 0;
  EXPECT_EQ(blocks, 2u);
}

TEST(MemoryOverride, ReplacesTheCgroupLimit) {
  // docker-v2-private-ns with 512M: MemTotal 524288 kB; U = 307200 kB -> MemFree 217088;
  // MemAvailable = 217088 + 36864 + 61440 + 4096 = 319488.
  Config c = fixture_config("docker-v2-private-ns");
  ASSERT_TRUE(set_memory_override(c, "512M"));
  auto limits = limits_for(c);
  EXPECT_TRUE(limits->memory.has_limit);
  EXPECT_EQ(limits->memory.limit, 536870912u);
  EXPECT_EQ(limits->memory.limit_source.file.view(), "CGVIEW_MEMORY");
  Rendered r = render_to_string(VirtualFile::Meminfo, c, *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 524288);
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 217088);
  EXPECT_EQ(meminfo_kb(r.text, "MemAvailable"), 319488);
  EXPECT_EQ(meminfo_kb(r.text, "Cached"), 102400);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 524288);  // memory.swap.max is separate
}

TEST(MemoryOverride, AppliesWithoutACgroupLimit) {
  // no-limits (h4) with 1G: MemTotal 1048576; memory.current 157286400 (153600 kB) -> MemFree 894976.
  Config c = fixture_config("no-limits");
  ASSERT_TRUE(set_memory_override(c, "1G"));
  auto limits = limits_for(c);
  Rendered r = render_to_string(VirtualFile::Meminfo, c, *limits);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 894976);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 1048572);  // memory.swap.max is max: host's line
}

TEST(MemoryOverride, BytesAndV1Swap) {
  // docker-v1-host-ns with 1073741824: swap allowance = memsw 3221225472 - 1073741824 = 2147483648
  // (2097152 kB), above the host's 2097148 kB, so SwapTotal = 2097148.
  // U = 524288 kB -> MemFree 524288; swap used 18432 kB -> 2078716 free, above the host's
  // SwapFree 2045948: SwapFree is the host's.
  Config c = fixture_config("docker-v1-host-ns");
  ASSERT_TRUE(set_memory_override(c, "1073741824"));
  auto limits = limits_for(c);
  EXPECT_EQ(limits->memory.limit, 1073741824u);
  EXPECT_EQ(limits->memory.swap_allowance, 2147483648u);
  Rendered r = render_to_string(VirtualFile::Meminfo, c, *limits);
  EXPECT_EQ(meminfo_kb(r.text, "MemTotal"), 1048576);
  EXPECT_EQ(meminfo_kb(r.text, "MemFree"), 524288);
  EXPECT_EQ(meminfo_kb(r.text, "SwapTotal"), 2097148);
  EXPECT_EQ(meminfo_kb(r.text, "SwapFree"), 2045948);
}

TEST(RoundingOverride, FromEnvironment) {
  static const Var vars[] = {{"CGVIEW_CPU_ROUNDING", "floor"}};
  Config c = config_with(vars);
  ASSERT_TRUE(set_sysroot(c, fixture_dir("fractional-2.5").c_str()));
  EXPECT_EQ(limits_for(c)->cpu.count, 2u);
  static const Var round[] = {{"CGVIEW_CPU_ROUNDING", "round"}};
  Config r = config_with(round);
  ASSERT_TRUE(set_sysroot(r, fixture_dir("fractional-1.4").c_str()));
  EXPECT_EQ(limits_for(r)->cpu.count, 1u);
}

// A relative sysroot is resolved once, against the cwd when it is read: a
// later chdir of the program does not move it.
TEST(ConfigFromEnv, RelativeSysrootIsResolvedOnce) {
  char before[4096];
  ASSERT_NE(getcwd(before, sizeof before), nullptr);
  ASSERT_EQ(chdir(CGVIEW_FIXTURES), 0);
  Config c;
  ASSERT_TRUE(set_sysroot(c, "v1-cpuset-quota"));
  EXPECT_EQ(c.root.prefix.view(), std::string(CGVIEW_FIXTURES) + "/v1-cpuset-quota");
  ASSERT_EQ(chdir("/"), 0);
  EXPECT_EQ(cpu_list(limits_for(c)->cpu.visible), "2-3,6");
  ASSERT_EQ(chdir(before), 0);
}

TEST(ConfigFromEnv, SysrootFromEnvironment) {
  static std::string dir = fixture_dir("v1-cpuset-quota");
  static const Var vars[] = {{"CGVIEW_SYSROOT", dir.c_str()}, {"CGVIEW_CPUS", "1"}};
  Config c = config_with(vars);
  auto limits = limits_for(c);
  EXPECT_EQ(limits->cpu.count, 1u);
  EXPECT_EQ(cpu_list(limits->cpu.visible), "2");
}

// Holding input files is opt-in: without CGVIEW_HOLD_FILES no fd of ours
// outlives a call; "1" turns it on, "0" keeps it off.
TEST(ConfigFromEnv, HoldFilesIsOffUnlessAskedFor) {
  EXPECT_FALSE(config_with_nothing().root.hold_inputs);
  static const Var on[] = {{"CGVIEW_HOLD_FILES", "1"}};
  EXPECT_TRUE(config_with(on).root.hold_inputs);
  static const Var off[] = {{"CGVIEW_HOLD_FILES", "0"}};
  EXPECT_FALSE(config_with(off).root.hold_inputs);
}
