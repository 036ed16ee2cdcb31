/*
 * hooks_dlopen.S — dlopen as a tail jump, so the real dlopen sees the job's return address (it uses it
 * to pick the caller's search path and namespace). Marks the module table stale first; see hooks_dl.c.
 */
    .text
    .globl  dlopen
    .type   dlopen, @function
dlopen:
    .cfi_startproc
    endbr64
    movl    $1, ls_modules_stale(%rip)
    movq    ls_real_dlopen(%rip), %rax
    testq   %rax, %rax
    jz      1f
    jmp     *%rax
1:  /* not resolved yet (a constructor that ran before ours): resolve, keeping the arguments */
    pushq   %rdi
    .cfi_adjust_cfa_offset 8
    pushq   %rsi
    .cfi_adjust_cfa_offset 8
    subq    $8, %rsp
    .cfi_adjust_cfa_offset 8
    call    ls_resolve_dlopen
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
