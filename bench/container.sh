# Boots the system tests' Debian 12 (systemd 252) container by hand, as
# Tests/TestSupport/SystemdContainer.swift does, for measurements in bench/.
# Source it: `container_boot BINARY` (takes the tests' lock, waits its turn),
# `in_container CMD...`, `container_stop` (also on EXIT if you trap it).
# Needs the root file system the system tests cached (run one first).
# shellcheck shell=bash

container_tar() {
  local key=systemd,systemd-sysv,dbus,libcurl4,exim4-daemon-light,restic,libcap2-bin,procps
  local hash
  hash=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode(): h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print(format(h, "x"))' "$key")
  echo "/var/cache/notify-unit-test/bookworm-$hash.tar"
}

container_boot() { # BINARY
  local tar
  tar=$(container_tar)
  [ -e "$tar" ] || { echo "no $tar: run the system tests once first" >&2; return 1; }
  mkdir -p /run/notify-unit-test
  exec {container_lock}>/run/notify-unit-test/turn.lock
  flock "$container_lock"
  container_name=nubench-$$
  container_mnt=/run/notify-unit-test/$container_name
  container_root=$container_mnt/root
  mkdir -p "$container_mnt"
  mount -t tmpfs -o size=3G tmpfs "$container_mnt"
  mkdir -p "$container_root"
  tar -C "$container_root" -xf "$tar"
  echo "$container_name" >"$container_root/etc/hostname"
  install -m 0755 "$1" "$container_root/usr/local/bin/notify-unit"
  container_cgroups=()
  local cg script=""
  for cg in /sys/fs/cgroup/unified/$container_name /sys/fs/cgroup/systemd/$container_name; do
    [ -d "$(dirname "$cg")" ] || continue
    mkdir -p "$cg"
    container_cgroups+=("$cg")
    script+="echo \$\$ > $cg/cgroup.procs && "
  done
  local bind=""
  [ -d /opt/swift ] && bind="--bind-ro=/opt/swift"
  script+="exec systemd-nspawn -D $container_root -M $container_name --register=no --keep-unit"
  script+=" --link-journal=no --console=read-only --bind-ro=$PWD:/src $bind -b"
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid sh -c "$script" >/dev/null 2>&1 &
  container_nspawn=$!
  container_leader=
  local i child state
  for i in $(seq 1 600); do
    if [ -z "$container_leader" ]; then
      for child in $(cat "/proc/$container_nspawn/task/$container_nspawn/children" 2>/dev/null); do
        case $(cat "/proc/$child/comm" 2>/dev/null) in systemd*) container_leader=$child ;; esac
      done
    fi
    if [ -n "$container_leader" ]; then
      state=$(in_container systemctl is-system-running 2>/dev/null || true)
      case $state in running | degraded) return 0 ;; esac
    fi
    sleep 0.1
  done
  echo "the container did not boot" >&2
  return 1
}

in_container() {
  nsenter -t "$container_leader" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

container_stop() {
  [ -n "${container_nspawn:-}" ] || return 0
  kill -TERM "$container_nspawn" 2>/dev/null || true
  local i
  for i in $(seq 1 200); do kill -0 "$container_nspawn" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$container_nspawn" 2>/dev/null || true
  wait "$container_nspawn" 2>/dev/null || true
  # SIGKILL to nspawn alone leaves a container whose shutdown hung running.
  local cg
  for cg in "${container_cgroups[@]}"; do
    [ -e "$cg/cgroup.kill" ] && echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
  done
  for i in $(seq 1 100); do
    [ -z "$(cat "${container_cgroups[@]/%//cgroup.procs}" 2>/dev/null; find "${container_cgroups[@]}" -mindepth 2 -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break
    sleep 0.1
  done
  umount -R "$container_mnt" 2>/dev/null || true
  rmdir "$container_mnt" 2>/dev/null || true
  for cg in "${container_cgroups[@]}"; do
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  container_nspawn=
  exec {container_lock}>&-
}
