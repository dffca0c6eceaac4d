// `cgview stats` on a narrow terminal: lines broken between their figures,
// never through one where a break fits (cli/stats/screen_wrap.hpp).
#include "screen_wrap.hpp"

#include <gtest/gtest.h>

using cgview::cli::wrap_to_width;
using Lines = std::vector<std::string>;

TEST(ScreenWrap, ALineThatFitsStaysWhole) {
  EXPECT_EQ(wrap_to_width("PIDS  12 / 64", 50), Lines{"PIDS  12 / 64"});
  EXPECT_EQ(wrap_to_width("", 50), Lines{""});
}

TEST(ScreenWrap, BreaksBetweenFieldsBeforeWords) {
  // 55 bytes: the break after the comma, not inside "(+0.01s/s)"; the rest indented under it.
  EXPECT_EQ(wrap_to_width("      throttled 12 of 340 periods (+1/s), 0.25s (+0.01s/s)", 50),
            (Lines{"      throttled 12 of 340 periods (+1/s),", "        0.25s (+0.01s/s)"}));
  // Fields apart by runs of blanks: the last such break that fits.
  EXPECT_EQ(wrap_to_width("      cache 236.4M   working set 154.1M   swap 0B / no limit", 50),
            (Lines{"      cache 236.4M   working set 154.1M", "        swap 0B / no limit"}));
  EXPECT_EQ(wrap_to_width("OOM   killer on   under OOM no   kills 3   events 4   group off", 30),
            (Lines{"OOM   killer on   under OOM no", "        kills 3   events 4", "        group off"}));
  // Two blanks part fields too.
  EXPECT_EQ(wrap_to_width("CPU       - of 2 CPUs  quota none", 30), (Lines{"CPU       - of 2 CPUs", "        quota none"}));
}

TEST(ScreenWrap, BetweenWordsWhereTheOnlyFieldBreakIsEarly) {
  // "read  1.2M" is aligned with "write 1.0M", not two fields: breaking there wastes the line.
  EXPECT_EQ(wrap_to_width("IO    read  1.2M (+0B/s) 345 ops (+0/s)", 30),
            (Lines{"IO    read  1.2M (+0B/s) 345", "        ops (+0/s)"}));
}

TEST(ScreenWrap, NoLineIsLongerThanTheTerminalAndNothingIsLost) {
  const std::string line = "cgview stats   every 1s   12:00:00   3 of 10, Ctrl-C quits";
  auto non_blank = [](std::string_view s) {
    std::string out;
    for (char c : s)
      if (c != ' ') out += c;
    return out;
  };
  for (size_t columns = 1; columns < 70; ++columns) {
    std::string kept;
    for (const std::string& part : wrap_to_width(line, columns)) {
      EXPECT_LE(part.size(), columns) << columns;
      kept += non_blank(part);
    }
    if (columns > 9) {  // room to go on: every character kept, in order
      EXPECT_EQ(kept, non_blank(line)) << columns;
    }
  }
}

TEST(ScreenWrap, AWordLongerThanALineIsSplitOutsideAUtf8Character) {
  // No blank after the label: split at 12 bytes, before the 3-byte "\u20ac", and gone on with.
  EXPECT_EQ(wrap_to_width("NET   abcdef\u20acghi", 14), (Lines{"NET   abcdef", "        \u20acghi"}));
  EXPECT_EQ(wrap_to_width("CPU   12.5% of 2 CPUs", 5), Lines{"CPU  "});  // no room for the indent: cut
}
