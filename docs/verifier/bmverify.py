#!/usr/bin/env python3
"""An independent verifier of bianmin's signed formats, written from the
format pages alone (docs/ledger-format.md, docs/settlement-format.md,
docs/receipt-code.md, docs/postoffice.md), with nothing but the Python 3 standard library.

It runs every conformance vector the pages name and compares its verdict
with the expected one:

    python3 docs/verifier/bmverify.py

prints one line per vector and exits 1 if any verdict differs.
"""

import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import struct
import sys
import unicodedata
from decimal import Decimal

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# ---------------------------------------------------------------- Ed25519
# Pure Ed25519 verification (RFC 8032 §5.1.7), cofactorless, as
# docs/ledger-format.md §3 says: S < L, A decoded accepting non-canonical
# encodings, and the encoding of [S]B - [k]A equal to R byte for byte.

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = 2 * t1 * t2 * D % P
    Dd = 2 * z1 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _decode_point(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little") & ((1 << 255) - 1)
    sign = s[31] >> 7
    y %= P  # non-canonical y accepted
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = (P - x) % P  # x = 0 with the sign bit set is accepted
    return (x, y, 1, x * y % P)


def _encode_point(pt):
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


_BY = 4 * pow(5, P - 2, P) % P
_B = _decode_point(_BY.to_bytes(32, "little"))


def ed25519_verify(pub, msg, sig):
    if len(pub) != 32 or len(sig) != 64:
        return False
    a = _decode_point(pub)
    if a is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + pub + msg).digest(), "little") % L
    neg_a = ((P - a[0]) % P, a[1], a[2], (P - a[3]) % P)
    r = _add(_mul(s, _B), _mul(k, neg_a))
    return _encode_point(r) == sig[:32]


# ---------------------------------------------------------------- ledger
# docs/ledger-format.md §2, §3, §4, §9.

TAG = b"bianmin-ledger-v1\x00"
RE_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
RE_KIND = re.compile(r"[a-z][a-z_]{0,31}")
RE_ACCOUNT = re.compile(r"[a-z0-9][a-z0-9_-]*(:[a-z0-9][a-z0-9_-]*)*")
RE_COMMODITY = re.compile(r"[A-Z][A-Z0-9_-]{0,31}")
RE_CNY = re.compile(r"(0|[1-9][0-9]{0,15})\.[0-9]{2}")
RE_UNITS = re.compile(r"[1-9][0-9]{0,15}")


class Bad(Exception):
    """A failed check: kind (the verdict), seq (the entry, or 0), detail."""

    def __init__(self, kind, seq=0, detail=""):
        super().__init__(f"{kind} {seq} {detail}")
        self.kind, self.seq, self.detail = kind, seq, detail


def real_date(s):
    if not RE_DAY.fullmatch(s):
        return False
    y, m, d = int(s[:4]), int(s[5:7]), int(s[8:])
    if not 1 <= m <= 12:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return 1 <= d <= days


def _reject_constant(name):
    raise ValueError("not JSON: " + name)


def strict_json(b):
    if b[:3] == b"\xef\xbb\xbf":
        raise ValueError("BOM")
    return json.loads(b.decode("utf-8"), parse_constant=_reject_constant)


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("short")
        out = self.b[self.i:self.i + n]
        self.i += n
        return out

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def str(self, limit):
        n = self.u32()
        if n > limit:
            raise ValueError("too long")
        return self.take(n).decode("utf-8")


