/* cgview_warning_probe: many threads make their first cgview call at the same
 * moment, each with errno set to its own value beforehand; then a fork child
 * asks again. warning_test.cpp runs it preloaded with malformed CGVIEW_*
 * variables and counts the warning lines on stderr.
 *
 * usage: cgview_warning_probe THREADS
 * prints: answered=THREADS (threads whose sysconf gave a count),
 *         errno_kept=THREADS (threads whose errno survived every call),
 *         child_ok=1, cpus=sysconf(_SC_NPROCESSORS_ONLN) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t start;
static int answered, errno_kept;

static void* ask(void* arg) {
  int mine = 1000 + (int)(long)arg; /* no real errno is this large */
  pthread_barrier_wait(&start);
  errno = mine;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  int kept = errno == mine;
  get_nprocs();
  struct sysinfo si;
  sysinfo(&si);
  kept = kept && errno == mine;
  if (n > 0) __atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED);
  if (kept) __atomic_add_fetch(&errno_kept, 1, __ATOMIC_RELAXED);
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 32;
  if (threads < 1 || threads > 1024) return 2;
  pthread_t ids[1024];
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  for (int i = 0; i < threads; ++i)
    if (pthread_create(&ids[i], NULL, ask, (void*)(long)i) != 0) return 3;
  for (int i = 0; i < threads; ++i) pthread_join(ids[i], NULL);
  fflush(stdout);
  /* The child is the same process image: it has warned already. */
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd >= 0) close(fd);
    _exit(sysconf(_SC_NPROCESSORS_ONLN) > 0 ? 0 : 1);
  }
  int status = 0;
  int child_ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  printf("answered=%d\nerrno_kept=%d\nchild_ok=%d\ncpus=%ld\n", answered, errno_kept, child_ok,
         sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}
