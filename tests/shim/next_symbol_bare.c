/* A library for next_symbol_test with no symbol versions at all (linked without libc, so
   not even a version table): its definitions answer a lookup at any version. */
int next_bare_answer(void) { return 6; }