def decode_entry(body):
    """Decode canonical bytes; raise ValueError (decode) or Bad(unbalanced)."""
    r = Reader(body)
    if r.take(1) != b"\x01":
        raise ValueError("version")
    seq = struct.unpack(">Q", r.take(8))[0]
    ms = struct.unpack(">q", r.take(8))[0]
    e = {"seq": seq, "time_ms": ms}
    for name, limit in (("day", 128), ("terminal", 128), ("operator", 128), ("kind", 128), ("idem_key", 128)):
        e[name] = r.str(limit)
    n = r.u32()
    if n > 65536:
        raise ValueError("payload too long")
    e["payload"] = r.take(n)
    count = r.u32()
    if count > 64 or count == 1:
        raise ValueError("postings")
    posts = []
    for _ in range(count):
        acct = r.str(128)
        side = r.take(1)
        com = r.str(128)
        amt = r.str(32)
        if side not in (b"D", b"C"):
            raise ValueError("side")
        if not RE_ACCOUNT.fullmatch(acct) or not RE_COMMODITY.fullmatch(com):
            raise ValueError("account or commodity")
        if not (RE_CNY if com == "CNY" else RE_UNITS).fullmatch(amt) or Decimal(amt) <= 0:
            raise ValueError("amount")
        posts.append((acct, side.decode(), com, Decimal(amt)))
    if r.i != len(body):
        raise ValueError("trailing bytes")
    if not real_date(e["day"]) or not RE_ID.fullmatch(e["terminal"]) or not RE_ID.fullmatch(e["operator"]):
        raise ValueError("day, terminal or operator")
    if not RE_KIND.fullmatch(e["kind"]) or not 1 <= len(e["idem_key"].encode()) <= 128:
        raise ValueError("kind or idem_key")
    if e["payload"]:
        strict_json(e["payload"])
    e["postings"] = posts
    sums = {}
    for acct, side, com, amt in posts:
        sums[com] = sums.get(com, 0) + (amt if side == "D" else -amt)
    if any(v != 0 for v in sums.values()):
        raise Bad("unbalanced", seq, "debits differ from credits")
    return e


def chain_hash(prev, body):
    return hashlib.sha256(TAG + prev + body).digest()


def genesis_key(e):
    """The genesis checks of ledger-format §9 step 6 (as the station writes it)."""
    if e["kind"] != "genesis":
        raise ValueError("not genesis")
    p = strict_json(e["payload"]) if e["payload"] else None
    if not isinstance(p, dict):
        raise ValueError("payload not an object")
    for k in ("format", "terminal", "name", "zone", "cutoff", "public_key"):
        if k in p and p[k] is not None and not isinstance(p[k], str):
            raise ValueError(k)
    key = base64.b64decode(p.get("public_key") or "", validate=True)
    if len(key) != 32:
        raise ValueError("public_key")
    if p.get("terminal") != e["terminal"]:
        raise ValueError("terminal")
    return key


def verify_records(records, key, prev_seq=0, prev_hash=bytes(32)):
    """records: [(stored seq, record bytes)]. Returns decoded entries and the
    last (seq, hash); raises Bad with a ledger verdict."""
    expected, prev, entries = prev_seq + 1, prev_hash, []
    for stored, rec in records:
        if stored != expected:
            raise Bad("gap", expected)
        if len(rec) < 105:
            raise Bad("decode", expected)
        body, h, sig = rec[:-96], rec[-96:-64], rec[-64:]
        if chain_hash(prev, body) != h:
            raise Bad("hash", expected)
        try:
            e = decode_entry(body)
        except ValueError as err:
            raise Bad("decode", expected, str(err))
        except Bad as err:
            raise Bad(err.kind, expected, err.detail)
        if e["seq"] != expected:
            raise Bad("gap", expected)
        if expected == 1:
            try:
                g = genesis_key(e)
            except (ValueError, binascii.Error) as err:
                raise Bad("genesis", 1, str(err))
            if key is not None and g != key:
                raise Bad("genesis", 1, "not the enrolled key")
            key = g
        elif e["kind"] == "genesis":
            raise Bad("genesis", expected)
        if not ed25519_verify(key, h, sig):
            raise Bad("signature", expected)
        e["hash"] = h
        entries.append(e)
        prev, expected = h, expected + 1
    return entries, (expected - 1, prev)


# ---------------------------------------------------------------- notes
# docs/settlement-format.md §1.

def key_hash(name, pub):
    return hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]


def verifier_key(name, pub):
    return name + "+" + key_hash(name, pub).hex() + "+" + base64.b64encode(b"\x01" + pub).decode()


def fingerprint(pub):
    h = hashlib.sha256(pub).digest()[:8].hex().upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


def valid_name(n):
    return n != "" and not re.search(r"\s", n) and "+" not in n


