// InputFile on the live system: files read through a held fd are as fresh as
// a new open, and what a program does to its fds never makes a held read
// wrong. Each test uses its own /proc paths: the held slots are per process.
#include "input_file.hpp"

#include <fcntl.h>
#include <sched.h>
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
#include <atomic>
#include <string>
#include <thread>
#include <vector>

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

// Whether `fd` is open on `path` (its /proc/self/fd link names it).
bool names(int fd, const std::string& path) {
  char link[64], target[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  return n > 0 && std::string(target, size_t(n)) == path;
}

// The held fd of `path`: the fd at or above kHeldFdFloor open on it.
int held_fd_of(const std::string& path) {
  for (int fd = kHeldFdFloor; fd < 4096; ++fd)
    if (names(fd, path)) return fd;
  return -1;
}

int fds_naming(const std::string& path) {
  int count = 0;
  for (int fd = 0; fd < 4096; ++fd) count += names(fd, path);
  return count;
}

// In a fresh process with no address space left: the held-file table
// (mapped on first use, lib/lazy_zeroed.hpp) cannot be mapped, so the read
// opens its own fd, reads, closes it, and holds nothing. 0 when so.
int open_fd_count() {
  int count = 0;
  for (int fd = 0; fd < 4096; ++fd) count += fcntl(fd, F_GETFD) != -1;
  return count;
}

int read_held_with_no_address_space_left() {
  if (!cgview_test::forbid_new_mappings()) return 3;
  int fds_before = open_fd_count();
  char buf[4096];
  ssize_t n = read_input_file(holding_live_root(), "/proc/misc", buf);
  if (n <= 0) return 1;
  if (open_fd_count() != fds_before) return 2;  // an fd held after all
  return held_file_count() == 0 ? 0 : 4;
}

// Reads `path` in 16-byte pieces, as the LineReader does /proc/stat.
bool stream(const Sysroot& root, const char* path, std::string* text = nullptr) {
  InputFile file(root, path, InputFile::kHeldStreamed);
  char piece[16];
  ssize_t n;
  while ((n = file.read(piece, sizeof piece)) > 0)
    if (text != nullptr) text->append(piece, size_t(n));
  return file.ok() && n == 0;
}

int exit_code_of(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 100;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

// Runs `body` in a fork child, whose slot table starts as this process's.
int in_child(int (*body)()) {
  pid_t child = fork();
  if (child == 0) _exit(body());
  return exit_code_of(child);
}

// Runs a test body in a fork child. The held slots are per process and never
// given back, so every body starts from the empty table of this process,
// which holds nothing itself, whatever ran before (--gtest_repeat,
// --gtest_shuffle). The child prints its failures; its exit status carries
// them here.
template <typename Body>
void isolated(Body body) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    body();
    fflush(stdout);
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  EXPECT_EQ(exit_code_of(child), 0) << "the child's failures are printed above";
}

TEST(InputFile, AHeldReadIsAsFreshAsANewOpen) {
  isolated([] {
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
  });
}

TEST(InputFile, LeavesTheLowFdsToTheProgram) {
  isolated([] {
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
  });
}

TEST(InputFile, AHeldFdClosedBehindItsBackIsOpenedAgain) {
  isolated([] {
    Sysroot root = holding_live_root();
    std::string expected = read_text(Sysroot{}, "/proc/version");
    EXPECT_EQ(read_text(root, "/proc/version"), expected);
    int fd = held_fd_of("/proc/version");
    ASSERT_GE(fd, 0);
    close(fd);  // closefrom, close_range, syscall(SYS_close)
    EXPECT_EQ(read_text(root, "/proc/version"), expected);
    EXPECT_GE(held_fd_of("/proc/version"), kHeldFdFloor);
  });
}

TEST(InputFile, TheProgramsFileOverAHeldFdIsNeitherReadNorClosed) {
  isolated([] {
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
  });
}

// Whole-file reads (one pread) in a fork child go through the fd it
// inherited: no extra fd, and one generation of the file per pread.
TEST(InputFile, AForkedChildReadsAWholeFileThroughTheInheritedFd) {
  isolated([] {
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
  });
}

// Reads in pieces in a fork child do not go through the parent's fd (a file
// position shared with the parent would mix the two's pieces), and do not
// take its slot: the child opens the file for each read, as without holding.
TEST(InputFile, AForkedChildStreamsThroughAnFdOfItsOwn) {
  isolated([] {
    Sysroot root = holding_live_root();
    const char* path = "/proc/sys/kernel/random/boot_id";
    std::string expected;
    ASSERT_TRUE(stream(root, path, &expected));
    int parent_fd = held_fd_of(path);
    ASSERT_GE(parent_fd, 0);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
      InputFile file(root, path, InputFile::kHeldStreamed);
      std::string text;
      char piece[16];
      ssize_t n;
      while ((n = file.read(piece, sizeof piece)) > 0) text.append(piece, size_t(n));
      bool own = file.ok() && !file.held();
      // While the child streams, its fd is not the parent's file description.
      int fd = -1;
      for (int candidate = 0; candidate < 4096 && fd < 0; ++candidate)
        if (candidate != parent_fd && names(candidate, path)) fd = candidate;
      bool apart = fd >= 0 && syscall(SYS_kcmp, parent, getpid(), KCMP_FILE, parent_fd, fd) != 0;
      _exit(own && apart && n == 0 && text == expected && held_file_count() == 0 ? 0 : 1);
    }
    EXPECT_EQ(exit_code_of(child), 0);
    EXPECT_EQ(held_fd_of(path), parent_fd) << "the parent's fd is untouched";
  });
}

