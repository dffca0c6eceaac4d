// doctor's table pads names by the columns a terminal gives them.
#include <gtest/gtest.h>

#include <string>

#include "text_columns.hpp"

using cgview::cli::terminal_columns;

TEST(TerminalColumns, OneForEachCharacterTwoForWideNoneForMarks) {
  EXPECT_EQ(terminal_columns(""), 0u);
  EXPECT_EQ(terminal_columns("/usr/bin/true"), 13u);
  EXPECT_EQ(terminal_columns("caf\xc3\xa9"), 4u);                   // é, two bytes
  EXPECT_EQ(terminal_columns("cafe\xcc\x81"), 4u);                  // e + a combining acute
  EXPECT_EQ(terminal_columns("\xe7\xa8\x8b\xe5\xba\x8f"), 4u);      // 程序
  EXPECT_EQ(terminal_columns("\xea\xb0\x80"), 2u);                  // Hangul 가
  EXPECT_EQ(terminal_columns("\xef\xbc\xa1"), 2u);                  // fullwidth Ａ
  EXPECT_EQ(terminal_columns("\xf0\x9f\x9a\x80"), 2u);              // 🚀, four bytes
  EXPECT_EQ(terminal_columns("\xf0\xa0\x80\x80"), 2u);              // U+20000, CJK extension B
  EXPECT_EQ(terminal_columns("a\xe2\x80\x8b" "b"), 2u);             // a zero-width space
  EXPECT_EQ(terminal_columns("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"), 2u);  // 한 decomposed (NFD): one syllable
  EXPECT_EQ(terminal_columns("\xe0\xa4\x95\xe0\xa4\xbc"), 1u);      // Devanagari क + nukta
  EXPECT_EQ(terminal_columns("\xe2\x98\x95"), 2u);                  // ☕ U+2615
  EXPECT_EQ(terminal_columns("\xf0\x9f\xab\x80"), 2u);              // U+1FAC0, a newer emoji
  EXPECT_EQ(terminal_columns("\xf0\x9f\x8c\xa1"), 1u);              // U+1F321 thermometer, drawn narrow
  EXPECT_EQ(terminal_columns("\xc2\xad"), 1u);                      // the soft hyphen shows
  // Not yet assigned in Unicode 14, ideographs since 15: wide ahead, as Unicode says.
  EXPECT_EQ(terminal_columns("\xf0\xb1\x8d\x90"), 2u);              // U+31350, CJK extension H
  EXPECT_EQ(terminal_columns("\xef\xab\x9a"), 2u);                  // U+FADA
}

// One replacement mark for each ill-formed run, as decoders draw them: a cut
// short sequence is one, a byte that can start none or continue none is one.
TEST(TerminalColumns, EachIllFormedRunTakesOne) {
  EXPECT_EQ(terminal_columns("bad\xff"), 4u);
  EXPECT_EQ(terminal_columns("\x80\x80"), 2u);                  // stray continuation bytes
  EXPECT_EQ(terminal_columns("\xe7\xa8"), 1u);                  // cut short at the end
  EXPECT_EQ(terminal_columns("\xe7\xa8x"), 2u);                 // cut short by an ASCII byte
  EXPECT_EQ(terminal_columns("\xf0\x9f\x9a"), 1u);              // a four-byte one cut short
  EXPECT_EQ(terminal_columns("\xc0\xaf"), 2u);                  // an overlong '/'
  EXPECT_EQ(terminal_columns("\xed\xa0\x80"), 3u);              // a surrogate, U+D800
  EXPECT_EQ(terminal_columns("\xf4\x90\x80\x80"), 4u);          // past U+10FFFF
}
