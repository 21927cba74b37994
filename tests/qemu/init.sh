#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest.  Loads the KUnit suites and prints their KTAP
# results, runs every integration test as TAP, checks kmemleak, and only
# then prints HVL-DONE: the host counts a run without it as a failure, so
# a guest that dies or loses its output can never pass.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/tools
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1

mode=check
kunit=1
bench=
selftest_fail=0
only='[0-9]*'
suite=tests
slow=1
stamp=0
for a in $(cat /proc/cmdline); do
	case $a in
	hvl.mode=*) mode=${a#hvl.mode=} ;;
	hvl.selftest_fail=*) selftest_fail=${a#hvl.selftest_fail=} ;;
	hvl.only=*) only=${a#hvl.only=} ;;
	hvl.kunit=*) kunit=${a#hvl.kunit=} ;;
	hvl.suite=*) suite=${a#hvl.suite=} ;;
	hvl.bench=*) bench=${a#hvl.bench=} ;;
	hvl.slow=*) slow=${a#hvl.slow=} ;;
	hvl.stamp=*) stamp=${a#hvl.stamp=} ;;
	hvl.env=*=*) a=${a#hvl.env=}; export "$a" ;;
	esac
done

M=/lib/modules/hvl
export M
# hvl.slow=<n> (make check-arm64: 3) multiplies the tests' time limits,
# which were set for an x86 guest under TCG: each test's, and those
# lib.sh and the tests take from HVL_SLOW.
HVL_SLOW=$slow
export HVL_SLOW
echo clear > /sys/kernel/debug/kmemleak 2>/dev/null

if [ "$mode" = bench ]; then
	{ echo "kernel: $(uname -r), $(nproc) cpus"; echo "command line: $(cat /proc/cmdline)"; sh "/tools/bench-$bench.sh" 2>&1 && echo done; } |
		sed 's/^/HVL-BENCH: /'
	reboot -f
fi

# make check-2m: this machine is one of two, driven from the host
# through its second serial port (tests/2m/agent.sh).
if [ "$mode" = 2m ]; then
	exec sh /2m/agent.sh
fi

# Other modes run one script: demo (make demo), probes while developing.
# Its lines are marked, so that the host can show them without the
# kernel's (which share the serial console).
if [ "$mode" != check ]; then
	sh "/tests/$mode.sh" 2>&1 | sed 's/^/HVL-OUT: /'
	echo HVL-DONE
	reboot -f
fi

echo "HVL: guest up, $(nproc) cpus, $(uname -r)"

# KUnit: the suites run at module load; debugfs keeps each suite's KTAP.
# hvl.kunit=0 (HVL_CMDLINE, for a run of a few tests) skips them.
if [ "$kunit" = 1 ]; then
	read -r k0 _ </proc/uptime
	insmod $M/hvl_core.ko || echo "HVL: cannot load hvl_core"
	# busybox insmod resolves no dependencies: load the device modules that
	# a suite tests (hvl_vsock for hvl_vsock_kunit, ...) first.
	# (One pipeline for every suite's "depends=": a process costs 60 to
	# 100 ms here.)
	kdeps=
	for d in $(cat $M/*_kunit.ko | tr '\0' '\n' | sed -n "s/^depends=//p" |
		   tr , '\n' | sort -u); do
		[ -f "$M/$d.ko" ] && ! grep -q "^$d " /proc/modules || continue
		insmod "$M/$d.ko" && kdeps="$d $kdeps"
	done
	for t in $M/*_kunit.ko; do
		case $t in
		*selftest_kunit.ko) insmod "$t" fail="$selftest_fail" ;;
		*) insmod "$t" ;;
		esac || echo "HVL: cannot load $t"
	done
	# Only emergencies on the console while the results print: a kernel
	# message between their lines (a deferred probe's, once the boot got
	# faster) broke kunit.py's parse.  dmesg keeps them all.
	read -r lvl _ </proc/sys/kernel/printk
	echo 1 >/proc/sys/kernel/printk
	for r in /sys/kernel/debug/kunit/*/results; do
		[ -f "$r" ] || continue
		echo "HVL-KTAP-BEGIN"
		cat "$r"
		echo "HVL-KTAP-END"
	done
	echo "$lvl" >/proc/sys/kernel/printk
	# One rmmod for all: a process costs 60 to 100 ms here.  busybox's
	# stops at the first it cannot remove (a suite that did not load):
	# then one by one, so that the tests start with nothing loaded.
	set --
	for t in $M/*_kunit.ko; do
		t=${t##*/}
		set -- "$@" "${t%.ko}"
	done
	rmmod "$@" $kdeps hvl_core 2>/dev/null ||
		for m in "$@" $kdeps hvl_core; do
			! grep -q "^$m " /proc/modules || rmmod "$m"
		done
	read -r k1 _ </proc/uptime
	echo "HVL: kunit took $(( ${k1%.*} - ${k0%.*} )) s"
fi

# nap, retry, now, stack_top
. /tests/lib-base.sh

# session_tasks <name> <session>: where each task of that session (a
# test's: its wrapper's pid) and each task in D state waits (name,
# state, the top of its stack).  Builtins only: a hang may leave CPUs
# spinning (and a sleep process would outlive the kill that ends a
# watch).
session_tasks() {
	local name=$1 sid=$2 p l f
	for p in /proc/[0-9]*; do
		{ read -r l <$p/stat; } 2>/dev/null || continue
		f=${l%%) *}
		# after the name: state ppid pgrp session ...
		set -- ${l##*) }
		[ "$4" = "$sid" ] || [ "$1" = D ] || continue
		printf 'HVL: %s: %s %s %s:' "$name" "${p#/proc/}" "${f#*(}" "$1"
		{ stack_top "${p#/proc/}" 6; } 2>/dev/null
		echo
	done
}

# quiet_watch <name> <session> <seconds>: the test of that session
# printed no line for that long (/tmp/alive, counted by its reader):
# print, once, session_tasks and hvl's debugfs state, so that a hang
# shows where it is before the test's own limit.
quiet_watch() {
	local name=$1 sid=$2 limit=$3 last=-1 now idle=0 p l f
	while nap 30; do
		read -r now </tmp/alive
		if [ "$now" != "$last" ]; then
			last=$now
			idle=0
			continue
		fi
		idle=$((idle + 30))
		[ $idle -ge "$limit" ] || continue
		echo "HVL: $name: no output for $idle s; its tasks and those in D state:"
		session_tasks "$name" "$sid"
		for f in /sys/kernel/debug/hvl/*/* /sys/kernel/debug/hvl_front/*/*; do
			[ -f "$f" ] || continue
			l=
			{
				while read -r p; do l="$l $p;"; done <"$f"
			} 2>/dev/null
			echo "HVL: $name: ${f#/sys/kernel/debug/}:$l"
		done
		return
	done
}

# stuck_watch <name> <session> <n> <seconds>: the test is still not
# over that long after it began, past its limit and the KILL that
# follows: a task that a KILL does not end (a 9P request whose flush is
# never answered waits for it, killable, but the KILL is already
# taken), which would keep the guest on this test until its overall
# limit.  Say so as its result, show its tasks and the kernel log, and
# end the run.
stuck_watch() {
	nap "$4"
	echo "HVL-TAP: not ok $3 - $1 (still running $4 s after it began, past its limit and a KILL)"
	echo "HVL: $1: its tasks and those in D state:"
	session_tasks "$1" "$2"
	echo HVL-DMESG-BEGIN
	dmesg
	echo HVL-DMESG-END
	reboot -f
}

# header <test>: its "# hvl-quiet: <s>" and "# hvl-timeout: <s>" lines,
# from the comment block at its top.  Builtins: a fork costs some 70 ms
# in this guest, and this and the clean-up after each test ran seven.
header() {
	local l
	quiet= limit=
	while IFS= read -r l; do
		case $l in
		'# hvl-quiet: '*) quiet=${l#'# hvl-quiet: '} ;;
		'# hvl-timeout: '*) limit=${l#'# hvl-timeout: '} ;;
		'#'*) ;;
		*) break ;;
		esac
	done <"$1"
	case $quiet in *[!0-9]*) quiet= ;; esac
	case $limit in *[!0-9]*) limit= ;; esac
}

