/* cgview_spawn_fd_probe: what a program that another thread spawns inherits
 * while a served file is being opened. One thread opens and closes PATH in a
 * loop without O_CLOEXEC (or with fopen and MODE, such as "r,ccs=UTF-8",
 * whose wide stream is a reopen of the served content); the main thread
 * posix_spawns this probe SPAWNS times as "count", which lists its own fds.
 * Natively a child can inherit only the fds the program held before, and the
 * one its opener holds at that moment (the lowest free). The shim renders into a memfd that may
 * sit above an open input and move down at the end: were it inheritable
 * meanwhile, a child would hold an fd the program never had.
 * Prints spawned=N and odd=M (children holding any other fd).
 *
 * usage: cgview_spawn_fd_probe PATH SPAWNS [MODE] | cgview_spawn_fd_probe count FD,FD,... */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

extern char** environ;
static atomic_int stop;

/* Whether `fd` is in the comma-separated `list`. */
static int listed(const char* list, int fd) {
  for (const char* p = list; *p != '\0';) {
    if (atoi(p) == fd) return 1;
    p = strchr(p, ',');
    if (p == NULL) break;
    ++p;
  }
  return 0;
}

/* Exit status: 0 when every fd open here (but the listing's own) is in
 * `allowed`, else 1. */
static int only_allowed_fds(const char* allowed) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) return 2;
  int odd = 0;
  for (struct dirent* e; (e = readdir(dir)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd != dirfd(dir) && !listed(allowed, fd)) {
      /* Say which fd and file, for the test's message. */
      char link[64], target[256] = "?";
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t n = readlink(link, target, sizeof target - 1);
      if (n >= 0) target[n] = '\0';
      fprintf(stderr, "child holds fd %d (%s) beside the allowed %s\n", fd, target, allowed);
      odd = 1;
    }
  }
  closedir(dir);
  return odd;
}

/* This process's open fds, and the lowest free one (where the opener's file
 * lands), comma-separated into `out`. */
static void fds_a_child_may_hold(char* out, size_t size) {
  DIR* dir = opendir("/proc/self/fd");
  size_t used = 0;
  out[0] = '\0';
  if (dir == NULL) return;
  int lowest_free = 0;
  char open_now[4096] = "";
  for (struct dirent* e; (e = readdir(dir)) != NULL;) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(dir)) continue;
    used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s,", e->d_name);
    snprintf(open_now + strlen(open_now), sizeof open_now - strlen(open_now), "%s,", e->d_name);
  }
  closedir(dir);
  while (listed(open_now, lowest_free)) ++lowest_free;
  snprintf(out + used, used < size ? size - used : 0, "%d", lowest_free);
}

static const char* path_opened;
static const char* fopen_mode;  /* NULL: open(2) */

static void* open_in_a_loop(void* unused) {
  (void)unused;
  char byte;
  while (!atomic_load(&stop)) {
    if (fopen_mode != NULL) {
      FILE* stream = fopen(path_opened, fopen_mode);
      if (stream != NULL) {
        fgetwc(stream);
        fclose(stream);
      }
      continue;
    }
    int fd = open(path_opened, O_RDONLY);
    if (fd >= 0) {
      if (read(fd, &byte, 1) < 0) break;
      close(fd);
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "count") == 0) return only_allowed_fds(argv[2]);
  if (argc != 3 && argc != 4) return 2;
  path_opened = argv[1];
  fopen_mode = argc == 4 ? argv[3] : NULL;
  if (fopen_mode != NULL) {
    /* glibc opens its charset modules' cache without O_CLOEXEC at a process's first wide
     * stream (natively too: a spawn meanwhile inherits it): load it first, from a file
     * nothing serves, so that the children judge only the opens of PATH. */
    FILE* warm = fopen("/dev/null", fopen_mode);
    if (warm == NULL) return 2;
    fgetwc(warm);
    fclose(warm);
  }
  char allowed[8192];
  fds_a_child_may_hold(allowed, sizeof allowed);
  pthread_t opener;
  if (pthread_create(&opener, NULL, open_in_a_loop, NULL) != 0) return 2;
  int spawns = atoi(argv[2]), spawned = 0, odd = 0;
  char* child_argv[] = {argv[0], "count", allowed, NULL};
  for (int i = 0; i < spawns; ++i) {
    pid_t child;
    int status;
    if (posix_spawn(&child, argv[0], NULL, NULL, child_argv, environ) != 0) continue;
    if (waitpid(child, &status, 0) != child) continue;
    ++spawned;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++odd;
  }
  atomic_store(&stop, 1);
  pthread_join(opener, NULL);
  printf("spawned=%d\nodd=%d\n", spawned, odd);
  return 0;
}
