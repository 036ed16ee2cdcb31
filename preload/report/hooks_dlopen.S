/*
 * hooks_dlopen.S — dlopen as a tail jump, so the real dlopen sees the job's return address (it uses it
 * to pick the caller's search path and namespace). Marks the module table stale first; see hooks_dl.c.
 * RTLD_DEEPBIND is taken out of the flags (hooks_dl.c warns once): a library bound deep would call the
 * real allocator directly, and its frees, unseen, would show up as leaks.
 */
#include <cet.h>   /* built with -fcf-protection: the IBT/SHSTK property note */

#define RTLD_DEEPBIND 0x8

    .text
    .globl  dlopen
    .type   dlopen, @function
dlopen:
    .cfi_startproc
    _CET_ENDBR
    movl    $1, ls_modules_stale(%rip)
    testl   $RTLD_DEEPBIND, %esi
    jnz     2f
    movq    ls_real_dlopen(%rip), %rax
    testq   %rax, %rax
    jz      1f
    jmp     *%rax
2:  /* RTLD_DEEPBIND: drop it, warn through the slow path */
    andl    $~RTLD_DEEPBIND, %esi
    movl    $1, %eax
    jmp     3f
1:  /* not resolved yet (a constructor that ran before ours) */
    xorl    %eax, %eax
3:  /* call ls_dlopen_slow(deepbind), keeping the arguments; returns the real dlopen */
    pushq   %rdi
    .cfi_adjust_cfa_offset 8
    pushq   %rsi
    .cfi_adjust_cfa_offset 8
    subq    $8, %rsp
    .cfi_adjust_cfa_offset 8
    movl    %eax, %edi
    call    ls_dlopen_slow
    addq    $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq    %rsi
    .cfi_adjust_cfa_offset -8
    popq    %rdi
    .cfi_adjust_cfa_offset -8
    jmp     *%rax
    .cfi_endproc
    .size   dlopen, .-dlopen

    .section .note.GNU-stack,"",@progbits
