#!/usr/bin/env python3
"""Writes the T=1 scenario vectors t1-*.txt (ISO/IEC 7816-3 §11.6, annex-style exchanges).

Each file is read by T1ScenarioTest: `config` sets IFSC, error detection code and NAD; `ifsd N`
negotiates IFSD; `apdu ...` starts an exchange whose blocks follow as `>> ` (interface device to card,
`>> [xN]` when the answer is awaited for N times BWT after S(WTX)) and `<< ` (card to interface
device; `<< timeout` for BWT exceeded, `<< parity` for a parity error); `response ...` or
`error T1Exception` ends it. Blocks are written out with their checksum; the symbolic name follows '#'.
Run: python3 make-t1-vectors.py  (rewrites the files in this directory).
"""
import os

def crc(b):
    v = 0xFFFF
    for x in b:
        v ^= x
        for _ in range(8):
            v = (v >> 1) ^ 0x8408 if v & 1 else v >> 1
    return [v >> 8, v & 0xFF]

def lrc(b):
    x = 0
    for v in b:
        x ^= v
    return [x]

class Card:
    def __init__(self, edc='LRC', nad=0):
        self.edc, self.nad = edc, nad
    def block(self, pcb, inf=b'', nad=None):
        b = [self.nad if nad is None else nad, pcb, len(inf)] + list(inf)
        return b + (crc(b) if self.edc == 'CRC' else lrc(b))

def hx(b):
    return ' '.join('%02X' % x for x in b)

def I(ns, inf, more=False):
    return (ns << 6) | (0x20 if more else 0), bytes(inf), 'I(%d%s)' % (ns, ',M' if more else '')
def R(nr, err=0):
    return 0x80 | (nr << 4) | err, b'', 'R(%d)%s' % (nr, {0: '', 1: ' EDC error', 2: ' other error'}[err])
def S(kind, resp, val=None):
    code = {'RESYNCH': 0, 'IFS': 1, 'ABORT': 2, 'WTX': 3}[kind]
    inf = b'' if val is None else bytes([val])
    return 0xC0 | (0x20 if resp else 0) | code, inf, 'S(%s %s)%s' % (kind, 'response' if resp else 'request', '' if val is None else ' %02X' % val)

class Scenario:
    def __init__(self, name, title, rules, ifsc=32, edc='LRC', nad=0, card_nad=None):
        self.name, self.lines = name, []
        self.ifd, self.card = Card(edc, nad), Card(edc, nad if card_nad is None else card_nad)
        self.lines += ['# ' + title, '# ' + rules, 'config ifsc=%d edc=%s nad=%02X' % (ifsc, edc, nad)]
    def comment(self, text):
        self.lines.append('# ' + text)
    def ifsd(self, n):
        self.lines.append('ifsd %d' % n)
    def apdu(self, b):
        self.lines.append('apdu ' + hx(b))
    def out(self, blk, wtx=None, note=''):
        pcb, inf, name = blk
        self.lines.append('>> %s%-48s # %s%s' % ('[x%d] ' % wtx if wtx else '', hx(self.ifd.block(pcb, inf)), name, note))
    def inn(self, blk, note='', corrupt=False):
        pcb, inf, name = blk
        b = self.card.block(pcb, inf)
        if corrupt:
            b[-1] ^= 0x55
            note = ' with a wrong ' + ('CRC' if self.card.edc == 'CRC' else 'LRC') + note
        self.lines.append('<< %-48s # %s%s' % (hx(b), name, note))
    def raw_in(self, what, note):
        self.lines.append('<< %-48s # %s' % (what, note))
    def response(self, b):
        self.lines.append('response ' + hx(b))
    def error(self):
        self.lines.append('error T1Exception')
    def write(self, d):
        with open(os.path.join(d, self.name + '.txt'), 'w') as f:
            f.write('\n'.join(self.lines) + '\n')

SELECT = bytes.fromhex('00A4040008A000000003000000')
OK = bytes.fromhex('9000')
scenarios = []
def sc(*a, **k):
    s = Scenario(*a, **k)
    scenarios.append(s)
    return s

s = sc('t1-01-ifsd-negotiation', 'IFSD announced at start, then one I-block exchange each way',
       'rules 1, 4 (S(IFS request) by the interface device), 2')
s.ifsd(254); s.out(S('IFS', False, 254)); s.inn(S('IFS', True, 254))
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-02-sequence-numbers', 'Sequence numbers alternate across APDUs on both sides', 'rule 2')
for i in range(3):
    cmd = bytes([0x80, 0x10 + i, 0, 0]); rsp = bytes([i, 0x90, 0])
    s.apdu(cmd); s.out(I(i % 2, cmd)); s.inn(I(i % 2, rsp)); s.response(rsp)

s = sc('t1-03-chaining-by-interface-device', 'Command longer than IFSC = 5 sent as a chain, each link acknowledged by R(N(R))',
       'rule 5; §11.3.2.2 M bit', ifsc=5)