def open_note(data):
    """Returns (text bytes, [(name, keyhash, sig)]); raises ValueError."""
    s = data.decode("utf-8")
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise ValueError("control character")
    split = data.rfind(b"\n\n")
    if split < 0:
        raise ValueError("no blank line")
    text, sigs = data[:split + 1], data[split + 2:]
    if not sigs or not sigs.endswith(b"\n"):
        raise ValueError("no signature lines")
    out = []
    for line in sigs[:-1].split(b"\n"):
        if not line.startswith("— ".encode()):
            raise ValueError("signature line")
        name, _, b64 = line[len("— ".encode()):].decode().partition(" ")
        raw = base64.b64decode(b64, validate=True)
        if not valid_name(name) or not b64 or len(raw) < 5:
            raise ValueError("signature line")
        out.append((name, raw[:4], raw[4:]))
    if len(out) > 100:
        raise ValueError("more than 100 signatures")
    return text, out


def signed_by(text, sigs, name, pub):
    """None: no line by this key; else whether its signature verifies."""
    kh = key_hash(name, pub)
    for n, h, sig in sigs:
        if n == name and h == kh:
            return ed25519_verify(pub, text, sig)
    return None


# ---------------------------------------------------------------- settlement
# docs/settlement-format.md §2-§6.

RE_AMOUNT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]{2}")
RE_NUM = re.compile(r"0|[1-9][0-9]*")
RE_HEX = re.compile(r"[0-9a-f]{64}")
RE_SINCE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def amount(s):
    if not RE_AMOUNT.fullmatch(s) or s == "-0.00":
        raise ValueError("amount " + s)
    return Decimal(s)


def num(s, limit=2**64 - 1):
    if not RE_NUM.fullmatch(s) or int(s) > limit:
        raise ValueError("number " + s)
    return int(s)


def b64_canonical(s):
    b = base64.b64decode(s, validate=True)
    if base64.b64encode(b).decode() != s:
        raise ValueError("base64")
    return b


def direction(net):
    return "postoffice_pays_shop" if net > 0 else "shop_pays_postoffice" if net < 0 else "even"


def parse_settlement(text):
    lines = text.decode("ascii").split("\n")
    if lines[-1] != "":
        raise ValueError("text")
    lines = lines[:-1]
    for l in lines:
        if l == "" or "  " in l or l != l.strip(" "):
            raise ValueError("empty word")
    it = iter(enumerate(lines))
    pos = [0]

    def peek():
        return lines[pos[0]].split(" ") if pos[0] < len(lines) else [""]

    def must(word, n):
        f = peek()
        if f[0] != word or (n is not None and len(f) != n + 1):
            raise ValueError(f"line {pos[0] + 1}: want {word}")
        pos[0] += 1
        return f[1:]

    f = {}
    if lines[:1] != ["bianmin-settlement-v1"]:
        raise ValueError("format line")
    pos[0] = 1
    for w in ("station", "day", "zone", "key", "fingerprint", "tariff"):
        f[w] = must(w, 1)[0]
    if not real_date(f["day"]):
        raise ValueError("day")
    s, h = must("prev", 2)
    if not RE_HEX.fullmatch(h):
        raise ValueError("prev hash")
    f["prev"] = (num(s), bytes.fromhex(h))
    f["records"] = []
    while peek()[0] == "entry":
        s, b = must("entry", 2)
        f["records"].append((num(s), b64_canonical(b)))
    if not f["records"]:
        raise ValueError("no entries")
    a, b = must("range", 2)
    f["range"] = (num(a), num(b))

    def totals(word):
        out = []
        while peek()[0] == word:
            k, c, am, fe, co = must(word, 5)
            if out and out[-1][0].encode() >= k.encode():
                raise ValueError("order of kind")
            out.append((k, num(c, 2**63 - 1), amount(am), amount(fe), amount(co)))
        return out

    f["total"] = totals("total")
    o, e, c, v = must("cash", 4)
    f["cash"] = (amount(o), amount(e), None if c == "-" else amount(c), amount(v))
    o, n, c, d = must("owed", 4)
    f["owed"] = (amount(o), amount(n), amount(c))
    if d != direction(f["owed"][1]):
        raise ValueError("direction")
    f["carried"] = []
    while peek()[0] == "carried":
        t, sv, am, st, since = must("carried", 5)
        if am != "-":
            amount(am)
        if not RE_SINCE.fullmatch(since) or not real_date(since[:10]):
            raise ValueError("since")
        datetime.datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ")
        f["carried"].append((t, sv, am, st, since))
    f["grand"] = totals("grand")
    f["late"] = peek() == ["late"]
    if f["late"]:
        pos[0] += 1
    a = must("ack", 1)[0]
    f["ack"] = None if a == "-" else b64_canonical(a)
    if f["ack"] == b"":
        raise ValueError("ack")
    s, h = must("last", 2)
    if not RE_HEX.fullmatch(h):
        raise ValueError("last hash")
    f["last"] = (num(s), bytes.fromhex(h))
    if pos[0] != len(lines):
        raise ValueError("line after last")
    return f


