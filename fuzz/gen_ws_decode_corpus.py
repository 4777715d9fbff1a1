#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ws_decode (fuzz/corpus/fuzz_ws_decode/).

Each file: options byte, chunking byte, then a stream (see the target's
header comment).  Run from the repository root: python3 fuzz/gen_ws_decode_corpus.py
"""
import os
import struct

OUT = "fuzz/corpus/fuzz_ws_decode"
KEY = bytes([0x37, 0xFA, 0x21, 0x3D])
SERVER, CLIENT = 0, 1
SMALL, RSV1 = 2, 4


def frame(b0, payload=b"", masked=True, length=None, ext=None):
    n = len(payload) if length is None else length
    m = 0x80 if masked else 0
    if ext is None:
        ext = 0 if n < 126 else 2 if n <= 0xFFFF else 8
    if ext == 0:
        hdr = bytes([b0, m | n])
    elif ext == 2:
        hdr = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if masked:
        hdr += KEY
        payload = bytes(c ^ KEY[i % 4] for i, c in enumerate(payload))
    return hdr + payload


def seeds():
    s, c = SERVER, CLIENT
    yield "text", s, frame(0x81, b"Hello")
    yield "text_client", c, frame(0x81, b"Hello", masked=False)
    yield "binary", s, frame(0x82, bytes(range(40)))
    yield "binary_256", c, frame(0x82, bytes(256), masked=False)
    yield "binary_64k_hdr", c, frame(0x82, b"", masked=False, length=65536) + b"abc"
    yield "fragmented", c, frame(0x01, b"Hel", False) + frame(0x80, b"lo", False)
    yield "ping", s, frame(0x89, b"Hello")
    yield "pong", s, frame(0x8A, b"Hello")
    yield "close_empty", s, frame(0x88)
    yield "close_code", s, frame(0x88, b"\x03\xe8")
    yield "close_reason", s, frame(0x88, b"\x03\xe9bye \xe2\x82\xac")
    yield "control_between", s, (frame(0x01, b"ab") + frame(0x89, b"p") + frame(0x00, b"cd")
                                 + frame(0x8A) + frame(0x80, b"ef"))
    yield "zero_len", s, frame(0x81) + frame(0x02) + frame(0x00) + frame(0x80)
    yield "utf8_split", s, frame(0x01, b"\xe2") + frame(0x00, b"\x82") + frame(0x80, b"\xac\xf0\x9f\x98\x80")
    yield "utf8_long", s, frame(0x81, ("abc\u00e9\u20ac\U0001F600" * 30).encode())
    yield "rsv1_allowed", s | RSV1, frame(0xC1, b"x") + frame(0x80, b"y")
    yield "small_limits_ok", s | SMALL, frame(0x02, bytes(300)) + frame(0x80, bytes(300))
    # errors
    yield "err_rsv", s, frame(0xA1, b"x")
    yield "err_opcode3", s, frame(0x83, b"x")
    yield "err_opcode11", s, frame(0x8B)
    yield "err_mask_required", s, frame(0x81, b"x", masked=False)
    yield "err_mask_forbidden", c, frame(0x81, b"x")
    yield "err_control_long", s, frame(0x89, bytes(126))
    yield "err_control_fragmented", s, frame(0x09, b"x")
    yield "err_close_fragmented", s, frame(0x08)
    yield "err_no_message", s, frame(0x80, b"x")
    yield "err_message_open", s, frame(0x01, b"a") + frame(0x81, b"b")
    yield "err_len16_not_minimal", c, frame(0x82, bytes(5), masked=False, ext=2)
    yield "err_len64_not_minimal", c, frame(0x82, bytes(5), masked=False, ext=8)
    yield "err_len64_msb", c, bytes([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0])
    yield "err_close_1byte", s, frame(0x88, b"\x03")
    yield "err_close_code", s, frame(0x88, b"\x03\xed")
    yield "err_close_reason", s, frame(0x88, b"\x03\xe8\xc0\xaf")
    yield "err_utf8_fail_fast", s, frame(0x01, b"ab\xffcd") + frame(0x80, b"e")
    yield "err_utf8_truncated", s, frame(0x81, b"a\xe2\x82")
    yield "err_utf8_surrogate", s, frame(0x81, b"\xed\xa0\x80")
    yield "err_frame_too_big", s | SMALL, frame(0x82, bytes(301))
    yield "err_message_too_big", s | SMALL, b"".join(frame(0x02 if i == 0 else 0x00, bytes(200)) for i in range(6))
    yield "err_huge_len", c, frame(0x82, b"", masked=False, length=(1 << 32) + 1)
    yield "err_after_close", s, frame(0x88) + frame(0x89)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, opts, stream in seeds():
        # Each seed twice: whole-ish (fixed 7-byte chunks) and byte by byte.
        for suffix, mode, param in (("", 0, 6), ("_bytes", 2, 0)):
            with open(os.path.join(OUT, name + suffix), "wb") as f:
                f.write(bytes([opts | (mode << 6), param]) + stream)


if __name__ == "__main__":
    main()
