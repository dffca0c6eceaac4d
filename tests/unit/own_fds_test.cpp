#include "own_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "host_files.hpp"
#include "input_file.hpp"

namespace cgview {
namespace {

bool marked_as_the_librarys(int fd) {
  return own_mark(fcntl(fd, F_GETFL)) == OwnMark::kRead && (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

// The flags a fork child tells the library's files by: on every file it
// opens to read for a call, on none a program opens to read, and not on a
// held input, which stays open on purpose.
TEST(OwnFds, TheLibrarysReadsAreMarkedAndAProgramsAreNot) {
  Sysroot live;
  int own = open_host_file(live, "/proc/meminfo");
  ASSERT_GE(own, 0);
  EXPECT_TRUE(marked_as_the_librarys(own));
  char buf[64];
  EXPECT_GT(read(own, buf, sizeof buf), 0) << "the mark changes no read";
  close_host_file(own);
  int dir = open_host_directory(live, "/proc/self");
  ASSERT_GE(dir, 0);
  EXPECT_TRUE(marked_as_the_librarys(dir));
  close_host_file(dir);

  for (int flags : {O_RDONLY, O_RDONLY | O_CLOEXEC, O_RDONLY | O_APPEND | O_CLOEXEC, O_RDONLY | O_DSYNC | O_CLOEXEC,
                    O_RDWR | O_APPEND | O_DSYNC | O_CLOEXEC}) {
    int programs = open("/proc/meminfo", flags);
    if (programs < 0) continue;  // O_RDWR
    EXPECT_FALSE(marked_as_the_librarys(programs)) << flags;
    close(programs);
  }
  // Without close-on-exec it is no fd of the library's either.
  int no_cloexec = open("/proc/meminfo", O_RDONLY | O_APPEND | O_DSYNC);
  ASSERT_GE(no_cloexec, 0);
  EXPECT_FALSE(marked_as_the_librarys(no_cloexec));
  close(no_cloexec);
}

TEST(OwnFds, AHeldInputLosesTheMark) {
  Sysroot root;
  root.hold_inputs = true;
  char buf[16384];
  ASSERT_GT(read_input_file(root, "/proc/meminfo", buf), 0);
  int held = -1;
  for (int fd = kHeldFdFloor; fd < 4096 && held < 0; ++fd) {
    char link[64], target[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target);
    if (n > 0 && std::string(target, size_t(n)) == "/proc/meminfo") held = fd;
  }
  ASSERT_GE(held, 0) << "the input is held";
  EXPECT_FALSE(marked_as_the_librarys(held));
  EXPECT_EQ(fcntl(held, F_GETFL) & O_APPEND, 0);
}

TEST(OwnFds, TheMarksAreTheStatusFlagsAlone) {
  EXPECT_EQ(own_mark(O_RDWR | kOwnScratchMark), OwnMark::kScratch);
  EXPECT_EQ(own_mark(O_RDWR | O_APPEND), OwnMark::kNone);
  EXPECT_EQ(own_mark(O_RDONLY | kOwnScratchMark), OwnMark::kNone);
  EXPECT_EQ(own_mark(O_RDONLY | kOwnReadMark), OwnMark::kRead);
  EXPECT_EQ(own_mark(O_RDONLY | kOwnReadMark | O_SYNC), OwnMark::kNone) << "O_SYNC holds O_DSYNC: not ours";
  EXPECT_EQ(own_mark(O_RDWR | kOwnReadMark), OwnMark::kNone);
  EXPECT_EQ(own_mark(-1), OwnMark::kNone);
}

// What a fork child is told from the counts its parent read right before
// the fork (here the same process stands for both: the counts are only
// memory).
TEST(OwnFds, TheCountsSayWhetherAndWhoseFdsMayBeCopied) {
  own_fd_opening();  // maps the counts
  own_fd_gone();
  OwnFdCounts quiet = own_fd_counts();
  EXPECT_EQ(quiet.started, quiet.ended);
  EXPECT_EQ(copied_own_fds(quiet), CopiedOwnFds::kNone);

  // Opened after the parent read the counts: `started` grew since.
  own_fd_opening();
  EXPECT_EQ(copied_own_fds(quiet), CopiedOwnFds::kInUse) << "this thread's own call";
  own_fd_gone();

  // Another thread's call, open when the counts were read.
  std::atomic<int> stage{0};
  std::thread other([&] {
    own_fd_opening();
    stage = 1;
    while (stage != 2) std::this_thread::yield();
    own_fd_gone();
  });
  while (stage != 1) std::this_thread::yield();
  OwnFdCounts busy = own_fd_counts();
  EXPECT_NE(busy.started, busy.ended);
  EXPECT_EQ(copied_own_fds(busy), CopiedOwnFds::kSweep);
  stage = 2;
  other.join();

  // A child forgets the other threads' calls, which it does not have.
  own_fd_opening();  // left open by a thread the "child" does not have
  std::thread([] {}).join();
  forget_other_threads_fds();
  OwnFdCounts after = own_fd_counts();
  EXPECT_EQ(after.started, after.ended);
  EXPECT_EQ(copied_own_fds(after), CopiedOwnFds::kNone);
}

// A rewind's note is for a child of the process that wrote it only: a
// grandchild of a process that did not look (a _Fork child's, a handler
// fork's) may have put the program's own fds at the noted numbers since.
TEST(OwnFds, ARewindsNoteIsOnlyForTheWritersChildren) {
  own_fd_opening();  // maps the counts
  own_fd_gone();
  const uint32_t writer = uint32_t(getpid());
  for (int i = 0; i <= kRewindNotes; ++i) rewind_reopened(rewind_starting(FileId{7, uint64_t(1000 + i)}, writer), 100 + i);
  int found = 0;
  for (int index = 0; index < kRewindNotes; ++index) {
    int copy = -1;
    FileId file;
    EXPECT_FALSE(rewind_under_way(index, writer + 1, copy, file)) << "another process's note";
    if (!rewind_under_way(index, writer, copy, file)) continue;
    ++found;
    EXPECT_EQ(file.ino, uint64_t(1000 + (copy - 100))) << "a note pairs its own reopen and file";
    EXPECT_NE(copy, 100) << "the oldest was written over";
  }
  EXPECT_EQ(found, kRewindNotes);
}

// Between a rewind's note and its reopen's number, a fork child finds the
// note with its file and no number (it then looks for the file's fds); no
// other rewind writes over a note its writer has yet to finish, and one
// whose reopen failed names none.
TEST(OwnFds, ARewindNotedBeforeItsReopenIsNeverWrittenOver) {
  own_fd_opening();
  own_fd_gone();
  const uint32_t writer = uint32_t(getpid());
  int waiting = rewind_starting(FileId{9, 4242}, writer);
  ASSERT_GE(waiting, 0);
  int copy = 0;
  FileId file;
  ASSERT_TRUE(rewind_under_way(waiting, writer, copy, file));
  EXPECT_EQ(copy, -1) << "no number yet";
  EXPECT_EQ(file, (FileId{9, 4242}));
  for (int i = 0; i < 3 * kRewindNotes; ++i) {
    int other = rewind_starting(FileId{9, uint64_t(i)}, writer);
    EXPECT_NE(other, waiting);
    rewind_reopened(other, 50 + i);
  }
  ASSERT_TRUE(rewind_under_way(waiting, writer, copy, file));
  EXPECT_EQ(copy, -1);
  EXPECT_EQ(file, (FileId{9, 4242}));
  rewind_reopened(waiting, 77);
  ASSERT_TRUE(rewind_under_way(waiting, writer, copy, file));
  EXPECT_EQ(copy, 77);
  int failed = rewind_starting(FileId{9, 5}, writer);
  rewind_reopened(failed, -1);
  EXPECT_FALSE(rewind_under_way(failed, writer, copy, file)) << "a reopen that failed leaves no note";
}

}  // namespace
}  // namespace cgview
