#!/usr/bin/env python3
"""Races notify-unit processes on one spool, for SpoolRaceTests.

  spool_race.py stress BINARY JOURNAL INVOCATION LAST_LINE DIR
  spool_race.py crash  BINARY JOURNAL INVOCATION LAST_LINE DIR

LAST_LINE is the invocation's last log line: a mail holding it was handed
over whole.

Every notify-unit here is a process of its own (never a thread), as units
finishing together and the flush timer are. The relay is a stand-in
sendmail: slow (10-50 ms) and refusing 40 % of the messages with 75
(EX_TEMPFAIL); a message counts as accepted once the relay has moved it into
DIR/accepted, named after the notify-unit process that handed it over: the
run number this driver gave that process in its environment
(NOTIFY_UNIT_RACE_RUN, which notify-unit passes on to sendmail), never the
relay's parent pid. A run killed just after it wrote the whole message into
the relay's pipe leaves a relay whose shell starts only after the kill: its
$PPID is then init's (or a subreaper's), and a copy handed over by a killed
run would look handed over by a process nobody killed.

stress: 200 reports of 50 units, 50 at once, with 8 flushes racing them;
every report must be accepted exactly once.
crash: 300 reports, each SIGKILLed at a random moment (and flushes racing
them killed too); a report that reached the spool must not be lost, and a
report accepted twice must have been handed over by a process killed after
the relay took it and before the entry was removed (at-least-once).

Prints one JSON object: the figures and the violations found.
"""

import email
import email.policy
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

RELAY = r"""#!/bin/sh
# A stand-in sendmail: slow, and refuses PERCENT % with EX_TEMPFAIL.
d='DIR'
t=$(mktemp "$d/incoming/in.XXXXXX") || exit 75
cat > "$t"
r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
sleep 0.0$((r % 5 + 1))
if [ $((r % 100)) -lt PERCENT ]; then
  rm -f "$t"
  echo "$NOTIFY_UNIT_RACE_RUN" >> "$d/refused"
  exit 75
fi
echo "$NOTIFY_UNIT_RACE_RUN $PPID" >> "$d/parents"
mv "$t" "$d/accepted/$(basename "$t").$NOTIFY_UNIT_RACE_RUN"
"""


def escaped(unit):
    return "".join(
        c if c.isascii() and c.isalnum() else "".join("_%02x" % b for b in c.encode())
        for c in unit
    )


