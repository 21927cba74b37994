# SPDX-License-Identifier: GPL-2.0
# The console end to end, one kernel, loopback mailbox: /dev/ttyHVL0 (our
# backend) <-> /dev/hvc0 (stock virtio_console over hvl_front).  Text and
# a 4 MiB random file each way, checksummed; throughput and doorbells per
# MiB are printed for the record.
. /tests/lib.sh

up
CON=$(devdbg 3)
grep -q "bound: hvl_console" "$CON" || fail "backend not bound"
grep -q "status: 0xf" "$CON" || fail "driver side not at DRIVER_OK: $(cat "$CON")"

printf 'hello from linux\n' >/tmp/t1
xfer /dev/ttyHVL0 $HVC /tmp/t1
printf 'hello from the peer\n' >/tmp/t2
xfer $HVC /dev/ttyHVL0 /tmp/t2
echo "text both ways: ok"

dd if=/dev/urandom of=/tmp/big bs=1M count=4 2>/dev/null
for dir in "/dev/ttyHVL0 $HVC" "$HVC /dev/ttyHVL0"; do
	set -- $dir
	r0=$(dbg doorbell received)
	s0=$(dbg doorbell rung)
	spun0=$(lb_spun)
	t0=$(now)
	xfer $1 $2 /tmp/big
	t1=$(now)
	r1=$(dbg doorbell received)
	s1=$(dbg doorbell rung)
	spun1=$(lb_spun)
	cs=$((t1 - t0))
	[ $cs -gt 0 ] || cs=1
	echo "4 MiB $1 -> $2: $((4 * 100 * 100 / cs / 100)).$((4 * 100 * 100 / cs % 100)) MiB/s," \
	     "doorbells/MiB: to backend $(((r1 - r0) / 4)), to front-end $(((s1 - s0) / 4))," \
	     "delivered through other CPUs for a spinning writer: $((spun1 - spun0))"
	# The hvc writes wait for their buffers with interrupts off
	# (hvl_front's wait_out()), where the ringing CPU cannot deliver:
	# the loopback must have been asked to deliver elsewhere.
	if [ "$1" = "$HVC" ] && [ $((spun1 - spun0)) -eq 0 ]; then
		fail "4 MiB written to $HVC with no delivery for a spinning writer"
	fi
done
cat "$CON"
grep -q "errors=0" "$CON" || fail "ring errors"
down
