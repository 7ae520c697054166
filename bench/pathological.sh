#!/usr/bin/env bash
# Measures issue #5's pathological sizes against issue #2's bounds (peak RSS
# at most 16 MB above journalctl's on the same files, time comparable), side
# by side with journalctl on the same files:
#  a. one log line of 100 MB (a single MESSAGE), in an invocation of 3 lines;
#     the mail must keep every line within 998 octets and stay under the caps;
#  b. ten million entries in the invocation (10,000,000 lines, ~3.3 GB of
#     journal files); measured once each, it takes minutes;
#  c. a journal directory with corrupt files among good ones: two good files
#     holding the invocation, one good file of another unit, a file truncated
#     half-way, two with garbage written in the middle (one 64 KiB block; 500
#     16-byte spots), a zero-length file, a valid header with garbage after
#     it, and 1 MiB of random bytes: the report must still hold every good
#     entry, like `journalctl --directory`, without crash or hang.
# Needs: systemd-journal-remote, GNU time, python3 (scripts/setup installs them).
# Usage: BUILD_PATH=.build-bench bench/pathological.sh [--quick]
#   --quick: 1,000,000 instead of 10,000,000 entries in b., 10 MB instead of
#   100 MB in a.  BUILD_PATH: SwiftPM scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out
mkdir -p "$out"
build=${BUILD_PATH:-.build}
started=$(date +%s)
work=$(mktemp -d /var/tmp/notify-unit-pathological.XXXXXX)
trap 'rm -rf "$work"' EXIT

inv=1b4e28ba2fa1411d9bed3e1b4e28ba2f
other=0123456789abcdef0123456789abcdef
check=9f8e7d6c-5b4a-4321-8fed-cba987654321
t0=1795000000000000
entries=10000000
linebytes=$((100 * 1000 * 1000))
if [ "${1:-}" = "--quick" ]; then
  entries=1000000
  linebytes=$((10 * 1000 * 1000))
fi
# A run that takes longer than this is a hang.
hang=${HANG_SECONDS:-900}

# About 340 bytes of journal file per entry; the journal files of b. and
# their copies in the page cache must fit.
need=$((entries * 400 / 1000000 + 2000))
free=$(df -Pm /var/tmp | awk 'NR == 2 { print $4 }')
if [ "$free" -lt "$need" ]; then
  echo "pathological.sh: $free MB free in /var/tmp, $need MB needed" >&2
  exit 1
fi

nice -n 10 swift build -c release --static-swift-stdlib --scratch-path "$build" >/dev/null
bin=$root/$build/release/notify-unit
gen=$root/bench/make_pathological.py

journal_remote() { # OUTPUT: export format on stdin
  nice -n 10 /lib/systemd/systemd-journal-remote --output="$1" --split-mode=none - 2>/dev/null
}

# Runs a command RUNS times under GNU time; prints the median wall time (s),
# the median peak RSS (KiB) and the worst exit status (124 or 137: killed as
# hung; 128+N: died of signal N).
measure() { # RUNS COMMAND...
  local runs=$1 times=() rss=() worst=0 rc t m
  shift
  for ((i = 0; i < runs; i++)); do
    rc=0
    nice -n 10 /usr/bin/time -f "%e %M" -o "$work/time" \
      timeout -s KILL "$hang" "$@" >/dev/null 2>&1 || rc=$?
    read -r t m < <(tail -1 "$work/time")
    times+=("$t")
    rss+=("$m")
    [ "$rc" -gt "$worst" ] && worst=$rc
  done
  local mid=$(((runs + 1) / 2))
  printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p" | tr '\n' ' '
  printf '%s\n' "${rss[@]}" | sort -n | sed -n "${mid}p" | tr '\n' ' '
  echo "$worst"
}

# The report of the invocation, as bench/run.sh runs it; then the journal
# options, then "${unit[@]}".
notify_unit=(env SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=1
  "$bin" --config /dev/null --dry-run --invocation-id "$inv" --mail-to admin@example.org)
