// `cgview stats [--interval S] [--count N] [--json]`: the container's own use,
// sampled every S seconds. On a terminal, a screen redrawn in place on the
// alternate screen; piped or with --json, one JSON object per sample.
#include <signal.h>
#include <sys/ioctl.h>
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
volatile sig_atomic_t g_redraw = 0;  // the terminal was resized, or the screen given back after Ctrl-Z

void on_stop(int signo) { g_stop_signal = signo; }
void on_resize(int) { g_redraw = 1; }

// Terminal control: the alternate screen keeps the user's scrollback intact;
// the cursor is hidden while drawing and shown again on every way out.
constexpr char kEnterScreen[] = "\033[?1049h\033[?25l";
constexpr char kLeaveScreen[] = "\033[?25h\033[?1049l";
constexpr const char* kHome = "\033[H";
constexpr const char* kClearLine = "\033[K";
constexpr const char* kClearBelow = "\033[J";

void write_out(const std::string& s) { write_all(1, s.data(), s.size()); }

// Ctrl-Z: the shell gets its normal screen and cursor back while stats is
// stopped, and on `fg` the screen is taken again and redrawn at once. Only
// async-signal-safe calls: write, sigaction, sigprocmask, raise.
void on_suspend(int) {
  int saved = errno;
  write_all(1, kLeaveScreen, sizeof kLeaveScreen - 1);
  struct sigaction dfl = {}, ours = {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGTSTP, &dfl, &ours);
  sigset_t tstp;
  sigemptyset(&tstp);
  sigaddset(&tstp, SIGTSTP);
  sigprocmask(SIG_UNBLOCK, &tstp, nullptr);
  raise(SIGTSTP);  // stops here until SIGCONT
  sigaction(SIGTSTP, &ours, nullptr);
  write_all(1, kEnterScreen, sizeof kEnterScreen - 1);
  g_redraw = 1;
  errno = saved;
}

// The terminal's size; 80 x 24 where it cannot be told.
void terminal_size(size_t& columns, size_t& rows) {
  struct winsize ws = {};
  columns = 80;
  rows = 24;
  if (ioctl(1, TIOCGWINSZ, &ws) != 0) return;
  if (ws.ws_col > 0) columns = ws.ws_col;
  if (ws.ws_row > 0) rows = ws.ws_row;
}

// A line cut to `columns` bytes, not inside a UTF-8 character.
std::string cut_to_width(std::string line, size_t columns) {
  if (line.size() <= columns) return line;
  size_t cut = columns;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
  line.resize(cut);
  return line;
}

// How many lines a terminal too short left out, in as many words as its
// width has room for.
std::string left_out_note(size_t count, size_t columns) {
  const std::string number = std::to_string(count);
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) of "(" + std::string.
  std::string note(1, '(');
  note += number;
  note += " more lines: a taller terminal shows them)";
  if (note.size() > columns) note.replace(1 + number.size(), std::string::npos, " more lines)");
  if (note.size() > columns) note.replace(0, std::string::npos, "+").append(number);
  return note;
}

// The frame cut to the terminal: lines to its width, and no more lines than
// it has rows, so nothing wraps or scrolls.
std::string fitted_frame(const std::vector<std::string>& lines) {
  size_t columns = 0, rows = 0;
  terminal_size(columns, rows);
  std::string frame = kHome;
  // A terminal too short for the frame: its last row says what is left out.
  const size_t shown = lines.size() + 1 <= rows ? lines.size() : rows > 2 ? rows - 2 : 0;
  for (size_t i = 0; i < shown; ++i) frame += cut_to_width(lines[i], columns) + kClearLine + "\r\n";
  if (shown < lines.size() && rows > 1) {
    frame += cut_to_width(left_out_note(lines.size() - shown, columns), columns) + kClearLine + "\r\n";
  }
  return frame + kClearBelow;
}

// Sleeps `seconds`, returning early (false) when a stop signal arrives;
// `redraw` is called whenever the screen must be drawn again meanwhile.
template <typename Redraw>
bool sleep_interruptibly(double seconds, Redraw redraw) {
  struct timespec left;
  left.tv_sec = time_t(seconds);
  left.tv_nsec = long((seconds - double(left.tv_sec)) * 1e9);
  while (g_stop_signal == 0) {
    if (g_redraw) {
      g_redraw = 0;
      redraw();
    }
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
  if (screen) {
    action.sa_handler = on_resize;
    sigaction(SIGWINCH, &action, nullptr);
    // Only where the shell would stop us anyway (job control), not where
    // the signal is ignored (a nohup'ed or non-interactive start).
    struct sigaction tstp = {};
    sigaction(SIGTSTP, nullptr, &tstp);
    if (tstp.sa_handler == SIG_DFL) {
      action.sa_handler = on_suspend;
      sigaction(SIGTSTP, &action, nullptr);
    }
  }

  Sample before, now;
  std::vector<std::string> last_frame;
  take_sample(config, before);
  // What the screen shows: `now` against `shown_before` (the first frame:
  // `before` against itself), laid out again at each redraw, as a resized
  // terminal needs its lines broken anew.
  Sample shown_before = before;
  const Sample* shown = &before;
  Progress progress{0, count};
  auto columns = [] {
    size_t width = 0, rows = 0;
    terminal_size(width, rows);
    return width;
  };
  auto redraw = [&] {
    last_frame = screen_lines(config, *shown, shown_before, interval, columns(), progress);
    write_out(fitted_frame(last_frame));
  };
  if (screen) {
    // The totals at once, the rates ("-") from the first interval on: a
    // long --interval does not leave a blank screen meanwhile.
    write_out(kEnterScreen);
    redraw();
  }
  // CGVIEW_DEBUG's lines from the first sample only, not again at every interval.
  const Config later = without_debug_lines(config);
  for (long n = 0; count == 0 || n < count; ++n) {
    if (!sleep_interruptibly(interval, redraw)) break;
    take_sample(later, now);
    if (screen) {
      shown_before = before;
      shown = &now;
      progress.shown = n + 1;
      redraw();
    } else {
      Json j(false);
      j.open();
      j.real("time", now.unix_time, 3);
      j.real("interval", double(now.monotonic_ns - before.monotonic_ns) / 1e9, 3);
      sample_json(j, config, now, &before);
      j.open_array("warnings");  // figures that may be a mount point's, not this cgroup's
      for (const std::string& w : stand_in_warnings(now.cgroups, other_dirs(now)))
        j.element(w);
      if (now.cpu_time_is_hosts) j.element(kCpuTimeIsHosts);
      for (const Sample::Unreadable& file : now.unreadable) j.element(unreadable_warning(file));
      j.close_array();
      j.close();
      std::string line = j.text() + "\n";
      if (!write_all(1, line.data(), line.size())) {
        // A reader gone (EPIPE, where SIGPIPE is blocked) ends the stream as
        // `| head` expects; any other failure (a full disk) is said.
        if (errno != EPIPE) std::fprintf(stderr, "cgview: cannot write to stdout\n");
        return 1;
      }
    }
    before = now;
  }
  if (screen) write_out(kLeaveScreen);
  if (g_stop_signal != 0) return 128 + g_stop_signal;
  // Ended by --count: the last screen stays, on the normal screen, as `top -n` leaves it.
  if (screen) {
    size_t columns = 0, rows = 0;
    terminal_size(columns, rows);
    std::string text;
    // Laid out for this width already; the cut only guards a terminal narrowed since.
    for (const std::string& line : last_frame) text += cut_to_width(line, columns) + "\n";
    write_out(text);
  }
  return 0;
}

}  // namespace cgview::cli
