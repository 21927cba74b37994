# SPDX-License-Identifier: GPL-2.0
# A hostile peer, end to end: the front-end (loaded with inject=1) writes
# broken rings behind the virtio core's back.  Each time the backend must
# put the device into DEVICE_NEEDS_RESET, count it and log it (rate
# limited), touch nothing outside the window (KASAN would say), and serve
# again once the peer resets the device.
. /tests/lib.sh

INJECT=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/inject
VC=/sys/bus/virtio/drivers/virtio_console

only_windows soc:hvl-backend-0
load hvl_mbox_loopback hvl_core hvl_console
insmod $M/hvl_front.ko inject=1 || fail "insmod hvl_front inject=1"
up
[ -w $INJECT ] || fail "no $INJECT"
CON=$(basename "$(devdbg 3)")
ENTRY=${CON##*.}		# the device's table entry

status() { dbg $CON status; }
needs_reset_set() { [ $(($(status) & 0x40)) != 0 ]; }
driver_ok() { [ "$(status)" = 0xf ]; }

# fault <queue> <fault> [<tty to write to, to make the backend pop>]
fault() {
	local n0 e0 q=$1
	n0=$(dbg $CON needs_reset)
	e0=$(sed -n "s/^queue$q: .*errors=\([0-9]*\)$/\1/p" "$DBG/$CON")
	echo "$ENTRY $q $2" >$INJECT || fail "inject $2"
	[ -n "${3:-}" ] && printf 'x' >"$3"
	retry 50 needs_reset_set || fail "$2 on queue $q: no DEVICE_NEEDS_RESET (status $(status))"
	[ "$(dbg $CON needs_reset)" = $((n0 + 1)) ] || fail "$2: needs_reset counter not incremented"
	[ "$(sed -n "s/^queue$q: .*errors=\([0-9]*\)$/\1/p" "$DBG/$CON")" -gt "$e0" ] ||
		fail "$2: queue $q error counter not incremented"
	dmesg | grep -q "$CON: device needs reset" || fail "$2: nothing logged"
	echo "$2 on queue $q: DEVICE_NEEDS_RESET, counted ($(dbg $CON needs_reset) so far)"

	# The peer resets the device: rebinding its driver does that.  Linux's
	# tty (fd 4) stays open until the peer is back: with the byte that
	# the broken ring did not take, its last close would wait for it to
	# drain, for the tty's closing_wait (30 s).
	exec 3>&-
	v=$(basename "$(ls -d $VC/virtio* | head -1)")
	echo "$v" >$VC/unbind || fail "unbind $v"
	hold_console
	echo "$v" >$VC/bind || fail "bind $v"
	retry 100 driver_ok || fail "$2: device not back at DRIVER_OK (status $(status))"
	# The byte that made the backend pop never reached the broken ring:
	# the console keeps it (console.rst) and the next driver gets it
	# first, read here before open_ttys.
	if [ -n "${3:-}" ]; then
		peer_read /tmp/kept 1 50
		[ "$(cat /tmp/kept)" = x ] ||
			fail "$2: the next driver got '$(cat /tmp/kept)', not the x written before the reset"
	fi
	exec 4>&-
	open_ttys
	printf 'after %s, linux\n' "$2" >/tmp/t1
	xfer /dev/ttyHVL0 $HVC /tmp/t1
	printf 'after %s, peer\n' "$2" >/tmp/t2
	xfer $HVC /dev/ttyHVL0 /tmp/t2
	echo "$2: recovered after the peer's reset"
}

fault 1 avail-jump
fault 1 desc-loop
fault 1 desc-len
fault 0 desc-oob /dev/ttyHVL0
fault 0 avail-jump /dev/ttyHVL0
echo "garbage" >$INJECT 2>/dev/null && fail "a malformed injection was accepted"
down
