/* A library that asks on its program's behalf: sysinfo, and /proc/cpuinfo by
   name. A program that only calls it must still be listed as asking both. */
#include <stdio.h>
#include <sys/sysinfo.h>

long doctor_ask_memory(void) {
  struct sysinfo info;
  if (sysinfo(&info) != 0) return -1;
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (f != NULL) fclose(f);
  return (long)info.totalram;
}
