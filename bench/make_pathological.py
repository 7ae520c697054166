#!/usr/bin/env python3
"""Inputs for bench/pathological.sh (sibling of make_journal.py).

  make_pathological.py bigline SIZE INVOCATION_ID
      Journal export format on stdout: a line "before", one entry whose
      MESSAGE is SIZE bytes of base64 text (random, so it does not compress,
      and one line: no newline in it), and a line "after". Written in 1 MiB
      pieces: never more than that in memory.

  make_pathological.py lines COUNT INVOCATION_ID START_USEC TAG [UNIT]
      Journal export format on stdout: COUNT entries of the invocation,
      MESSAGE "TAG line N", from START_USEC on, one microsecond apart.

  make_pathological.py truncate FILE
      Cuts FILE to half its size.
  make_pathological.py garble FILE [SPOTS]
      Overwrites 64 KiB in the middle of the part of FILE in use (up to its
      tail object) with random bytes; with SPOTS, instead that many 16-byte
      spots spread over the second half of that part (hits data objects
      that entries before and after still point to).
  make_pathological.py header-garbage FILE
      Keeps FILE's header (its header_size field) and replaces everything
      after it with random bytes, the file keeping its size.
"""
import base64
import os
import struct
import sys

HEADER = (b"_BOOT_ID=%s\n_SYSTEMD_INVOCATION_ID=%s\n_SYSTEMD_UNIT=%s\n"
          b"PRIORITY=6\nSYSLOG_IDENTIFIER=restic\n_PID=4242\n")
T0 = 1795000000000000


def entry(out, usec, inv, message, unit=b"backup.service"):
    out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (usec, usec - T0 + 1))
    out.write(HEADER % (b"1" * 32, inv, unit))
    out.write(b"MESSAGE=" + message + b"\n\n")


def bigline(size, inv):
    out = sys.stdout.buffer
    entry(out, T0, inv, b"before")
    out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (T0 + 1, 2))
    out.write(HEADER % (b"1" * 32, inv, b"backup.service"))
    out.write(b"MESSAGE=")
    left = size
    while left > 0:
        piece = base64.b64encode(os.urandom(786432))[:min(left, 1 << 20)]
        out.write(piece)
        left -= len(piece)
    out.write(b"\n\n")
    entry(out, T0 + 2, inv, b"after")


def lines(count, inv, start, tag, unit):
    out = sys.stdout.buffer
    chunk = []
    for i in range(count):
        chunk.append(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (start + i, start - T0 + i + 1)
                     + HEADER % (b"1" * 32, inv, unit) + b"MESSAGE=%s line %d\n\n" % (tag, i))
        if len(chunk) == 10000:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "bigline":
        bigline(int(args[0]), args[1].encode())
    elif mode == "lines":
        unit = args[4].encode() if len(args) > 4 else b"backup.service"
        lines(int(args[0]), args[1].encode(), int(args[2]), args[3].encode(), unit)
    elif mode == "truncate":
        os.truncate(args[0], os.path.getsize(args[0]) // 2)
    elif mode == "garble":
        with open(args[0], "r+b") as f:
            f.seek(136)  # tail_object_offset, le64
            used = struct.unpack("<Q", f.read(8))[0]
            if len(args) > 1:
                spots = int(args[1])
                for i in range(spots):
                    f.seek(used // 2 + (used // 2) * i // spots)
                    f.write(os.urandom(16))
            else:
                f.seek(used // 2)
                f.write(os.urandom(65536))
    elif mode == "header-garbage":
        size = os.path.getsize(args[0])
        with open(args[0], "r+b") as f:
            f.seek(88)  # header_size, le64, after signature..seqnum_id
            header_size = struct.unpack("<Q", f.read(8))[0]
            f.seek(header_size)
            f.write(os.urandom(size - header_size))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