def w(d):
    return f"{d:.2f}"


def close_payload(f):
    """The day_close payload §4 builds from the file's lines."""
    tot = [{"kind": k, "count": c, "amount": w(a), "fees": w(fe), "commission": w(co)} for k, c, a, fe, co in f["total"]]
    grand = [{"kind": k, "count": c, "amount": w(a), "fees": w(fe), "commission": w(co)} for k, c, a, fe, co in f["grand"]]
    cash = {"open": w(f["cash"][0]), "expected": w(f["cash"][1]), "variance": w(f["cash"][3])}
    if f["cash"][2] is not None:
        cash["counted"] = w(f["cash"][2])
    carried = []
    for t, sv, am, st, since in f["carried"]:
        x = {"trace": t, "service": sv, "state": st, "since": since}
        if am != "-":
            x["amount"] = am
        carried.append(x)
    p = {"format": "bianmin-close-v1", "day": f["day"], "first": f["range"][0], "last": f["range"][1],
         "totals": tot, "cash": cash, "owed": {"open": w(f["owed"][0]), "net": w(f["owed"][1]), "close": w(f["owed"][2])},
         "carried": carried, "grand": grand}
    if f["tariff"] != "-":
        p["tariff"] = f["tariff"]
    if f["late"]:
        p["late"] = True
    return p


PRINCIPAL = {
    "withdrawal": "amount", "bill_payment": "amount", "topup": "amount", "queued_confirmed": "amount",
    "refund_due": "refund", "refund_paid": "amount", "ticket_order": "amount", "ticket_issued": "amount",
    "ticket_failed": "refund", "ticket_cancel": "refund", "policy_issue": "amount", "policy_cancel": "refund", "contribution": "amount",
    "sim_sale": "amount",
    "sale": "total", "void": "refund",
    "cash_in": "amount", "cash_out": "amount", "cash_count": "variance",
}


