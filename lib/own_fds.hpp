// The library's own short-lived fds, and what a fork child does with copies
// of them.
//
// To answer a call the library opens files of its own for a few
// microseconds: the cgroup's and /proc's inputs, directories it lists, the
// memory file it renders into. A fork() by another thread meanwhile copies
// them into the child, where no thread will ever close them (natively
// sysinfo opens no fd at all). The shim's fork() closes them in the child
// (shim/fork_hook.cpp). It cannot learn which they are from memory: the
// kernel copies a process's fds before its memory, and other threads go on
// opening and closing meanwhile, so a table of fds could name a number that
// is the program's in the child. So each fd says itself what it is:
// - the library opens every file it only reads, for the length of a call,
//   with kOwnReadMark beside O_RDONLY | O_CLOEXEC: flags that mean something
//   only to writes, so they change no read, and that no program opens a file
//   only to read with (a held input, which stays open on purpose, has its
//   mark taken off);
// - the memory file is a memfd named kMemfdName, unsealed while the library
//   writes it (every one a program is given is sealed first), or a scratch
//   file with kOwnScratchMark where there are no memfds.
// Counters tell the child whether such a search is needed at all (almost
// never) and whether the forking thread was itself inside a call (a fork
// from a signal handler): then its own fds are in use and nothing is closed.
// A rewind's reopen, which becomes the program's fd's file, is noted
// (rewind_starting): a note made before the kernel copies the fds is always
// in the child's memory.
#pragma once

#include <fcntl.h>

#include <cstdint>

namespace cgview {

inline constexpr int kOwnReadMark = O_APPEND | O_DSYNC;
inline constexpr int kOwnScratchMark = O_APPEND | O_NOATIME;
inline constexpr char kMemfdName[] = "cgview";

// Which of the library's marks an fd's status flags (F_GETFL) bear; the
// library's fds are all close-on-exec too. A program may set the same
// flags: the fork child also checks what the fd names.
enum class OwnMark { kNone, kRead, kScratch };
OwnMark own_mark(long status_flags);

// Called before each open of a short-lived fd of the library's, and after
// its close (or after the open failed, or once the fd stops being the
// library's: held, or handed to the program). The child looks at every fd
// it has (a fork between an open and any noting of its number would find
// the number unnoted).
void own_fd_opening();
void own_fd_gone();

// The counts a fork reads right before the real fork.
struct OwnFdCounts {
  uint32_t started = 0, ended = 0;
};
OwnFdCounts own_fd_counts();

// In a fork child, given the parent's counts from right before the fork:
enum class CopiedOwnFds {
  kNone,    // no fd of the library's can have been open in the parent meanwhile
  kSweep,   // some may be, all of other threads': close every marked fd
  kInUse,   // this thread was itself inside a call: leave them
};
CopiedOwnFds copied_own_fds(const OwnFdCounts& before);
// After the sweep: the other threads' calls are not in the child.
void forget_other_threads_fds();

struct FileId;
inline constexpr int kRewindNotes = 128;
// A rewind of process `pid` about to reopen `file` (its fresh memory file)
// notes it before the reopen, and the reopen's number (`copy`, -1 where it
// failed) right after: a fork child between the two finds the note with no
// number yet, and closes any unmarked fd of `file` (the program's fd gets
// one only after the number is noted). Returns the note's index, or -1
// (none free: the last kRewindNotes are kept, and one without its number yet
// is never written over). The child's memory may be copied well after its
// fds, if the forking thread is held up meanwhile: a note is lost to it
// when the other threads make kRewindNotes more rewinds in between.
// rewind_under_way: the note at `index` (0 to kRewindNotes - 1) written by
// the process `parent`, for a fork child of it, which closes `copy` (-1: not
// known yet) only where it is still that file and the library's marked one
// of it is there too. Notes of other processes (a grandparent's, in a child
// of a process that did not look: its fds may have changed since) are not
// used.
int rewind_starting(const FileId& file, uint32_t pid);
void rewind_reopened(int note, long copy);
bool rewind_under_way(int index, uint32_t parent, int& copy, FileId& file);

// How many of the library's fork()s made this process (each child counts
// its own): a call that began in a parent and goes on in a child (forked by
// a signal handler that interrupted it) sees it change, and stops writing
// into the memory file it shares with the parent.
uint32_t forks_seen();
void count_fork_in_child();

}  // namespace cgview
