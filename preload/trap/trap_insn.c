/*
 * trap_insn.c — running the instruction that an int3 displaced, without ever putting it back.
 *
 * Putting the original byte back to single-step it would race with every other thread entering the
 * same function, so the first instruction runs elsewhere:
 *   - emulated on the interrupted context, for the instructions compilers put first: endbr64, nop,
 *     push %reg, mov %rsp,%rbp, sub $imm,%rsp (with its flags), ret (the loader's _dl_debug_state);
 *   - otherwise executed out of line: the instruction is copied into a slot of a scratch page near
 *     the code (within ±2 GiB, so a %rip-relative operand can be re-aimed), followed by an absolute
 *     jump back to the instruction after it, and the trap resumes the thread at the slot. Slot pages
 *     stay executable while new slots are written (below).
 * Control transfers (jumps, calls, returns other than a bare ret, loops) and encodings the small
 * length decoder below does not know (VEX/EVEX, most of the 0f map's rarities) are refused: the
 * function is then not stamped and the user is told why.
 */
#include "trap/trap.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { K_SKIP, K_PUSH, K_MOV_RSP_RBP, K_SUB_RSP, K_RET, K_OUT_OF_LINE };

/* ModRM register number (with REX) → ucontext register. */
static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

/* ---- a length decoder for the common general-purpose and SSE instructions ---- */

struct decoded {
    int len;
    int rip_disp_at;   /* offset of a %rip-relative disp32, or -1 */
    int control;       /* changes control flow */
};

/* ModRM (+SIB, displacement) at p; returns its length or -1. */
static int modrm_len(const uint8_t *p, int at, struct decoded *d)
{
    uint8_t m = p[0], mod = m >> 6, rm = m & 7;
    int n = 1;
    if (mod == 3)
        return n;
    if (rm == 4) {
        uint8_t sib = p[1];
        n++;
        if (mod == 0 && (sib & 7) == 5)
            n += 4;
    } else if (mod == 0 && rm == 5) {
        d->rip_disp_at = at + 1;
        n += 4;
    }
    if (mod == 1)
        n += 1;
    else if (mod == 2)
        n += 4;
    return n;
}