// A daemon's grandchild (fork, fork) that streams a file its grandparent
// holds keeps just the copy it inherited: nothing more is opened for good.
TEST(InputFile, ADaemonsGrandchildHoldsNoSecondFd) {
  EXPECT_EQ(in_child([] {
              Sysroot root = holding_live_root();
              const char* path = "/proc/sys/kernel/random/uuid";
              if (!stream(root, path)) return 2;
              pid_t child = fork();
              if (child == 0) {
                pid_t grandchild = fork();
                if (grandchild == 0) {
                  for (int i = 0; i < 3; ++i) stream(root, path);
                  _exit(fds_naming(path) == 1 ? 0 : 1);
                }
                _exit(exit_code_of(grandchild));
              }
              return exit_code_of(child);
            }),
            0);
}

// A vfork child shares the parent's memory, slot table included: a child that
// streams a held file before it execs must not leave the parent a second fd.
char g_vfork_stack[256 * 1024];
TEST(InputFile, AVforkChildThatStreamsCostsTheParentNoFd) {
  EXPECT_EQ(in_child([] {
              Sysroot root = holding_live_root();
              const char* path = "/proc/sys/kernel/random/uuid";
              if (!stream(root, path)) return 2;
              pid_t child = clone(
                  [](void*) -> int {
                    stream(holding_live_root(), "/proc/sys/kernel/random/uuid");
                    _exit(0);
                  },
                  g_vfork_stack + sizeof g_vfork_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, nullptr);
              if (exit_code_of(child) != 0) return 3;
              stream(root, path);
              return fds_naming(path) == 1 ? 0 : 1;
            }),
            0);
}

// A fork child that closed the inherited fd and got its own fd of the same
// file at that number (closefrom, open, dup2): the shim must neither close
// nor take it, though fstat shows the same file.
TEST(InputFile, AChildsOwnFdOfTheSameFileAtTheHeldNumberIsLeftAlone) {
  EXPECT_EQ(in_child([] {
              Sysroot root = holding_live_root();
              const char* path = "/proc/sys/kernel/random/uuid";
              if (!stream(root, path)) return 2;
              int held = held_fd_of(path);
              if (held < 0) return 3;
              pid_t child = fork();
              if (child == 0) {
                close(held);
                int mine = open(path, O_RDONLY);  // not O_CLOEXEC: the shim's all are
                dup2(mine, held);
                close(mine);
                stream(root, path);
                read_text(root, path);
                int flags = fcntl(held, F_GETFD);
                _exit(flags >= 0 && !(flags & FD_CLOEXEC) ? 0 : 1);
              }
              return exit_code_of(child);
            }),
            0);
}

// 64 threads making the first read of one path at once hold at most one fd
// for it, not one each (slots are never given back); the next read holds one.
// Not "exactly one" right after the race: two readers naming slots at once
// each give theirs up (claim_slot), so a race may end with none held. Under
// qemu-i386's slower threads one round of about 540 run there ended with a
// count other than one (the earlier form of this test did not say which).
TEST(InputFile, ThreadsRacingTheFirstReadHoldOneFd) {
  for (int run = 0; run < 20; ++run) {
    EXPECT_EQ(in_child([] {
                Sysroot root = holding_live_root();
                std::atomic<int> ready{0};
                std::vector<std::thread> threads;
                for (int i = 0; i < 64; ++i)
                  threads.emplace_back([&] {
                    ready.fetch_add(1);
                    while (ready.load() < 64) {
                    }
                    read_text(root, "/proc/loadavg");
                  });
                for (std::thread& t : threads) t.join();
                if (fds_naming("/proc/loadavg") > 1) return 1;
                read_text(root, "/proc/loadavg");
                return fds_naming("/proc/loadavg") == 1 ? 0 : 2;
              }),
              0)
        << "run " << run;
  }
}

