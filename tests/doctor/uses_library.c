/* Imports nothing cgview answers itself: its asks come from libdoctor_ask.so,
   found through DT_RUNPATH $ORIGIN/../lib (or ld.so.conf inside a --root). */
#include <stdio.h>

long doctor_ask_memory(void);

int main(void) {
  printf("%ld\n", doctor_ask_memory());
  return 0;
}
