#!/usr/bin/env python3
"""Writes journal export format for the benchmarks to stdout: TOTAL entries,
of which every STRIDE-th belongs to the measured invocation, the rest to
another one, with restic-like lines of ~100 bytes.

Usage: make_journal.py TOTAL STRIDE INVOCATION_ID
"""
import sys

total, stride, inv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
other = b"0" * 32
out = sys.stdout.buffer
t0 = 1795000000000000
chunk = []
for i in range(total):
    mine = i % stride == 0
    chunk.append(
        b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n"
        b"_SYSTEMD_INVOCATION_ID=%s\n_SYSTEMD_UNIT=%s\nPRIORITY=6\n"
        b"SYSLOG_IDENTIFIER=restic\n_PID=4242\n"
        b"MESSAGE=[%d:%02d] %d files %d MiB, total 100000 files 20.5 GiB, 0 errors ETA 1:02:03 /srv/data/%d\n\n"
        % (t0 + i * 1000, i * 1000, b"1" * 32, inv if mine else other,
           b"backup.service" if mine else b"other.service",
           i // 60, i % 60, i, i // 7, i))
    if len(chunk) == 10000:
        out.write(b"".join(chunk))
        chunk = []
out.write(b"".join(chunk))
