#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest console logs (plus the host-side checks) into results.

    report.py <kunit.py> <host-results> [--expect-done] <console.log>...

KUnit KTAP blocks (between HVL-KTAP-BEGIN/END) are merged into one KTAP
document and parsed by the kernel's own tools/testing/kunit/kunit.py.
Integration tests print "HVL-TAP: ok N - name".  Host-side checks are
lines "ok - name" / "not ok - name" in <host-results>.

Silence is failure: a log (each boot has one) without HVL-DONE, or with any kernel report
(WARNING, BUG, KASAN, UBSAN, lockdep, kmemleak, panic, hung task, stall),
fails the run.  Before the last line, every timed stage of each boot
("HVL: <name> took N s": KUnit, each integration test), slowest first, so
that what costs the suite its time is visible.  The last line is
"N passed, N failed, N skipped".

A log named as "scan:<path>" is scanned for kernel reports but needs no
HVL-DONE: a machine that make check-2m killed on purpose (tests/2m/run.py).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

KERNEL_REPORTS = re.compile(
    r"WARNING:|BUG:|BUG kmalloc|KASAN|UBSAN|Kernel panic|Oops|"
    r"general protection fault|possible circular locking|"
    r"possible recursive locking|inconsistent lock state|"
    r"suspicious RCU usage|DEBUG_LOCKS_WARN_ON|kmemleak: suspected|"
    r"suspected memory leaks|unreferenced object|blocked for more than|"
    r"rcu_.* detected stalls|soft lockup|hard LOCKUP|refcount_t:|"
    r"list_add corruption|list_del corruption|sleeping function called|"
    r"scheduling while atomic|hvl: guest timed out|"
    r"Out of memory: Killed|oom-kill:|"
    r"Kernel memory leak detector disabled|kmemleak: Cannot|"
    r"kmemleak: scan failed|self-detected stall|detected expedited stalls|"
    r"unregister_netdevice: waiting|page allocation failure|"
    r"lockdep: debug_locks turned off")


def kunit_results(kunit, blocks):
    """Return [(name, status)] for every KUnit case, via kunit.py parse."""
    if not blocks:
        return []
    doc = ["KTAP version 1", "1..%d" % len(blocks)]
    for i, block in enumerate(blocks, 1):
        lines = block.splitlines()
        # Each debugfs block is a full document for one suite: drop its
        # header and renumber its final line.
        body = [l for l in lines[2:] if l.strip()]
        if body and re.match(r"^(not )?ok 1 ", body[-1]):
            body[-1] = re.sub(r"^((?:not )?ok) 1 ", r"\g<1> %d " % i, body[-1])
        doc.extend(body)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "kunit.ktap")
        js = os.path.join(tmp, "kunit.json")
        with open(src, "w") as f:
            f.write("\n".join(doc) + "\n")
        p = subprocess.run([sys.executable, kunit, "parse", "--json=" + js, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        sys.stdout.write(p.stdout)
        if not os.path.exists(js):
            return [("kunit.py parse", "FAIL")]
        with open(js) as f:
            data = json.load(f)
    out = []

    def walk(tests, prefix):
        for t in tests:
            name = prefix + t["name"]
            if t.get("sub_groups"):
                walk(t["sub_groups"], name + ".")
            for c in t.get("test_cases", []):
                status = {"PASS": "SUCCESS", "SKIP": "SKIPPED"}.get(
                    c["status"], "FAIL")
                out.append((name + "." + c["name"], status))

    walk(data.get("sub_groups", []), "")
    if p.returncode != 0 and not any(s == "FAIL" for _, s in out):
        out.append(("kunit.py parse", "FAIL"))
    return out


def main():
    kunit, host = sys.argv[1:3]
    expect_done = "--expect-done" in sys.argv
    logs = [a for a in sys.argv[3:] if a != "--expect-done"]
    killed = {l[len("scan:"):] for l in logs if l.startswith("scan:")}
    logs = [l[len("scan:"):] if l.startswith("scan:") else l for l in logs]
    texts = [open(log, errors="replace").read() for log in logs]
    text = "\n".join(texts)
    results = []

    for line in open(host):
        m = re.match(r"^(not )?ok - (.*)$", line.rstrip())
        if m:
            results.append((m.group(2), "FAIL" if m.group(1) else "SUCCESS"))

    blocks = re.findall(r"HVL-KTAP-BEGIN\r?\n(.*?)HVL-KTAP-END", text, re.S)
    blocks = [b.replace("\r", "") for b in blocks]
    results += [("kunit " + n, s) for n, s in kunit_results(kunit, blocks)]

    for log, t in zip(logs, texts):
        seen = set()
        for m in re.finditer(r"^HVL-TAP: (not )?ok \d+ - (\S+)(.*)$", t, re.M):
            status = "FAIL" if m.group(1) else "SUCCESS"
            if "# SKIP" in m.group(3):
                status = "SKIPPED"
            name = "integration " + m.group(2)
            # The test's own reason, beside its name at the end of the
            # output, which is the part a CI log keeps: from this run of
            # it (a glob may run a test twice in a boot).
            runs = [r.start() for r in re.finditer(
                r"^HVL: running %s\r?$" % re.escape(m.group(2)),
                t[:m.start()], re.M)]
            why = re.findall(r"^HVL: %s: FAIL: (.*?)\r?$" % re.escape(m.group(2)),
                             t[runs[-1] if runs else 0:m.start()], re.M)
            if status == "FAIL" and why:
                name += ": " + why[-1][:3000]
            elif status == "FAIL" and m.group(3).strip():
                # init's own reason: a time-out, a mount left, ...
                name += ": " + m.group(3).strip().strip("()")
            results.append((name, status))
            seen.add(m.group(2))
        # A test that started and has no result line (the guest died, or
        # a kernel message cut the line on the shared console) failed.
        for m in re.finditer(r"^HVL: running (\S+)\r?$", t, re.M):
            if m.group(1) not in seen and log not in killed:
                results.append(("integration %s: no result line (%s)" %
                                (m.group(1), os.path.basename(log)), "FAIL"))

    reports = [l for l in text.splitlines() if KERNEL_REPORTS.search(l)]
    results.append(("kernel log clean", "FAIL" if reports else "SUCCESS"))
    if expect_done:
        for log, t in zip(logs, texts):
            if log in killed:
                continue
            done = re.search(r"^HVL-DONE", t, re.M) is not None
            results.append(("guest ran to completion (%s)" % os.path.basename(log),
                            "SUCCESS" if done else "FAIL"))

    passed = failed = skipped = 0
    for name, status in results:
        if status == "SUCCESS":
            passed += 1
        elif status == "SKIPPED":
            skipped += 1
            print("skip: " + name)
        else:
            failed += 1
            print("FAIL: " + name)
    for l in reports[:40]:
        print("kernel: " + l.strip())
    times = []
    for log, t in zip(logs, texts):
        board = os.path.basename(log)
        for m in re.finditer(r"^HVL: (\S+) took (\d+) s", t, re.M):
            times.append((int(m.group(2)), m.group(1), board))
    if times:
        print("times (s), slowest first:")
        for sec, name, board in sorted(times, reverse=True):
            print("%6d  %s (%s)" % (sec, name, board))
        print("%6d  total of the timed stages" % sum(s for s, _, _ in times))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
