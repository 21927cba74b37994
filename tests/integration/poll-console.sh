# SPDX-License-Identifier: GPL-2.0
# Polling mode (dts/hvl-poll.dtso, booted as a second board): no mailbox,
# both sides poll the window.  The console must carry text and 256 KiB each
# way with matching checksums, and no doorbell may be rung.  (With 1 MiB,
# about one run in ten stalls one 4 KiB buffer short, past our ring: see
# Documentation/hvl/testing.rst.)
. /tests/lib.sh

up
# Each table entry registered once: the poll timer runs from probe on.
[ "$(grep -c ': entry 0 ' /sys/kernel/debug/hvl_front/*/status)" = 1 ] ||
	fail "entry 0 registered more than once: $(cat /sys/kernel/debug/hvl_front/*/status)"
grep -q "^mode: poll$" "$DBG/doorbell" ||
	fail "the window is not in polling mode: $(cat "$DBG/doorbell")"
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
	echo "256 KiB $1 -> $2 polled: $((25 * 100 / cs / 100)).$((25 * 100 / cs % 100)) MiB/s"
done
[ "$(dbg doorbell rung)" = 0 ] || fail "the backend rang a doorbell in polling mode"
[ "$(dbg doorbell received)" -gt 0 ] || fail "the backend never polled"
grep -q "doorbell rung 0 " /sys/kernel/debug/hvl_front/*/status ||
	fail "the front-end rang a doorbell in polling mode"
grep -q "errors=0" "$(devdbg 3)" || fail "ring errors"
echo "polls: $(dbg doorbell received) by the backend, doorbells rung: 0"
down
