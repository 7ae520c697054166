#!/usr/bin/env bash
# Issue 11 §4: how long after a unit's main process exits its ExecStopPost=
# report is done, under a booted systemd 252 (the system tests' container,
# bench/container.sh), for a 1,000-line run: as root, and as a sandboxed
# User= unit like the shipped backup.service (journald's stream files are
# 0600 root there). Reports the median of RUNS runs (systemd's
# ExecMainExitTimestamp to InactiveEnterTimestamp, i.e. the whole
# ExecStopPost=), and whether every line was in the report.
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
    echo "ExecStart=/bin/sh -c \"seq 1 '"$lines"' | sed s/^/line\\\\x20/; echo the last line\""
    echo "ExecStopPost=-/usr/local/bin/notify-unit --config /dev/null --dry-run %n"
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
    read -r exited inactive < <(in_container systemctl show -P ExecMainExitTimestampMonotonic \
      -P InactiveEnterTimestampMonotonic "$unit" | tr '\n' ' ')
    results+=("$(( inactive - exited ))")
    id=$(in_container systemctl show -P InvocationID "$unit")
    # The dry run's report names the count of lines it read.
    count=$(in_container journalctl -o cat --no-pager "_SYSTEMD_INVOCATION_ID=$id" _COMM=notify-unit |
      sed -n 's/^Log lines: *//p' | head -n 1)
    [ "$count" = "$((lines + 2))" ] || complete="no ($count of $((lines + 2)))"
  done
  median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-10s %d lines: report done %d.%03d s after the main process exited (median of %d); every line: %s\n' \
    "$kind" "$lines" $((median / 1000000)) $((median % 1000000 / 1000)) "$runs" "$complete"
done
