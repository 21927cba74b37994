# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmark scripts (tools/bench-*.sh) in the test guest:
# what they share to say where the time goes.
#
# BENCH_PERF=1 (make bench-<name> BENCH_PERF=1): profile_start and
# profile_stop around a run record every CPU with Debian's perf on the
# guest's software clock (TCG has no PMU), then print the costliest
# functions, each CPU's idle and busy shares (0-1 Linux, 2-3 the peer),
# the busiest tasks and the share of each module; BENCH_PERF=2 adds who
# calls the costliest functions, a call chain a line.  Without BENCH_PERF
# both do nothing.
#
# BENCH_TAIL=1: tail_start and tail_stop around an hvl-rr rr -T run say
# what its slowest round trips waited for (tail_stop, below).

PERF_PID=
# The idle loop's functions: a sample in one of them is an idle CPU.
IDLE_SYMS='safe_halt|cpu_idle|default_idle'

profile_start() {
	[ -n "${BENCH_PERF:-}" ] || return 0
	perf record -q -a $([ "$BENCH_PERF" = 2 ] && echo -g) -e cpu-clock \
		-o /tmp/perf.data 2>/dev/null &
	PERF_PID=$!
	# perf opens its events before it records: not the run's first ms.
	sleep 1
}

# profile_stop <title>
profile_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT $PERF_PID
	wait $PERF_PID
	PERF_PID=
	echo "profile of $1 (perf cpu-clock, share of all CPUs' samples):"
	perf report -q -i /tmp/perf.data --stdio --no-children --sort sym 2>/dev/null |
		grep -v '^$' | head -${BENCH_PERF_LINES:-40}
	echo "idle and busy samples by CPU (0-1 Linux, 2-3 the peer):"
	perf report -q -i /tmp/perf.data --stdio --no-children --sort cpu,sym 2>/dev/null |
		awk -v idle_syms="$IDLE_SYMS" '$2 ~ /^[0-9]+$/ { c = $2 + 0; if ($NF ~ idle_syms) idle[c] += $1; else busy[c] += $1 }
		END { for (c = 0; c < 4; c++) printf "cpu%d idle %.1f%% busy %.1f%%\n", c, idle[c], busy[c] }'
	perf report -q -i /tmp/perf.data --stdio --no-children --sort comm 2>/dev/null |
		grep -v '^$' | head -12
	# Whose code the busy samples are in: the kernel, each of our
	# modules (the loopback mailbox and the front-end are test
	# infrastructure; their share is what a board would not pay), the
	# programs.  Self time: what a module calls (memcpy) is the kernel's.
	# The idle loop is the kernel's too: left out, as above.
	echo "busy samples by module (self, share of all CPUs' samples):"
	perf report -q -i /tmp/perf.data --stdio --no-children --sort dso,sym 2>/dev/null |
		awk -v idle_syms="$IDLE_SYMS" '$1 ~ /%$/ { p = $1 + 0; if ($NF ~ idle_syms) idle += p; else s[$2] += p }
		END { for (d in s) printf "%8.2f%%  %s\n", s[d], d; printf "%8.2f%%  (idle)\n", idle }' |
		sort -rn | head -${BENCH_PERF_DSOS:-12}
	[ "$BENCH_PERF" = 2 ] &&
		perf report -q -i /tmp/perf.data --stdio --no-children --sort sym \
			-g folded,0.5,caller,function,percent \
			--symbols=${BENCH_PERF_SYMS:-_raw_spin_unlock_irqrestore,memcpy_orig,rep_movs_alternative,queued_spin_lock_slowpath,__schedule} 2>/dev/null |
		grep -v '^$' | cut -c1-400 | head -${BENCH_PERF_CHAINS:-60}
	return 0
}

# Context switches and interrupts so far, all CPUs (/proc/stat): a run's
# difference divided by its messages is what each message cost in
# wake-ups.
ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }
intrs() { awk '$1 == "intr" { print $2 }' /proc/stat; }

# irqs_of <row>...: the interrupts so far of the named /proc/interrupts
# rows (RES: rescheduling IPIs, CAL: function calls, IWI: irq_work),
# summed over all CPUs
irqs_of() {
	awk -v rows=" $* " 'index(rows, " " substr($1, 1, length($1) - 1) " ") {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
	} END { print s + 0 }' /proc/interrupts
}

# tasks_snap <file>: every task's context switches so far (pid, name,
# voluntary + involuntary), for tasks_report.
tasks_snap() {
	local f
	for f in /proc/[0-9]*/task/[0-9]*/status; do
		awk -v p="${f%/status}" '/^Name:/ { n = $2 } /^voluntary_ctxt/ { v = $2 }
			/^nonvoluntary_ctxt/ { nv = $2 } END { print p, n, v + nv }' "$f" 2>/dev/null
	done >"$1"
}

