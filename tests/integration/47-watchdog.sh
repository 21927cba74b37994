# SPDX-License-Identifier: GPL-2.0
# A device side that stops serving while its state still reads READY:
# the window's debugfs "freeze" (a test knob: no doorbell, work item or
# heartbeat is served) stops it in the middle of a transfer of the peer,
# once per device: the console (idle, then under a 4 MiB write of the
# peer, then with the driver unbound under that write), a vsock stream
# from the peer, a write on the peer's 9P mount.
# The front-end's watchdog (watchdog_ms=1000 here) must say so once,
# within the bound, break and remove every device, and the peer's
# program must return (9P: once killed, the stock client waits for its
# reply killably); after "freeze" is cleared, host_beat moves, the
# front-end announces a new peer_gen, the devices come back and carry
# traffic.  Then a device side that beats once and hangs again, and the
# front-end unbound while the device side hangs.
# hvl-timeout: 360
. /tests/lib.sh
. /tests/lib-9p.sh

WD=1000
# From the freeze to the peer's program returning: up to a beat period
# (250 ms) and a tick (100 ms) before the silence counts, the watchdog
# time, the removal; generous for a loaded TCG guest.  The silence the
# message reports is exact: at least WD, under WD + 2 ticks.
BOUND=$((WD + 5000))
FREEZE=$DBG/freeze
PARAM=/sys/module/hvl_front/parameters/watchdog_ms
FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
MSG="device side silent for"
PIDS=

