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
if ! flock -n 9; then
  echo "==> waiting for the other restic job (lock $lock)"
  flock -w 21600 9 || { echo "==> gave up waiting for $lock" >&2; exit 75; }
fi

# step NAME COMMAND...: runs a step, logs its time and exit status.
step() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo "==> $name started"
  "$@" || rc=$?
  echo "==> $name took $((SECONDS - start)) s (exit status $rc)"
  return $rc
}
