/* A program that asks what cgview answers: the CPU count through sysconf and
   the memory through /proc/meminfo. Built dynamic, -static, and with musl. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  FILE* f = fopen("/proc/meminfo", "r");
  char line[128] = "";
  if (f != NULL) {
    if (fgets(line, sizeof line, f) == NULL) line[0] = '\0';
    fclose(f);
  }
  printf("cpus %ld\n%s", cpus, line);
  return 0;
}
