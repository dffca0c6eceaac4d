/* syscall(), libc's generic system-call function, interposed for two numbers.

   LLVM's and Intel's OpenMP runtimes (libomp, libiomp5) and libnuma read and set
   the affinity mask with syscall(SYS_sched_getaffinity / SYS_sched_setaffinity)
   rather than libc's functions: without this they count the host's CPUs, and
   libomp aborts where it then finds fewer CPUs in /proc/cpuinfo than in its mask.
   Those two numbers go to syscall_hooks.cpp, with the arguments where a C
   function finds them: on these ports a variadic call passes its integer
   arguments exactly as a fixed one.

   Every other number (futex for Rust's locks, close for libuv, gettid, clone,
   vfork, ...) jumps on to the next definition, libc's, with every register and
   the stack as the caller left them: a jump, not a call, so the callee returns
   straight to the program, its sixth argument is where the caller put it, and a
   vfork or clone child finds no frame of ours to return through. The address is
   looked up on the first call (cgview_find_next_syscall, keeping the argument
   registers) and kept in cgview_next_syscall.

   cgview_forward_syscall is that forwarding half alone: syscall_hooks.cpp makes
   the real call through it (on ppc64el through a pointer instead: below). (The
   library's own reads of the real mask use the system-call instruction itself:
   lib/kernel_call.h.)

   The number is compared as the kernel reads it, on its low 32 bits (glibc's
   arm64 syscall() passes w0 alone); s390x's kernel reads the low 16, ppc64's
   all 64.

   Only on the ports built and tested here (x86-64, i386, arm64, s390x, ppc64el); elsewhere this
   file is empty and libc's syscall() is not interposed. Built with control-flow
   protection (-fcf-protection, -mbranch-protection), the entry carries its landing
   pad and the object its GNU property note, so the library keeps the marking. */
#include <sys/syscall.h>

#include "kernel_call.h"  /* CGVIEW_INTERPOSES_SYSCALL: the ports this is written for */
#if defined(__CET__)
#include <cet.h>  /* _CET_ENDBR, and the IBT/SHSTK property note */
#endif
#ifndef _CET_ENDBR
#define _CET_ENDBR
#endif

#if CGVIEW_INTERPOSES_SYSCALL

	.text
	.globl	syscall
	.type	syscall, %function
#if !defined(__powerpc64__)
	.globl	cgview_forward_syscall
	.hidden	cgview_forward_syscall
	.type	cgview_forward_syscall, %function
#endif
	.hidden	cgview_affinity_syscall
	.hidden	cgview_find_next_syscall
	.hidden	cgview_syscall_missing
	.hidden	cgview_next_syscall
#if defined(__powerpc64__)
	.hidden	cgview_syscall_from_this_library
#endif
	.p2align 4

#if defined(__x86_64__)
/* The number in %rdi, arguments in %rsi, %rdx, %rcx, %r8, %r9 and the stack; %al
   counts vector registers for a variadic callee. %r11 is free at a call. */
syscall:
	.cfi_startproc
	_CET_ENDBR
	cmpl	$SYS_sched_getaffinity, %edi
	je	cgview_affinity_syscall
	cmpl	$SYS_sched_setaffinity, %edi
	je	cgview_affinity_syscall
cgview_forward_syscall:
	_CET_ENDBR
	movq	cgview_next_syscall(%rip), %r11
	testq	%r11, %r11
	jz	1f
	jmpq	*%r11
1:	/* First call: find the next definition, keeping the argument registers
	   (seven pushes leave the stack 16-byte aligned for the call). */
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	pushq	%rsi
	.cfi_adjust_cfa_offset 8
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	pushq	%rcx
	.cfi_adjust_cfa_offset 8
	pushq	%r8
	.cfi_adjust_cfa_offset 8
	pushq	%r9
	.cfi_adjust_cfa_offset 8
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	call	cgview_find_next_syscall
	movq	%rax, %r11
	popq	%rax
	.cfi_adjust_cfa_offset -8
	popq	%r9
	.cfi_adjust_cfa_offset -8
	popq	%r8
	.cfi_adjust_cfa_offset -8
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rsi
	.cfi_adjust_cfa_offset -8
	popq	%rdi
	.cfi_adjust_cfa_offset -8
	testq	%r11, %r11
	jz	cgview_syscall_missing
	jmpq	*%r11
	.cfi_endproc

