// InputFile on the live system: files read through a held fd are as fresh as
// a new open, and what a program does to its fds never makes a held read
// wrong. Each test uses its own /proc paths: the held slots are per process.
#include "input_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/kcmp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace cgview {
namespace {

Sysroot holding_live_root() {
  Sysroot root;
  root.hold_inputs = true;
  return root;
}

std::string read_text(const Sysroot& root, std::string_view path) {
  char buf[16384];
  ssize_t n = read_input_file(root, path, buf);
  return n < 0 ? std::string("<unreadable>") : std::string(buf, size_t(n));
}

// The held fd of `path`: the fd at or above kHeldFdFloor whose link names it.
int held_fd_of(const std::string& path) {
  for (int fd = kHeldFdFloor; fd < 4096; ++fd) {
    char link[64], target[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n > 0 && std::string(target, size_t(n)) == path) return fd;
  }
  return -1;
}

TEST(InputFile, AHeldReadIsAsFreshAsANewOpen) {
  Sysroot root = holding_live_root();
  std::string first = read_text(root, "/proc/uptime");
  int fd = held_fd_of("/proc/uptime");
  ASSERT_GE(fd, kHeldFdFloor) << "not held";
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, nullptr);
  std::string second = read_text(root, "/proc/uptime");
  EXPECT_EQ(held_fd_of("/proc/uptime"), fd) << "the same fd, read again";
  EXPECT_NE(first, second) << "uptime did not move: the kernel did not regenerate the file at offset 0";
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0) << "read with pread: the offset never moves";
}

TEST(InputFile, LeavesTheLowFdsToTheProgram) {
  Sysroot root = holding_live_root();
  int saved = dup(0);
  ASSERT_GE(saved, 0);
  close(0);  // a program about to open something that must become its stdin
  std::string text = read_text(root, "/proc/loadavg");
  bool zero_free = fcntl(0, F_GETFD) < 0;
  dup2(saved, 0);
  close(saved);
  EXPECT_NE(text, "<unreadable>");
  EXPECT_TRUE(zero_free) << "the held fd took fd 0";
  EXPECT_GE(held_fd_of("/proc/loadavg"), kHeldFdFloor);
}

TEST(InputFile, AHeldFdClosedBehindItsBackIsOpenedAgain) {
  Sysroot root = holding_live_root();
  std::string expected = read_text(Sysroot{}, "/proc/version");
  EXPECT_EQ(read_text(root, "/proc/version"), expected);
  int fd = held_fd_of("/proc/version");
  ASSERT_GE(fd, 0);
  close(fd);  // closefrom, close_range, syscall(SYS_close)
  EXPECT_EQ(read_text(root, "/proc/version"), expected);
  EXPECT_GE(held_fd_of("/proc/version"), kHeldFdFloor);
}

