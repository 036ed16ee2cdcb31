// oolplug_lib.cpp — liboolplug.so for slot_race.c: ools_plug starts with an instruction (lea) that a
// breakpoint cannot emulate, so it runs out of line from a slot page near the library.
asm(".text\n"
    ".globl ools_plug\n"
    ".type ools_plug, @function\n"
    "ools_plug:\n"
    "    leaq 1(%rdi), %rax\n"
    "    ret\n"
    ".size ools_plug, .-ools_plug\n");
