/* Save-and-restore of affinity under the shim, checked against the kernel.
   Every "kernel_*" value is read past the shim: the sched_getaffinity
   system call made by the probe itself (kernel_affinity.h), and /proc/<pid>/status through raw openat/read. Prints
   key=value lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_affinity.h"

#if CGVIEW_OLD_AFFINITY_ABI
/* The GLIBC_2.3.3 ABI, on the ports that have it: no size argument, a 128-byte mask. */
int sched_setaffinity_old(pid_t pid, const cpu_set_t* mask);
__asm__(".symver sched_setaffinity_old,sched_setaffinity@GLIBC_2.3.3");
int pthread_attr_setaffinity_old(pthread_attr_t* attr, const cpu_set_t* mask);
__asm__(".symver pthread_attr_setaffinity_old,pthread_attr_setaffinity_np@GLIBC_2.3.3");
#endif

static void print_list(const char* key, const cpu_set_t* set) {
  printf("%s=", key);
  int first = 1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, set)) continue;
    printf(first ? "%d" : ",%d", cpu);
    first = 0;
  }
  printf("\n");
}

static void print_kernel_mask(const char* key, pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  kernel_getaffinity(tid, sizeof set, &set);
  print_list(key, &set);
}

/* A line of a status file, read past the shim (raw) or through it (fopen). */
static void print_status_line(const char* key, const char* path, const char* name, int raw) {
  static char buf[16384];
  size_t n = 0;
  if (raw) {
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      long got;
      while (n < sizeof buf - 1 && (got = syscall(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)got;
      syscall(SYS_close, fd);
    }
  } else {
    FILE* f = fopen(path, "r");
    if (f != NULL) {
      n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
    }
  }
  buf[n] = '\0';
  const char* line = strstr(buf, name);
  const char* value = line != NULL ? line + strlen(name) + strspn(line + strlen(name), "\t ") : "";
  printf("%s=%.*s\n", key, (int)strcspn(value, "\n"), value);
}

static cpu_set_t shown;

static void* thread_body(void* arg) {
  (void)arg;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  char path[64];
  /* Pin this thread to the last CPU of the view: it must really go there.
     With a one-CPU view that call is the same as restoring the view (the
     real mask is kept), so the thread then pins to a CPU outside the view
     instead, which passes through as any other mask does. */
  int last = -1, outside = -1;
  cpu_set_t real;
  CPU_ZERO(&real);
  kernel_getaffinity(tid, sizeof real, &real);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &shown)) last = cpu;
    else if (CPU_ISSET(cpu, &real) && outside < 0) outside = cpu;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(CPU_COUNT(&shown) > 1 || outside < 0 ? last : outside, &one);
  print_list("pin", &one);
  printf("pin_rc=%d\n", sched_setaffinity(0, sizeof one, &one));
  print_kernel_mask("kernel_pinned", tid);
  cpu_set_t seen;
  sched_getaffinity(0, sizeof seen, &seen);
  print_list("pinned_view", &seen);
  snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)getpid(), (int)tid);
  print_status_line("pinned_task_status", path, "Cpus_allowed_list:", 0);
  print_status_line("pinned_thread_self_status", "/proc/thread-self/status", "Cpus_allowed_list:", 0);
  /* Save and restore the thread's own view: stays pinned where it is. */
  printf("pinned_restore_rc=%d\n", pthread_setaffinity_np(pthread_self(), sizeof seen, &seen));
  print_kernel_mask("kernel_pinned_after_restore", tid);
  /* "Reset" to the process's view: the thread gets the process's real mask. */
  printf("unpin_rc=%d\n", sched_setaffinity(0, sizeof shown, &shown));
  print_kernel_mask("kernel_unpinned", tid);
  return NULL;
}

/* A thread started with attributes: the mask the kernel gave it. */
static void* print_start_mask(void* key) {
  print_kernel_mask((const char*)key, (pid_t)syscall(SYS_gettid));
  return NULL;
}

static void start_thread_with_mask(const char* key, pthread_attr_t* attr) {
  pthread_t thread;
  if (pthread_create(&thread, attr, print_start_mask, (void*)key) == 0) pthread_join(thread, NULL);
}

/* A new thread given the shown mask in its attributes (a pool copying the
   creating thread's mask) starts with the real one; the attributes read back
   as set; a running thread's attributes (glibc fills them with its real
   mask) read as its shown mask; attributes with no mask answer every bit. */
