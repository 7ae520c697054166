# Shared by restic-backup and restic-prune (sourced, not run): settings,
# the repository lock, and timed steps in the log.

# restic reads every file through the unit's CAP_DAC_READ_SEARCH
# (AmbientCapabilities= in backup.service), not as root.
restic=${RESTIC_BIN:-$(command -v restic)}

: "${RESTIC_REPOSITORY:?RESTIC_REPOSITORY is not set (see /etc/restic/restic.env)}"

# Backup and prune both lock the repository; restic 0.14 has no --retry-lock.
# The second job waits here (up to 6 h) instead of failing on the lock.
lock=${RESTIC_JOB_LOCK:-/var/lib/restic/job.lock}
exec 9>"$lock"
# Under systemd (JOURNAL_STREAM set), errors are logged at error priority:
# journald reads a "<3>" prefix on each line (SyslogLevelPrefix=, on by
# default), so `journalctl -p err` finds restic's "Fatal: ..." and the
# report names it. By hand, lines stay as they are.
error() {
  if [ -n "${JOURNAL_STREAM:-}" ]; then echo "<3>$*" >&2; else echo "$*" >&2; fi
}

if ! flock -n 9; then
  echo "==> waiting for the other restic job (lock $lock)"
  flock -w 21600 9 || { error "==> gave up waiting for $lock"; exit 75; }
fi

# step NAME COMMAND...: runs a step, logs its time and exit status; the
# step's stderr (restic writes only its errors and warnings there) at
# error priority under systemd.
step() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo "==> $name started"
  if [ -n "${JOURNAL_STREAM:-}" ]; then
    { "$@" 2>&1 1>&3 3>&- | sed -u 's/^/<3>/' >&2; rc=${PIPESTATUS[0]}; } 3>&1
  else
    "$@" || rc=$?
  fi
  echo "==> $name took $((SECONDS - start)) s (exit status $rc)"
  return $rc
}
