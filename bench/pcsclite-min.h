/* pcsclite-min.h: the few libpcsclite declarations the bench clients use, so they build without the
 * PC/SC development headers (pcsc-lite's types on Linux LP64: LONG = long, DWORD = unsigned long). */
#ifndef PCSCLITE_MIN_H
#define PCSCLITE_MIN_H
typedef long LONG;
typedef unsigned long DWORD;
typedef LONG SCARDCONTEXT;
typedef LONG SCARDHANDLE;
typedef struct { DWORD dwProtocol; DWORD cbPciLength; } SCARD_IO_REQUEST;
LONG SCardEstablishContext(DWORD, const void *, const void *, SCARDCONTEXT *);
LONG SCardListReaders(SCARDCONTEXT, const char *, char *, DWORD *);
LONG SCardConnect(SCARDCONTEXT, const char *, DWORD, DWORD, SCARDHANDLE *, DWORD *);
LONG SCardTransmit(SCARDHANDLE, const SCARD_IO_REQUEST *, const unsigned char *, DWORD, SCARD_IO_REQUEST *,
                   unsigned char *, DWORD *);
LONG SCardDisconnect(SCARDHANDLE, DWORD);
LONG SCardReleaseContext(SCARDCONTEXT);
#endif