#elif defined(__i386__)
/* Every argument on the stack, the number at 4(%esp); %eax, %ecx and %edx are free. */
syscall:
	.cfi_startproc
	_CET_ENDBR
	movl	4(%esp), %eax
	cmpl	$SYS_sched_getaffinity, %eax
	je	cgview_affinity_syscall
	cmpl	$SYS_sched_setaffinity, %eax
	je	cgview_affinity_syscall
cgview_forward_syscall:
	_CET_ENDBR
	call	1f
	.cfi_adjust_cfa_offset 4
1:	popl	%ecx
	.cfi_adjust_cfa_offset -4
	addl	$_GLOBAL_OFFSET_TABLE_+[.-1b], %ecx
	movl	cgview_next_syscall@GOTOFF(%ecx), %ecx
	testl	%ecx, %ecx
	jz	2f
	jmp	*%ecx
2:	/* First call: the arguments are on the stack, untouched by the call
	   (12 bytes keep it 16-byte aligned there). */
	subl	$12, %esp
	.cfi_adjust_cfa_offset 12
	call	cgview_find_next_syscall
	addl	$12, %esp
	.cfi_adjust_cfa_offset -12
	testl	%eax, %eax
	jz	cgview_syscall_missing
	jmp	*%eax
	.cfi_endproc

#elif defined(__aarch64__)
/* The number in x0, arguments in x1-x6 (x7 kept too), the return address in x30;
   x16 is the register a veneer or PLT may use, and the one a BTI landing pad
   ("bti c", which libc's functions start with where built for it) accepts from br. */
syscall:
	.cfi_startproc
	hint	#34	/* bti c: a no-op on cores without BTI */
	cmp	w0, #SYS_sched_getaffinity
	b.ne	1f
	b	cgview_affinity_syscall
1:	cmp	w0, #SYS_sched_setaffinity
	b.ne	cgview_forward_syscall
	b	cgview_affinity_syscall
