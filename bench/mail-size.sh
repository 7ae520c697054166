#!/usr/bin/env bash
# The mail's size, and the time notify-unit takes to read the run and make
# the mail, for a failed run of 1,000 and of 100,000 lines (~100-byte
# restic-like lines, bench/make_journal.py), with the default limits.
# Given two binaries, both are measured on the same journals: e.g. a build
# of main before a change and one after it.
# Needs: systemd-journal-remote, GNU time (scripts/setup installs them).
# Usage: bench/mail-size.sh [BINARY [OTHER_BINARY]]
#   (default BINARY: this checkout's release build, made if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  swift build -c release --static-swift-stdlib >/dev/null
  bins=(.build/release/notify-unit)
fi
work=$(mktemp -d /var/tmp/notify-unit-mail-size.XXXXXX)
trap 'rm -rf "$work"' EXIT
inv=1b4e28ba2fa1411d9bed3e1b4e28ba2f

for lines in 1000 100000; do
  python3 bench/make_journal.py "$lines" 1 "$inv" |
    /lib/systemd/systemd-journal-remote --output="$work/$lines.journal" --split-mode=none - \
      2>/dev/null
done

# The median wall time of 5 runs, and the mail of the last.
mail() { # BINARY LINES
  local times=()
  for _ in 1 2 3 4 5; do
    SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=1 /usr/bin/time -f %e -o "$work/time" \
      "$1" --config /dev/null --dry-run --journal-file "$work/$2.journal" --invocation-id "$inv" \
      --mail-to admin@example.org backup.service >"$work/mail.eml" 2>/dev/null
    times+=("$(cat "$work/time")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

printf '%-40s %8s %12s %10s  %s\n' binary lines "mail bytes" "time (s)" attachment
for bin in "${bins[@]}"; do
  for lines in 1000 100000; do
    t=$(mail "$bin" "$lines")
    size=$(stat -c %s "$work/mail.eml")
    kind=$(python3 - "$work/mail.eml" <<'PY'
import email, email.policy, gzip, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
parts = [p for p in msg.walk() if p.get_content_disposition() == "attachment"]
if not parts:
    print("none")
else:
    p = parts[0]
    data = p.get_payload(decode=True)
    log = gzip.decompress(data) if p.get_content_type() == "application/gzip" else data
    lines = log.count(b"\n")
    print(f"{p.get_filename()}: {len(data)} bytes holding {lines} log lines")
PY
)
    printf '%-40s %8s %12s %10s  %s\n' "$bin" "$lines" "$size" "$t" "$kind"
  done
done
