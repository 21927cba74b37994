#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host's side of make bench-* BENCH_TAIL=1 (tests/qemu/bench.sh): how
# long the guest's QEMU threads (under TCG, one per vCPU, and QEMU's own)
# waited for a host CPU while the guest recorded its round trips.  From
# inside, a task whose vCPU's thread waits and a task that runs slowly
# look alike (tools/lib-tail.awk); this is the host's count.
#
#   host-sched.sh sample <console-log> <qemu-match>   until the QEMU whose
#       command line contains <qemu-match> is gone, a line every 0.2 s:
#       "<lines in the console log> <run ns> <wait ns> <seconds>", summed
#       over its threads (/proc/<pid>/task/*/schedstat: time on a CPU,
#       time runnable on a run queue)
#   host-sched.sh report <console-log> <samples>   for each period between
#       the guest's "HVL-MARK: tail: recording <name>" and "... recorded
#       <name>" lines (the round trips, tools/lib-bench.sh, written
#       straight to the console), the threads' run and wait over the
#       period's length
set -eu

case $1 in
sample)
	pid=
	for i in $(seq 300); do
		# not run.sh, timeout or this script, whose arguments match too
		pid=$(pgrep -f -- "$3" | while read -r p; do
			case $(cat /proc/$p/comm 2>/dev/null) in qemu*) echo $p ;; esac
		done | head -1)
		[ -n "$pid" ] && break
		sleep 0.2
	done
	[ -n "$pid" ] || exit 0
	while [ -d /proc/$pid ]; do
		lines=$(wc -l <"$2" 2>/dev/null || echo 0)
		cat /proc/$pid/task/*/schedstat 2>/dev/null |
			awk -v l="$lines" -v s="$(date +%s.%N)" \
				'{ r += $1; w += $2 } END { printf "%d %.0f %.0f %s\n", l, r, w, s }'
		sleep 0.2
	done
	;;
report)
	# the first sample that has seen a console line: its time and sums
	tr -d '\r' <"$2" | awk -v samples="$3" '
	BEGIN {
		while ((getline line < samples) > 0) {
			split(line, f, " ")
			n++; L[n] = f[1]; R[n] = f[2]; W[n] = f[3]; T[n] = f[4]
		}
	}
	function at(line, i) {
		for (i = 1; i <= n; i++)
			if (L[i] >= line)
				return i
		return 0
	}
	/HVL-MARK: tail: recording / {
		t = $0; sub(/.*tail: recording /, "", t); start[t] = at(NR)
	}
	/HVL-MARK: tail: recorded / {
		t = $0; sub(/.*tail: recorded /, "", t)
		a = start[t]; b = at(NR)
		if (!a || !b || T[b] <= T[a])
			next
		printf "host: %s: %.1f s recorded; QEMU threads on a CPU %.2f s, runnable but waiting %.2f s (%.0f%% of their runnable time)\n",
			t, T[b] - T[a], (R[b] - R[a]) / 1e9, (W[b] - W[a]) / 1e9,
			100 * (W[b] - W[a]) / (R[b] - R[a] + W[b] - W[a] + 1)
	}'
	;;
esac
