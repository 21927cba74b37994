# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/lib.sh (make check, make soak), by
# tests/2m/lib.sh (make check-2m) and by the guest's init, in the guest
# (busybox sh): helpers they share.  Sourcing it only defines functions.

# nap <seconds>: sleep without a process, as long as a read of a FIFO
# that nobody writes waits: a fork and exec costs some 70 ms in the test
# guest, and "sleep" is one (busybox runs it as an applet of its own).
nap() {
	local x
	[ -p /tmp/tick ] || mkfifo /tmp/tick 2>/dev/null
	read -r -t "$1" x <>/tmp/tick
	return 0
}

# retry [-s <ms>] <tenths of a second> <command...>: until the command
# succeeds, looking every 100 ms, or every <ms>: what is awaited often and
# comes quickly (a round of make soak's) is seen sooner.
retry() {
	local t=0 ms=100 max step
	if [ "$1" = -s ]; then
		ms=$2
		shift 2
	fi
	max=$(($1 * 100 / ms))
	shift
	# <ms> as seconds for nap: 20 -> 0.020
	step=00$((ms % 1000))
	step=$((ms / 1000)).${step#"${step%???}"}
	until "$@"; do
		t=$((t + 1))
		[ $t -gt "$max" ] && return 1
		nap "$step"
	done
}

# Centiseconds since boot.
now() {
	local up x
	read -r up x </proc/uptime
	echo "${up%.*}${up#*.}"
}

# stack_top <pid> <frames>: the top of a task's kernel stack on this
# line, " frame+off/len" each (builtins only: where a test hangs, CPUs
# may be spinning that a forked process would wait on)
stack_top() {
	local f n=0
	while read -r f && [ $n -lt "$2" ]; do
		printf ' %s' "${f#* }"
		n=$((n + 1))
	done </proc/$1/stack
}