static int decode(const uint8_t *c, struct decoded *d)
{
    int i = 0, opsize16 = 0, rexw = 0;
    d->rip_disp_at = -1;
    d->control = 0;
    for (;; i++) {
        uint8_t b = c[i];
        if (b == 0x66)
            opsize16 = 1;
        else if (b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 ||
                 b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65)
            ;
        else
            break;
        if (i > 4)
            return -1;
    }
    if ((c[i] & 0xf0) == 0x40)
        rexw = (c[i++] >> 3) & 1;
    uint8_t op = c[i++];
    int imm = 0, modrm = 0;
    int z = opsize16 ? 2 : 4;   /* an "Iz" immediate */
    if (op == 0x0f) {
        uint8_t op2 = c[i++];
        if (op2 == 0x38) {
            i++;
            modrm = 1;
        } else if (op2 == 0x3a) {
            i++;
            modrm = 1, imm = 1;
        } else if ((op2 >= 0x80 && op2 <= 0x8f) || op2 == 0x05 || op2 == 0x0b || op2 == 0x34 || op2 == 0x35) {
            return -1;   /* jcc, syscall, ud2, sysenter */
        } else if (op2 == 0x70 || (op2 >= 0x71 && op2 <= 0x73) || op2 == 0xba || op2 == 0xc2 ||
                   op2 == 0xc4 || op2 == 0xc5 || op2 == 0xc6 || op2 == 0xa4 || op2 == 0xac) {
            modrm = 1, imm = 1;
        } else if ((op2 >= 0x10 && op2 <= 0x1f) || (op2 >= 0x28 && op2 <= 0x2f) || (op2 >= 0x40 && op2 <= 0x6f) ||
                   (op2 >= 0x74 && op2 <= 0x7f) || (op2 >= 0x90 && op2 <= 0x9f) || op2 == 0xa3 || op2 == 0xa5 ||
                   op2 == 0xab || op2 == 0xad || op2 == 0xaf || op2 == 0xb0 || op2 == 0xb1 || op2 == 0xb3 ||
                   (op2 >= 0xb6 && op2 <= 0xbf) || op2 == 0xc0 || op2 == 0xc1 || op2 == 0xc7 || op2 >= 0xd0) {
            modrm = 1;
        } else if (op2 == 0xa2 || op2 == 0x31 || (op2 >= 0xc8 && op2 <= 0xcf)) {
            ;   /* cpuid, rdtsc, bswap */
        } else {
            return -1;
        }
    } else if (op < 0x40) {
        uint8_t lo = op & 7;
        if (lo < 4)
            modrm = 1;
        else if (lo == 4)
            imm = 1;
        else if (lo == 5)
            imm = z;
        else
            return -1;   /* prefixes handled above, or invalid in 64-bit mode */
    } else if (op >= 0x50 && op <= 0x5f) {
        ;
    } else if (op == 0x63 || (op >= 0x84 && op <= 0x8f) || (op >= 0xd0 && op <= 0xd3) || op == 0xfe) {
        modrm = 1;
    } else if (op == 0x68) {
        imm = 4;
    } else if (op == 0x6a || op == 0xa8 || (op >= 0xb0 && op <= 0xb7)) {
        imm = 1;
    } else if (op == 0x69 || op == 0x81 || op == 0xc7) {
        modrm = 1, imm = z;
    } else if (op == 0x6b || op == 0x80 || op == 0x83 || op == 0xc0 || op == 0xc1 || op == 0xc6) {
        modrm = 1, imm = 1;
    } else if (op == 0xa9) {
        imm = z;
    } else if (op >= 0xb8 && op <= 0xbf) {
        imm = rexw ? 8 : z;
    } else if ((op >= 0x90 && op <= 0x99) || op == 0x9c || op == 0x9d || op == 0xc9 || op == 0xf8 ||
               op == 0xf9 || op == 0xfc || op == 0xfd) {
        ;
    } else if (op == 0xf6 || op == 0xf7) {
        modrm = 1;
        if (((c[i] >> 3) & 7) < 2)
            imm = op == 0xf6 ? 1 : z;
    } else if (op == 0xff) {
        uint8_t r = (c[i] >> 3) & 7;
        if (r >= 2 && r <= 5)
            return -1;   /* indirect call or jump */
        modrm = 1;
    } else {
        return -1;       /* jumps, calls, returns, int3, string ops, VEX/EVEX, ... */
    }
    if (modrm) {
        int n = modrm_len(c + i, i, d);
        if (n < 0)
            return -1;
        i += n;
    }
    i += imm;
    d->len = i;
    return i <= 15 ? 0 : -1;
}

/* ---- scratch pages for out-of-line copies ----
 * A published slot page never loses its execute permission: other threads may be running a slot on it
 * while a new one is written (a dlopen while armed functions run). Each page is one memfd mapped twice,
 * read-execute near the code and read-write anywhere; slots are written through the second view, and
 * the descriptor is closed at once (the mappings keep the memory). Where that is refused (no memfd, or a
 * policy that forbids executing it), each slot gets a fresh private page, filled while nobody can run
 * it and made read-execute before it is published; such a page is never written again. */

#define SLOT 32
#define PAGE 4096
struct scratch {
    uint8_t *base;    /* the executable view */
    uint8_t *write;   /* the writable view; NULL for a fresh page (one slot, never written again) */
    int used;
};
static struct scratch pages[256];
static int npages;
static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;

static int near(uintptr_t a, uintptr_t b)
{
    intptr_t d = (intptr_t)(a - b);
    return d > -(1l << 30) && d < (1l << 30);
}

