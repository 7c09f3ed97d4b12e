/* vpcd-rtt.c: APDU round trips from a native libpcsclite client (no PC/SC headers needed: the few
 * declarations are below, with pcsc-lite's LP64 types).
 *
 *   vpcd-rtt READER-SUBSTRING ROUNDS WARMUP APDU [SETUP-APDU...]
 *
 * Waits up to 30 s for a reader whose name contains READER-SUBSTRING to hold a card, connects (shared,
 * T=0 or T=1), sends each SETUP-APDU once (answers printed, not checked: e.g. jCardSim's CREATE APPLET
 * fails when the applet exists already), then APDU WARMUP times untimed and ROUNDS times timed; every
 * timed answer must end in 90 00. Prints: "median_us p90_us min_us rounds". Exit 1 on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcsclite-min.h"

static int hex(const char *s, unsigned char *out, int max) {
    int n = 0;
    for (; s[0] && s[1] && n < max; s += 2) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1) return -1;
        out[n++] = (unsigned char) v;
    }
    return *s ? -1 : n;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: vpcd-rtt READER ROUNDS WARMUP APDU [SETUP...]\n"); return 2; }
    int rounds = atoi(argv[2]), warm = atoi(argv[3]);
    unsigned char cmd[300], resp[300];
    int n = hex(argv[4], cmd, sizeof cmd);
    if (n < 4 || rounds < 1) { fprintf(stderr, "bad APDU or ROUNDS\n"); return 2; }
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(2 /* SCARD_SCOPE_SYSTEM */, NULL, NULL, &ctx);
    if (rv) { fprintf(stderr, "SCardEstablishContext: 0x%lX\n", (unsigned long) rv); return 1; }
    SCARDHANDLE h = 0;
    DWORD proto = 0;
    for (int tries = 0; tries < 300 && !h; tries++) {
        char names[4096];
        DWORD len = sizeof names;
        if (SCardListReaders(ctx, NULL, names, &len) == 0) {
            for (char *p = names; *p; p += strlen(p) + 1) {
                if (strstr(p, argv[1]) && SCardConnect(ctx, p, 2 /* SHARED */, 3 /* T0|T1 */, &h, &proto) == 0) break;
                h = 0;
            }
        }
        if (!h) usleep(100000);
    }
    if (!h) { fprintf(stderr, "no card in a reader matching '%s' within 30 s\n", argv[1]); return 1; }
    SCARD_IO_REQUEST pci = { proto, sizeof(SCARD_IO_REQUEST) };
    for (int i = 5; i < argc; i++) {
        unsigned char s[300];
        int sn = hex(argv[i], s, sizeof s);
        DWORD rl = sizeof resp;
        if (sn < 4 || (rv = SCardTransmit(h, &pci, s, sn, NULL, resp, &rl))) {
            fprintf(stderr, "setup %s: 0x%lX\n", argv[i], (unsigned long) rv); return 1;
        }
        fprintf(stderr, "setup %s -> SW %02X%02X\n", argv[i], resp[rl - 2], resp[rl - 1]);
    }
    double *us = malloc(sizeof(double) * rounds);
    for (int i = -warm; i < rounds; i++) {
        struct timespec a, b;
        DWORD rl = sizeof resp;
        clock_gettime(CLOCK_MONOTONIC, &a);
        rv = SCardTransmit(h, &pci, cmd, n, NULL, resp, &rl);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (rv || rl < 2 || resp[rl - 2] != 0x90 || resp[rl - 1] != 0) {
            fprintf(stderr, "round %d: rv 0x%lX, SW %02X%02X\n", i, (unsigned long) rv, rl >= 2 ? resp[rl - 2] : 0,
                    rl >= 2 ? resp[rl - 1] : 0);
            return 1;
        }
        if (i >= 0) us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    qsort(us, rounds, sizeof(double), cmp);
    printf("%.1f %.1f %.1f %d\n", us[rounds / 2], us[rounds * 9 / 10], us[0], rounds);
    SCardDisconnect(h, 0);
    SCardReleaseContext(ctx);
    return 0;
}
