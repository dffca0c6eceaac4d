/* A library for next_symbol_test: built twice, with GNU and with SysV hash tables
   (NEXT_STYLE is gnu or sysv), each defining a versioned function, a plain one and an
   indirect one (next_symbol_lib.map gives the versions). */
#define NEXT_CAT2(a, b) a##b
#define NEXT_CAT(a, b) NEXT_CAT2(a, b)
#define NEXT_STR2(a) #a
#define NEXT_STR(a) NEXT_STR2(a)

int NEXT_CAT(answer_first_, NEXT_STYLE)(void) { return 1; }
int NEXT_CAT(answer_second_, NEXT_STYLE)(void) { return 2; }
__asm__(".symver answer_first_" NEXT_STR(NEXT_STYLE) ",next_answer_" NEXT_STR(NEXT_STYLE) "@NEXT_1");
__asm__(".symver answer_second_" NEXT_STR(NEXT_STYLE) ",next_answer_" NEXT_STR(NEXT_STYLE) "@@NEXT_2");

int NEXT_CAT(next_plain_, NEXT_STYLE)(void) { return 3; }

/* Matched by no version node's pattern: exported unversioned (version index 1, as the
   shim's own interposers are), which answers a lookup at any version. */
int NEXT_CAT(unversioned_answer_, NEXT_STYLE)(void) { return 5; }

static int indirect_answer(void) { return 4; }
static int (*resolve_indirect(void))(void) { return indirect_answer; }
int NEXT_CAT(next_indirect_, NEXT_STYLE)(void) __attribute__((ifunc("resolve_indirect")));

/* Referenced by the test so that the link keeps this library. */
int NEXT_CAT(next_link_, NEXT_STYLE)(void) { return 0; }
