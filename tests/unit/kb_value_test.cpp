// kb_value_saturated reads the kernel's own "   1234 kB" form in one pass
// and every other form by the general rules (trim, a " kB" suffix,
// parse_u64): both must give the same answer for any text.
#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>

#include "memory_view.hpp"
#include "text.hpp"

using namespace cgview;

namespace {

// The general rules, which the one-pass reading must agree with.
bool general_rules(std::string_view text, uint64_t& bytes) {
  std::string_view value = trim(text);
  if (value.size() <= 3 || !value.ends_with(" kB")) return false;
  uint64_t kb = 0;
  if (!parse_u64(value.substr(0, value.size() - 3), kb)) return false;
  bytes = kb > (UINT64_MAX >> 10) ? UINT64_MAX : kb << 10;
  return true;
}

void expect_as_the_general_rules(std::string_view text) {
  uint64_t got = 7, want = 7;
  bool ok = kb_value_saturated(text, got);
  ASSERT_EQ(ok, general_rules(text, want)) << '"' << text << '"';
  if (ok) {
    EXPECT_EQ(got, want) << '"' << text << '"';
  }
}

}  // namespace

TEST(KbValue, TheKernelsForm) {
  uint64_t bytes = 0;
  ASSERT_TRUE(kb_value_saturated("        24731400 kB", bytes));
  EXPECT_EQ(bytes, 24731400ull << 10);
  ASSERT_TRUE(kb_value_saturated("0 kB", bytes));
  EXPECT_EQ(bytes, 0u);
  ASSERT_TRUE(kb_value(" 1 kB", bytes));
  EXPECT_EQ(bytes, 1024u);
}

TEST(KbValue, OtherFormsGoByTheGeneralRules) {
  using namespace std::string_view_literals;
  for (std::string_view text : std::initializer_list<std::string_view>{
           ""sv, " ", " kB", "kB", "12 kB ", "12 kB\n", "\t12 kB", " 12\t kB", "12  kB", " 12kB", "12 KB", "12 kb",
           "12 kB x", "-12 kB", "+12 kB", "1 2 kB", "12", "12 ", " 12 k", "1234567890123456789 kB",
           "12345678901234567890 kB", "18446744073709551615 kB", "18446744073709551616 kB",
           "00000000000000000000000001 kB", "18014398509481983 kB", "18014398509481984 kB", "12 kB\r",
           "12\0 kB"sv})
    expect_as_the_general_rules(text);
}

TEST(KbValue, BeyondWhatBytesHoldSaturates) {
  uint64_t bytes = 0;
  ASSERT_TRUE(kb_value_saturated("18014398509481984 kB", bytes));  // 2^54 kB = 2^64 bytes
  EXPECT_EQ(bytes, UINT64_MAX);
  EXPECT_FALSE(kb_value("18014398509481984 kB", bytes));  // kb_value refuses a saturated figure
}

TEST(KbValue, RandomTextAgreesWithTheGeneralRules) {
  std::mt19937 random(20261206);
  const std::string alphabet = "0123456789 kB\t\n-x";
  for (int i = 0; i < 200000; ++i) {
    // Half the texts start with a run of spaces, as the kernel pads: up to
    // twenty, so that it ends at every place in and past an eight-byte word.
    std::string text(random() % 2 ? random() % 21 : 0, ' ');
    size_t length = random() % 26;
    for (size_t j = 0; j < length; ++j) text += alphabet[random() % alphabet.size()];
    if (random() % 2) text += " kB";
    expect_as_the_general_rules(text);
    if (HasFatalFailure()) return;
  }
}

TEST(KbValue, RandomKernelFormsAgreeWithTheGeneralRules) {
  // The kernel's form with every run of spaces and digits the eight-byte
  // reads can meet (a digit run ending at each place in a word, longer than a
  // uint64_t holds), and one byte changed in a third of them.
  std::mt19937 random(6122026);
  const std::string changes = "0123456789 :/\t\n-x\x80\xff";
  for (int i = 0; i < 200000; ++i) {
    std::string text(random() % 21, ' ');
    size_t digits = 1 + random() % 22;
    for (size_t j = 0; j < digits; ++j) text += char('0' + random() % 10);
    text += " kB";
    if (random() % 3 == 0) text[random() % text.size()] = changes[random() % changes.size()];
    expect_as_the_general_rules(text);
    if (HasFatalFailure()) return;
  }
}