def verify_settlement(data, pub, prev):
    """Returns None (ok) or (verdict, seq)."""
    try:
        text, sigs = open_note(data)
        f = parse_settlement(text)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return ("format", 0)
    if not valid_name(f["station"]) or f["key"] != verifier_key(f["station"], pub) or f["fingerprint"] != fingerprint(pub):
        return ("station", 0)
    if not signed_by(text, sigs, f["station"], pub):
        return ("signature", 0)
    if f["prev"] != prev:
        return ("chain", 0)
    try:
        entries, last = verify_records(f["records"], pub, *f["prev"])
    except Bad as b:
        return ("entry", b.seq)
    if last != f["last"]:
        return ("chain", last[0])
    idem = set()
    for i, e in enumerate(entries):
        if e["terminal"] != f["station"] or e["day"] != f["day"]:
            return ("day", e["seq"])
        if e["kind"] == "day_close" and i != len(entries) - 1:
            return ("close", e["seq"])
        if e["idem_key"] in idem:
            return ("duplicate", e["seq"])
        idem.add(e["idem_key"])
    close = entries[-1]
    if close["kind"] != "day_close":
        return ("close", close["seq"])
    # §3: the figures.
    tot, cash, net = {}, f["cash"][0], Decimal(0)
    for e in entries[:-1]:
        t = tot.setdefault(e["kind"], [0, Decimal(0), Decimal(0), Decimal(0)])
        t[0] += 1
        key = PRINCIPAL.get(e["kind"])
        if key and e["payload"]:
            p = json.loads(e["payload"])
            if p is None:
                p = {}
            if not isinstance(p, dict):
                return ("figures", 0)
            v = p.get(key)
            if isinstance(v, str) and v != "":
                try:
                    t[1] += amount(v)
                except ValueError:
                    return ("figures", 0)
        for acct, side, com, amt in e["postings"]:
            if com != "CNY":
                continue
            signed = amt if side == "D" else -amt
            if acct == "assets:cash":
                cash += signed
            elif acct == "postoffice:settlement":
                net += signed
            elif acct == "income:fees":
                t[2] -= signed
            elif acct.startswith("income:commission:"):
                t[3] -= signed
    o_open, o_net, o_close = f["owed"]
    c_open, c_exp, c_counted, c_var = f["cash"]
    want_var = Decimal(0) if c_counted is None else c_counted - c_exp
    if f["range"] != (f["prev"][0] + 1, close["seq"] - 1) or \
            {k: tuple(v) for k, v in tot.items()} != {k: (c, a, fe, co) for k, c, a, fe, co in f["total"]} or \
            c_exp != cash or o_net != net or o_close != o_open + o_net or c_var != want_var:
        return ("figures", 0)
    booked = sum(((amt if side == "D" else -amt) for acct, side, com, amt in close["postings"]
                  if acct == "assets:cash" and com == "CNY"), Decimal(0))
    if booked != c_var:
        return ("close", close["seq"])
    day_counts = {k: c for k, c, *_ in f["total"]}
    if any(k in day_counts and c < day_counts[k] for k, c, *_ in f["grand"]):
        return ("figures", 0)
    try:
        said = json.loads(close["payload"])
    except ValueError:
        return ("close", close["seq"])
    if said != close_payload(f):
        return ("close", close["seq"])
    return None


def open_ack(data, vkey):
    """Returns (station, seq, hash, day) or raises ValueError ("signature" or "format")."""
    name, khex, k64 = vkey.split("+", 2)  # base64 may hold "+": split at the first two only
    pub = base64.b64decode(k64)[1:]
    text, sigs = open_note(data)
    if not signed_by(text, sigs, name, pub):
        raise ValueError("signature")
    lines = text.decode().split("\n")[:-1]
    if len(lines) != 4:
        raise ValueError("format")
    seq, h = num(lines[1]), base64.b64decode(lines[2], validate=True)
    if seq == 0 or len(h) != 32 or base64.b64encode(h).decode() != lines[2] or not real_date(lines[3]):
        raise ValueError("format")
    return lines[0], seq, h, lines[3]


# ---------------------------------------------------------------- hand-over
# docs/postoffice.md, "Hand-over to a successor".

RE_TRACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}-[0-9]{6,20}")
RE_SERVICE = re.compile(r"[a-z][a-z_]{0,31}")
RE_WHAT = re.compile(r"[A-Za-z0-9._:,-]{1,200}")
RE_SKU = re.compile(r"[A-Z][A-Z0-9_-]{0,31}")
HANDOVER_KINDS = ["queued", "waitlist", "reversal", "refund", "delivery", "dispute"]


class BadLine(Exception):
    """A hand-over document breaking a rule on line (1-based; 0: the whole)."""

    def __init__(self, line):
        super().__init__(f"line {line}")
        self.line = line


def handover_amount(s, line):
    if not RE_AMOUNT.fullmatch(s) or s.startswith("-") or Decimal(s) >= Decimal(100000000):
        raise BadLine(line)
    return Decimal(s)


def handover_note(s):
    return s != "" and s != "-" and len(s) <= 200 and s.strip() == s and \
        not any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029\ufeff" for c in s)


