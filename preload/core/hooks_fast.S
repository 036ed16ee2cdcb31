/*
 * hooks_fast.S — malloc, free and the plain operator delete forms, in assembly: their common case in
 * sampled mode is a handful of instructions, and the compiler would add to them (a load of the caller's
 * return address on the path that does not use it, a separate compare after the subtraction, a byte
 * load then a test). Everything that is not the common case jumps to the C paths in fastpath.c with
 * the arguments as the C hooks would have passed them.
 *
 * malloc: ls_sample_until (initial-exec TLS) minus the size; still above zero, a tail jump to the real
 * malloc. Otherwise ls_malloc_slow(size, {return address, CFA}) with the word already lowered by the
 * size (the protocol of ls_malloc_from in core.h): exact mode (the word is 0), a thread's first
 * point, start-up, bootstrap, a sample; a size of 2^63 or more reaches it with the word untouched.
 * free and delete: the block's byte in the sample filter; zero, a tail jump to the real free;
 * otherwise ls_free_slow(p). The hash is ls_sample_bucket's (core.h).
 */
#include "core/hooks_fast.h"
#include <cet.h>   /* built with -fcf-protection: the IBT/SHSTK property note, and endbr64 at each entry */

    .text

    .p2align 4
    .globl  malloc
    .type   malloc, @function
malloc:
    .cfi_startproc
    _CET_ENDBR
    testq   %rdi, %rdi          /* 2^63 bytes or more: no allocator serves it, and subtracted as a */
    js      1f                  /* signed number it would raise the countdown: the slow path, untouched */
    movq    ls_sample_until@gottpoff(%rip), %rax
    subq    %rdi, %fs:(%rax)
    jle     1f
    jmp     *(ls_real + LS_REAL_MALLOC)(%rip)
1:  movq    (%rsp), %rsi
    leaq    8(%rsp), %rdx
    jmp     ls_malloc_slow
    .cfi_endproc
    .size   malloc, .-malloc

    .p2align 4
    .globl  free
    .type   free, @function
free:
    .cfi_startproc
    _CET_ENDBR
    imull   $LS_FILTER_MUL, %edi, %eax
    shrl    $(32 - LS_FILTER_BITS), %eax
    leaq    ls_sample_filter(%rip), %rdx
    cmpb    $0, (%rdx,%rax)
    jne     1f
    jmp     *(ls_real + LS_REAL_FREE)(%rip)
1:  jmp     ls_free_slow
    .cfi_endproc
/* operator delete in every form is the same code: the size, alignment and nothrow arguments change
 * nothing here. Each name gets free's size, so that symbolizers name the addresses inside it. */
#define DELETE(sym) .globl sym; .type sym, @function; .set sym, free; .size sym, .-free
    .size   free, .-free
    DELETE(_ZdlPv)
    DELETE(_ZdaPv)
    DELETE(_ZdlPvm)
    DELETE(_ZdaPvm)
    DELETE(_ZdlPvRKSt9nothrow_t)
    DELETE(_ZdaPvRKSt9nothrow_t)
    DELETE(_ZdlPvSt11align_val_t)
    DELETE(_ZdaPvSt11align_val_t)
    DELETE(_ZdlPvmSt11align_val_t)
    DELETE(_ZdaPvmSt11align_val_t)
    DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t)
    DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t)

    .section .note.GNU-stack,"",@progbits
