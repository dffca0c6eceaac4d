#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace cgview;
using namespace cgview_test;

namespace {

// An in-memory file holding `content`, positioned at its start.
int memfd_with(std::string_view content) {
  int fd = memfd_create("cgview-test", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_TRUE(write_all(fd, content.data(), content.size()));
  EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
  return fd;
}

struct PieceCopy {
  std::string text;
  bool starts_line, ends_line;
};

std::vector<PieceCopy> all_pieces(int fd, size_t buffer_size, bool* failed = nullptr) {
  std::vector<char> buf(buffer_size);
  LineReader reader(fd, std::span<char>(buf.data(), buf.size()));
  std::vector<PieceCopy> pieces;
  LineReader::Piece p;
  while (reader.next(p)) pieces.push_back({std::string(p.text), p.starts_line, p.ends_line});
  if (failed != nullptr) *failed = reader.failed();
  return pieces;
}

// Joins pieces back into lines, checking the flags tell where lines begin and end.
std::vector<std::string> join_lines(const std::vector<PieceCopy>& pieces, size_t buffer_size) {
  std::vector<std::string> lines;
  bool in_line = false;
  for (const PieceCopy& p : pieces) {
    EXPECT_LE(p.text.size(), buffer_size);
    EXPECT_EQ(p.starts_line, !in_line) << "piece '" << p.text << "'";
    if (p.starts_line) lines.emplace_back();
    lines.back() += p.text;
    in_line = !p.ends_line;
  }
  EXPECT_FALSE(in_line) << "the last piece must end its line";
  return lines;
}

}  // namespace

TEST(LineReader, ShortLines) {
  int fd = memfd_with("one\ntwo\n\nfour\n");
  std::vector<PieceCopy> pieces = all_pieces(fd, 64);
  close_fd(fd);
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].text, "one");
  EXPECT_EQ(pieces[1].text, "two");
  EXPECT_EQ(pieces[2].text, "");
  EXPECT_EQ(pieces[3].text, "four");
  for (const PieceCopy& p : pieces) {
    EXPECT_TRUE(p.starts_line);
    EXPECT_TRUE(p.ends_line);
  }
}

TEST(LineReader, LastLineWithoutNewline) {
  int fd = memfd_with("a\nlast");
  std::vector<PieceCopy> pieces = all_pieces(fd, 16);
  close_fd(fd);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[1].text, "last");
  EXPECT_TRUE(pieces[1].starts_line);
  EXPECT_TRUE(pieces[1].ends_line);
}

TEST(LineReader, EmptyFile) {
  int fd = memfd_with("");
  bool failed = true;
  EXPECT_TRUE(all_pieces(fd, 8, &failed).empty());
  EXPECT_FALSE(failed);
  close_fd(fd);
}

TEST(LineReader, LongLineComesInPieces) {
  // An 8-byte buffer: the 20-byte line arrives as pieces that never look like new lines.
  int fd = memfd_with("abc\n0123456789ABCDEFGHIJ\nxyz\n");
  std::vector<PieceCopy> pieces = all_pieces(fd, 8);
  close_fd(fd);
  ASSERT_GE(pieces.size(), 5u);
  EXPECT_EQ(pieces.front().text, "abc");
  EXPECT_TRUE(pieces.front().starts_line && pieces.front().ends_line);
  EXPECT_EQ(pieces[1].text, "01234567");
  EXPECT_TRUE(pieces[1].starts_line);
  EXPECT_FALSE(pieces[1].ends_line);
  EXPECT_FALSE(pieces[2].starts_line);
  EXPECT_EQ(pieces.back().text, "xyz");
  EXPECT_TRUE(pieces.back().starts_line && pieces.back().ends_line);
  std::vector<std::string> lines = join_lines(pieces, 8);
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "0123456789ABCDEFGHIJ", "xyz"}));
}

TEST(LineReader, LongLastLineWithoutNewline) {
  int fd = memfd_with("x\n" + std::string(100, 'q'));
  std::vector<PieceCopy> pieces = all_pieces(fd, 16);
  close_fd(fd);
  std::vector<std::string> lines = join_lines(pieces, 16);
  EXPECT_EQ(lines, (std::vector<std::string>{"x", std::string(100, 'q')}));
}

