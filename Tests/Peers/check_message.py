#!/usr/bin/env python3
"""Parses a mail message the way a mail client would and prints what the
tests assert on, as JSON: defects, line lengths, decoded headers and parts.

Usage: check_message.py MESSAGE_FILE
"""
import email
import email.header
import gzip
import email.policy
import json
import sys


def decode_header(value):
    # email.header.decode_header keeps the spaces that CPython's folding
    # drops (gh-144156), so decoded subjects compare exactly.
    parts = []
    for text, charset in email.header.decode_header(value):
        if isinstance(text, bytes):
            parts.append(text.decode(charset or "ascii", errors="replace"))
        else:
            parts.append(text)
    return "".join(parts)


def main():
    raw = open(sys.argv[1], "rb").read()
    lines = raw.split(b"\n")
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    defects = [type(d).__name__ for d in msg.defects]
    parts = []
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_type() == "application/gzip":
            # The attached log, compressed: "text" is what gunzip gives.
            payload = gzip.decompress(payload)
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "filename": part.get_filename(),
            "disposition": part.get_content_disposition(),
            "text": payload.decode("utf-8", errors="strict"),
        })
    header_names = [k for k, _ in msg.items()]
    print(json.dumps({
        "defects": defects,
        "max_line_octets": max(len(l.rstrip(b"\r")) for l in lines),
        "header_names": header_names,
        "headers": {k: decode_header(v) for k, v in msg.items()},
        "raw_headers": {k: v for k, v in msg.items()},
        "is_multipart": msg.is_multipart(),
        "parts": parts,
        "size": len(raw),
    }))


main()
