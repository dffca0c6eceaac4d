/* A library between a program and libdoctor_ask.so, with an old-style
   DT_RPATH ($ORIGIN/../zz): ld.so searches it for the needs of the libraries
   it loads too, where they have no DT_RUNPATH. */
long doctor_ask_memory(void);

long doctor_middle(void) { return doctor_ask_memory(); }
