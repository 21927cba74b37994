# SPDX-License-Identifier: GPL-2.0
# The console end to end, one kernel, loopback mailbox: /dev/ttyHVL0 (our
# backend) <-> /dev/hvc0 (stock virtio_console over hvl_front).  Text and
# a 4 MiB random file each way, checksummed; throughput and doorbells per
# MiB are printed for the record.
. /tests/lib.sh

up
# The window has other devices (9p): find the console's file.
CON=$(grep -l "bound: hvl_console" "$DBG"/soc:hvl-backend-0.*) || fail "backend not bound"
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
	t0=$(now)
	xfer $1 $2 /tmp/big
	t1=$(now)
	r1=$(dbg doorbell received)
	s1=$(dbg doorbell rung)
	cs=$((t1 - t0))
	[ $cs -gt 0 ] || cs=1
	echo "4 MiB $1 -> $2: $((4 * 100 * 100 / cs / 100)).$((4 * 100 * 100 / cs % 100)) MiB/s," \
	     "doorbells/MiB: to backend $(((r1 - r0) / 4)), to front-end $(((s1 - s0) / 4))"
done
cat "$CON"
grep -q "errors=0" "$CON" || fail "ring errors"
down
