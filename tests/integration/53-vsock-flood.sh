# SPDX-License-Identifier: GPL-2.0
# A peer that floods us with CREDIT_REQUESTs and posts no receive buffers:
# each request makes the vsock core queue a CREDIT_UPDATE for the peer,
# which is not a reply in the core's sense.  The device must stop reading
# the peer's tx queue once as many control packets wait as the rx queue
# has entries, and serve again after the peer resets the device.
#
# The peer is the front-end loaded with inject=1: "hold" stops its stock
# driver from seeing (and refilling) used buffers, "vsock" posts raw
# packets on the tx queue (see drivers/hvl/front/inject.c).
. /tests/lib.sh

INJECT=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/inject
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
RXQ=0
TXQ=1
OP_REQUEST=1
OP_CREDIT_REQUEST=7

ifconfig lo 127.0.0.1 up
load hvl_mbox_loopback hvl_core hvl_vsock
insmod $M/hvl_front.ko inject=1 || fail "insmod hvl_front inject=1"
retry 100 front_vsock || fail "virtio_vsock did not bind through hvl_front"
pin
V=$(basename "$(devdbg 19)")
ENTRY=${V##*.}
# On failure, the device's whole state, for the log.
trap '[ $? = 0 ] || sed "s/^/state: /" "$DBG/$V"' EXIT
RXNUM=$(sed -n "s/^queue$RXQ: num=\([0-9]*\) .*/\1/p" "$DBG/$V")
[ -n "$RXNUM" ] || fail "no rx queue size in $DBG/$V: $(grep ^queue "$DBG/$V")"

$L socat -u VSOCK-LISTEN:7100 OPEN:/dev/null &
lsn=$!
retry 100 in_accept $lsn || fail "the listener is not in accept(): $(cat /proc/$lsn/stack 2>&1)"
echo "$ENTRY $RXQ hold" >$INJECT || fail "hold"
# A connection from peer port 5555, then the flood on it.
echo "$ENTRY $TXQ vsock $OP_REQUEST 5555 7100 65536 0 0 1" >$INJECT ||
	fail "inject REQUEST"
n=0
while [ $n -lt 8 ]; do
	echo "$ENTRY $TXQ vsock $OP_CREDIT_REQUEST 5555 7100 65536 0 0 100" \
		>$INJECT 2>/dev/null || break
	n=$((n + 1))
done
sleep 1
q=$(vdbg queued)
echo "$((n * 100)) batches of CREDIT_REQUEST taken, $q packets queued for the peer (rx queue: $RXNUM)"
[ "$q" -le "$RXNUM" ] || fail "$q packets queued for a peer that posts no buffers"
[ $n -lt 8 ] || fail "the device read all 800 CREDIT_REQUESTs of a peer that posts no buffers"
[ "$(vdbg queued_replies)" -le "$RXNUM" ] || fail "queued_replies $(vdbg queued_replies)"

# The peer resets the device (its driver rebinds): everything is dropped
# and the device serves again.
kill $lsn 2>/dev/null
echo soc:hvl-frontend-0 >/sys/bus/platform/drivers/hvl-virtio-frontend/unbind
echo soc:hvl-frontend-0 >/sys/bus/platform/drivers/hvl-virtio-frontend/bind
retry 100 front_vsock || fail "virtio_vsock did not come back"
[ "$(vdbg queued)" = 0 ] || fail "$(vdbg queued) packets still queued after the reset"
[ "$(vdbg queued_replies)" = 0 ] || fail "queued_replies $(vdbg queued_replies) after the reset"
$P hvl-rr server vsock:any:7101 &
srv=$!
sleep 1
$L hvl-rr rr vsock:$PEER_CID:7101 -n 100 || fail "no traffic after the flood"
kill $srv
wait
vsock_down
