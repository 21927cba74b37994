# SPDX-License-Identifier: GPL-2.0
# Hot-plug (Documentation/hvl/protocol.rst): a backend unbound and bound
# again, or its module reloaded, replaces the peer's device of that table
# entry and no other.  The console backend goes and comes back HP_ROUNDS
# times (default 2, the last a reload of hvl_console) while a vsock
# stream runs from Linux to the peer and a file stays open on the peer's
# 9P mount; then the vsock backend is unbound and bound while the peer's
# console tty stays open.  Each time the replaced device must come back
# and carry traffic, and the others (vsock, 9P, net) must be the same
# devices (hvl_front's serial numbers), the first two still carrying
# theirs.  Last, the 9P backend goes while the peer's mount is in use:
# the console is replaced while that removal waits for the unmount.
# (With protocol version 1 every device of the peer went with any
# backend: the stream was reset, and the stock 9P device's removal
# waited for the mount to go.)
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

R=${HP_ROUNDS:-2}
BACK=/sys/bus/hvl/drivers

# serial <device ID>: which of hvl_front's devices has that type (the
# virtio core reuses the names of removed devices)
FST=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/status
serial() { sed -n "s/.* serial \([0-9]*\) id $1 .*/\1/p" $FST; }
# One device of that type, exactly: a replaced one that stayed shows too.
one() { [ "$(grep -c " id $1 " $FST)" = 1 ] || fail "$2: $(grep -c " id $1 " $FST) devices of type $1: $(cat $FST)"; }
no_front_vsock() { ! front_vsock; }

# unbind <driver>: DEVS=its devices, each unbound
unbind() {
	DEVS=$(cd $BACK/$1 && echo soc:*)
	[ "$DEVS" != "soc:*" ] || fail "no device bound to $1"
	for d in $DEVS; do
		echo $d >$BACK/$1/unbind || fail "unbind $d from $1"
	done
}

bind() {
	for d in $DEVS; do
		echo $d >$BACK/$1/bind || fail "bind $d to $1"
	done
}

# same <device ID> <serial> <when>: the peer still has that device, alive
# (a kept device given up by mistake keeps its serial)
same() {
	[ "$(serial $1)" = "$2" ] ||
		fail "$3: the peer's device of type $1 (serial $2) was replaced by '$(serial $1)'"
	! grep -q " serial $2 id $1 status [^ ]* dead " $FST ||
		fail "$3: the peer's device of type $1 (serial $2) was kept but given up: $(grep " serial $2 " $FST)"
}

all_up
trap 'exec 5>&-; all_cleanup' EXIT
# The net device's two ends addressed (the peer's in its namespace),
# and working, before anything is replaced.
net_check 0
pings "before the replugs"
VS=$(serial 19)
NS=$(serial 9)
ES=$(serial 1)
# (V is lib-soak.sh's, val's result.)
[ -n "$VS" ] && [ -n "$NS" ] && [ -n "$ES" ] ||
	fail "no vsock, 9P or net device in $FST: $(cat $FST)"
p9_mount
exec 5>$MNT/hotplug || fail "cannot open a file on the 9P mount"
# Unbounded: it must still run at the last round, however fast.
hvl-rr stream vsock:$PEER_CID:$PORT -b 1024G -m 64K >/tmp/hp.stream 2>&1 &
SND=$!

i=0
while [ $i -lt "$R" ]; do
	i=$((i + 1))
	close_ttys
	if [ $i = "$R" ]; then
		unload hvl_console
	else
		unbind hvl_console
	fi
	wait_front_console_gone || fail "round $i: the peer's console stayed"
	hold_console
	if [ $i = "$R" ]; then
		load hvl_console
	else
		bind hvl_console
	fi
	wait_front_console || fail "round $i: the peer's console did not come back"
	# The stream must move after the console came back, not only before.
	val "$VDBG" to_peer_bytes
	B0=$V
	open_ttys
	printf 'hotplug round %d\n' $i >/tmp/line
	xfer $HVC /dev/ttyHVL0 /tmp/line
	same 19 "$VS" "round $i"
	same 9 "$NS" "round $i"
	same 1 "$ES" "round $i"
	one 3 "round $i"
	pings "round $i"
	kill -0 $SND 2>/dev/null || fail "round $i: the vsock stream ended: $(cat /tmp/hp.stream)"
	retry -s 20 100 vsock_moved || fail "round $i: the vsock stream stood still"
	echo "round $i" >&5 || fail "round $i: write to the file open on the 9P mount"
