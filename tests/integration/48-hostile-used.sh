# SPDX-License-Identifier: GPL-2.0
# A hostile device side, end to end: hvl_hostile_dev (test only) serves
# the console in place of hvl_console and answers the first receive
# buffer of the peer's stock virtio_console with a used ring that lies.
# The front-end keeps the rings virtio_ring walks private
# (drivers/hvl/front/shadow.c): a lie is refused, counted and gives the
# queue up, or, for NEXT flags written into the window's descriptor table,
# never reaches virtio_ring at all.  The peer's kernel neither hangs nor
# hands a driver more bytes than its buffer holds.
. /tests/lib.sh

FST=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/status

# vq <queue> <counter>: the console's queue in the front-end's status
vq() {
	sed -n "s/^  vq $1: .* $2 \([0-9]*\).*/\1/p" $FST | head -1
}
given_up() { grep -q "^  vq $1: .* given-up" $FST; }
logged() { dmesg | grep -q "$1"; }
lied() { logged "hostile: answering chain .* \"$1\""; }

# lie <mode>: the console's device side tells that lie on queue 0
lie() {
	load hvl_mbox_loopback hvl_core
	insmod $M/hvl_hostile_dev.ko mode=$1 || fail "insmod hvl_hostile_dev mode=$1"
	load hvl_front
	retry 100 front_console || fail "$1: virtio_console did not bind"
	retry 100 lied "$1" || fail "$1: the hostile device side never answered"
}

# refused <mode> <message>: counted once, the queue given up, said why
refused() {
	retry 50 given_up 0 || fail "$1: queue 0 not given up: $(cat $FST)"
	[ "$(vq 0 refused)" = 1 ] || fail "$1: refusals counted: $(vq 0 refused), want 1"
	logged "queue 0: $2" || fail "$1: no \"$2\" in the log"
	echo "$1: refused, counted, queue given up"
}

# The hvc goes away after its last user: a console registered while the
# old one is referenced would get an index beyond /dev/hvc7.
teardown() {
	unload hvl_front hvl_hostile_dev hvl_core hvl_mbox_loopback
	sleep 1
}

# virtio_ring's detach_buf_split() follows the NEXT flags it reads back:
# on a shared ring this loops for ever with the port's lock held and
# interrupts off.  On the private ring the buffer comes back as it was.
lie loop
taken_back() { [ "$(vq 0 taken)" -ge 1 ]; }
retry 50 taken_back || fail "loop: buffer not taken back: $(cat $FST)"
[ "$(vq 0 refused)" = 0 ] || fail "loop: a well-formed used entry was refused"
given_up 0 && fail "loop: queue given up"
echo "loop: NEXT flags in the window did not reach virtio_ring"
# The transmit queue is not served at all: the hvc console's write spins
# with interrupts off until its buffer comes back.  The front-end waits
# at most two seconds for it, then gives the device up.
retry 50 find_hvc || fail "loop: no hvc"
t0=$(now)
printf 'x' | $(side $HVC) dd of=$HVC 2>/dev/null
t1=$(now)
[ $((t1 - t0)) -lt 1000 ] || fail "loop: a write to $HVC took $((t1 - t0)) cs"
retry 50 logged "device side holds written buffers: device is dead" ||
	fail "loop: the unserved transmit queue was not given up"
echo "loop: an unserved write returned after $((t1 - t0)) cs"
teardown

lie len
refused len "used length 1048576 exceeds the 4096 writable bytes"
[ "$(vq 0 taken)" = 0 ] || fail "len: the oversized buffer reached the driver"
teardown

lie id
refused id "used id 131 is not a buffer the device holds"
teardown

lie dup
refused dup "used id [0-9]* is not a buffer the device holds"
[ "$(vq 0 taken)" = 1 ] || fail "dup: the first return of the buffer was not taken"
teardown

lie jump
refused jump "used index 192 runs 192 entries ahead"
teardown