cgview_forward_syscall:
	adrp	x16, cgview_next_syscall
	ldr	x16, [x16, #:lo12:cgview_next_syscall]
	cbz	x16, 2f
	br	x16
2:	/* First call: find the next definition, keeping the argument registers. */
	stp	x29, x30, [sp, #-80]!
	.cfi_def_cfa_offset 80
	.cfi_offset x29, -80
	.cfi_offset x30, -72
	mov	x29, sp
	stp	x0, x1, [sp, #16]
	stp	x2, x3, [sp, #32]
	stp	x4, x5, [sp, #48]
	stp	x6, x7, [sp, #64]
	bl	cgview_find_next_syscall
	mov	x16, x0
	ldp	x0, x1, [sp, #16]
	ldp	x2, x3, [sp, #32]
	ldp	x4, x5, [sp, #48]
	ldp	x6, x7, [sp, #64]
	ldp	x29, x30, [sp], #80
	.cfi_restore x29
	.cfi_restore x30
	.cfi_def_cfa_offset 0
	cbnz	x16, 3f
	b	cgview_syscall_missing
3:	br	x16
	.cfi_endproc

#elif defined(__s390x__)
/* The number in %r2, arguments in %r3-%r6 and in the caller's frame (from
   160(%r15)), the return address in %r14; %r0 and %r1 are free. The caller's
   frame starts with a 160-byte save area that its callee may use. (jge is
   "jump long if equal".) */
syscall:
	.cfi_startproc
	llhr	%r1, %r2
	chi	%r1, SYS_sched_getaffinity
	jge	cgview_affinity_syscall
	chi	%r1, SYS_sched_setaffinity
	jge	cgview_affinity_syscall
cgview_forward_syscall:
	larl	%r1, cgview_next_syscall
	lg	%r1, 0(%r1)
	ltgr	%r1, %r1
	jz	1f
	br	%r1
1:	/* First call: find the next definition, keeping the argument registers
	   (%r2-%r6) in the save area, with %r7-%r15, and calling from a frame of
	   our own below it. */
	stmg	%r2, %r15, 16(%r15)
	.cfi_offset %r14, -48
	.cfi_offset %r15, -40
	lgr	%r1, %r15
	aghi	%r15, -160
	.cfi_adjust_cfa_offset 160
	stg	%r1, 0(%r15)	/* the back chain */
	brasl	%r14, cgview_find_next_syscall
	lgr	%r1, %r2
	lmg	%r2, %r15, 176(%r15)
	.cfi_adjust_cfa_offset -160
	.cfi_restore %r14
	.cfi_restore %r15
	ltgr	%r1, %r1
	jgz	cgview_syscall_missing
	br	%r1
	.cfi_endproc

#elif defined(__powerpc64__) && _CALL_ELF == 2
/* ELFv2 (ppc64el): the number in r3, arguments in r4-r9, the return address in
   LR; r0, r11, r12 and CTR are free. A caller through the PLT (the program's)
   puts the entry's address in r12, from which the global entry sets r2 to this
   library's TOC (cgview_next_syscall is found through it) and jumps into libc's
   syscall(), which sets its own from r12 in turn and returns to the program,
   whose PLT call restores its r2. A local caller (this library's own calls, where
   a packager's -Bsymbolic-functions binds them here) enters at the local entry
   and expects r2 kept: its calls go to a C function that calls the next
   syscall() through a pointer, which the compiler brackets with r2's save and
   restore. syscall_hooks.cpp makes its own calls so too (no cgview_forward_syscall
   here). The C functions are reached by an unconditional b. */
	.abiversion 2
syscall:
	.cfi_startproc
0:	addis	2, 12, .TOC.-0b@ha
	addi	2, 2, .TOC.-0b@l
	b	5f
	nop
	.localentry syscall, .-syscall
	cmpdi	3, SYS_sched_getaffinity
	bne	6f
	b	cgview_affinity_syscall
6:	cmpdi	3, SYS_sched_setaffinity
	bne	7f
	b	cgview_affinity_syscall
7:	b	cgview_syscall_from_this_library
5:	cmpdi	3, SYS_sched_getaffinity
	bne	1f
	b	cgview_affinity_syscall
1:	cmpdi	3, SYS_sched_setaffinity
	bne	2f
	b	cgview_affinity_syscall
2:	addis	12, 2, cgview_next_syscall@toc@ha
	ld	12, cgview_next_syscall@toc@l(12)
	cmpdi	12, 0
	beq	3f
	mtctr	12
	bctr
3:	/* First call: find the next definition, keeping the argument registers
	   (r3-r10) in a frame of our own; LR in the caller's frame, as the ABI has it. */
	mflr	0
	std	0, 16(1)
	stdu	1, -112(1)
	.cfi_def_cfa_offset 112
	.cfi_offset lr, 16
	std	3, 32(1)
	std	4, 40(1)
	std	5, 48(1)
	std	6, 56(1)
	std	7, 64(1)
	std	8, 72(1)
	std	9, 80(1)
	std	10, 88(1)
	bl	cgview_find_next_syscall
	nop
	mr	12, 3
	ld	3, 32(1)
	ld	4, 40(1)
	ld	5, 48(1)
	ld	6, 56(1)
	ld	7, 64(1)
	ld	8, 72(1)
	ld	9, 80(1)
	ld	10, 88(1)
	addi	1, 1, 112
	.cfi_def_cfa_offset 0
	ld	0, 16(1)
	mtlr	0
	.cfi_restore lr
	cmpdi	12, 0
	bne	4f
	b	cgview_syscall_missing
4:	mtctr	12
	bctr
	.cfi_endproc
#endif

	.size	syscall, .-syscall
#if !defined(__powerpc64__)
	.size	cgview_forward_syscall, .-cgview_forward_syscall
#endif

#endif

#if defined(__aarch64__) && defined(__ARM_FEATURE_BTI_DEFAULT)
/* GNU_PROPERTY_AARCH64_FEATURE_1_AND, BTI: the entry starts with "bti c", and
   everything else here is reached by direct branches. (Not PAC: the one frame
   here keeps the return address on the stack unsigned, for one call.) */
	.pushsection .note.gnu.property, "a"
	.balign	8
	.long	4
	.long	16
	.long	5	/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.long	0xc0000000
	.long	4
	.long	1
	.long	0
	.popsection
#endif

/* No executable stack: without this note the linker would ask for one for
   every program the library is preloaded into. */
	.section .note.GNU-stack,"",%progbits