TEST(LineReader, ExactBufferSizeLine) {
  int fd = memfd_with("12345678\nab\n");
  std::vector<PieceCopy> pieces = all_pieces(fd, 8);
  close_fd(fd);
  EXPECT_EQ(join_lines(pieces, 8), (std::vector<std::string>{"12345678", "ab"}));
}

TEST(LineReader, NextWholeLineSkipsOverlongLines) {
  std::string content = "first\n" + std::string(100000, 'z') + "\nsecond\nthird";
  int fd = memfd_with(content);
  char buf[64];
  LineReader reader(fd, buf);
  std::string_view line;
  std::vector<std::string> lines;
  while (reader.next_whole_line(line)) lines.emplace_back(line);
  close_fd(fd);
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second", "third"}));
}

// A pipe delivers data in arbitrary chunks; the reconstructed lines must not depend on them.
TEST(LineReader, PipeWithSlowWriter) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::vector<std::string> chunks = {"cpu  1 2", " 3\ncpu0 4", " 5 6\nintr ", std::string(300, '7'),
                                           " 8\n", "ctxt 9"};
  std::thread writer([&] {
    for (const std::string& c : chunks) {
      write_all(fds[1], c.data(), c.size());
      usleep(1000);
    }
    close(fds[1]);
  });
  std::vector<PieceCopy> pieces = all_pieces(fds[0], 32);
  writer.join();
  close(fds[0]);
  std::vector<std::string> lines = join_lines(pieces, 32);
  EXPECT_EQ(lines, (std::vector<std::string>{"cpu  1 2 3", "cpu0 4 5 6", "intr " + std::string(300, '7') + " 8",
                                             "ctxt 9"}));
}

TEST(LineReader, ReadErrorIsReported) {
  bool failed = false;
  std::vector<PieceCopy> pieces = all_pieces(-1, 16, &failed);
  EXPECT_TRUE(pieces.empty());
  EXPECT_TRUE(failed);
}

class HostFiles : public CopiedFixture {};

TEST_F(HostFiles, ReadBelowSysroot) {
  copy_fixture("no-limits");
  Config c = config();
  char buf[64];
  ssize_t n = read_host_file(c.root, "/sys/devices/system/cpu/online", buf);
  ASSERT_EQ(n, 4);
  EXPECT_EQ(std::string_view(buf, 4), "0-3\n");
  EXPECT_EQ(read_host_file(c.root, "/no/such/file", buf), -1);
}

TEST_F(HostFiles, ReadRejectsFilesLargerThanTheBuffer) {
  copy_fixture("no-limits");
  write("big", std::string(64, 'x'));
  write("fits", std::string(63, 'y'));
  write("empty", "");
  Config c = config();
  char buf[64];
  EXPECT_EQ(read_host_file(c.root, "/big", std::span<char>(buf, 63)), -1);  // partial would mislead
  EXPECT_EQ(read_host_file(c.root, "/big", buf), 64);                       // exactly full is fine
  EXPECT_EQ(read_host_file(c.root, "/fits", buf), 63);
  EXPECT_EQ(read_host_file(c.root, "/empty", buf), 0);
}

TEST_F(HostFiles, ErrnoPreserved) {
  copy_fixture("no-limits");
  Config c = config();
  char buf[16];
  errno = 1234;
  EXPECT_EQ(read_host_file(c.root, "/missing", buf), -1);
  EXPECT_EQ(errno, 1234);
}

TEST(Sysroot, SetSysroot) {
  Config c;
  EXPECT_TRUE(c.root.live());
  ASSERT_TRUE(set_sysroot(c, "/tmp/x///"));
  EXPECT_EQ(c.root.prefix.view(), "/tmp/x");
  EXPECT_FALSE(c.root.live());
  ASSERT_TRUE(set_sysroot(c, "/"));
  EXPECT_TRUE(c.root.live());
  ASSERT_TRUE(set_sysroot(c, ""));
  EXPECT_TRUE(c.root.live());
  std::string too_long = "/" + std::string(kPathMax, 'a');
  EXPECT_FALSE(set_sysroot(c, too_long.c_str()));
  EXPECT_TRUE(c.root.live());
}

TEST(Sysroot, OverlongPathIsUnreadable) {
  Config c = fixture_config("no-limits");
  std::string path = "/" + std::string(kPathMax, 'p');
  EXPECT_EQ(open_host_file(c.root, path), -1);
}
