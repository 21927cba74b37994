# SPDX-License-Identifier: GPL-2.0
# The peer's console writes must not wait for a kworker to be created.
# virtio_console's put_chars() spins with interrupts off until our work
# item has returned its buffer.  A workqueue pool whose last idle worker
# takes an item first creates another worker, through kthreadd and a new
# thread, and in this one kernel the scheduler may queue their wakeups
# on the spinning CPU, where they wait as long as the spin: the front-end
# gave the console up after 2 s ("device side holds written buffers"), as
# 21-console-overrun did on arm64 (CPUs there share no cache, and a
# wakeup goes back to the CPU the thread last ran on).  Here kthreadd may
# run only on the writer's CPU, and each round moves the backend's
# workqueue to a new pool (another cpumask) while the peer writes, so the
# first item on it needs a worker created.  hvl_core's workqueue has a
# rescuer (WQ_MEM_RECLAIM), which takes the item when that stalls.
. /tests/lib.sh

W=4	# CPU 2: the peer's writer, and the only CPU kthreadd may use
KT=2	# kthreadd
[ "$(cat /proc/$KT/comm)" = kthreadd ] || fail "pid $KT is not kthreadd"
trap 'taskset -p f $KT >/dev/null' EXIT
up
[ -e $WQ/cpumask ] || fail "no $WQ/cpumask"
CON=$(devdbg 3)
cdbg() { sed -n "s/^$1: //p" "$CON"; }
[ -p /tmp/tick ] || mkfifo /tmp/tick
gaveup() { dmesg | grep -c "holds written buffers"; }
g0=$(gaveup)
taskset -p $W "$KT" >/dev/null || fail "taskset kthreadd"

# ttyHVL0 open (fd 4, from up) and unread: the backend takes every chain
# at once and drops what the tty cannot hold, so the writer never waits
# for a reader, only for our work item.
taskset $W cat /dev/zero >"$HVC" &
writer=$!
f0=$(cdbg from_peer_bytes)
moved() { [ "$(cdbg from_peer_bytes)" != "$f0" ]; }
retry 100 moved || fail "the writer's bytes do not arrive: $(cat "$CON")"

r=0
for mask in 1 3 1 3 1 3; do
	r=$((r + 1))
	echo $mask >$WQ/cpumask || fail "round $r: cpumask $mask"
	# A second with shell builtins only (see xfer() in lib.sh).
	read -r -t 1 x <>/tmp/tick
	[ "$(gaveup)" = "$g0" ] || {
		dump_state
		fail "round $r: the console was given up: $(dmesg | grep -B1 'holds written' | tail -2)"
	}
	kill -0 $writer 2>/dev/null || fail "round $r: the writer ended"
	echo "round $r: workqueue on CPUs $mask, the console alive"
done
kill $writer
wait $writer 2>/dev/null
taskset -p f "$KT" >/dev/null
echo 3 >$WQ/cpumask
echo "6 new pools under a peer's write, kthreadd on its CPU: no give-up"
down