def parse_handover(text):
    """Returns the document as a dict; raises BadLine."""
    if len(text) > 256 << 10 or not text.endswith(b"\n"):
        raise BadLine(0)
    lines = text.decode().split("\n")[:-1]
    if len(lines) < 6 or len(lines) > 6 + 2000:
        raise BadLine(0)
    if lines[0] != "bianmin-handover-v1":
        raise BadLine(1)
    vals = []
    for i, name in enumerate(["from", "to", "issued", "through", "carried"]):
        if not lines[i + 1].startswith(name + " "):
            raise BadLine(i + 2)
        vals.append(lines[i + 1][len(name) + 1:])
    frm, to, issued, through, carried = vals
    if not RE_ID.fullmatch(frm):
        raise BadLine(2)
    if not RE_ID.fullmatch(to) or to == frm:
        raise BadLine(3)
    if not real_date(issued):
        raise BadLine(4)
    seq, _, h = through.partition(" ")
    try:
        # 0 and 64 zeros: the post office accepted no day of the old
        # station; the zero hash goes with 0 only.
        if not RE_HEX.fullmatch(h) or (num(seq) == 0) != (h == "0" * 64):
            raise ValueError
    except ValueError:
        raise BadLine(5)
    seq = int(seq)
    carried = handover_amount(carried, 6)
    items, total = [], Decimal(0)
    for i, l in enumerate(lines[6:]):
        line = 7 + i
        f = l.split(" ", 9)
        if len(f) != 10 or f[0] != "item" or "" in f:
            raise BadLine(line)
        _, n, kind, entry, trace, service, amt, what, due, note = f
        try:
            if num(n) != i + 1 or not 0 < num(entry) <= seq:
                raise ValueError
        except ValueError:
            raise BadLine(line)
        amt = handover_amount(amt, line)
        if kind not in HANDOVER_KINDS or not RE_SERVICE.fullmatch(service) or \
                (trace != "-" and not RE_TRACE.fullmatch(trace)) or \
                (what != "-" and not RE_WHAT.fullmatch(what)) or \
                (due != "-" and not real_date(due)) or \
                (note != "-" and not handover_note(note)):
            raise BadLine(line)
        if kind in ("queued", "waitlist", "reversal") and trace == "-":
            raise BadLine(line)
        if (kind in ("reversal", "delivery", "dispute")) != (amt == 0):
            raise BadLine(line)
        if kind == "delivery":
            for part in what.split(","):
                sku, colon, q = part.partition(":")
                if not colon or not RE_SKU.fullmatch(sku) or not RE_NUM.fullmatch(q) or not 1 <= int(q) <= 1000000:
                    raise BadLine(line)
        items.append((kind, int(entry), trace, service, amt, what, due, note))
        total += amt
    if total != carried:
        raise BadLine(6)
    return {"from": frm, "to": to, "issued": issued, "through": (seq, h), "carried": carried, "items": items}


def verify_handover(data, vkey):
    """Returns ("ok", document), ("signature", None) or ("format", line)."""
    name, khex, k64 = vkey.split("+", 2)
    pub = base64.b64decode(k64)[1:]
    if len(data) > 256 << 10:
        return ("format", 0)
    try:
        text, sigs = open_note(data)
    except (ValueError, binascii.Error):
        return ("format", 0)
    if not signed_by(text, sigs, name, pub):
        return ("signature", None)
    try:
        return ("ok", parse_handover(text))
    except BadLine as b:
        return ("format", b.line)


# ---------------------------------------------------------------- receipts
# docs/receipt-code.md.

REF_KEYS = ["trace", "auth", "card", "biller", "account", "ref", "order", "date", "promised", "status", "confirm", "until", "orig"]
RE_VALUE = re.compile(r"[A-Za-z0-9*.:_+-]{1,64}")
RE_TIME = re.compile(r"[0-9]{8}T[0-9]{6}Z")
RE_B64URL = re.compile(r"[A-Za-z0-9_-]{86}")


