# SPDX-License-Identifier: GPL-2.0
# Either side restarts without the other: the front-end re-probes while
# the backend stays loaded (the backend sees a new peer generation and
# resets), and the backend device module goes away and comes back while
# the front-end stays (the front-end sees a new table generation, lets go
# of that device and finds it again: 42-hotplug checks the others stay).
. /tests/lib.sh

FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend

up
g0=$(dbg doorbell peer_gen)
i=0
while [ $i -lt 3 ]; do
	i=$((i + 1))
	close_ttys
	echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind front-end"
	wait_front_console_gone || fail "virtio_console stayed after front-end unbind"
	hold_console
	echo soc:hvl-frontend-0 >$FRONT/bind || fail "bind front-end"
	wait_front_console || fail "virtio_console did not come back"
	open_ttys
	printf 'front-end round %d\n' $i >/tmp/line
	xfer $HVC /dev/ttyHVL0 /tmp/line
	xfer /dev/ttyHVL0 $HVC /tmp/line
done
g1=$(dbg doorbell peer_gen)
[ "$g1" != "$g0" ] || fail "peer generation did not change ($g0)"
echo "front-end restarted 3 times, peer_gen $g0 -> $g1: ok"

i=0
while [ $i -lt 3 ]; do
	i=$((i + 1))
	close_ttys
	unload hvl_console
	wait_front_console_gone || fail "virtio_console stayed after the backend left"
	load hvl_console
	wait_for /dev/ttyHVL0 || fail "ttyHVL0 did not come back"
	wait_front_console || fail "virtio_console did not come back after the backend returned"
	open_ttys
	printf 'backend round %d\n' $i >/tmp/line
	xfer $HVC /dev/ttyHVL0 /tmp/line
done
echo "backend restarted 3 times under a live front-end: ok"
down