# tasks_report <before> <after> <operations> <title>: the tasks that
# switched most between the two snapshots, per operation, by name (the
# digits of a kworker's number dropped: one line for a pool's workers).
tasks_report() {
	echo "context switches per operation, by task ($4):"
	awk -v n="$3" 'NR == FNR { a[$1] = $3; next }
		{ d = $3 - a[$1]; k = $2; gsub(/[0-9]+/, "N", k); if (d > 0) s[k] += d }
		END { for (k in s) printf "%8.2f %s\n", s[k] / (n > 0 ? n : 1), k }' "$1" "$2" |
		sort -rn | head -${BENCH_TASKS_LINES:-8}
}

# field <line> <key>: the value of key=value in a hvl-rr result line
field() { echo "$1" | sed -n "s|.* $2=\([^ ]*\).*|\1|p"; }

# tail_rr <name> <command...>: BENCH_TAIL's run of a path's round trips,
# <command> an hvl-rr rr to which -T is added, between tail_start and
# tail_stop.
tail_rr() {
	local name=$1 out
	[ -n "${BENCH_TAIL:-}" ] || return 0
	shift
	tail_start $name
	out=$("$@" -T /tmp/rr.times) || rm -f /tmp/rr.times
	tail_stop "$name, 1-byte round trips, run again (p50 $(field "$out" p50_us) us, p99 $(field "$out" p99_us) us)" /tmp/rr.times
}

TAIL_PID=
# tail_start <name>: record every CPU's wake-ups and context switches,
# timer interrupts and the timers they run, irq_work (the test mailbox's
# deliveries) and IPIs, on CLOCK_MONOTONIC, the clock of hvl-rr -T's
# times.  Its last line and tail_stop's first, "tail: recording <name>"
# and "tail: recorded <name>", bracket the round trips for the host's
# count (tests/qemu/host-sched.sh); they go straight to the console,
# which the host times, not through init's pipe, which buffers.
tail_start() {
	local e ev=
	[ -n "${BENCH_TAIL:-}" ] || return 0
	rm -f /tmp/tail.data /tmp/rr.times
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing
	# x86's interrupt vectors; other architectures have none of these
	for e in sched/sched_waking sched/sched_switch timer/hrtimer_expire_entry \
		timer/timer_expire_entry irq_vectors/local_timer_entry \
		irq_vectors/irq_work_entry irq_vectors/reschedule_entry \
		irq_vectors/call_function_entry irq_vectors/call_function_single_entry; do
		[ -d /sys/kernel/tracing/events/$e ] && ev="$ev -e ${e%/*}:${e#*/}"
	done
	# -B: no build-ids, whose collection at the end would take a minute
	perf record -q -B -a -m 1024 -k CLOCK_MONOTONIC $ev -o /tmp/tail.data 2>/tmp/tail.err &
	TAIL_PID=$!
	sleep 1
	if kill -0 $TAIL_PID 2>/dev/null; then
		echo "HVL-MARK: tail: recording $1" >/dev/console
		return 0
	fi
	echo "tail: perf record failed: $(cat /tmp/tail.err)"
	TAIL_PID=
}

# tail_stop <title> <times> [tasks]: the round trips of <times> (hvl-rr
# rr -T's file), the slowest 1% apart from the rest, and what each one
# waited for (tools/lib-tail.awk): the wake-ups within it of the tasks
# that carry a round trip (<tasks>, a regular expression over their
# names, hvl-rr and kernel workers by default), the longest one's share
# and whether its vCPU was idle (halted: under TCG, a host thread to
# wake) or busy with another task; the time no task ran on any CPU,
# waiting for an interrupt, with what ended the longest such stretch;
# and each task's CPU time per round trip.
tail_stop() {
	[ -n "$TAIL_PID" ] || return 0
	echo "HVL-MARK: tail: recorded ${1%%,*}" >/dev/console
	kill -INT $TAIL_PID
	wait $TAIL_PID
	TAIL_PID=
	local n p99
	n=$(wc -l <"$2" 2>/dev/null || echo 0)
	if [ "$n" -eq 0 ]; then
		echo "tail of $1: no round trips recorded"
		return 0
	fi
	p99=$(awk '{ print $2 }' "$2" | sort -n | sed -n "$((n * 99 / 100 + 1))p")
	echo "tail of $1 ($n round trips, the slowest 1% from $((p99 / 1000)) us):"
	perf script -i /tmp/tail.data --ns -F cpu,time,event,trace 2>/tmp/tail.err |
		awk -v p99="$p99" -v ncpu="$(grep -c ^processor /proc/cpuinfo)" \
			-v tasks="${3:-^(hvl-rr|kworker|ksoftirqd)}" -f /tools/lib-tail.awk "$2" -
	# perf says so when its buffers overflowed: events missing
	grep -i "lost" /tmp/tail.err
	return 0
}