# Integration tests (make check: /tests, make soak: /soak): exit 0 pass,
# 77 skip, anything else fails.  hvl.only= is one glob or several, comma
# separated (make check-arm64's 2[0-3]-*,5[0-4]-*,6*-*).
globs=
set -f
IFS=,
for g in $only; do
	globs="$globs /$suite/$g.sh"
done
unset IFS
set +f
n=0
for t in $globs; do
	# A glob that matches nothing ran nothing: that is no pass.
	# (hvl.only=none is KUnit alone, on purpose.)
	if [ ! -e "$t" ]; then
		[ "$only" = none ] ||
			echo "HVL-TAP: not ok $((n + 1)) - hvl.only=${t#/"$suite"/} (no test matches)"
		continue
	fi
	n=$((n + 1))
	name=${t##*/}
	name=${name%.sh}
	read -r t0 _ </proc/uptime
	echo "HVL: running $name"
	# Streamed, so that a test that hangs the guest still shows how far it
	# got.  The test runs in a session of its own: whatever it leaves
	# running (a server after a failure) is killed with its process group,
	# and cannot hold the output pipe open for ever.
	[ -p /tmp/out ] || mkfifo /tmp/out
	# A long test may say how long it can go without a line of output
	# ("# hvl-quiet: <s>"): then its lines are counted, and a watchdog
	# dumps where every task of the test waits once it is quiet longer
	# (a soak round that hangs is bounded only by its hours).
	header "$t"
	if [ -n "$quiet" ]; then
		echo 0 >/tmp/alive
		{
			k=0
			while IFS= read -r l || [ -n "$l" ]; do
				echo "HVL: $name: $l"
				k=$((k + 1))
				echo $k >/tmp/alive
			done
		} </tmp/out &
	elif [ "$stamp" = 1 ]; then
		# hvl.stamp=1: each line after the seconds since the test began,
		# to see where a test's time goes (builtins only).
		{
			while IFS= read -r l || [ -n "$l" ]; do
				read -r s _ </proc/uptime
				s=$((${s%.*}${s#*.} - ${t0%.*}${t0#*.}))
				printf 'HVL: %s: [%d.%02d] %s\n' "$name" $((s / 100)) $((s % 100)) "$l"
			done
		} </tmp/out &
	else
		sed "s/^/HVL: $name: /" </tmp/out &
	fi
	reader=$!
	# Each test has 300 s, or what its "# hvl-timeout: <s>" line says.
	limit=$((${limit:-300} * slow))
	# No status left by the previous test: a wrapper killed (the OOM
	# killer) must not report its predecessor's.
	rm -f /tmp/rc
	# TERM, then KILL 60 s later: a test that traps TERM (most do, to
	# clean up) runs its trap only once its foreground command returns,
	# and a 9P request left unanswered waits killably, unseen by the
	# hung-task detector.
	setsid sh -c 'timeout -k "$3" "$2" sh "$1"; echo $? >/tmp/rc' sh "$t" "$limit" \
		$((60 * slow)) >/tmp/out 2>&1 &
	leader=$!
	watch=
	if [ -n "$quiet" ]; then
		quiet_watch "$name" "$leader" $((quiet * slow)) &
		watch=$!
	fi
	# Until the test and whatever holds its output are gone.
	stuck_watch "$name" "$leader" $n $((limit + 120 * slow)) &
	stuck=$!
	wait $leader
	[ -z "$watch" ] || kill $watch 2>/dev/null
	kill -KILL -$leader 2>/dev/null
	wait $reader
	kill $stuck 2>/dev/null
	rc=
	{ read -r rc </tmp/rc; } 2>/dev/null
	read -r t1 _ </proc/uptime
	echo "HVL: $name took $(( ${t1%.*} - ${t0%.*} )) s"
	# A test that leaves a 9P mount fails: the stock client's device
	# removal, which the rmmod below starts, would wait for it for ever
	# (p9_cleanup keeps the modules loaded when the umount fails).  The
	# test's processes were killed with its process group.
	left=
	while read -r _ mp fs _; do
		[ "$fs" != 9p ] || left="$left $mp"
	done </proc/mounts
	left=${left# }
	[ -z "$left" ] || [ "$rc" != 0 ] || rc=mount
	# The result before the clean-up below, which a broken test can
	# make wait.
	case $rc in
	0) echo "HVL-TAP: ok $n - $name" ;;
	mount) echo "HVL-TAP: not ok $n - $name (left a 9P mount on" $left")" ;;
	77) echo "HVL-TAP: ok $n - $name # SKIP" ;;
	124 | 137 | 143) echo "HVL-TAP: not ok $n - $name (timed out after $limit s)" ;;
	'') echo "HVL-TAP: not ok $n - $name (no exit status: its wrapper was killed)" ;;
	*) echo "HVL-TAP: not ok $n - $name (exit $rc)" ;;
	esac
	for m in $left; do
		umount -l "$m" || echo "HVL: $name: umount -l $m failed"
	done
	# A failed test may leave modules behind, and a driver_override it
	# set (only_windows, or a window bound by hand): start the next one
	# clean.
	for f in /sys/bus/platform/devices/*/driver_override; do
		read -r o <"$f" 2>/dev/null || continue
		[ "$o" = "(null)" ] || echo >"$f"
	done
	for pass in 1 2 3; do
		mods=
		while read -r m _; do
			case $m in hvl_*) mods="$mods $m" ;; esac
		done </proc/modules
		[ -n "$mods" ] || break
		for m in $mods; do
			rmmod "$m" 2>/dev/null
		done
	done
done
# Lockdep turns itself off after its first report, which is caught, but
# also when one of its tables is full ("BUG: MAX_LOCKDEP_..." at
# KERN_DEBUG, which a long run's log may have lost by the dmesg below):
# the rest of the run went unchecked.
if [ -r /proc/lockdep_stats ] &&
   grep -q "debug_locks: *0" /proc/lockdep_stats; then
	echo "HVL: lockdep: debug_locks turned off during the run"
fi

# Leaks: kmemleak reports objects unreferenced for 5 s, so let them age.
# One scan: under TCG with KASAN a scan of 1 GiB takes about a minute.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	# A scan that cannot run (kmemleak disabled itself: its own log
	# line is a report too) must not read as a clean one.
	echo scan > /sys/kernel/debug/kmemleak ||
		echo "HVL: kmemleak: scan failed"
	# A debugfs file's size is 0 whatever it holds: read it first.
	cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
	if [ -s /tmp/kmemleak ]; then
		echo "HVL: kmemleak: suspected memory leaks:"
		cat /tmp/kmemleak
	fi
else
	# make check and make soak run the debug kernel: kmemleak off
	# (kmemleak=off on the command line) would leave leaks unseen.
	echo "HVL: kmemleak: scan failed: no /sys/kernel/debug/kmemleak"
fi
# The whole kernel log, also what the console level hid, for the record
# and for the host's scan for reports.
echo HVL-DMESG-BEGIN
dmesg
echo HVL-DMESG-END
echo HVL-DONE
reboot -f
