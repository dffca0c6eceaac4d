// Keeping the shim's own fds out of fork children.
//
// A served open, sysinfo, a refresh of the view, an fstat of a served fd hold
// files of their own open for some microseconds. A fork() made by another
// thread meanwhile copied them into the child, where no thread would ever
// close them: a child listed fds its program never opened (natively sysinfo
// opens none, and an open's new fd exists only from the instant it returns).
//
// Each such stretch is a section. A fork waits, in its atfork prepare
// handler, until no section is under way; a section that would start during
// a fork waits until the fork has copied the process. Sections nest (only a
// thread's outermost one counts) and a signal handler's section inside its
// thread's own counts with it, so a fork made in a handler waits only for the
// other threads. A thread is known by pthread_self, in a table mapped by the
// first section (up to 64 threads in sections at once; a 65th goes
// unguarded). Waiting is bounded: where a section never ends (its thread
// left it by siglongjmp) or a fork never returns to its handlers, the waiting
// side gives up after about a quarter of a second and the guard stays off in
// that process from then on, as before it existed: a child may then hold a
// copy of an fd, never a lost fork or a stalled open.
//
// A section holds no lock and calls no allocator: it must not call malloc
// (fdopen, a real fopen) or anything else an atfork handler registered after
// ours may have locked before ours runs.
#pragma once

namespace cgview::shim {

class OwnFdsSection {
 public:
  OwnFdsSection();
  ~OwnFdsSection();
  OwnFdsSection(const OwnFdsSection&) = delete;
  OwnFdsSection& operator=(const OwnFdsSection&) = delete;

 private:
  void* slot_ = nullptr;  // this thread's, where this is its outermost section
};

}  // namespace cgview::shim
