/*
 * odd_names.c — stamps whose names hold the report format's separators and escapes (TAB, newline,
 * carriage return, backslash) and non-ASCII bytes, each event leaking 24 bytes from leak24: the
 * writer/reader round trip must give back every name exactly.
 * usage: odd_names EVENTS
 */
#include <stdlib.h>
#include <leakstamp.h>

__attribute__((noinline)) static void leak24(void) { if (!malloc(24)) abort(); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 5;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("ev\tent\\n \"1\"");
        leak24();
        leakstamp_stamp("line\nbreak\r\\t é");
    }
    leakstamp_stamp("ev\tent\\n \"1\"");
    return 0;
}