static void attribute_masks(void) {
  pthread_attr_t attr;
  cpu_set_t back;
  pthread_attr_init(&attr);
  printf("attr_set_rc=%d\n", pthread_attr_setaffinity_np(&attr, sizeof shown, &shown));
  CPU_ZERO(&back);
  printf("attr_get_rc=%d\n", pthread_attr_getaffinity_np(&attr, sizeof back, &back));
  print_list("attr_get", &back);
  start_thread_with_mask("kernel_attr_thread", &attr);
  pthread_attr_destroy(&attr);
#if CGVIEW_OLD_AFFINITY_ABI
  pthread_attr_init(&attr);
  printf("attr_set_old_rc=%d\n", pthread_attr_setaffinity_old(&attr, &shown));
  start_thread_with_mask("kernel_attr_old_thread", &attr);
  pthread_attr_destroy(&attr);
#endif
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    CPU_ZERO(&back);
    printf("getattr_self_rc=%d\n", pthread_attr_getaffinity_np(&attr, sizeof back, &back));
    print_list("getattr_self", &back);
    pthread_attr_destroy(&attr);
  }
  pthread_attr_init(&attr);
  CPU_ZERO(&back);
  pthread_attr_getaffinity_np(&attr, sizeof back, &back);
  printf("unset_attr_count=%d\n", CPU_COUNT(&back));
  pthread_attr_destroy(&attr);
}

/* A size larger than the kernel's own mask (its cpumask_size(), the bytes
   sched_getaffinity returns): the kernel reads only its own bytes, so a shown
   mask followed by other bytes, or by an unreadable page, is the shown mask.
   Both through libc's setter and through syscall(). */
static void past_the_kernels_bytes(pid_t pid) {
  cpu_set_t shown_here;
  long bytes = kernel_getaffinity(pid, sizeof shown_here, &shown_here);
  if (sched_getaffinity(0, sizeof shown_here, &shown_here) != 0 || bytes <= 0) return;
  long page = sysconf(_SC_PAGESIZE);
  unsigned char* pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) return;
  unsigned char* before_guard = pages + page - bytes;
  memcpy(before_guard, &shown_here, bytes);
  mprotect(pages + page, page, PROT_NONE);
  printf("past_guard_rc=%d\n", sched_setaffinity(0, 1024, (cpu_set_t*)before_guard));
  print_kernel_mask("kernel_after_past_guard", pid);
  printf("past_guard_syscall_rc=%ld\n", syscall(SYS_sched_setaffinity, 0, 1024, before_guard));
  print_kernel_mask("kernel_after_past_guard_syscall", pid);
  munmap(pages, 2 * page);
  if (bytes < (long)sizeof(cpu_set_t)) {
    unsigned char followed[sizeof(cpu_set_t)];
    memset(followed, 0x5a, sizeof followed);
    memcpy(followed, &shown_here, bytes);
    printf("past_other_bytes_rc=%d\n", sched_setaffinity(0, sizeof followed, (cpu_set_t*)followed));
    print_kernel_mask("kernel_after_past_other_bytes", pid);
  }
}

/* The kernel reads a system call's number from the low 32 bits of its
   register on x86-64 since Linux 5.14 and on arm64 (16 on s390x); on ppc64,
   and on x86-64 before 5.14, all 64: a number with higher bits set is the
   same call, or none (ENOSYS). The shim must take it as the kernel does. */