def check_code(code, pub):
    """Returns ("valid", "", fields) or (verdict, field, None)."""
    if len(code.encode()) > 1024:
        return ("format", "code", None)
    f = code.split("|")
    if len(f) != 9:
        return ("format", "code", None)
    if f[0] != "BMR1":
        return ("format", "version", None)
    if not RE_NUM.fullmatch(f[2]) or int(f[2]) > 2**64 - 1:
        return ("format", "seq", None)
    try:
        if not RE_TIME.fullmatch(f[3]):
            raise ValueError
        t = datetime.datetime.strptime(f[3], "%Y%m%dT%H%M%SZ")
    except ValueError:
        return ("format", "time", None)
    try:
        total = amount(f[5])
    except ValueError:
        return ("format", "total", None)
    refs = []
    if f[6]:
        for kv in f[6].split(";"):
            if "=" not in kv:
                return ("format", "refs", None)
            refs.append(kv.split("=", 1))
    if not RE_HEX.fullmatch(f[7]):
        return ("format", "hash", None)
    if not RE_B64URL.fullmatch(f[8]):
        return ("format", "signature", None)
    sig = base64.urlsafe_b64decode(f[8] + "==")
    if base64.urlsafe_b64encode(sig).decode().rstrip("=") != f[8]:
        return ("format", "signature", None)
    if not RE_ID.fullmatch(f[1]):
        return ("format", "station", None)
    if int(f[2]) == 0 or int(f[2]) > 2**62:
        return ("format", "seq", None)
    if not RE_KIND.fullmatch(f[4]):
        return ("format", "kind", None)
    if total < 0 or total > Decimal("99999999.99"):
        return ("format", "total", None)
    nxt = 0
    for k, v in refs:
        if k not in REF_KEYS or REF_KEYS.index(k) < nxt or not RE_VALUE.fullmatch(v):
            return ("format", "refs", None)
        nxt = REF_KEYS.index(k) + 1
    msg = b"bianmin-receipt-v1\n" + code[:code.rfind("|") + 1].encode()
    if not ed25519_verify(pub, msg, sig):
        return ("signature", "", None)
    return ("valid", "", {"station": f[1], "seq": int(f[2]), "time": t, "kind": f[4], "hash": f[7]})


def join_printed(lines):
    return "".join(l.strip(" \t\r") for l in lines)


# ---------------------------------------------------------------- the vectors

