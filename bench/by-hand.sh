#!/usr/bin/env bash
# Issue 22: a report made by hand for a run that ended long ago, under a
# booted systemd 252 (bench/container.sh): a 1,000-line oneshot unit has
# run and ended; then, alternating, RUNS times each:
#   notify-unit as root          notify-unit --dry-run UNIT (the mail printed)
#   the shell script it replaces systemctl show + journalctl -u (the unit ran
#                                once; systemd no longer names the finished
#                                invocation, so scripts take the unit's log)
#   notify-unit, JOURNAL_SETTLE=0
#   notify-unit as nobody        who cannot read the journal: told so
# Prints each median (fastest and slowest in brackets), in seconds, timed in
# the container with date +%s%N around the command.
# Measured here (2 shared cores, release --static-swift-stdlib, 1,000
# lines, median of 9): before (the quiet window) root 0.530 s, the shell
# script 0.017 s, JOURNAL_SETTLE=0 0.030 s, nobody 0.025 s; now, with no
# wait for a run whose end systemd logged longer ago than JOURNAL_SETTLE,
# root 0.035 s; and every line (1,004, as journalctl -u shows): before,
# 1,003, the job's last line lost, as journald stored it without the
# invocation (its process had ended), which the report now takes by unit.
# Usage: bench/by-hand.sh [BINARY [LINES [RUNS]]]
#   BINARY: a notify-unit built with --static-swift-stdlib (default: a
#   release build of this tree, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
lines=${2:-1000}
runs=${3:-9}
if [ -z "$bin" ]; then
  swift build -c release --static-swift-stdlib --scratch-path .build-bench >/dev/null
  bin=.build-bench/release/notify-unit
fi
. bench/container.sh
trap container_stop EXIT
container_boot "$bin"

in_container sh -c "
mkdir -p /etc/systemd/system
printf '[Service]\nType=oneshot\nLogRateLimitIntervalSec=30s\nLogRateLimitBurst=1000000\nExecStart=/bin/sh -c \"seq 1 $lines; echo the last line\"\n' \
  > /etc/systemd/system/bench-hand.service
systemctl daemon-reload
systemctl start bench-hand.service"
# Longer ago than JOURNAL_SETTLE (3 s): the run is over for journald too.
sleep 4

commands=(
  "/usr/local/bin/notify-unit --config /dev/null --dry-run --mail-to admin@localhost bench-hand.service"
  "systemctl show -P Result bench-hand.service; journalctl --no-pager -o short-iso -u bench-hand.service"
  "/usr/local/bin/notify-unit --config /dev/null --dry-run --mail-to admin@localhost --journal-settle 0 bench-hand.service"
  "setpriv --reuid=65534 --regid=65534 --clear-groups -- /usr/local/bin/notify-unit --config /dev/null --dry-run --mail-to admin@localhost bench-hand.service"
)
names=("notify-unit as root" "the shell script" "notify-unit, JOURNAL_SETTLE=0" "notify-unit as nobody")
declare -A times
for _ in $(seq 1 "$runs"); do
  for i in "${!commands[@]}"; do
    t=$(in_container sh -c "s=\$(date +%s%N); { ${commands[$i]}; } >/dev/null 2>&1; e=\$(date +%s%N); echo \$((e - s))")
    times[$i]+="$t "
  done
done
# Every line reached the report (the job's and systemd's "Starting").
count=$(in_container sh -c "${commands[0]}" 2>/dev/null | sed -n 's/^Log lines: *//p' | head -n 1)
shown=$(in_container sh -c "${commands[1]/journalctl /journalctl -q }" 2>/dev/null | wc -l)
for i in "${!commands[@]}"; do
  sorted=$(printf '%s\n' ${times[$i]} | sort -n)
  median=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
  printf '%-30s %d.%03d s  [%d.%03d, %d.%03d]\n' "${names[$i]}" \
    $((median / 1000000000)) $((median % 1000000000 / 1000000)) \
    $(($(echo "$sorted" | head -n 1) / 1000000000)) $(($(echo "$sorted" | head -n 1) % 1000000000 / 1000000)) \
    $(($(echo "$sorted" | tail -n 1) / 1000000000)) $(($(echo "$sorted" | tail -n 1) % 1000000000 / 1000000))
done
echo "log lines in the report: $count; journalctl -u shows $((shown - 1)) (and the Result)"