s.apdu(SELECT)
s.out(I(0, SELECT[0:5], True)); s.inn(R(1))
s.out(I(1, SELECT[5:10], True)); s.inn(R(0))
s.out(I(0, SELECT[10:])); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-04-chaining-by-card', 'Response longer than the card sends in one block, chained by the card and acknowledged by R(N(R))',
       'rule 5')
rsp = bytes(range(0x40, 0x40 + 20)) + OK
s.apdu(bytes.fromhex('00B0000014')); s.out(I(0, bytes.fromhex('00B0000014')))
s.inn(I(0, rsp[0:8], True)); s.out(R(1))
s.inn(I(1, rsp[8:16], True)); s.out(R(0))
s.inn(I(0, rsp[16:])); s.response(rsp)

s = sc('t1-05-waiting-time-extension', 'Card asks twice for more time; each answer is awaited for BWT times the multiplier', 'rule 3')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(S('WTX', False, 2)); s.out(S('WTX', True, 2), wtx=2)
s.inn(S('WTX', False, 5)); s.out(S('WTX', True, 5), wtx=5); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-06-ifs-request-by-card', 'Card lowers IFSC from 5 to 3 in the middle of the chain; the following links are shorter',
       'rule 4 (S(IFS request) by the card), rule 5', ifsc=5)
s.apdu(SELECT); s.out(I(0, SELECT[0:5], True)); s.inn(S('IFS', False, 3)); s.out(S('IFS', True, 3)); s.inn(R(1))
s.out(I(1, SELECT[5:8], True)); s.inn(R(0)); s.out(I(0, SELECT[8:11], True)); s.inn(R(1))
s.out(I(1, SELECT[11:])); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-07-edc-error-in-card-block', 'The card\'s answer has a wrong LRC; the interface device asks for it again', 'rule 7.1')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, OK), corrupt=True); s.out(R(0, 1)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-08-bwt-exceeded', 'No answer within BWT (block lost); R-block with "other error", the card sends its block again',
       'rule 7.1')
s.apdu(SELECT); s.out(I(0, SELECT)); s.raw_in('timeout', 'nothing within BWT'); s.out(R(0, 2)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-09-parity-error', 'Card\'s block arrives with a parity error (reader bError XFR_PARITY_ERROR)', 'rule 7.1')
s.apdu(SELECT); s.out(I(0, SELECT)); s.raw_in('parity', 'parity error'); s.out(R(0, 1)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-10-card-asks-for-retransmission', 'The card got the I-block garbled and asks for it again with R(N(R) = N(S))',
       'rules 7.1, 7.2 (card side): the interface device retransmits the I-block')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(R(0, 1)); s.out(I(0, SELECT)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-11-error-during-ifd-chain', 'Garbled acknowledgement of a link of the interface device\'s chain',
       'rule 7.1: R(N(R)) with the error; the card repeats its R-block; rule 5 goes on', ifsc=5)
s.apdu(SELECT); s.out(I(0, SELECT[0:5], True)); s.inn(R(1), corrupt=True); s.out(R(0, 1)); s.inn(R(1))
s.out(I(1, SELECT[5:10], True)); s.inn(R(0)); s.out(I(0, SELECT[10:])); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-12-error-during-card-chain', 'A link of the card\'s chain arrives garbled and is asked for again', 'rules 5, 7.1, 7.2')
rsp = bytes(range(1, 13)) + OK
s.apdu(bytes.fromhex('00B000000C')); s.out(I(0, bytes.fromhex('00B000000C')))
s.inn(I(0, rsp[0:7], True)); s.out(R(1)); s.inn(I(1, rsp[7:], True), corrupt=True); s.out(R(1, 1))
s.inn(I(1, rsp[7:])); s.response(rsp)

s = sc('t1-13-acknowledgement-lost-in-card-chain', 'The card got the R-block acknowledging its link garbled and says so; the interface device sends it again',
       'rule 7.2')
rsp = bytes(range(1, 13)) + OK
s.apdu(bytes.fromhex('00B000000C')); s.out(I(0, bytes.fromhex('00B000000C')))
s.inn(I(0, rsp[0:7], True)); s.out(R(1)); s.inn(R(1, 1)); s.out(R(1)); s.inn(I(1, rsp[7:])); s.response(rsp)

s = sc('t1-14-r-block-lost', 'The interface device\'s R-block asking for the card\'s answer is garbled; the card acknowledges the I-block it got and the R-block is sent again',
       'rules 7.1, 7.2')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, OK), corrupt=True); s.out(R(0, 1)); s.inn(R(1, 1)); s.out(R(0, 1))
s.inn(I(0, OK)); s.response(OK)

s = sc('t1-15-wrong-sequence-number', 'The card answers with the wrong N(S); the block is invalid and asked for again', 'rule 7.1')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(1, OK), note=' (N(S) should be 0)'); s.out(R(0, 2)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-16-wtx-then-error', 'After S(WTX response) the card\'s block is garbled: an R-block, not the S(WTX response) again', 'rules 3, 7.1')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(S('WTX', False, 3)); s.out(S('WTX', True, 3), wtx=3); s.inn(I(0, OK), corrupt=True)
s.out(R(0, 1)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-17-s-request-repeated', 'S(IFS request) answered by a garbled block and then by nothing; the request is sent again each time',
       'rule 7.3')
