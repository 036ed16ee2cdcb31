// oolhot_lib.cpp — liboolhot.so for slot_race.c: ools_hot starts with an instruction (lea) that a
// breakpoint cannot emulate, so it runs out of line from a slot page near the library.
asm(".text\n"
    ".globl ools_hot\n"
    ".type ools_hot, @function\n"
    "ools_hot:\n"
    "    leaq 1(%rdi), %rax\n"
    "    ret\n"
    ".size ools_hot, .-ools_hot\n");