unit=(backup.service "$check")
file_args() { # FILES...: one --journal-file per file, into $args
  args=()
  local f
  for f in "$@"; do args+=(--journal-file "$f"); done
}

# What the mail holds: size, longest line, lines over 998 octets, parse
# defects, "Log lines:", notes, the attachment's lines (per message tag when
# TAGS are given), and whether the decoded body has LAST (the log's last line).
mailcheck() { # EML LAST [TAGS...]
  python3 - "$@" <<'PY'
import collections, email, email.policy, gzip, sys
path, last, tags = sys.argv[1], sys.argv[2], sys.argv[3:]
raw = open(path, "rb").read()
lines = raw.split(b"\n")
m = email.message_from_bytes(raw, policy=email.policy.default)
parts = list(m.walk())
defects = sum(len(p.defects) for p in parts)
body = next(p for p in parts if p.get_content_type() == "text/plain" and not p.get_filename())
text = body.get_content()
att = [p for p in parts if p.get_filename()]
def attached(part):
    # A log over 64 KiB is attached gzip-compressed.
    if part.get_content_type() == "application/gzip":
        return gzip.decompress(part.get_content()).decode("utf-8", "replace")
    return part.get_content()
att_lines = attached(att[0]).splitlines() if att else []
lengths = [len(l.rstrip(b"\r")) for l in lines]
print(f"size={len(raw)} longest={max(lengths)} over998={sum(n > 998 for n in lengths)} defects={defects}"
      f" loglines={next((l.split(':', 1)[1].strip() for l in text.splitlines() if l.startswith('Log lines:')), '?')}"
      f" attached={len(att_lines)} last_in_body={'yes' if last in text else 'no'}")
if tags:
    count = collections.Counter()
    for l in att_lines:
        msg = l.split(": ", 1)[1] if ": " in l else ""
        count[msg.split(" ")[0] if msg.split(" ")[0] in tags else "(other)"] += 1
    print("tags=" + ",".join(f"{t}:{count[t]}" for t in tags + ["(other)"]))
    others = [l for l in att_lines if not any(f": {t} " in l for t in tags)]
    print("other lines: " + " ".join(ascii(l[:90]) for l in others[:3]))
notes = [l[2:] for l in text.split("Notes:\n", 1)[-1].split("\n\n", 1)[0].splitlines()
         if l.startswith("- ")] if "Notes:\n" in text else []
print("notes=" + " | ".join(notes))
PY
}

rows=()
row() { # CASE TOOL TIME RSS-KiB RC RSS-KiB-OF-JOURNALCTL TIME-OF-JOURNALCTL
  local delta=" " ratio=" "
  if [ -n "${6:-}" ]; then
    delta=$(((${4} - ${6}) / 1024))
    ratio=$(python3 -c "print(f'{$3/max($7, 0.005):.2f}')")
  fi
  rows+=("$(printf '| %-28s | %-34s | %8s | %8s | %9s | %6s | %5s |' \
    "$1" "$2" "$3" "$((${4} / 1024))" "$delta" "$ratio" "$5")")
}

echo "notify-unit $("$bin" --version), $(journalctl --version | head -1), $(nproc) cores, $(date -u +%F)" |
  tee "$out/pathological.txt"