/* An executable mapping (memfd view, or a fresh writable page) within 1 GiB of addr, or NULL. */
static void *map_near(uintptr_t addr, int fd, int prot)
{
    static const long tries[] = {-(64l << 20), 64l << 20, -(256l << 20), 256l << 20, -(768l << 20), 768l << 20};
    for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
        uintptr_t hint = ((addr + (uintptr_t)tries[t]) & ~(uintptr_t)(PAGE - 1));
        void *p = fd >= 0 ? mmap((void *)hint, PAGE, prot, MAP_SHARED, fd, 0)
                          : mmap((void *)hint, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            continue;
        if (near((uintptr_t)p, addr))
            return p;
        munmap(p, PAGE);
    }
    return NULL;
}

/* A new double-mapped page near addr; 0, or -1 when memfds cannot be used here. */
static int new_shared_page(uintptr_t addr, struct scratch *pg)
{
    int fd = memfd_create("leakstamp-slots", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    void *w = MAP_FAILED, *x = NULL;
    if (ftruncate(fd, PAGE) == 0)
        w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w != MAP_FAILED)
        x = map_near(addr, fd, PROT_READ | PROT_EXEC);
    close(fd);
    if (!x) {
        if (w != MAP_FAILED)
            munmap(w, PAGE);
        return -1;
    }
    *pg = (struct scratch){x, w, 0};
    return 0;
}

/* A slot within 1 GiB of addr (so any rip-relative target of the instruction stays in rel32 reach). */
static struct scratch *slot_near(uintptr_t addr, uint8_t **slot)
{
    for (int i = 0; i < npages; i++)
        if (pages[i].write && pages[i].used + SLOT <= PAGE && near((uintptr_t)pages[i].base, addr)) {
            *slot = pages[i].base + pages[i].used;
            return &pages[i];
        }
    if (npages == (int)(sizeof pages / sizeof pages[0]))
        return NULL;
    struct scratch *pg = &pages[npages];
    if (new_shared_page(addr, pg)) {
        void *p = map_near(addr, -1, PROT_READ | PROT_WRITE);
        if (!p)
            return NULL;
        *pg = (struct scratch){p, NULL, 0};
    }
    npages++;
    *slot = pg->base;
    return pg;
}

/* Writing a slot: through the writable view, or into the fresh page before it becomes executable. */
static int fill_slot(struct scratch *pg, uint8_t *slot, const uint8_t *code, const struct decoded *d, uintptr_t addr)
{
    uint8_t buf[SLOT];
    memcpy(buf, code, (size_t)d->len);
    if (d->rip_disp_at >= 0) {
        int32_t disp;
        memcpy(&disp, code + d->rip_disp_at, 4);
        intptr_t target = (intptr_t)addr + d->len + disp;
        intptr_t nd = target - ((intptr_t)slot + d->len);
        if (nd != (int32_t)nd)
            return -1;
        disp = (int32_t)nd;
        memcpy(buf + d->rip_disp_at, &disp, 4);
    }
    /* jmp *0(%rip); .quad addr+len */
    static const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
    memcpy(buf + d->len, jmp, 6);
    uint64_t back = addr + (uint64_t)d->len;
    memcpy(buf + d->len + 6, &back, 8);
    size_t n = (size_t)d->len + 14;
    if (pg->write) {
        memcpy(pg->write + (slot - pg->base), buf, n);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        pg->used += SLOT;
        return 0;
    }
    memcpy(slot, buf, n);
    pg->used = PAGE;
    return mprotect(pg->base, PAGE, PROT_READ | PROT_EXEC);
}

void ls_insn_fork_prepare(void) { pthread_mutex_lock(&scratch_lock); }
void ls_insn_fork_done(void) { pthread_mutex_unlock(&scratch_lock); }