s.ifsd(200); s.out(S('IFS', False, 200)); s.inn(S('IFS', True, 200), corrupt=True); s.out(S('IFS', False, 200))
s.raw_in('timeout', 'nothing within BWT'); s.out(S('IFS', False, 200)); s.inn(S('IFS', True, 200))
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-18-resynch', 'Three invalid answers in a row: S(RESYNCH request), sequence numbers back to 0, IFSD announced again, the APDU sent again',
       'rules 7.4.1, 6')
s.ifsd(254); s.out(S('IFS', False, 254)); s.inn(S('IFS', True, 254))
s.apdu(b'\x80\x01\x00\x00'); s.out(I(0, b'\x80\x01\x00\x00')); s.inn(I(0, OK)); s.response(OK)
s.apdu(SELECT); s.out(I(1, SELECT)); s.inn(I(1, OK), corrupt=True); s.out(R(1, 1)); s.raw_in('timeout', 'nothing within BWT')
s.out(R(1, 2)); s.inn(I(1, OK), corrupt=True)
s.out(S('RESYNCH', False)); s.inn(S('RESYNCH', True))
s.out(S('IFS', False, 254)); s.inn(S('IFS', True, 254))
s.out(I(0, SELECT)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-19-resynch-unanswered', 'Three invalid answers, then three S(RESYNCH request)s unanswered: the card needs a reset',
       'rules 7.4.1, 7.4.3')
s.apdu(SELECT); s.out(I(0, SELECT))
for _ in range(2):
    s.raw_in('timeout', 'nothing within BWT'); s.out(R(0, 2))
s.raw_in('timeout', 'nothing within BWT')
for _ in range(3):
    s.out(S('RESYNCH', False)); s.raw_in('timeout', 'nothing within BWT')
s.error()

s = sc('t1-20-retry-budget-spent', 'RESYNCH works but the exchange fails again each time: after three resynchronisations the exchange fails',
       'rule 7.4.1, bound of the interface device')
s.apdu(SELECT)
for round_ in range(4):
    s.out(I(0, SELECT))
    for _ in range(2):
        s.inn(I(0, OK), corrupt=True); s.out(R(0, 1))
    s.inn(I(0, OK), corrupt=True)
    if round_ < 3:
        s.out(S('RESYNCH', False)); s.inn(S('RESYNCH', True))
s.error()

s = sc('t1-21-abort-by-card', 'The card aborts its chain with S(ABORT request); the interface device answers and the exchange fails',
       'rule 9')
s.apdu(bytes.fromhex('00B000000C')); s.out(I(0, bytes.fromhex('00B000000C'))); s.inn(I(0, bytes(range(1, 8)), True))
s.out(R(1)); s.inn(S('ABORT', False)); s.out(S('ABORT', True)); s.inn(R(0)); s.error()

s = sc('t1-22-crc', 'Error detection by CRC (first TC for T=1 = 01): chaining both ways and a CRC error',
       '§11.4.4; rules 5, 7.1', ifsc=8, edc='CRC')
rsp = bytes(range(0x20, 0x2A)) + OK
s.apdu(SELECT); s.out(I(0, SELECT[0:8], True)); s.inn(R(1)); s.out(I(1, SELECT[8:]))
s.inn(I(0, rsp[0:6], True), corrupt=True); s.out(R(0, 1)); s.inn(I(0, rsp[0:6], True)); s.out(R(1)); s.inn(I(1, rsp[6:]))
s.response(rsp)

s = sc('t1-23-nad', 'Node addresses: the interface device sends NAD 21 (DAD 2, SAD 1), the card answers with NAD 12',
       '§11.3.2.1', nad=0x21, card_nad=0x12)
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-24-ifs-request-while-waiting', 'The card sends S(IFS request) instead of its answer; after the response it answers', 'rule 4')
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(S('IFS', False, 0xFE)); s.out(S('IFS', True, 0xFE)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-25-block-longer-than-ifsd', 'A card I-block longer than IFSD (32) is invalid', 'rule 7.1; §11.4.2')
big = bytes(33)
s.apdu(SELECT); s.out(I(0, SELECT)); s.inn(I(0, big), note=' (33 bytes > IFSD)'); s.out(R(0, 2)); s.inn(I(0, OK)); s.response(OK)

s = sc('t1-26-empty-apdu-data-extended', 'Extended APDU (Lc = 300) with IFSC 254: two links', 'rule 5', ifsc=254)
ext = bytes([0x00, 0xD6, 0x00, 0x00, 0x00, 0x01, 0x2C]) + bytes((i & 0xFF) for i in range(300))
s.apdu(ext); s.out(I(0, ext[0:254], True)); s.inn(R(1)); s.out(I(1, ext[254:])); s.inn(I(0, OK)); s.response(OK)

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    for s in scenarios:
        s.write(here)
    print('wrote', len(scenarios), 'scenarios')
