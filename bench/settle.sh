#!/usr/bin/env bash
# Issue 11 §4: how long after a unit's main process exits its ExecStopPost=
# report is done, under a booted systemd 252 (the system tests' container,
# bench/container.sh), for a 1,000-line run: as root, and as a sandboxed
# User= unit like the shipped backup.service (journald's stream files are
# 0600 root there). Reports the median of RUNS runs, from the job's last
# line to systemd's "Deactivated successfully" (the whole ExecStopPost=, a
# dry-run report with the mail printed), and whether every line (the job's
# and systemd's "Starting") was in the report.
# Measured here (2 shared cores, release --static-swift-stdlib), root /
# sandboxed User=: before (quiet window) 0.531 / 0.623 s at 1,000 lines;
# with journald's stream files 0.037 / 0.085 s at 1,000, 0.078 / 0.078 s at
# 30,000, 0.350 / 0.135 s at 100,000, every line kept.
# Usage: bench/settle.sh [BINARY [LINES [RUNS]]]
#   BINARY: a notify-unit built with --static-swift-stdlib (default: release
#   build of this tree, built here).
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

in_container sh -c '
useradd --system --user-group benchuser
mkdir -p /etc/systemd/system
for kind in root sandboxed; do
  {
    echo "[Service]"
    echo "Type=oneshot"
    echo "LogRateLimitIntervalSec=30s"
    echo "LogRateLimitBurst=1000000"
    echo "ExecStart=/bin/sh -c \"seq 1 '"$lines"'; echo the last line\""
    echo "ExecStopPost=-/usr/local/bin/notify-unit --config /dev/null --dry-run --mail-to admin@localhost %n"
    if [ $kind = sandboxed ]; then
      echo "User=benchuser"
      echo "SupplementaryGroups=systemd-journal"
      grep -E "^(UMask|Protect|Private|NoNewPrivileges|Restrict|LockPersonality|MemoryDeny|RemoveIPC|SystemCall|ProcSubset)" /src/units/backup.service
    fi
  } > /etc/systemd/system/bench-$kind.service
done
systemctl daemon-reload'

for kind in root sandboxed; do
  unit=bench-$kind.service
  results=()
  complete=yes
  for _ in $(seq 1 "$runs"); do
    in_container systemctl start "$unit"
    # journald's times: when it stored the job's last line (the main
    # process exits right after it), and systemd's "Deactivated
    # successfully" (after ExecStopPost= ended). systemd unloads the
    # finished unit at once, so these come from the journal, not from it.
    last=$(in_container journalctl -o export --no-pager "_SYSTEMD_UNIT=$unit" \
      "MESSAGE=the last line" | sed -n 's/^__REALTIME_TIMESTAMP=//p' | tail -n 1)
    done_at=$(in_container journalctl -o export --no-pager "UNIT=$unit" \
      MESSAGE_ID=7ad2d189f7e94e70a38c781354912448 | sed -n 's/^__REALTIME_TIMESTAMP=//p' | tail -n 1)
    [ -n "$last" ] && [ -n "$done_at" ] || { echo "no times for $unit" >&2; exit 1; }
    results+=("$(( done_at - last ))")
    # The dry run's mail names the count of lines it read.
    count=$(in_container journalctl -u "$unit" -o cat --no-pager | sed -n 's/^Log lines: *//p' | tail -n 1)
    [ "$count" = "$((lines + 2))" ] || complete="no ($count of $((lines + 2)))"
  done
  median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-10s %d lines: report done %d.%03d s after the main process exited (median of %d); every line: %s\n' \
    "$kind" "$lines" $((median / 1000000)) $((median % 1000000 / 1000)) "$runs" "$complete"
done