cleanup() {
	[ -e "$FREEZE" ] && echo 0 >"$FREEZE"
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill -9 $PIDS 2>/dev/null
	close_ttys
	cd /
	mounted $MNT && ! umount $MNT && return
	[ -e $PARAM ] && echo 2000 >$PARAM
	for m in hvl_front hvl_9p hvl_vsock hvl_console hvl_core hvl_mbox_loopback; do
		retry 50 gone_or_removed $m
	done
	all_windows
	mounted $EXPORT && umount $EXPORT
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

all_bound() { front_console && front_vsock && p9_bound; }
# The front-end's debugfs watchdog file: expiries, the last silence.
FWD=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/watchdog
fst() { sed -n "s/^$1: //p" $FWD; }
silences() { fst expired; }
# For retry: a "$(...)" in its arguments would be expanded once only.
fired() { [ "$(silences)" -gt "$S0" ]; }
# Removed by the watchdog, waiting for a beat (HVL_FRONT_STALLED).
stalled() { [ "$(fst state)" = 2 ]; }
restarted() { [ "$(dbg doorbell peer_gen)" -gt "$G0" ]; }
streamed() { [ "$(vdbg from_peer_bytes)" != "$B0" ]; }
# freeze: stop the device side, note when and the counts before.
freeze() {
	S0=$(silences)
	G0=$(dbg doorbell peer_gen)
	T0=$(now)
	echo 1 >"$FREEZE" || fail "cannot freeze the window"
}

# recovered <device>: exactly one message, not before the watchdog time,
# the devices gone; then thaw and they must come back with a new peer_gen.
recovered() {
	local s t
	retry 100 fired || fail "$1: no watchdog message"
	s=$(silences)
	[ "$s" = $((S0 + 1)) ] || fail "$1: the watchdog fired $((s - S0)) times, not once"
	dmesg | grep "$MSG" | tail -1 | grep -q "silent for $(fst last_silence_ms) ms" ||
		fail "$1: no message \"$MSG $(fst last_silence_ms) ms\": $(dmesg | grep "$MSG" | tail -1)"
	t=$(fst last_silence_ms)
	echo "$1: silent for $t ms: $(dmesg | grep "$MSG" | tail -1)"
	[ -n "$t" ] && [ "$t" -ge $WD ] && [ "$t" -lt $((WD + 200)) ] ||
		fail "$1: watchdog fired after ${t:-?} ms of silence, configured $WD"
	retry 100 no_front_console || fail "$1: virtio_console still bound under a frozen device side"
	front_vsock && fail "$1: vsock still bound under a frozen device side"
	p9_bound && fail "$1: 9P still bound under a frozen device side"
	# Frozen, it stays down: the beat has not moved.  A front-end that
	# started again without a beat would not bind any driver (its first
	# transaction would time out on the frozen side), but would leave
	# HVL_FRONT_STALLED and announce itself (start() moves peer_gen
	# first): half a second is five of its ticks.
	retry 100 stalled || fail "$1: the front-end is not waiting for a beat: $(cat $FWD)"
	g=$(dbg doorbell peer_gen)
	nap 0.5
	stalled || fail "$1: the front-end left its stall under a frozen device side: $(cat $FWD)"
	[ "$(dbg doorbell peer_gen)" = "$g" ] ||
		fail "$1: the front-end started again (peer_gen $g -> $(dbg doorbell peer_gen)) under a frozen device side"
	all_bound && fail "$1: devices came back while the device side was still frozen"
	T1=$(now)
	echo 0 >"$FREEZE" || fail "cannot thaw the window"
	retry 300 all_bound || fail "$1: not every device came back after the thaw: $(ls /sys/bus/virtio/drivers/*/)"
	echo "$1: devices back $(ms_since "$T1") ms after the thaw"
	G1=$(dbg doorbell peer_gen)
	[ $((G1 - G0)) -ge 2 ] ||
		fail "$1: peer_gen $G0 -> $G1: the front-end did not announce itself as restarted"
	pin
}

# console_works <text>: a line each way between ttyHVL0 and the hvc.
console_works() {
	printf '%s\n' "$1" >/tmp/line
	open_ttys
	xfer $HVC /dev/ttyHVL0 /tmp/line
	xfer /dev/ttyHVL0 $HVC /tmp/line
	close_ttys
}

ifconfig lo 127.0.0.1 up
mkdir -p $EXPORT $MNT
mounted $EXPORT || mount -t tmpfs -o size=256m,mode=0755 export $EXPORT
chown 65534:65534 $EXPORT
only_windows soc:hvl-backend-0
load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_9p hvl_front
echo $WD >$PARAM || fail "cannot set watchdog_ms"
# Values the protocol's beat period cannot honour are refused.
echo 500 >$PARAM 2>/dev/null && fail "watchdog_ms=500 accepted"
[ "$(cat $PARAM)" = $WD ] || fail "watchdog_ms is $(cat $PARAM)"
retry 300 all_bound || fail "not every device bound: $(ls /sys/bus/virtio/drivers/*/)"
P9DBG=$(grep -l "bound: hvl_9p" $DBG/soc:hvl-backend-0.* | head -1)
pin
# Beating, under traffic or not, the watchdog stays quiet.
b0=$(dbg doorbell host_beat)
nap 2
b1=$(dbg doorbell host_beat)
[ "$b1" -ge $((b0 + 4)) ] || fail "host_beat $b0 -> $b1 in 2 s: the device side beats too slowly"
[ "$(silences)" = 0 ] || fail "the watchdog fired on a live device side"

# 1. The console, idle: no tty of the peer open.
freeze
retry 100 no_front_console || fail "console: still bound $(ms_since "$T0") ms after the freeze"
MS=$(ms_since "$T0")
echo "console: virtio_console gone $MS ms after the freeze"
[ "$MS" -ge $WD ] || fail "console: gone after $MS ms, before the watchdog could fire"
[ "$MS" -le $BOUND ] || fail "console: gone after $MS ms, bound $BOUND"
recovered console
console_works "after the watchdog"

# 1b. The console, the peer writing 4 MiB to its hvc when the device side
# stops (ttyHVL0 closed: the console drops it all).  virtio_console's
# put_chars() busy-waits for each buffer with interrupts off; the
# front-end hands the buffers of a dead device back, and the writer's
# write fails once the port is gone.  The watchdog gives the device up
# before remove() breaks the queues, so put_chars() has its buffer back
# by then: the double free of tests/qemu/patches/0002-virtio_console-*
# is reached here only by a break between an add and its look (1c
# reaches it every time).  The writer alone holds the hvc open: a tty
# kept open across the removal and reopened hits hvc's own teardown bugs
# (a use-after-free in __hvc_poll(), a refcount underflow of the port),
# not ours.
CON=$(devdbg 3)
cdbg() { sed -n "s/^$1: //p" "$CON"; }
# What the console took from the peer: delivered or dropped.
from_peer() { echo $(($(cdbg from_peer_bytes) + $(cdbg dropped))); }
wrote() { [ "$(from_peer)" != "$F0" ]; }
# freeze_under_writer: the peer writes /tmp/big to its hvc (W), and once
# bytes flow, the device side freezes.
freeze_under_writer() {
	retry 50 find_hvc || fail "console: no live /dev/hvcN"
	F0=$(from_peer)
	$P cat /tmp/big >$HVC 2>/tmp/w.err &
	W=$!
	PIDS=$W
	retry 100 wrote || fail "console: nothing written before the freeze"
	kill -0 $W 2>/dev/null || fail "console: the 4 MiB write finished before the freeze"
	freeze
}
dd if=/dev/urandom of=/tmp/big bs=1M count=4 2>/dev/null
freeze_under_writer
returns $W "console: the peer's writer" $BOUND
echo "console: the peer's writer returned $MS ms after the freeze, $(($(from_peer) - F0)) bytes through: $(cat /tmp/w.err)"
[ "$MS" -ge $WD ] || fail "console: the writer returned after $MS ms, before the watchdog could fire"
PIDS=
recovered "console writer"
console_works "after the watchdog, with a writer"

# 1c. The same writer, and a user unbinds virtio_console while the device
# side is frozen, with no watchdog (watchdog_ms=0).  remove() breaks the
# queues first; the writer's kick gives the device up after its 2 s
# (front/shadow.c) and hands the buffer back, but put_chars() sees the
# broken queue before it looks, leaves the buffer there and frees it,
# and remove() freed it a second time (KASAN slab-use-after-free in
# free_buf() without tests/qemu/patches/0002-virtio_console-*.patch,
# every time).  Only if the unbind's break comes while the writer's
# kick still waits: once the kick gave the device up (its "device side
# holds written buffers" message), put_chars() gets its buffer back, the
# next ones come back at once, and a break then meets a buffer in the
# queue only between an add and its look: the round passed with the
# unbind at 3 s, where it tests next to nothing.  So the message must
# follow the unbind, and the writer's write must fail.  Then the peer
# restarts (front-end unbind, bind) and the console works again.
echo 0 >$PARAM || fail "cannot turn the watchdog off"
CDRV=/sys/bus/virtio/drivers/virtio_console
CDEV=$(ls $CDRV | grep virtio)
GAVE_UP="device side holds written buffers"
freeze_under_writer
nap 0.5
MARK="hvl-test: 47-watchdog: unbinding virtio_console under the writer"
echo "$MARK" >/dev/kmsg
echo "$CDEV" >$CDRV/unbind &
U=$!
PIDS="$W $U"
returns $W "console: the writer under an unbind" 8000
echo "console: the writer under an unbind returned $MS ms after the freeze: $(cat /tmp/w.err)"
wait $W && fail "console: the writer wrote its 4 MiB: the port never went away under it"
returns $U "console: the unbind" 8000
dmesg | sed -n "/$MARK/,\$p" | grep -q "$GAVE_UP" ||
	fail "console: the writer's kick gave the device up before the unbind: put_chars() got its buffer back, no broken queue was tested"
PIDS=
echo 0 >"$FREEZE" || fail "cannot thaw the window"
echo $WD >$PARAM || fail "cannot set watchdog_ms"
echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind the front-end"
echo soc:hvl-frontend-0 >$FRONT/bind || fail "bind the front-end"
retry 300 all_bound || fail "console: not every device came back after the peer restart"
pin
console_works "after an unbind under a writer"
rm -f /tmp/big

# 2. vsock: the peer streams to a Linux server.
$L hvl-rr server vsock:any:7047 >/dev/null 2>&1 &
SRV=$!
retry 100 in_accept $SRV || true
$P hvl-rr stream vsock:2:7047 -b 1G -m 64K >/tmp/w.err 2>&1 &
W=$!
PIDS="$SRV $W"
B0=$(vdbg from_peer_bytes)
retry 100 streamed ||
	fail "vsock: no stream before the freeze: $(cat /tmp/w.err)"
kill -0 $W 2>/dev/null || fail "vsock: the stream ended before the freeze: $(cat /tmp/w.err)"
freeze
returns $W "vsock: the peer's stream" $BOUND
echo "vsock: the peer's stream returned $MS ms after the freeze: $(cat /tmp/w.err)"
[ "$MS" -ge $WD ] || fail "vsock: the stream returned after $MS ms, before the watchdog could fire"
recovered vsock
kill $SRV 2>/dev/null
wait $SRV 2>/dev/null
$P hvl-rr server vsock:any:7048 >/dev/null 2>&1 &
SRV=$!
PIDS=$SRV
$L hvl-rr rr vsock:$PEER_CID:7048 -n 20 >/tmp/rr 2>&1 ||
	fail "vsock: no round trips after the watchdog: $(cat /tmp/rr)"
kill $SRV 2>/dev/null
wait $SRV 2>/dev/null

# 3. 9P: the peer writes a file on its mount.
p9_mount
$P dd if=/dev/zero of=$MNT/big bs=65536 count=3000 2>/tmp/w.err &
W=$!
PIDS=$W
retry 100 [ -s $EXPORT/big ] || fail "9P: nothing written before the freeze"
kill -0 $W 2>/dev/null || fail "9P: the write finished before the freeze: $(cat /tmp/w.err)"
freeze
retry 100 fired || fail "9P: no watchdog message"
MS=$(ms_since "$T0")
[ "$MS" -le $BOUND ] || fail "9P: the watchdog fired $MS ms after the freeze"
# The stock client waits for a reply killably, without a timeout, and
# its remove() for the mount to go: the program returns once killed
# (its flush fails at once on the broken queue), then the mount goes.
kill -9 $W
T0=$(now)
returns $W "9P: the killed writer" 2000
echo "9P: the writer killed after the watchdog returned in $MS ms"
umount $MNT || fail "9P: umount after the watchdog"
recovered 9P
p9_mount
echo "after the watchdog" >$MNT/r || fail "9P: write after the watchdog"
[ "$(cat $EXPORT/r)" = "after the watchdog" ] || fail "9P: file not seen on the Linux side"
rm $MNT/r $EXPORT/big
p9_umount_clean
PIDS=

# 4. Beat, stop, beat once, stop: the window frozen, the devices removed,
# then "freeze" 2 moves host_beat once and leaves it frozen.  The beat
# brings the devices back (a restart: peer_gen moves), and they must be
# watched from their registration on: host_beat was seen moving in this
# host_gen, which is the rule.  The old front-end disarmed its watchdog
# on every removal and re-armed it only on a beat seen with the devices
# registered: it never fired again, and the devices, dead (their
# drivers' first transaction timed out), stayed registered for good,
# after the thaw too.
freeze
retry 100 fired || fail "beat once: no watchdog message for the first freeze"
retry 300 stalled || fail "beat once: the devices were not removed: $(cat $FWD)"
S0=$(silences)
G0=$(dbg doorbell peer_gen)
echo 2 >"$FREEZE" || fail "cannot make the frozen window beat once"
T0=$(now)
retry 100 restarted || fail "beat once: the devices were not registered again (peer_gen $G0)"
retry 100 fired ||
	fail "beat once: no watchdog $(ms_since "$T0") ms after the devices came back to a device side that stopped again: $(cat $FWD)"
echo "beat once: the watchdog fired again $(ms_since "$T0") ms after the beat"
retry 300 stalled || fail "beat once: the devices were not removed again: $(cat $FWD)"
recovered "beat once"

# 5. The front-end unbound as the device side hangs: the console's reset
# waits out its 2 s, the watchdog fires meanwhile and gives the other
# devices up, and their removal frees their rings at once.  A restart
# must be announced (peer_gen) once the device side is declared dead,
# before those rings go (protocol.rst, Liveness).  The old front-end
# announced it only from life_work(), which does nothing once remove()
# began: peer_gen stood still, and a device side that came back served
# rings that were no longer there.
N0=$(dmesg | grep -c "$MSG")
freeze
echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind: cannot unbind the front-end"
echo "unbind: the front-end unbound $(ms_since "$T0") ms after the freeze"
N1=$(dmesg | grep -c "$MSG")
G1=$(dbg doorbell peer_gen)
[ "$N1" -gt "$N0" ] ||
	fail "unbind: the watchdog did not fire during the removal ($(ms_since "$T0") ms)"
[ "$G1" -gt "$G0" ] ||
	fail "unbind: the watchdog fired during the removal but peer_gen stood still at $G0: rings freed with no restart announced"
echo 0 >"$FREEZE" || fail "cannot thaw the window"
echo soc:hvl-frontend-0 >$FRONT/bind || fail "unbind: cannot bind the front-end again"
retry 300 all_bound || fail "unbind: not every device came back: $(ls /sys/bus/virtio/drivers/*/)"
pin
console_works "after the unbind"
echo "watchdog: 7 freezes, each device back: ok"
