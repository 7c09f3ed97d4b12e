/* serve-rtt.c: SCardTransmit round trips through libpcsclite (no headers needed: the few declarations
 * are pcsc-lite's, LONG/DWORD = long/unsigned long on Linux). Usage: serve-rtt ROUNDS [AID_HEX]
 * Connects to the first reader with a card, sends jCardSim's CREATE APPLET (80 B8, for VSmartCard; its
 * answer is ignored), then times ROUNDS x SELECT AID after 200 warm-up rounds.
 * Prints: "serve-rtt: N round trips, median X us, p10 Y us, p90 Z us". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcsclite-min.h"

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    const char *aidhex = argc > 2 ? argv[2] : "F000000001";
    unsigned char aid[16]; int aidlen = (int)strlen(aidhex) / 2;
    for (int i = 0; i < aidlen; i++) sscanf(aidhex + 2 * i, "%2hhx", &aid[i]);
    SCARDCONTEXT ctx; LONG rv = SCardEstablishContext(2, NULL, NULL, &ctx);
    if (rv) { fprintf(stderr, "SCardEstablishContext: 0x%lX\n", rv); return 1; }
    char readers[4096]; DWORD len = sizeof readers;
    rv = SCardListReaders(ctx, NULL, readers, &len);
    if (rv) { fprintf(stderr, "SCardListReaders: 0x%lX\n", rv); return 1; }
    SCARDHANDLE h = 0; DWORD proto = 0; const char *name = NULL;
    for (const char *r = readers; *r; r += strlen(r) + 1) {
        if (SCardConnect(ctx, r, 2, 3, &h, &proto) == 0) { name = r; break; }
    }
    if (!name) { fprintf(stderr, "no reader with a card\n"); return 1; }
    SCARD_IO_REQUEST pci = { proto, sizeof(SCARD_IO_REQUEST) };
    unsigned char cmd[64], resp[300]; DWORD rlen;
    int n = 0;
    cmd[n++] = 0x80; cmd[n++] = 0xB8; cmd[n++] = 0; cmd[n++] = 0; cmd[n++] = (unsigned char)(aidlen + 2);
    cmd[n++] = (unsigned char)aidlen; memcpy(cmd + n, aid, aidlen); n += aidlen; cmd[n++] = 0;
    rlen = sizeof resp; SCardTransmit(h, &pci, cmd, n, NULL, resp, &rlen);
    n = 0; cmd[n++] = 0; cmd[n++] = 0xA4; cmd[n++] = 4; cmd[n++] = 0; cmd[n++] = (unsigned char)aidlen;
    memcpy(cmd + n, aid, aidlen); n += aidlen;
    double *us = malloc(sizeof(double) * rounds);
    for (int i = -200; i < rounds; i++) {
        struct timespec a, b; rlen = sizeof resp;
        clock_gettime(CLOCK_MONOTONIC, &a);
        rv = SCardTransmit(h, &pci, cmd, n, NULL, resp, &rlen);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (rv || rlen < 2 || resp[rlen - 2] != 0x90) {
            fprintf(stderr, "SELECT failed: rv 0x%lX, %lu bytes, SW %02X%02X\n", rv, rlen, rlen >= 2 ? resp[rlen - 2] : 0,
                    rlen >= 2 ? resp[rlen - 1] : 0);
            return 1;
        }
        if (i >= 0) us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    qsort(us, rounds, sizeof(double), cmp);
    printf("serve-rtt: reader \"%s\" protocol %lu, %d round trips, median %.1f us, p10 %.1f us, p90 %.1f us\n", name,
           proto, rounds, us[rounds / 2], us[rounds / 10], us[rounds * 9 / 10]);
    SCardDisconnect(h, 0);
    SCardReleaseContext(ctx);
    return 0;
}
