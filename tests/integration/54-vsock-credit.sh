# SPDX-License-Identifier: GPL-2.0
# A peer that advertises 4 GiB of credit and never reads.  The common code
# caps each connection's credit at the Linux socket's own buffer size
# (256 KiB), but the peer decides how many connections stall: 16 of them
# to a Linux server that writes 1 MiB to each would queue 4 MiB in the
# kernel.  The device caps the memory it queues (hvl_vsock max_queued_kib,
# here 1 MiB) and resets a connection that would go beyond: the writer
# gets ECONNRESET, the memory is freed, the event counted and logged, and
# the device serves again after the peer's reset.
#
# The server is hvl-rr feed: a backlog for every request and one writer
# process per connection (socat's backlog of 5 refused most of them).
. /tests/lib.sh

INJECT=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/inject
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
RXQ=0
TXQ=1
OP_REQUEST=1
N=16
CAP=$((1024 * 1024))

ifconfig lo 127.0.0.1 up
load hvl_mbox_loopback hvl_core
insmod $M/hvl_vsock.ko max_queued_kib=1024 || fail "insmod hvl_vsock max_queued_kib=1024"
insmod $M/hvl_front.ko inject=1 || fail "insmod hvl_front inject=1"
retry 100 front_vsock || fail "virtio_vsock did not bind through hvl_front"
pin
V=$(basename "$(devdbg 19)")
ENTRY=${V##*.}
# On failure, the device's whole state, for the log.
trap '[ $? = 0 ] || { sed "s/^/state: /" "$DBG/$V"; sed "s/^/writer: /" /tmp/feed.out; }' EXIT

$L hvl-rr feed vsock:any:7200 -n $N -b 1M >/tmp/feed.out 2>&1 &
wr=$!
retry 100 in_accept $wr || fail "the listener is not in accept(): $(cat /proc/$wr/stack 2>&1)"
echo "$ENTRY $RXQ hold" >$INJECT || fail "hold"
i=0
while [ $i -lt $N ]; do
	echo "$ENTRY $TXQ vsock $OP_REQUEST $((5600 + i)) 7200 4294967295 0 0 1" \
		>$INJECT || fail "inject REQUEST $i"
	i=$((i + 1))
done

# Watch the queued memory while the writers fill their credit: it must
# never exceed the cap, and connections must be reset at it.  Done when
# every writer either got its error or is blocked with nothing more
# queued for 2 s.
max=0
last=-1
still=0
t=0
while [ $t -lt 300 ]; do
	b=$(vdbg queued_bytes)
	[ "$b" -gt $max ] && max=$b
	[ "$b" -le $CAP ] || fail "$b bytes queued for a peer that does not read, cap $CAP ($(vdbg queued) packets)"
	if [ "$b" = "$last" ]; then
		still=$((still + 1))
	else
		still=0
	fi
	last=$b
	[ $still -ge 20 ] && [ "$(vdbg over_limit)" -ge 1 ] 2>/dev/null && break
	sleep 0.1
	t=$((t + 1))
done
r=$(vdbg over_limit)
[ "${r:-0}" -ge 1 ] 2>/dev/null || fail "no connection reset in 30 s: $(vdbg queued_bytes) bytes queued"
resets=$(grep -c "error=Connection reset" /tmp/feed.out)
[ "$resets" -ge 1 ] || fail "no writer got ECONNRESET (over_limit $r)"
dmesg | grep -q "$V: the peer does not read: .*max_queued_kib" || fail "nothing logged"
echo "$N connections: $r reset at the cap ($resets writers saw ECONNRESET), at most $max bytes queued (cap $CAP)"

# The peer resets the device: the connections still blocked are reset,
# the memory is back, and a well-behaved connection works.
echo soc:hvl-frontend-0 >/sys/bus/platform/drivers/hvl-virtio-frontend/unbind
echo soc:hvl-frontend-0 >/sys/bus/platform/drivers/hvl-virtio-frontend/bind
retry 100 front_vsock || fail "virtio_vsock did not come back"
writer_gone() { ! kill -0 $wr 2>/dev/null; }
retry 100 writer_gone || { kill $wr; fail "writers still blocked after the peer's reset"; }
[ "$(grep -c '^feed:' /tmp/feed.out)" = $N ] || fail "$(grep -c '^feed:' /tmp/feed.out) of $N writers ended"
[ "$(vdbg queued_bytes)" = 0 ] || fail "$(vdbg queued_bytes) bytes queued after the reset"
$P hvl-rr server vsock:any:7201 &
srv=$!
sleep 1
$L hvl-rr stream vsock:$PEER_CID:7201 -b 4M -m 64K || fail "a 4 MiB stream after the reset"
kill $srv
wait

# Out-of-range limits are refused.
for bad in 0 255 1048577 x; do
	echo $bad >/sys/module/hvl_vsock/parameters/max_queued_kib 2>/dev/null &&
		fail "max_queued_kib=$bad accepted"
done
[ "$(cat /sys/module/hvl_vsock/parameters/max_queued_kib)" = 1024 ] ||
	fail "max_queued_kib changed by a refused write"
rm -f /tmp/feed.out
vsock_down
