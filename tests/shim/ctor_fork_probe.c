/* cgview_ctor_fork_probe LIBRARY: a library's constructor forks inside
 * dlopen (ld.so's load lock held) while the main thread makes the process's
 * first hooked call, whose lookup of the real functions waits for that lock.
 * The fork must not wait for the lookup. Prints "finished". */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

atomic_int cgview_in_constructor; /* set by the library's constructor */

static void* load(void* library) {
  if (dlopen((const char*)library, RTLD_NOW) == NULL) fprintf(stderr, "dlopen: %s\n", dlerror());
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  pthread_t thread;
  if (pthread_create(&thread, NULL, load, argv[1]) != 0) return 2;
  while (!atomic_load(&cgview_in_constructor)) usleep(100);
  usleep(20000);
  FILE* first = fopen("/etc/hostname", "r"); /* the first hooked call */
  if (first != NULL) fclose(first);
  pthread_join(thread, NULL);
  puts("finished");
  return 0;
}
