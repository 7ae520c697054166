#!/usr/bin/env bash
# Measures what issue #2 asks, side by side with journalctl on the same files:
#  1. a 200,000-entry journal, 100,000 entries in the invocation: time and
#     peak RSS of `notify-unit --dry-run` vs `journalctl --file ... -o short-iso`;
#  2. an invocation of 1,000,000 lines: peak RSS of both, and the mail's size;
#  3. `notify-unit --version` vs `journalctl --version` start-up.
# Needs: systemd-journal-remote, hyperfine, GNU time (scripts/setup installs them).
# Usage: bench/run.sh [--quick]   (--quick: 100,000 instead of 1,000,000 lines in 2.)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out
mkdir -p "$out"
work=$(mktemp -d /var/tmp/notify-unit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

swift build -c release --static-swift-stdlib >/dev/null
bin=$root/.build/release/notify-unit
inv=1b4e28ba2fa1411d9bed3e1b4e28ba2f
check=9f8e7d6c-5b4a-4321-8fed-cba987654321
big=1000000
[ "${1:-}" = "--quick" ] && big=100000

make_journal() { # NAME TOTAL STRIDE
  mkdir -p "$work/$1"
  python3 bench/make_journal.py "$2" "$3" "$inv" |
    /lib/systemd/systemd-journal-remote --output="$work/$1/j.journal" --split-mode=none - 2>/dev/null
}

# Runs a command 5 times; prints the median wall time (s) and the median
# peak RSS (KiB) of the runs.
measure() {
  local times=() rss=()
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r t m <"$work/time"
    times+=("$t"); rss+=("$m")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | tr '\n' ' '
  printf '%s\n' "${rss[@]}" | sort -n | sed -n 3p
}

report() { # NAME FILES...
  local name=$1; shift
  local args=() f
  for f in "$@"; do args+=(--journal-file "$f"); done
  read -r jt jm < <(measure journalctl --file "$work/$name/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso)
  read -r nt nm < <(measure env SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=1 \
    "$bin" --config /dev/null --dry-run "${args[@]}" --invocation-id "$inv" \
    --mail-to admin@example.org backup.service "$check")
  SERVICE_RESULT=exit-code "$bin" --config /dev/null --dry-run "${args[@]}" --invocation-id "$inv" \
    --mail-to admin@example.org backup.service >"$work/mail.eml" 2>/dev/null
  local lines
  lines=$(journalctl --file "$work/$name/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o cat | wc -l)
  echo "$name: $lines lines in the invocation, $(du -cm "$@" | tail -1 | cut -f1) MB of journal files"
  echo "  journalctl -o short-iso : ${jt} s, peak RSS $((jm / 1024)) MB"
  echo "  notify-unit --dry-run   : ${nt} s, peak RSS $((nm / 1024)) MB"
  echo "  time ratio notify-unit/journalctl: $(python3 -c "print(f'{$nt/$jt:.2f}')")" \
    " RSS difference: $(((nm - jm) / 1024)) MB" " mail size: $(($(stat -c %s "$work/mail.eml") / 1024)) KiB"
}

{
  echo "notify-unit $("$bin" --version), $(journalctl --version | head -1), $(nproc) cores, $(date -u +%F)"
  make_journal mixed 200000 2
  report mixed "$work"/mixed/*.journal
  make_journal huge "$big" 1
  report huge "$work"/huge/*.journal
  echo "start-up:"
  hyperfine -N --warmup 10 -r 200 "$bin --version" "journalctl --version" --export-json "$work/h.json" >/dev/null 2>&1
  python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
n, j = r[0]["mean"] * 1000, r[1]["mean"] * 1000
print(f"  notify-unit --version {n:.1f} ms, journalctl --version {j:.1f} ms, ratio {n / j:.2f}")
PY
} | tee "$out/results.txt"