done
echo "console replaced $R times, the last by a module reload: vsock stream and 9P file carried on"

reap $SND
SND=
CS=$(serial 3)
unbind hvl_vsock
retry 100 no_front_vsock || fail "the peer's vsock device stayed"
bind hvl_vsock
retry 100 front_vsock || fail "the peer's vsock device did not come back"
retry 100 driven vmw_vsock_virtio_transport || fail "the peer's vsock device did not reach DRIVER_OK"
same 3 "$CS" "vsock replaced"
same 9 "$NS" "vsock replaced"
same 1 "$ES" "vsock replaced"
pings "vsock replaced"
[ "$(serial 19)" != "$VS" ] || fail "the peer's vsock device (serial $VS) was not replaced"
one 19 "vsock replaced"
printf 'after the vsock replug\n' >/tmp/line
xfer $HVC /dev/ttyHVL0 /tmp/line
hvl-rr rr vsock:$PEER_CID:$PORT -n 2 >/tmp/hp.rr 2>&1 &
within 300 $! || fail "no vsock round trips after the replug: $(cat /tmp/hp.rr)"
echo after >&5 || fail "write to the 9P file after the vsock replug"
echo "vsock replaced with the console tty open: console, 9P carried on"

# The 9P backend unbound while the peer's mount is in use: the stock 9P
# transport's removal then waits for the unmount, and the front-end must
# not wait with it (hvl_front's reaper): the console goes and comes back
# meanwhile.  Bound again, the backend's new 9P device waits for the old
# one's removal (the same type) 5 s at most, then serves a second mount
# while the first is still there.  The unmount ends the old removal.
leaving() { sed -n 's/.* leaving \([0-9]*\)$/\1/p' $FST; }
no_front_9p() { ! grep -q " id 9 " $FST; }
left() { [ "$(leaving)" = 0 ]; }
new_9p() { s=$(serial 9) && [ -n "$s" ] && [ "$s" != "$NS" ]; }
unbind hvl_9p
D9=$DEVS
retry 100 no_front_9p || fail "the peer's 9P device stayed: $(cat $FST)"
[ "$(leaving)" = 1 ] ||
	fail "9P unbound, its mount in use: leaving '$(leaving)', expected 1: $(cat $FST)"
close_ttys
unbind hvl_console
wait_front_console_gone ||
	fail "the peer's console stayed while the 9P removal waited for the mount"
hold_console
bind hvl_console
wait_front_console ||
	fail "the peer's console did not come back while the 9P removal waited for the mount"
# The new console waited for the old one's removal, not for 9P's.
[ "$(leaving)" = 1 ] || fail "leaving '$(leaving)' after the console's replacement, expected 1 (9P): $(cat $FST)"
echo "9P unbound with its mount in use: its removal waits, the console was replaced meanwhile"
! echo gone >&5 2>/dev/null || fail "a write to the 9P file succeeded with no 9P backend"
t0=$(now)
DEVS=$D9
bind hvl_9p
retry 150 new_9p || fail "no new 9P device after hvl_9p was bound again: $(cat $FST)"
t=$((($(now) - t0) / 10))
dmesg | grep -q "the driver of virtio[0-9]* (entry [0-9]*) still going after" ||
	fail "the new 9P device did not say it stopped waiting for the old one"
[ $t -ge 40 ] || fail "the new 9P device came after ${t}00 ms, not after waiting for the old one's removal"
[ "$(leaving)" = 1 ] || fail "leaving '$(leaving)' with the new 9P device, expected 1: $(cat $FST)"
MNT0=$MNT
MNT=$MNT0.2
mkdir -p $MNT
p9_mount
l=$(cat $MNT/hotplug | tr '\n' ' ')
[ "$l" = "$(i=0; while [ $i -lt "$R" ]; do i=$((i + 1)); printf 'round %d ' $i; done)after " ] ||
	fail "the file written across the replugs reads '$l' through the new 9P device"
p9_umount
MNT=$MNT0
echo "9P bound again after ${t}00 ms: the new device serves the file beside the old mount"
exec 5>&-
p9_umount
retry 100 left || fail "the old 9P removal still waits after the unmount: $(cat $FST)"
echo "the unmount ended the old 9P removal"
