# SPDX-License-Identifier: GPL-2.0
# Polling mode (dts/hvl-poll.dtso's window, moved onto the test board by
# tests/qemu/check.sh with compatibles no driver matches): no mailbox,
# both sides poll the window.  The console must carry text and 256 KiB
# each way with matching checksums, and no doorbell may be rung.  (With
# 1 MiB, about one run in ten stalls one 4 KiB buffer short, past our
# ring: see Documentation/hvl/testing.rst.)
. /tests/lib.sh

W=soc:hvl-polled
F=soc:hvl-polled-front
PD=/sys/bus/platform/devices
DBG=/sys/kernel/debug/hvl/$W
WQ=/sys/devices/virtual/workqueue/hvl-$W
FST=/sys/kernel/debug/hvl_front/$F/status

# This window only, so that /dev/ttyHVL0 and the peer's hvc are its own:
# every other window and the loopback window's front-end stay unbound
# (init.sh clears driver_override after each test, failed or not).
for n in $W $F; do
	[ -e $PD/$n ] || fail "no platform device for $n"
done
only_windows
echo none >$PD/soc:hvl-frontend-0/driver_override
echo hvl-backend >$PD/$W/driver_override
echo hvl-virtio-frontend >$PD/$F/driver_override

load hvl_core hvl_console hvl_front
wait_for $DBG/doorbell || fail "$W did not probe: $(dmesg | grep "$W" | tail -3)"
wait_for $FST || fail "$F did not probe: $(dmesg | grep "$F" | tail -3)"
wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
wait_front_console || fail "virtio_console did not bind through $F"
pin
open_ttys

# Each table entry registered once: the poll timer runs from probe on.
[ "$(grep -c ': entry 0 ' $FST)" = 1 ] ||
	fail "entry 0 registered more than once: $(cat $FST)"
grep -q "^mode: poll$" $DBG/doorbell ||
	fail "the window is not in polling mode: $(cat $DBG/doorbell)"
printf 'hello from linux, polled\n' >/tmp/t1
xfer /dev/ttyHVL0 $HVC /tmp/t1
printf 'hello from the peer, polled\n' >/tmp/t2
xfer $HVC /dev/ttyHVL0 /tmp/t2
dd if=/dev/urandom of=/tmp/big bs=256k count=1 2>/dev/null
for dir in "/dev/ttyHVL0 $HVC" "$HVC /dev/ttyHVL0"; do
	set -- $dir
	t0=$(now)
	xfer $1 $2 /tmp/big
	cs=$(($(now) - t0))
	[ $cs -gt 0 ] || cs=1
	printf '256 KiB %s -> %s polled: %d.%02d MiB/s\n' $1 $2 \
		$((2500 / cs / 100)) $((2500 / cs % 100))
done
[ "$(dbg doorbell rung)" = 0 ] || fail "the backend rang a doorbell in polling mode"
[ "$(dbg doorbell received)" -gt 0 ] || fail "the backend never polled"
# Without a mailbox neither side can ring: the data crossed with no
# mailbox module loaded, and each side's poll timer ran.
loaded hvl_mbox_loopback && fail "the test mailbox is loaded"
grep -q "doorbell rung 0 " $FST || fail "the front-end rang a doorbell in polling mode"
fpolls=$(sed -n 's/^doorbell .* received \([0-9]*\) .*/\1/p' $FST)
[ "${fpolls:-0}" -gt 0 ] || fail "the front-end never polled: $(grep '^doorbell' $FST)"
dev=$(devdbg 3)
[ -n "$dev" ] || fail "no console in $DBG"
grep -q "errors=0" "$dev" || fail "ring errors: $(cat "$dev")"
echo "polls: $(dbg doorbell received) by the backend, $fpolls by the front-end, doorbells rung: 0"

close_ttys
unload hvl_front hvl_console hvl_core
for n in $W $F soc:hvl-frontend-0; do
	echo >$PD/$n/driver_override
done
all_windows
