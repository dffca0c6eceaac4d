/* An empty library, preloaded by scripts/bench's process-start floor row:
 * what loading any LD_PRELOAD library costs a process start (opening and
 * mapping it, one more object in every symbol lookup), whatever it holds. */
int cgview_bench_empty_preload;
