// Keeping the shim's own fds out of fork children.
//
// A served open, sysinfo, a refresh of the view, an fstat of a served fd hold
// files of their own open for some microseconds. A fork() made by another
// thread meanwhile copied them into the child, where no thread would ever
// close them: a child listed fds its program never opened (natively sysinfo
// opens none, and an open's new fd exists only from the instant it returns).
//
// Each such stretch is a section. The shim's fork() waits, before it calls
// the real one (and so before any atfork handler), until no other thread is
// in a section; a section that would start during a fork waits for the fork
// to copy the process, however long that takes, unless after 2 ms the fork's
// thread is asleep (in an atfork handler of the program's, perhaps waiting
// for a lock the section's thread holds): then it goes on uncounted. A thread is known
// by pthread_self in a table mapped by the first section (no thread-local
// storage: it would be allocated with every thread of every program); up to
// 64 threads are in sections at once, a 65th goes uncounted. Sections nest:
// a section inside its thread's own (a nested call, a signal handler that
// interrupted one, an atfork handler of the thread that forks) neither waits
// nor counts, and a fork never waits for its own thread.
//
// A fork's wait is bounded too: where a section never ends (its thread left
// it by siglongjmp) the fork gives up after a quarter of a second without a
// section ending, and forks no longer wait in that process, as before the
// guard existed: a child may then hold a copy of an fd, never a lost fork. A
// process made by _Fork or a raw clone system call has a copy of the table
// that names its parent's threads: its first fork frees the slots that did
// not change in 20 ms.
//
// A section holds no lock. It may allocate (fdopen): a fork waits for it
// before any atfork handler runs, and so before an allocator takes its locks
// for the fork.
#pragma once

#include <sys/types.h>

namespace cgview::shim {

class OwnFdsSection {
 public:
  OwnFdsSection();
  ~OwnFdsSection();
  OwnFdsSection(const OwnFdsSection&) = delete;
  OwnFdsSection& operator=(const OwnFdsSection&) = delete;

 private:
  void* slot_ = nullptr;  // this thread's, counted, where this is its outermost section
};

// fork() as `real_fork` makes it, once no other thread is in a section.
pid_t fork_between_sections(pid_t (*real_fork)());

}  // namespace cgview::shim