int ls_insn_prepare(const uint8_t *c, struct ls_insn *in, char *why, size_t cap)
{
    memset(in, 0, sizeof *in);
    int rex = (c[0] & 0xf0) == 0x40 ? c[0] : 0;
    const uint8_t *o = c + (rex ? 1 : 0);
    if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && (c[3] == 0xfa || c[3] == 0xfb)) {
        in->kind = K_SKIP, in->len = 4;            /* endbr64 / endbr32 */
    } else if (c[0] == 0x90) {
        in->kind = K_SKIP, in->len = 1;
    } else if ((!rex || (rex & ~1) == 0x40) && o[0] >= 0x50 && o[0] <= 0x57) {
        in->kind = K_PUSH, in->reg = (uint8_t)((o[0] - 0x50) + ((rex & 1) ? 8 : 0)), in->len = rex ? 2 : 1;
    } else if (c[0] == 0x48 && ((c[1] == 0x89 && c[2] == 0xe5) || (c[1] == 0x8b && c[2] == 0xec))) {
        in->kind = K_MOV_RSP_RBP, in->len = 3;
    } else if (c[0] == 0x48 && c[1] == 0x83 && c[2] == 0xec) {
        in->kind = K_SUB_RSP, in->imm = (int8_t)c[3], in->len = 4;
    } else if (c[0] == 0x48 && c[1] == 0x81 && c[2] == 0xec) {
        int32_t v;
        memcpy(&v, c + 3, 4);
        in->kind = K_SUB_RSP, in->imm = v, in->len = 7;
    } else if (c[0] == 0xc3 || (c[0] == 0xf3 && c[1] == 0xc3)) {
        in->kind = K_RET, in->len = c[0] == 0xc3 ? 1 : 2;
    } else {
        struct decoded d;
        if (decode(c, &d)) {
            snprintf(why, cap, "its first instruction (%02x %02x %02x %02x) cannot be run out of line",
                     c[0], c[1], c[2], c[3]);
            return -1;
        }
        pthread_mutex_lock(&scratch_lock);
        uint8_t *slot = NULL;
        struct scratch *pg = slot_near((uintptr_t)c, &slot);
        int bad = !pg || fill_slot(pg, slot, c, &d, (uintptr_t)c);
        pthread_mutex_unlock(&scratch_lock);
        if (bad) {
            snprintf(why, cap, "no room for an out-of-line copy of its first instruction near it");
            return -1;
        }
        in->kind = K_OUT_OF_LINE, in->len = (uint8_t)d.len, in->slot = slot;
    }
    return 0;
}

void ls_insn_run(const struct ls_insn *in, uintptr_t addr, ucontext_t *uc)
{
    greg_t *g = uc->uc_mcontext.gregs;
    switch (in->kind) {
    case K_SKIP:
        g[REG_RIP] = (greg_t)(addr + in->len);
        break;
    case K_PUSH: {
        uint64_t v = (uint64_t)g[greg_of[in->reg]];
        g[REG_RSP] -= 8;
        memcpy((void *)(uintptr_t)g[REG_RSP], &v, 8);
        g[REG_RIP] = (greg_t)(addr + in->len);
        break;
    }
    case K_MOV_RSP_RBP:
        g[REG_RBP] = g[REG_RSP];
        g[REG_RIP] = (greg_t)(addr + in->len);
        break;
    case K_SUB_RSP: {
        /* The flags of the real subtraction, computed by doing it. */
        uint64_t v = (uint64_t)g[REG_RSP], fl;
        int64_t imm = in->imm;
        __asm__("sub %2, %0\n\tpushfq\n\tpop %1" : "+r"(v), "=r"(fl) : "r"(imm) : "cc");
        const uint64_t arith = 0x8d5;   /* CF PF AF ZF SF OF */
        g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~arith) | (fl & arith));
        g[REG_RSP] = (greg_t)v;
        g[REG_RIP] = (greg_t)(addr + in->len);
        break;
    }
    case K_RET: {
        uint64_t to;
        memcpy(&to, (void *)(uintptr_t)g[REG_RSP], 8);
        g[REG_RSP] += 8;
        g[REG_RIP] = (greg_t)to;
        break;
    }
    default:
        g[REG_RIP] = (greg_t)(uintptr_t)in->slot;
        break;
    }
}
