/* Helpers shared by the C probes (probe.c, stress_probe.c): report a failure,
 * read a whole fd, pick a value out of /proc/meminfo text. */
#ifndef CGVIEW_PROBE_IO_H
#define CGVIEW_PROBE_IO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int fail(const char* what) {
  printf("error=%s: %s\n", what, strerror(errno));
  return 1;
}

/* Reads a whole fd from its current offset into buf (NUL-terminated, truncated at cap). */
static inline size_t read_fd_all(int fd, char* buf, size_t cap) {
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)r;
  buf[n] = '\0';
  return n;
}

/* The kB value of "key:" in meminfo text; -1 when absent. */
static inline long meminfo_kb(const char* text, const char* key) {
  size_t klen = strlen(key);
  for (const char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') return atol(line + klen + 1);
  }
  return -1;
}

#endif
