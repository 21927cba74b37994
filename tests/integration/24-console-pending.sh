# SPDX-License-Identifier: GPL-2.0
# What Linux writes to its console while no peer runs reaches the next
# peer whole, the moment that peer's driver posts receive buffers.
#
# The stock virtio_console makes that moment a race: add_port() fills the
# receive queue before it lists the port, and in_intr() frees, without
# the port's lock, the used buffers of a queue whose port it cannot find
# yet.  A callback in that window lost the bytes and, with the flush on
# one CPU and fill_queue() on another in one virtqueue, could corrupt
# virtio_ring: "driver made buffer 0 available twice", then the kernel
# BUG in detach_unused_buf_split() at removal.  hvl_front holds a
# console's callbacks until its driver's probe has returned (vdev.c).
# Here also until the peer's tty is raw (hold_console in lib.sh), and
# nothing may reach it before.
. /tests/lib.sh

FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
N=3000	# lines of 14 bytes: 42 KiB, eleven receive buffers, in our fifo
# virtio_console's complaints, and hvl_front's when a driver breaks its ring
BAD='failed add_buf|Error allocating inbufs|Errors adding|available twice|is malformed'
complaints() { dmesg | grep -cE "$BAD"; }
size() { wc -c <"$1"; }

up
CON=$(devdbg 3)
c0=$(complaints)
i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	printf 'pending %05d\n' $i
done >/tmp/pending
n=$(size /tmp/pending)
r=0
while [ $r -lt 3 ]; do
	r=$((r + 1))
	# Ours stays open, raw and without echo (fd 4, from open_ttys).
	exec 3>&-
	echo soc:hvl-frontend-0 >$FRONT/unbind || fail "round $r: unbind front-end"
	wait_front_console_gone || fail "round $r: virtio_console stayed"
	cat /tmp/pending >&4 || fail "round $r: write to /dev/ttyHVL0 with no peer"
	hold_console
	echo soc:hvl-frontend-0 >$FRONT/bind || fail "round $r: bind front-end"
	wait_front_console || fail "round $r: virtio_console did not come back"
	peer_read /tmp/got "$n" 300 1
	cmp /tmp/pending /tmp/got ||
		fail "round $r: the peer got $(size /tmp/got) of $n bytes written while it was away: $(cat /sys/kernel/debug/virtio-ports/*)"
	[ "$(complaints)" = "$c0" ] ||
		fail "round $r: $(dmesg | grep -E "$BAD" | tail -3)"
	echo "round $r: $n bytes written with no peer reached the next one: ok"
done
retry 50 find_hvc || fail "no live /dev/hvcN"
exec 3<>$HVC
grep -q "errors=0" "$CON" || fail "ring errors"
down