static void high_bit_numbers(pid_t pid) {
#if defined(__LP64__)
#if defined(__s390x__)
  const long high = 1L << 16;
#else
  const long high = 1L << 32;
#endif
  cpu_set_t mask, shown, real;
  CPU_ZERO(&mask);
  CPU_ZERO(&shown);
  CPU_ZERO(&real);
  sched_getaffinity(0, sizeof shown, &shown);
  kernel_getaffinity(0, sizeof real, &real);
  long rc = syscall(high | SYS_sched_getaffinity, 0, sizeof mask, &mask);
  printf("syscall_high_get=%s\n", rc > 0 ? "positive" : errno == ENOSYS ? "ENOSYS" : "other");
  if (rc > 0) print_list("syscall_high_shown", &mask);
  /* What it was shown, set back; a success leaves errno as it was. */
  errno = 12345;
  rc = syscall(high | SYS_sched_setaffinity, 0, sizeof shown, &shown);
  printf("syscall_high_restore=%s\n", rc == 0 ? "0" : errno == ENOSYS ? "ENOSYS" : "other");
  if (rc == 0) printf("syscall_high_restore_errno=%d\n", errno);
  print_kernel_mask("kernel_after_syscall_high_restore", pid);
  /* Whatever that did (an emulator may read the number otherwise), the probe
     goes on with the mask it had. */
  kernel_setaffinity(0, sizeof real, &real);
#else
  (void)pid;
#endif
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  pid_t pid = getpid();
  char status[64];
  snprintf(status, sizeof status, "/proc/%d/status", (int)pid);
  print_kernel_mask("kernel_before", pid);
  if (sched_getaffinity(0, sizeof shown, &shown) != 0) return 1;
  print_list("shown", &shown);
  print_status_line("status_list", "/proc/self/status", "Cpus_allowed_list:", 0);
  print_status_line("status_pid_list", status, "Cpus_allowed_list:", 0);
  print_status_line("status_mask", "/proc/self/status", "Cpus_allowed:", 0);

  printf("restore_rc=%d\n", sched_setaffinity(0, sizeof shown, &shown));
  print_kernel_mask("kernel_after_restore", pid);
  print_status_line("kernel_status_after_restore", status, "Cpus_allowed_list:", 1);
  printf("restore_pid_rc=%d\n", sched_setaffinity(pid, sizeof shown, &shown));
#if CGVIEW_OLD_AFFINITY_ABI
  printf("restore_old_rc=%d\n", sched_setaffinity_old(0, &shown));
  print_kernel_mask("kernel_after_restore_old", pid);
#endif
  cpu_set_t seen;
  pthread_getaffinity_np(pthread_self(), sizeof seen, &seen);
  printf("pthread_restore_rc=%d\n", pthread_setaffinity_np(pthread_self(), sizeof seen, &seen));
  print_kernel_mask("kernel_after_pthread_restore", pid);
  /* The same through libc's syscall(), as LLVM's OpenMP runtime does: what it
     reads is the view, and setting that back keeps the real mask. */
  cpu_set_t by_syscall;
  CPU_ZERO(&by_syscall);
  printf("syscall_get_rc_positive=%d\n", syscall(SYS_sched_getaffinity, 0, sizeof by_syscall, &by_syscall) > 0);
  print_list("syscall_shown", &by_syscall);
  printf("syscall_restore_rc=%ld\n", syscall(SYS_sched_setaffinity, 0, sizeof by_syscall, &by_syscall));
  print_kernel_mask("kernel_after_syscall_restore", pid);
  high_bit_numbers(pid);

  past_the_kernels_bytes(pid);

  pthread_t thread;
  if (pthread_create(&thread, NULL, thread_body, NULL) != 0) return 1;
  pthread_join(thread, NULL);
  attribute_masks();

  /* Another process given the mask this one was shown (a pool handing its
     mask to a worker) gets this one's real mask, as without the shim. */
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  /* Only this process's threads are narrowed: the child's mask, asked by
     its pid, is the kernel's. */
  cpu_set_t child_seen;
  CPU_ZERO(&child_seen);
  printf("child_get_rc=%d\n", sched_getaffinity(child, sizeof child_seen, &child_seen));
  print_list("child_seen", &child_seen);
  printf("child_rc=%d\n", sched_setaffinity(child, sizeof shown, &shown));
  print_kernel_mask("kernel_child", child);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);

  /* A mask outside the view passes through unchanged: the first CPU of the
     real mask that the view leaves out (none when the view is everything). */
  cpu_set_t real, outside;
  CPU_ZERO(&real);
  kernel_getaffinity(pid, sizeof real, &real);
  CPU_ZERO(&outside);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &real) && !CPU_ISSET(cpu, &shown)) {
      CPU_SET(cpu, &outside);
      break;
    }
  if (CPU_COUNT(&outside) > 0) {
    print_list("outside", &outside);
    printf("outside_rc=%d\n", sched_setaffinity(0, sizeof outside, &outside));
    print_kernel_mask("kernel_outside", pid);
    kernel_setaffinity(pid, sizeof real, &real);
    pthread_attr_t attr;
    cpu_set_t back;
    pthread_attr_init(&attr);
    pthread_attr_setaffinity_np(&attr, sizeof outside, &outside);
    CPU_ZERO(&back);
    pthread_attr_getaffinity_np(&attr, sizeof back, &back);
    print_list("attr_outside_get", &back);
    start_thread_with_mask("kernel_attr_outside_thread", &attr);
    pthread_attr_destroy(&attr);
  }
  return 0;
}
