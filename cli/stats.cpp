// `cgview stats [--interval S] [--count N] [--json]`: the container's own use,
// sampled every S seconds. On a terminal, a screen redrawn in place on the
// alternate screen; piped or with --json, one JSON object per sample.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "json.hpp"
#include "stand_in_warnings.hpp"
#include "stats_sample.hpp"
#include "usage.hpp"

namespace cgview::cli {

namespace {

volatile sig_atomic_t g_stop_signal = 0;

void on_stop(int signo) { g_stop_signal = signo; }

// Terminal control: the alternate screen keeps the user's scrollback intact;
// the cursor is hidden while drawing and shown again on every way out.
constexpr const char* kEnterScreen = "\033[?1049h\033[?25l";
constexpr const char* kLeaveScreen = "\033[?25h\033[?1049l";
constexpr const char* kHome = "\033[H";
constexpr const char* kClearLine = "\033[K";
constexpr const char* kClearBelow = "\033[J";

void write_out(const std::string& s) { write_all(1, s.data(), s.size()); }

// Sleeps `seconds`, returning early (false) when a stop signal arrives.
bool sleep_interruptibly(double seconds) {
  struct timespec left;
  left.tv_sec = time_t(seconds);
  left.tv_nsec = long((seconds - double(left.tv_sec)) * 1e9);
  while (g_stop_signal == 0) {
    if (nanosleep(&left, &left) == 0) return true;
    if (errno != EINTR) return true;
  }
  return false;
}

int usage(const char* message) { return usage_error(std::string("stats: ") + message); }

bool parse_interval(const char* text, double& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text, &end);
  return errno == 0 && end != text && *end == '\0' && std::isfinite(out) && out >= 0.05 && out <= 86400;
}

bool parse_count(const char* text, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text, &end, 10);
  return errno == 0 && end != text && *end == '\0' && out >= 1;
}

}  // namespace

int stats(const Config& config, int argc, char** argv) {
  double interval = 1;
  long count = 0;  // 0: until interrupted
  bool json = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) json = true;
    else if (std::strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
      if (!parse_interval(argv[++i], interval)) return usage("--interval takes seconds from 0.05 to 86400");
    } else if (std::strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
      if (!parse_count(argv[++i], count)) return usage("--count takes a whole number from 1");
    } else {
      return usage("expected --interval S, --count N, --json");
    }
  }
  bool screen = !json && isatty(1);

  struct sigaction action = {};
  action.sa_handler = on_stop;  // no SA_RESTART: the sleep ends at once
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  if (!screen) signal(SIGPIPE, SIG_DFL);

  Sample before, now;
  std::vector<std::string> last_frame;
  take_sample(config, before);
  if (screen) write_out(kEnterScreen);
  for (long n = 0; count == 0 || n < count; ++n) {
    if (!sleep_interruptibly(interval)) break;
    take_sample(config, now);
    if (screen) {
      std::string frame = kHome;
      last_frame = screen_lines(config, now, before, interval);
      for (const std::string& line : last_frame) frame += line + kClearLine + "\r\n";
      frame += kClearBelow;
      write_out(frame);
    } else {
      Json j(false);
      j.open();
      j.real("time", now.unix_time, 3);
      j.real("interval", double(now.monotonic_ns - before.monotonic_ns) / 1e9, 3);
      sample_json(j, config, now, &before);
      j.open_array("warnings");  // figures that may be a mount point's, not this cgroup's
      for (const std::string& w : stand_in_warnings(now.cgroups, other_dirs(now)))
        j.element(w);
      j.close_array();
      j.close();
      std::string line = j.text() + "\n";
      if (!write_all(1, line.data(), line.size())) return 1;  // the reader went away
    }
    before = now;
  }
  if (screen) write_out(kLeaveScreen);
  if (g_stop_signal != 0) return 128 + g_stop_signal;
  // Ended by --count: the last screen stays, on the normal screen, as `top -n` leaves it.
  if (screen) {
    std::string text;
    for (const std::string& line : last_frame) text += line + "\n";
    write_out(text);
  }
  return 0;
}

}  // namespace cgview::cli