// A file too large for the buffer is no read error: whatever errno the
// program left, the held fd stays held, and no fd piles up.
TEST(InputFile, AFileTooLargeKeepsItsOneFdWhateverErrnoSays) {
  EXPECT_EQ(in_child([] {
              Sysroot root = holding_live_root();
              char path[] = "/tmp/cgview-too-large-XXXXXX";
              int fd = mkstemp(path);
              std::string big(200, 'x');
              if (fd < 0 || write(fd, big.data(), big.size()) != ssize_t(big.size())) return 2;
              close(fd);
              bool too_large = true;
              for (int i = 0; i < 50; ++i) {
                char buf[64];
                errno = EBADF;  // the program's own last failure
                too_large &= read_input_file(root, path, buf) == -1;
              }
              int fds = fds_naming(path);
              unlink(path);
              return too_large && fds == 1 ? 0 : 1;
            }),
            0);
}

TEST(InputFile, AReaderThatFindsItBusyOpensItsOwn) {
  isolated([] {
    Sysroot root = holding_live_root();
    InputFile outer(root, "/proc/sys/kernel/ostype", InputFile::kHeldWhole);
    ASSERT_TRUE(outer.ok());
    EXPECT_TRUE(outer.held());
    // A signal handler, or another thread, reading the same file meanwhile.
    InputFile inner(root, "/proc/sys/kernel/ostype", InputFile::kHeldWhole);
    ASSERT_TRUE(inner.ok());
    EXPECT_FALSE(inner.held());
    char a[4096], b[4096];
    ssize_t na = outer.read_all(a), nb = inner.read_all(b);
    ASSERT_GT(na, 0);
    EXPECT_EQ(std::string(a, size_t(na)), std::string(b, size_t(nb)));
  });
}

TEST(InputFile, HoldsAtMostItsSlotsAndReadsTheRestAnyway) {
  isolated([] {
    Sysroot root = holding_live_root();
    const char* paths[] = {"/proc/devices",          "/proc/partitions",          "/proc/misc",
                           "/proc/sys/kernel/pid_max", "/proc/sys/kernel/osrelease", "/proc/sys/kernel/hostname",
                           "/proc/sys/vm/swappiness",  "/proc/sys/fs/file-max",      "/proc/sys/fs/nr_open",
                           "/proc/sys/kernel/threads-max"};
    for (const char* path : paths) EXPECT_NE(read_text(root, path), "<unreadable>") << path;
    EXPECT_LE(held_file_count(), kHeldFiles);
    EXPECT_GE(held_file_count(), kHeldFiles - 1) << "the slots were not used";
  });
}

TEST(InputFile, NothingIsHeldUnderASysrootOrWhenOff) {
  isolated([] {
    Sysroot fixture = cgview_test::fixture_config("systemd-colon").root;
    fixture.hold_inputs = true;
    size_t before = held_file_count();
    EXPECT_NE(read_text(fixture, "/proc/meminfo"), "<unreadable>");
    Sysroot off;  // hold_inputs = false: the CLI's tests, CGVIEW_HOLD_FILES=0
    EXPECT_NE(read_text(off, "/proc/sys/kernel/ostype"), "<unreadable>");
    EXPECT_EQ(held_file_count(), before);
    EXPECT_EQ(held_fd_of("/proc/sys/kernel/ostype"), -1);
  });
}

// Under an fd limit at or below the floor nothing can be held: each read
// opens its own fd, once, and leaves none behind.
TEST(InputFile, AnFdLimitBelowTheFloorHoldsNothing) {
  isolated([] {
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
  });
}

TEST(InputFile, AMissingFileIsUnreadableAndHoldsNothing) {
  isolated([] {
    Sysroot root = holding_live_root();
    size_t before = held_file_count();
    EXPECT_EQ(read_text(root, "/proc/no-such-file"), "<unreadable>");
    EXPECT_EQ(held_file_count(), before);
  });
}

// Run in a freshly executed test binary ("threadsafe" death tests re-run
// only this test), where no earlier test has mapped the held-file table.
TEST(InputFile, ReadsWithoutHoldingWhereNoMemoryCanBeMapped) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(_exit(read_held_with_no_address_space_left()), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace cgview
