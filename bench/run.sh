#!/usr/bin/env bash
# Measures what issue #2 asks, side by side with journalctl on the same files:
#  1. a 200,000-entry journal, 100,000 entries in the invocation: time and
#     peak RSS of `notify-unit --dry-run` vs `journalctl --file ... -o short-iso`;
#  2. an invocation of 1,000,000 lines: peak RSS of both, and the mail's size;
#  3. `notify-unit --version` vs `journalctl --version` start-up.
# Needs: systemd-journal-remote, hyperfine, GNU time (scripts/setup installs them);
# valgrind for --callgrind.
# Usage: bench/run.sh [--quick] [--callgrind]
#   --quick: 100,000 instead of 1,000,000 lines in 2.
#   --callgrind: also the instructions each run executes (valgrind), which a
#     machine shared with other work does not blur as it blurs wall time.
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
callgrind=false
for arg in "$@"; do
  case $arg in
  --quick) big=100000 ;;
  --callgrind) callgrind=true ;;
  *) echo "usage: bench/run.sh [--quick] [--callgrind]" >&2 && exit 64 ;;
  esac
done

make_journal() { # NAME TOTAL STRIDE
  mkdir -p "$work/$1"
  python3 bench/make_journal.py "$2" "$3" "$inv" |
    /lib/systemd/systemd-journal-remote --output="$work/$1/j.journal" --split-mode=none - 2>/dev/null
}

# Runs journalctl and notify-unit (the commands in $jc and $nu) in turn, 7
# times each, so that a machine busy with other work slows both alike;
# prints for each the median wall time (s), the median peak RSS (KiB), and
# the fastest and slowest time.
measure() {
  local j=() n=() jr=() nr=() t m
  for _ in 1 2 3 4 5 6 7; do
    /usr/bin/time -f "%e %M" -o "$work/time" "${jc[@]}" >/dev/null 2>&1 || true
    read -r t m <"$work/time"
    j+=("$t"); jr+=("$m")
    /usr/bin/time -f "%e %M" -o "$work/time" "${nu[@]}" >/dev/null 2>&1 || true
    read -r t m <"$work/time"
    n+=("$t"); nr+=("$m")
  done
  for list in "${j[*]}|${jr[*]}" "${n[*]}|${nr[*]}"; do
    local times=${list%|*} rss=${list#*|}
    printf '%s\n' $times | sort -n | sed -n '4p;1p;7p' | tr '\n' ' '
    printf '%s\n' $rss | sort -n | sed -n 4p
  done
}

# Instructions executed (valgrind's callgrind), all threads and notify-unit's
# main thread alone (the one the run waits for). valgrind cannot read the
# debug information of a Swift build: it runs a copy without it. TIMEOUT is
# raised for the slow run, which would otherwise stop reading the journal at
# half of it.
instructions() { # NAME
  local copy=$work/notify-unit.nodebug
  [ -e "$copy" ] || strip --strip-debug -o "$copy" "$bin"
  printf 'TIMEOUT=3600\n' >"$work/slow.conf"
  rm -f "$work"/cg.*
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.jc" "${jc[@]}" >/dev/null 2>&1
  # valgrind goes after `env` (which it would follow no further than exec).
  local slow=() arg
  for arg in "${nu[@]}"; do
    case $arg in
    "$bin")
      slow+=(valgrind --tool=callgrind --separate-threads=yes
        --callgrind-out-file="$work/cg.nu" "$copy")
      ;;
    /dev/null) slow+=("$work/slow.conf") ;;
    *) slow+=("$arg") ;;
    esac
  done
  "${slow[@]}" >/dev/null 2>&1
  local j n main
  j=$(sed -n 's/^summary: //p' "$work/cg.jc")
  n=$(cat "$work/cg.nu"-* | sed -n 's/^summary: //p' | paste -sd+ | bc)
  main=$(sed -n 's/^summary: //p' "$work/cg.nu-01")
  echo "  instructions: journalctl $j, notify-unit $n (main thread $main)," \
    "ratio $(python3 -c "print(f'{$n/$j:.2f}, main thread {$main/$j:.2f}')")"
}

report() { # NAME FILES...
  local name=$1; shift
  local args=() f
  for f in "$@"; do args+=(--journal-file "$f"); done
  jc=(journalctl --file "$work/$name/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o short-iso)
  nu=(env SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=1
    "$bin" --config /dev/null --dry-run "${args[@]}" --invocation-id "$inv"
    --mail-to admin@example.org backup.service "$check")
  local jt jmin jmax jm nt nmin nmax nm
  { read -r jmin jt jmax jm; read -r nmin nt nmax nm; } < <(measure)
  SERVICE_RESULT=exit-code "$bin" --config /dev/null --dry-run "${args[@]}" --invocation-id "$inv" \
    --mail-to admin@example.org backup.service >"$work/mail.eml" 2>/dev/null
  local lines
  lines=$(journalctl --file "$work/$name/*.journal" "_SYSTEMD_INVOCATION_ID=$inv" -o cat | wc -l)
  echo "$name: $lines lines in the invocation, $(du -cm "$@" | tail -1 | cut -f1) MB of journal files"
  echo "  journalctl -o short-iso : ${jt} s (${jmin}-${jmax}), peak RSS $((jm / 1024)) MB"
  echo "  notify-unit --dry-run   : ${nt} s (${nmin}-${nmax}), peak RSS $((nm / 1024)) MB"
  echo "  time ratio notify-unit/journalctl: $(python3 -c "print(f'{$nt/$jt:.2f}')")" \
    " RSS difference: $(((nm - jm) / 1024)) MB" " mail size: $(($(stat -c %s "$work/mail.eml") / 1024)) KiB"
  if $callgrind; then instructions; fi
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