def main():
    failures, count = 0, 0

    def report(ok, what, got, want):
        nonlocal failures, count
        count += 1
        if not ok:
            failures += 1
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {got}" + ("" if ok else f" (want {want})"))

    # The ledger's golden vector (docs/ledger-format.md §11).
    lv = json.load(open(os.path.join(ROOT, "ledger/testdata/vector-v1.json")))
    recs = [(i + 1, bytes.fromhex(r)) for i, r in enumerate(lv["records"])]
    try:
        _, last = verify_records(recs, bytes.fromhex(lv["public_key"]))
        ok = last[1].hex() == lv["hashes"][-1]
        report(ok, "ledger vector-v1.json", f"ok, last {last[0]}", "ok")
    except Bad as b:
        report(False, "ledger vector-v1.json", f"{b.kind} at {b.seq}", "ok")

    # The ledger's verdict vectors (docs/ledger-format.md §11).
    vv = json.load(open(os.path.join(ROOT, "ledger/testdata/verdicts.json")))
    for x in vv["vectors"]:
        key = bytes.fromhex(x["enrolled_key"]) if x.get("enrolled_key") else None
        recs = [(r["seq"], bytes.fromhex(r["record"])) for r in x["records"]]
        try:
            got = ("ok", verify_records(recs, key)[1][0])
        except Bad as b:
            got = (b.kind, b.seq)
        report(got == (x["verdict"], x["seq"]), "ledger " + x["name"], f"{got[0]} {got[1]}", f"{x['verdict']} {x['seq']}")

    # Settlement files and acknowledgements.
    sdir = os.path.join(ROOT, "settlement/testdata/scenarios")
    sv = json.load(open(os.path.join(sdir, "verdicts.json")))
    pub = base64.b64decode(sv["public_key"])
    for x in sv["vectors"]:
        seq, h = x["prev"].split("/")
        got = verify_settlement(open(os.path.join(sdir, x["file"]), "rb").read(), pub, (int(seq), bytes.fromhex(h)))
        want = ("ok", 0) if x["verdict"] == "ok" else (x["verdict"], x.get("seq", 0))
        got = got or ("ok", 0)
        ok = got[0] == want[0] and (want[1] == 0 or got[1] == want[1])
        report(ok, "settlement " + x["file"], " ".join(map(str, got)), " ".join(map(str, want)))
    # Consecutive days (docs/settlement-format.md §6, last paragraph).
    days = [parse_settlement(open_note(open(os.path.join(sdir, f"intact-day{i}.bms"), "rb").read())[0]) for i in (1, 2, 3)]
    for a, b in zip(days, days[1:]):
        grand = {}
        for k, c, am, fe, co in a["grand"] + b["total"]:
            g = grand.setdefault(k, [0, Decimal(0), Decimal(0), Decimal(0)])
            g[0], g[1], g[2], g[3] = g[0] + c, g[1] + am, g[2] + fe, g[3] + co
        closed_with = a["cash"][2] if a["cash"][2] is not None else a["cash"][1]
        ok = b["station"] == a["station"] and b["prev"] == a["last"] and b["day"] > a["day"] and \
            b["cash"][0] == closed_with and b["owed"][0] == a["owed"][2] and \
            {k: tuple(v) for k, v in grand.items()} == {k: (c, am, fe, co) for k, c, am, fe, co in b["grand"]}
        report(ok, f"settlement {b['day']} follows {a['day']}", "ok" if ok else "does not follow", "ok")
    for x in sv["acks"]:
        try:
            st, seq, h, day = open_ack(open(os.path.join(sdir, x["file"]), "rb").read(), sv["postoffice_key"])
            got = "ok"
            if x["verdict"] == "ok":
                lseq, lhash = x["last"].split("/")
                if (st, seq, h.hex(), day) != (x["station"], int(lseq), lhash, x["day"]):
                    got = "ok, but says other things"
        except ValueError as err:
            got = str(err)
        report(got == x["verdict"], "ack " + x["file"], got, x["verdict"])

    # Receipt codes.
    cv = json.load(open(os.path.join(ROOT, "receipts/testdata/codes.json")))
    pub = base64.b64decode(cv["public_key"])
    if verifier_key(cv["station"], pub) != cv["verifier_key"]:
        report(False, "receipts verifier key", cv["verifier_key"], verifier_key(cv["station"], pub))
    for x in cv["vectors"]:
        code = join_printed(x["printed"]) if "printed" in x else x["code"]
        verdict, field, got = check_code(code, pub)
        ok = verdict == x["verdict"] and field == x.get("field", "")
        if ok and "record" in x:
            rec = base64.b64decode(x["record"])
            e = decode_entry(rec[:-96])
            ok = (got["station"], got["seq"], got["kind"], got["hash"]) == (e["terminal"], e["seq"], e["kind"], rec[-96:-64].hex()) \
                and got["time"].replace(tzinfo=datetime.timezone.utc).timestamp() == e["time_ms"] // 1000
        report(ok, "receipt " + x["name"], f"{verdict} {field}".strip(), f"{x['verdict']} {x.get('field', '')}".strip())

    # Hand-over documents (docs/postoffice.md, "Hand-over to a successor").
    hdir = os.path.join(ROOT, "handover/testdata")
    hv = json.load(open(os.path.join(hdir, "verdicts.json")))
    for x in hv["vectors"]:
        verdict, got = verify_handover(open(os.path.join(hdir, x["file"]), "rb").read(), hv["postoffice_key"])
        if verdict == "ok":
            says = (got["from"], got["to"], f"{got['carried']:.2f}", len(got["items"]))
            ok = x["verdict"] == "ok" and says == (x["from"], x["to"], x["carried"], x.get("items", 0))
            report(ok, "handover " + x["file"], "ok " + " ".join(map(str, says)), x["verdict"])
        else:
            want = x["verdict"] + ("" if x["verdict"] != "format" else f" line {x['line']}")
            saw = verdict + ("" if verdict != "format" else f" line {got}")
            report(saw == want, "handover " + x["file"], saw, want)

    print(f"{count - failures} of {count} vectors as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