# a. One 100 MB line.
echo "a. generating one line of $linebytes bytes..." >&2
mkdir -p "$work/a"
python3 "$gen" bigline "$linebytes" "$inv" | journal_remote "$work/a/j.journal"
a_files=("$work"/a/*.journal)
file_args "${a_files[@]}"
read -r jt jm jrc < <(measure 3 journalctl --file "$work/a/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso)
read -r nt nm nrc < <(measure 3 "${notify_unit[@]}" "${args[@]}" "${unit[@]}")
journalctl --file "$work/a/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o export | grep -a '^MESSAGE=' |
  awk '{ print length - 8 }' >"$work/a/lengths"
"${notify_unit[@]}" "${args[@]}" "${unit[@]}" >"$work/a/mail.eml" 2>/dev/null
row "a. one $((linebytes / 1000000)) MB line" "journalctl -o short-iso" "$jt" "$jm" "$jrc"
row "" "notify-unit --dry-run" "$nt" "$nm" "$nrc" "$jm" "$jt"
a_mail=$(mailcheck "$work/a/mail.eml" "info restic[4242]: after")
a_awk=$(awk 'length > 998' "$work/a/mail.eml" | wc -l)
a_note="journal: $(du -m "${a_files[@]}" | awk '{ s += $1 } END { print s }') MB, stored MESSAGE sizes: $(tr '\n' ' ' <"$work/a/lengths")"
rm -rf "$work/a"

# c. Corrupt files among good ones (before b., which needs the disk).
echo "c. generating the corrupt directory..." >&2
c=$work/c
mkdir -p "$c"
python3 "$gen" lines 5000 "$inv" "$t0" good-a | journal_remote "$c/good-a.journal"
python3 "$gen" lines 5000 "$other" $((t0 + 500000000)) other other.service |
  journal_remote "$c/good-other.journal"
python3 "$gen" lines 5000 "$inv" $((t0 + 4000000000)) good-c | journal_remote "$c/good-c.journal"
python3 "$gen" lines 20000 "$inv" $((t0 + 1000000000)) truncated | journal_remote "$c/truncated.journal"
python3 "$gen" truncate "$c/truncated.journal"
python3 "$gen" lines 20000 "$inv" $((t0 + 2000000000)) garbled | journal_remote "$c/garbled.journal"
python3 "$gen" garble "$c/garbled.journal"
python3 "$gen" lines 20000 "$inv" $((t0 + 2500000000)) spotted | journal_remote "$c/spotted.journal"
python3 "$gen" garble "$c/spotted.journal" 500
python3 "$gen" lines 20000 "$inv" $((t0 + 3000000000)) headered | journal_remote "$c/header-garbage.journal"
python3 "$gen" header-garbage "$c/header-garbage.journal"
: >"$c/empty.journal"
head -c 1048576 /dev/urandom >"$c/random.journal"
tags=(good-a good-c truncated garbled spotted headered)
read -r jt jm jrc < <(measure 5 journalctl --directory "$c" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso)
read -r nt nm nrc < <(measure 5 "${notify_unit[@]}" --journal-directory "$c" "${unit[@]}")
read -r n0t n0m n0rc < <(measure 5 "${notify_unit[@]}" --journal-directory "$c" --journal-settle 0 "${unit[@]}")
row "c. corrupt files among good" "journalctl --directory -o short-iso" "$jt" "$jm" "$jrc"
row "" "notify-unit --dry-run" "$nt" "$nm" "$nrc" "$jm" "$jt"
row "" "notify-unit --dry-run, JOURNAL_SETTLE=0" "$n0t" "$n0m" "$n0rc" "$jm" "$jt"
c_jc=$(journalctl --directory "$c" "_SYSTEMD_INVOCATION_ID=$inv" -o cat 2>"$work/c.err" |
  awk -v list="${tags[*]}" 'BEGIN { n = split(list, t, " "); for (i = 1; i <= n; i++) known[t[i]] = 1 }
    { k = ($1 in known) ? $1 : "(other)"; c[k]++ }
    END { s = ""; for (i = 1; i <= n; i++) s = s t[i] ":" (c[t[i]] + 0) ","; print s "(other):" (c["(other)"] + 0) }')
c_jc_err=$(tr '\n' ' ' <"$work/c.err")
c_jc_other=$(journalctl --directory "$c" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso 2>/dev/null |
  grep -av -e ': good-a line' -e ': good-c line' -e ': garbled line' -e ': spotted line' | head -3 |
  python3 -c 'import sys; print(" ".join(ascii(l[:90]) for l in sys.stdin.buffer.read().decode("utf-8", "replace").splitlines()))')
c_rc=0
"${notify_unit[@]}" --journal-directory "$c" "${unit[@]}" >"$work/c.eml" 2>"$work/c.nerr" || c_rc=$?
c_mail=$(mailcheck "$work/c.eml" "good-c line 4999" "${tags[@]}")
c_awk=$(awk 'length > 998' "$work/c.eml" | wc -l)
c_stderr=$(grep -a '^notify-unit:' "$work/c.nerr" | head -3 | tr '\n' ' ' || true)
rm -rf "$c"

# b. Ten million entries in the invocation.
echo "b. generating $entries entries (takes minutes)..." >&2
mkdir -p "$work/b"
g0=$(date +%s.%N)
python3 "$root/bench/make_journal.py" "$entries" 1 "$inv" | journal_remote "$work/b/j.journal"
gen_b=$(python3 -c "print(f'{$(date +%s.%N) - $g0:.0f}')")
b_files=("$work"/b/*.journal)
file_args "${b_files[@]}"
b_mb=$(du -cm "${b_files[@]}" | tail -1 | cut -f1)
runs_b=${RUNS_B:-1}
read -r jt jm jrc < <(measure "$runs_b" journalctl --file "$work/b/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso)
read -r nt nm nrc < <(measure "$runs_b" "${notify_unit[@]}" "${args[@]}" "${unit[@]}")
row "b. $entries entries" "journalctl -o short-iso" "$jt" "$jm" "$jrc"
row "" "notify-unit --dry-run (TIMEOUT 45)" "$nt" "$nm" "$nrc" "$jm" "$jt"
"${notify_unit[@]}" "${args[@]}" "${unit[@]}" >"$work/b/mail.eml" 2>/dev/null || true
last=$((entries - 1))
b_mail=$(mailcheck "$work/b/mail.eml" "/srv/data/$last")
b_awk=$(awk 'length > 998' "$work/b/mail.eml" | wc -l)
b_long=""
if grep -q -e "Reading the journal took half" -e "The log was too long to read whole" \
  "$work/b/mail.eml"; then
  # The default deadline cut the log (or its middle): measure the whole read too.
  read -r lt lm lrc < <(measure "$runs_b" "${notify_unit[@]}" "${args[@]}" --timeout 3600 "${unit[@]}")
  row "" "notify-unit --dry-run, TIMEOUT=3600" "$lt" "$lm" "$lrc" "$jm" "$jt"
  "${notify_unit[@]}" "${args[@]}" --timeout 3600 "${unit[@]}" >"$work/b/mail.eml" 2>/dev/null || true
  b_long=$(mailcheck "$work/b/mail.eml" "/srv/data/$last")
fi
rm -rf "$work/b"

{
  echo
  echo "| case                         | tool                               |   wall s | RSS MB   | ΔRSS MB   | time × | exit  |"
  echo "| ---------------------------- | ---------------------------------- | -------- | -------- | --------- | ------ | ----- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "(ΔRSS: peak RSS above journalctl's on the same files, bound 16 MB; time ×: wall time / journalctl's;"
  echo " exit: worst status of the runs, 137 = killed after ${hang} s as hung, >128 = died of a signal)"
  echo
  echo "a. $a_note"
  echo "   mail: $a_mail"
  echo "   lines over 998 octets (awk): $a_awk"
  echo "b. $entries entries: $b_mb MB of journal files, generated in $gen_b s"
  echo "   mail: $b_mail"
  echo "   lines over 998 octets (awk): $b_awk"
  [ -n "$b_long" ] && echo "   mail with TIMEOUT=3600: $b_long"
  echo "c. journalctl --directory lines by file tag: $c_jc"
  echo "   journalctl's other lines: $c_jc_other"
  echo "   journalctl's warnings: $c_jc_err"
  echo "   notify-unit exit $c_rc; attachment lines by file tag and mail:"
  echo "$c_mail" | sed 's/^/   /'
  echo "   lines over 998 octets (awk): $c_awk; notify-unit's own messages on stderr: ${c_stderr:-none}"
  echo "   (notify-unit's default JOURNAL_SETTLE waits for 0.5 s of quiet on a directory, as for a live journal)"
  echo
  echo "script took $(($(date +%s) - started)) s"
} | tee -a "$out/pathological.txt"