TEST(InputFile, TheProgramsFileOverAHeldFdIsNeitherReadNorClosed) {
  Sysroot root = holding_live_root();
  std::string expected = read_text(Sysroot{}, "/proc/cmdline");
  EXPECT_EQ(read_text(root, "/proc/cmdline"), expected);
  int fd = held_fd_of("/proc/cmdline");
  ASSERT_GE(fd, 0);
  char own_path[] = "/tmp/cgview-input-file-XXXXXX";
  int own = mkstemp(own_path);
  ASSERT_GE(own, 0);
  unlink(own_path);
  const char text[] = "the program's own file\n";
  ASSERT_EQ(write(own, text, sizeof text - 1), ssize_t(sizeof text - 1));
  ASSERT_EQ(dup2(own, fd), fd);
  close(own);
  ASSERT_EQ(lseek(fd, 4, SEEK_SET), 4);
  EXPECT_EQ(read_text(root, "/proc/cmdline"), expected);
  // Still open, still the program's file, at the program's offset.
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  char buf[64] = {};
  EXPECT_GT(read(fd, buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "program's own file\n");
  close(fd);
}

// Whole-file reads (one pread) in a fork child go through the fd it
// inherited: no extra fd, and one generation of the file per pread.
TEST(InputFile, AForkedChildReadsAWholeFileThroughTheInheritedFd) {
  Sysroot root = holding_live_root();
  std::string expected = read_text(Sysroot{}, "/proc/filesystems");
  ASSERT_EQ(read_text(root, "/proc/filesystems"), expected);
  int parent_fd = held_fd_of("/proc/filesystems");
  ASSERT_GE(parent_fd, 0);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    bool same_text = read_text(root, "/proc/filesystems") == expected;
    int fd = held_fd_of("/proc/filesystems");
    bool inherited = fd == parent_fd && syscall(SYS_kcmp, parent, getpid(), KCMP_FILE, parent_fd, fd) == 0;
    _exit(same_text && inherited && held_file_count() == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Reads in pieces in a fork child go through an fd of its own: a file
// position shared with the parent would mix the two's pieces.
TEST(InputFile, AForkedChildStreamsThroughItsOwnFd) {
  Sysroot root = holding_live_root();
  auto stream = [&](std::string& text) {
    InputFile file(root, "/proc/sys/kernel/random/boot_id", InputFile::kHeldStreamed);
    char piece[16];
    ssize_t n;
    while ((n = file.read(piece, sizeof piece)) > 0) text.append(piece, size_t(n));
    return file.held() && n == 0;
  };
  std::string expected;
  ASSERT_TRUE(stream(expected));
  int parent_fd = held_fd_of("/proc/sys/kernel/random/boot_id");
  ASSERT_GE(parent_fd, 0);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    std::string text;
    bool held = stream(text);
    int fd = held_fd_of("/proc/sys/kernel/random/boot_id");
    // Held, once (the inherited copy closed), and not the parent's file description.
    bool own = fd >= 0 && syscall(SYS_kcmp, parent, getpid(), KCMP_FILE, parent_fd, fd) != 0;
    _exit(held && text == expected && own && held_file_count() == 1 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(held_fd_of("/proc/sys/kernel/random/boot_id"), parent_fd) << "the parent's fd is untouched";
}

TEST(InputFile, AReaderThatFindsItBusyOpensItsOwn) {
  Sysroot root = holding_live_root();
  InputFile outer(root, "/proc/swaps", InputFile::kHeldWhole);
  ASSERT_TRUE(outer.ok());
  EXPECT_TRUE(outer.held());
  // A signal handler, or another thread, reading the same file meanwhile.
  InputFile inner(root, "/proc/swaps", InputFile::kHeldWhole);
  ASSERT_TRUE(inner.ok());
  EXPECT_FALSE(inner.held());
  char a[4096], b[4096];
  ssize_t na = outer.read_all(a), nb = inner.read_all(b);
  ASSERT_GT(na, 0);
  EXPECT_EQ(std::string(a, size_t(na)), std::string(b, size_t(nb)));
}

TEST(InputFile, HoldsAtMostItsSlotsAndReadsTheRestAnyway) {
  Sysroot root = holding_live_root();
  const char* paths[] = {"/proc/devices",          "/proc/partitions",          "/proc/misc",
                         "/proc/sys/kernel/pid_max", "/proc/sys/kernel/osrelease", "/proc/sys/kernel/hostname",
                         "/proc/sys/vm/swappiness",  "/proc/sys/fs/file-max",      "/proc/sys/fs/nr_open",
                         "/proc/sys/kernel/threads-max"};
  for (const char* path : paths) EXPECT_NE(read_text(root, path), "<unreadable>") << path;
  EXPECT_LE(held_file_count(), kHeldFiles);
  EXPECT_GE(held_file_count(), kHeldFiles - 1) << "the slots were not used";
}

TEST(InputFile, NothingIsHeldUnderASysrootOrWhenOff) {
  Sysroot fixture = cgview_test::fixture_config("systemd-colon").root;
  fixture.hold_inputs = true;
  size_t before = held_file_count();
  EXPECT_NE(read_text(fixture, "/proc/meminfo"), "<unreadable>");
  Sysroot off;  // hold_inputs = false: the CLI's tests, CGVIEW_HOLD_FILES=0
  EXPECT_NE(read_text(off, "/proc/sys/kernel/ostype"), "<unreadable>");
  EXPECT_EQ(held_file_count(), before);
  EXPECT_EQ(held_fd_of("/proc/sys/kernel/ostype"), -1);
}

// Under an fd limit at or below the floor nothing can be held: each read
// opens its own fd, once, and leaves none behind.
TEST(InputFile, AnFdLimitBelowTheFloorHoldsNothing) {
  pid_t child = fork();
  if (child == 0) {
    struct rlimit low = {64, 64};
    if (setrlimit(RLIMIT_NOFILE, &low) != 0) _exit(2);
    Sysroot root = holding_live_root();
    std::string expected = read_text(Sysroot{}, "/proc/sys/kernel/ostype");
    bool ok = true;
    for (int i = 0; i < 100; ++i) ok &= read_text(root, "/proc/sys/kernel/ostype") == expected;
    int highest = -1;
    for (int fd = 0; fd < 64; ++fd)
      if (fcntl(fd, F_GETFD) >= 0) highest = fd;
    int probe = open("/dev/null", O_RDONLY);  // the next free fd: none leaked below it
    _exit(ok && held_file_count() == 0 && probe <= highest + 1 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "exit " << WEXITSTATUS(status);
}

TEST(InputFile, AMissingFileIsUnreadableAndHoldsNothing) {
  Sysroot root = holding_live_root();
  size_t before = held_file_count();
  EXPECT_EQ(read_text(root, "/proc/no-such-file"), "<unreadable>");
  EXPECT_EQ(held_file_count(), before);
}

}  // namespace
}  // namespace cgview
