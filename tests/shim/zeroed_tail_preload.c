/* A preload whose zero-initialised data is far larger than a page: ld.so maps
 * the tail of its image anonymously. The mapping test runs it to show that the
 * probe sees such a tail (what libcgview.so must not have). */
char cgview_zeroed_tail[64 * 1024];

char* cgview_zeroed_tail_address(void) { return cgview_zeroed_tail; }
