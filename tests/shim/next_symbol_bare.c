/* A library for next_symbol_test with no symbol versions at all (linked without libc, so
   not even a version table): its definitions answer a lookup at any version. */
int next_bare_answer(void) { return 6; }

/* The GNU-hash library defines this name as an indirect function, before this one:
   next_symbol answers nothing for it rather than this later, plain definition. */
int next_indirect_gnu(void) { return 7; }