class Race:
    def __init__(self, binary, journal, invocation, last_line, directory, refuse_percent):
        self.last_line = last_line.encode()
        self.binary = binary
        self.journal = journal
        self.invocation = invocation
        self.dir = directory
        self.state = os.path.join(directory, "state")
        self.spool = os.path.join(self.state, "spool")
        for sub in ("incoming", "accepted"):
            os.makedirs(os.path.join(directory, sub), exist_ok=True)
        self.relay = self.write_relay("relay", refuse_percent)
        self.sure_relay = self.write_relay("sure-relay", 0)
        self.runs = 0
        self.pids = {}
        self.said = {}
        self.files = {}
        self.env = {
            "PATH": "/usr/bin:/bin",
            "SERVICE_RESULT": "exit-code",
            "EXIT_CODE": "exited",
            "EXIT_STATUS": "3",
            "INVOCATION_ID": invocation,
        }

    def write_relay(self, name, percent):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(RELAY.replace("DIR", self.dir).replace("PERCENT", str(percent)))
        os.chmod(path, 0o755)
        return path

    def spawn(self, arguments):
        """A notify-unit process, its run number in its environment (and in
        `run` on the returned Popen)."""
        self.runs += 1
        p = subprocess.Popen(
            arguments, env=dict(self.env, NOTIFY_UNIT_RACE_RUN=str(self.runs)),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        p.run = self.runs
        self.pids[self.runs] = p.pid
        return p

    def finish(self, p, timeout=None):
        """Waits for a process; keeps what it said, for a violation's details."""
        _, err = p.communicate(timeout=timeout)
        self.said[p.run] = err.decode(errors="replace")[-2000:]
        return err

    def reparented(self):
        """Runs whose relay's shell found another parent than the run: it
        was killed before the relay started."""
        try:
            with open(os.path.join(self.dir, "parents")) as f:
                pairs = [line.split() for line in f]
        except FileNotFoundError:
            return set()
        return {int(run) for run, parent in pairs if self.pids.get(int(run)) != int(parent)}

    def report(self, unit):
        return self.spawn(
            [self.binary, "--config", "/dev/null", "--journal-file", self.journal,
             "--mail-to", "mail@localhost", "--sendmail", self.relay,
             "--state-directory", self.state, "--attachment-max-bytes", "0",
             "--journal-settle", "0", unit])

    def flush(self, relay=None):
        return self.spawn(
            [self.binary, "flush", "--config", "/dev/null", "--sendmail", relay or self.relay,
             "--state-directory", self.state])

    def entries(self):
        try:
            names = os.listdir(self.spool)
        except FileNotFoundError:
            return []
        return [n for n in names if not n.startswith(".") and not n.endswith(".reason")]

    def spooled(self, unit):
        suffix = "-mail-" + escaped(unit)
        return any(n.endswith(suffix) for n in self.entries())

    def drain(self):
        """Flushes one at a time through a relay that takes everything."""
        for _ in range(50):
            if not self.entries():
                return True
            p = self.flush(self.sure_relay)
            self.finish(p, timeout=120)
        return not self.entries()

    def accepted(self):
        """(unit, Message-ID, handing run, complete) for each accepted message."""
        found = []
        folder = os.path.join(self.dir, "accepted")
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as f:
                raw = f.read()
            message = email.message_from_bytes(raw, policy=email.policy.default)
            subject = str(message.get("Subject", ""))
            unit = re.search(r"(?:stress|crash)-\d+\.service", subject)
            self.files.setdefault(unit.group(0) if unit else None, []).append(
                {"file": name, "bytes": len(raw), "tail": raw[-400:].decode(errors="replace")})
            found.append(
                (unit.group(0) if unit else None, str(message.get("Message-ID", "")),
                 int(name.rsplit(".", 1)[1]),
                 # The journal's last line: the whole message was handed over.
                 self.last_line in raw.replace(b"=\n", b"")))
        return found

    def refusals(self):
        try:
            with open(os.path.join(self.dir, "refused")) as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0


def stress(race):
    units = ["stress-%02d.service" % i for i in range(50)]
    stop = time.monotonic() + 600
    flushers = [race.flush() for _ in range(8)]
    flushes = 8
    reports = 0
    failed = []
    for _wave in range(4):
        wave = [(u, race.report(u)) for u in units]
        reports += len(wave)
        while any(p.poll() is None for _, p in wave):
            # Keep 8 flushes racing the wave, each a process of its own.
            for i, f in enumerate(flushers):
                if f.poll() is not None:
                    flushers[i] = race.flush()
                    flushes += 1
            time.sleep(0.02)
            if time.monotonic() > stop:
                raise SystemExit("stress: reports did not finish")
        for u, p in wave:
            err = race.finish(p)
            if p.returncode != 0:
                failed.append("%s exited %d: %s" % (u, p.returncode, err.decode()[-300:]))
    for f in flushers:
        race.finish(f, timeout=120)
    drained = race.drain()
    accepted = race.accepted()
    by_id = {}
    for unit, mid, _, _ in accepted:
        by_id.setdefault(mid, []).append(unit)
    per_unit = {}
    for unit, _, _, _ in accepted:
        per_unit[unit] = per_unit.get(unit, 0) + 1
    violations = list(failed)
    if not drained:
        violations.append("the spool was not empty after the drain: %s" % race.entries())
    twice = {m: u for m, u in by_id.items() if len(u) > 1}
    if twice:
        violations.append("accepted more than once: %s" % twice)
    wrong = {u: n for u, n in per_unit.items() if n != 4 or u not in units}
    if wrong or len(per_unit) != len(units):
        violations.append("not 4 mails for each unit: %s" % wrong)
    return {
        "reports": reports, "units": len(units), "flushes": flushes,
        "refusals": race.refusals(), "accepted": len(accepted),
        "distinct_message_ids": len(by_id), "duplicates": len(accepted) - len(by_id),
        "violations": violations,
    }


def crash(race, runs=300, at_once=6):
    rng = random.Random(int(os.environ.get("SPOOL_RACE_SEED", "0")) or None)
    killed = set()
    reached = set()
    finished_ok = set()
    kills = 0
    flusher = None
    flushes = flush_kills = 0
    pending = []  # (unit, process, kill time)
    index = 0
    deadline = time.monotonic() + 600
    while index < runs or pending:
        while index < runs and len(pending) < at_once:
            unit = "crash-%03d.service" % index
            index += 1
            pending.append((unit, race.report(unit), time.monotonic() + rng.uniform(0, 0.6)))
        if flusher is None or flusher[0].poll() is not None:
            if flusher is not None:
                race.finish(flusher[0])
            flusher = (race.flush(), time.monotonic() + rng.uniform(0, 0.5))
            flushes += 1
        elif time.monotonic() > flusher[1]:
            flusher[0].send_signal(signal.SIGKILL)
            killed.add(flusher[0].run)
            flush_kills += 1
            race.finish(flusher[0])
            flusher = None
        still = []
        for unit, p, at in pending:
            if p.poll() is None and time.monotonic() < at:
                still.append((unit, p, at))
                continue
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed.add(p.run)
                kills += 1
            race.finish(p)
            if p.returncode == 0:
                finished_ok.add(unit)
            # In the spool once the run is over: it must be delivered.
            if race.spooled(unit):
                reached.add(unit)
        pending = still
        time.sleep(0.005)
        if time.monotonic() > deadline:
            raise SystemExit("crash: runs did not finish")
    if flusher is not None:
        race.finish(flusher[0], timeout=120)
    drained = race.drain()
    accepted = race.accepted()
    copies = {}
    headless = 0
    for unit, mid, run, complete in accepted:
        if unit is None:
            # Cut short before its Subject by a kill: counted, not a report.
            headless += 1
            continue
        copies.setdefault(unit, []).append((mid, run, complete))
    violations = []
    if not drained:
        violations.append("the spool was not empty after the drain: %s" % race.entries())
    for unit in sorted(reached | finished_ok):
        if unit not in copies:
            violations.append("%s reached the spool or said delivered, and was lost" % unit)
        elif not any(complete for _, _, complete in copies[unit]):
            violations.append("%s was only ever handed over cut short" % unit)
    duplicates = explained = truncated = 0
    for unit, got in copies.items():
        ids = {mid for mid, _, _ in got}
        if len(ids) > 1:
            violations.append("%s: two different reports %s" % (unit, ids))
        truncated += sum(1 for _, _, complete in got if not complete)
        if not all(run in killed for _, run, complete in got if not complete):
            violations.append("%s was cut short by a process that was not killed" % unit)
        if len(got) > 1:
            duplicates += len(got) - 1
            # Each copy but the last handed over by a process killed after
            # the relay took it and before it removed the entry.
            by_killed = sum(1 for _, run, _ in got if run in killed)
            if by_killed >= len(got) - 1:
                explained += len(got) - 1
            else:
                violations.append(
                    "%s accepted %d times, by %d killed process(es)" % (unit, len(got), by_killed))
    never = runs - len(copies)
    # What a failing run needs to be understood: each copy of a unit named
    # in a violation, and what the processes that handed it over said.
    details = {}
    for unit in copies:
        if any(unit in v for v in violations):
            details[unit] = {
                "copies": race.files.get(unit, []),
                "said": {str(run): race.said.get(run, "") for _, run, _ in copies[unit]},
                "killed": [run for _, run, _ in copies[unit] if run in killed],
            }
    return {
        "details": details,
        "runs": runs, "kills": kills, "flushes": flushes, "flush_kills": flush_kills,
        "refusals": race.refusals(), "reached_spool": len(reached),
        "accepted": len(accepted), "delivered_reports": len(copies),
        "duplicates": duplicates, "duplicates_killed_after_accept": explained,
        "truncated_handovers": truncated + headless,
        # Killed before their relay's shell started (its $PPID not theirs).
        "handovers_after_parent_killed": len(race.reparented()),
        "not_delivered_killed_before_spool": never,
        "violations": violations,
    }


def main():
    mode, binary, journal, invocation, last_line, directory = sys.argv[1:7]
    started = time.monotonic()
    race = Race(binary, journal, invocation, last_line, directory, 40)
    figures = stress(race) if mode == "stress" else crash(race)
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
