# SPDX-License-Identifier: GPL-2.0
# A hostile peer towards hvl_net, end to end: the front-end loaded with
# inject=1 ("hold" stops its stock virtio_net from seeing or refilling
# used buffers, "net" posts raw frames on a queue; see
# drivers/hvl/front/inject.c).
#
# - Frames whose virtio-net header lies (flags, gso_type, gso_size,
#   csum_start, csum_offset, length): each refused and counted under its
#   reason, in debugfs and in the interface's rx_errors, nothing else;
#   "ethtool -S hvlnet0" lists the counters of debugfs with their values.
# - A peer that stops reading: Linux keeps sending, at most 128 frames
#   wait for it (the interface's queue stops), and a reset drops them.
# - A receive buffer the device may not write: DEVICE_NEEDS_RESET, and
#   the peer's reset recovers the device.
# - BQL: while the peer does not read, frames are in flight; after its
#   reset none is, and frames go to it again.  A second stall with BQL's
#   limit out of the way: our own bound of 128 frames holds, and our
#   link down purges them out of BQL's count.
# - A control command ("ethtool -C", for which the stock driver spins
#   under RTNL) while the device needs a reset: answered, refused.
. /tests/lib.sh

IP=/usr/bin/ip		# iproute2: busybox's ip cannot add a neighbour
INJECT=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/inject
FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
RXQ=0
TXQ=1
MTU=9000

cleanup() {
	unload hvl_front hvl_net hvl_core hvl_mbox_loopback
	all_windows
	true
}
trap cleanup EXIT

nd() { sed -n "s/^$1: //p" "$DBG/$V"; }

# counted <counter> <value>: the counter has reached the value
counted() { [ "$(nd "$1")" -ge "$2" ]; }

# BQL: bytes counted sent on hvlnet0 and not yet completed.
BQL=/sys/class/net/hvlnet0/queues/tx-0/byte_queue_limits
bql_idle() { [ "$(cat $BQL/inflight)" = 0 ]; }

only_windows soc:hvl-backend-0
load hvl_mbox_loopback hvl_core hvl_net
insmod $M/hvl_front.ko inject=1 || fail "insmod hvl_front inject=1"
retry 100 front_net || fail "virtio_net did not bind through hvl_front"
pin
V=$(basename "$(devdbg 1)")
ENTRY=${V##*.}
# On failure, the device's whole state, for the log.
trap '[ $? = 0 ] || sed "s/^/state: /" "$DBG/$V"; cleanup' EXIT
# The stock driver posts its receive buffers when its interface opens.
retry 50 peer_dev >/dev/null || fail "virtio_net has no interface"
$IP link set dev "$(peer_dev)" up || fail "the peer's interface up"
# Frames from the peer reach the checks only with our link up.
$IP addr add 10.78.0.1/24 dev hvlnet0 || fail "address"
$IP link set dev hvlnet0 up || fail "hvlnet0 up"
echo "$ENTRY $RXQ hold" >$INJECT || fail "hold"
held_at=$(nd to_peer_frames)

echo "== lying headers, 20 frames each"
# inj <counter> <flags> <gso_type> <gso_size> <csum_start> <csum_offset> <bytes>
refused=0
inj() {
	local before
	before=$(nd "$1")
	echo "$ENTRY $TXQ net $2 $3 $4 $5 $6 $7 20" >$INJECT ||
		fail "inject net $2 $3 $4 $5 $6 $7"
	retry 50 counted "$1" $((before + 20)) ||
		fail "$1: $(($(nd "$1") - before)) of 20 frames counted (flags $2 gso $3/$4 csum $5+$6, $7 bytes)"
	[ "$1" = from_peer_frames ] || refused=$((refused + 20))
}
inj runt 0 0 0 0 0 10
inj oversize 0 0 0 0 0 $((MTU + 18 + 1))
inj bad_flags 2 0 0 0 0 100			# DATA_VALID is the device's
inj bad_flags 128 0 0 0 0 100
inj not_negotiated 1 3 1448 34 6 30000		# UFO
inj not_negotiated 1 129 1448 34 16 30000	# TSO4 with ECN
inj bad_gso 1 7 1448 34 16 30000		# no such gso_type
inj bad_gso 1 1 0 34 16 30000			# gso_size 0
inj bad_gso 1 1 $((MTU + 1)) 34 16 30000	# gso_size beyond the MTU
inj bad_gso 0 1 1448 0 0 30000			# GSO without NEEDS_CSUM
inj bad_hdr 1 0 0 200 0 100			# csum_start beyond the frame
inj bad_hdr 1 0 0 34 80 100			# csum_offset beyond the frame
inj bad_hdr 1 0 0 65535 65535 100
inj bad_hdr 1 1 1448 34 6 30000			# TSO, csum_offset not TCP's
inj from_peer_frames 0 0 0 0 0 60		# and a good one is taken
errs=$(cat /sys/class/net/hvlnet0/statistics/rx_errors)
[ "$errs" = $refused ] || fail "rx_errors $errs, not the $refused frames refused"
grep -q "^needs_reset: 0$" "$DBG/$V" || fail "a refused frame reset the device"
echo "$refused frames refused under their reasons, rx_errors $errs, the device serving"

echo "== ethtool -S: the counters of debugfs"
ethtool -S hvlnet0 >/tmp/ethtool.out 2>&1 || fail "ethtool -S hvlnet0: $(cat /tmp/ethtool.out)"
et() { sed -n "s/^ *$1: //p" /tmp/ethtool.out; }
# The same names: ethtool's all in debugfs, and debugfs's counters (its
# last lines, after queued_from_peer) all in ethtool.
names=$(sed -n 's/^ *\([a-z0-9_]*\): [0-9]*$/\1/p' /tmp/ethtool.out)
for k in $names; do
	[ -n "$(nd "$k")" ] || fail "ethtool -S has $k, debugfs does not"
done
for k in $(sed -n '/^queued_from_peer: /,$s/^\([a-z0-9_]*\): .*/\1/p' "$DBG/$V" | sed 1d); do
	[ -n "$(et "$k")" ] || fail "debugfs has $k, ethtool -S does not"
done
# The same values: the refusals provoked above, nonzero, and every
# counter that nothing moves now (the peer's own frames may still come,
# and Linux's wait for a peer that does not read).
for k in runt oversize bad_flags not_negotiated bad_gso bad_hdr; do
	[ "$(et $k)" = "$(nd $k)" ] && [ "$(et $k)" -gt 0 ] ||
		fail "$k: ethtool -S says '$(et $k)', debugfs '$(nd $k)'"
done
for k in bad_buffer no_memory peer_resets to_peer_dropped_too_big to_peer_dropped_bad_skb; do
	[ "$(et $k)" = "$(nd $k)" ] || fail "$k: ethtool -S says '$(et $k)', debugfs '$(nd $k)'"
done
echo "ethtool -S: $(echo $names | wc -w) counters, those of debugfs: $(for k in runt oversize bad_flags not_negotiated bad_gso bad_hdr; do printf '%s %s ' $k "$(et $k)"; done)"

echo "== a peer that stops reading"
$IP neigh replace 10.78.0.2 lladdr "$(nd peer_mac)" dev hvlnet0 nud permanent ||
	fail "static neighbour"
# The peer posted its receive buffers before the hold; once they are
# used, nothing more may go to it.  The frames waiting for it hold their
# socket's memory, and a writer blocks at some 50: four writers, for
# more than the 128 that may wait.  Each gets 5 s.
writers() {
	local w
	for w in 1 2 3 4; do
		head -c 4194304 /dev/zero |
			timeout 5 socat -u -b 1400 - UDP4-SENDTO:10.78.0.2:9 2>/dev/null &
	done
	wait
}
writers
q=$(nd queued_to_peer)
sent=$(($(nd to_peer_frames) - held_at))
rxnum=$(sed -n "s/^queue$RXQ: num=\([0-9]*\) .*/\1/p" "$DBG/$V")
inflight=$(cat $BQL/inflight)
limit=$(cat $BQL/limit)
echo "four UDP writers for 5 s: $sent frames in the peer's $rxnum buffers since the hold, $q queued, BQL: $inflight bytes in flight, limit $limit"
[ "$q" -le 128 ] || fail "$q frames queued for a peer that does not read"
# Stopped by one of the two bounds: our 128 frames, or BQL's limit
# (the queue stops once more than the limit is in flight).
[ "$q" -ge 100 ] || [ "$inflight" -gt "$limit" ] ||
	fail "only $q frames queued, $inflight bytes in flight of BQL's $limit: did the writers stop early?"
[ "$inflight" -gt 0 ] || fail "$q frames queued and none in flight for BQL"
[ "$sent" -le "$rxnum" ] || fail "$sent frames into $rxnum buffers"
[ "$q" -gt 0 ] || fail "nothing queued: was the peer reading?"
[ "$sent" -gt 0 ] || fail "no frame went into the buffers the peer had posted"
grep "^queue$RXQ:" "$DBG/$V"

echo "== a receive buffer the device may not write"
# The injected chain is device-readable; the next frame for it breaks it.
echo "$ENTRY $RXQ net 0 0 0 0 0 100 1" >$INJECT || fail "inject a readable rx chain"
ping -c 1 -W 1 10.78.0.2 >/dev/null 2>&1
retry 50 grep -q "^needs_reset: 1$" "$DBG/$V" || fail "no DEVICE_NEEDS_RESET: $(grep -E 'status|needs_reset' "$DBG/$V")"
dmesg | grep -q "receive buffer readable or without room" || fail "no message naming the fault"

echo "== the peer resets"
q=$(nd queued_to_peer)
purged=$(nd to_peer_dropped_purged)
echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind front-end"
echo soc:hvl-frontend-0 >$FRONT/bind || fail "bind front-end"
retry 100 front_net || fail "virtio_net did not come back"
retry 50 counted peer_up 1 || fail "the device did not start again"
# The new session's driver has not opened its interface: what Linux
# sends meanwhile queues again, but what was queued is gone.
[ $(($(nd to_peer_dropped_purged) - purged)) -ge "$q" ] ||
	fail "$q frames queued at the reset, $(($(nd to_peer_dropped_purged) - purged)) purged"
echo "the reset purged the $q frames queued, the device serving again"

echo "== after the reset: nothing in flight for BQL, and frames go"
# The new session's driver posts its receive buffers once its interface
# is up; what queued meanwhile goes, and BQL must see all of it leave:
# a frame counted sent and never completed (the reset's purge, say)
# would keep the queue stopped for good.
retry 50 peer_dev >/dev/null || fail "virtio_net has no interface after the reset"
$IP link set dev "$(peer_dev)" up || fail "the peer's new interface up"
retry 100 bql_idle ||
	fail "BQL: $(cat $BQL/inflight) bytes in flight after the reset, $(nd queued_to_peer) frames queued"
before=$(nd to_peer_frames)
head -c 28000 /dev/zero | socat -u -b 1400 - UDP4-SENDTO:10.78.0.2:9 ||
	fail "UDP to the peer after the reset"
retry 100 counted to_peer_frames $((before + 20)) ||
	fail "$(($(nd to_peer_frames) - before)) of 20 frames reached the peer after the reset"
retry 100 bql_idle ||
	fail "BQL: $(cat $BQL/inflight) bytes in flight after 20 frames went, $(nd queued_to_peer) frames queued"
echo "BQL: nothing in flight, and $(($(nd to_peer_frames) - before)) frames to the peer"

echo "== a peer that stops reading again, BQL's limit out of the way"
# Above, BQL's limit may have stopped the queue long before 128 frames.
# With its floor above 128 frames of 64 KiB, the bound is ours alone.
echo 16777216 >$BQL/limit_min || fail "BQL limit_min"
echo "$ENTRY $RXQ hold" >$INJECT || fail "hold again"
writers
q=$(nd queued_to_peer)
inflight=$(cat $BQL/inflight)
echo "four UDP writers for 5 s: $q frames queued, BQL: $inflight bytes in flight"
[ "$q" -le 128 ] || fail "$q frames queued for a peer that does not read"
[ "$q" -ge 100 ] || fail "only $q frames queued: did the writers stop early?"
[ "$inflight" -gt 0 ] || fail "$q frames queued and none in flight for BQL"
# Our link down purges what waits (net_stop()), and those frames leave
# BQL's count: nothing in flight, unless the work item held a frame
# during the purge and put it back (then it waits in to_peer).
purged=$(nd to_peer_dropped_purged)
$IP link set dev hvlnet0 down || fail "hvlnet0 down"
p=$(($(nd to_peer_dropped_purged) - purged))
echo "hvlnet0 down: $p frames purged, $(nd queued_to_peer) left, BQL: $(cat $BQL/inflight) bytes in flight"
[ "$p" -ge $((q - 1)) ] || fail "hvlnet0 down purged $p of $q frames"
bql_idle || [ "$(nd queued_to_peer)" -gt 0 ] ||
	fail "BQL: $(cat $BQL/inflight) bytes in flight with hvlnet0 down and nothing queued"
$IP link set dev hvlnet0 up || fail "hvlnet0 up"
echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind front-end"
echo soc:hvl-frontend-0 >$FRONT/bind || fail "bind front-end"
retry 100 front_net || fail "virtio_net did not come back"
retry 50 peer_dev >/dev/null || fail "virtio_net has no interface after the reset"
$IP link set dev "$(peer_dev)" up || fail "the peer's new interface up"
retry 100 bql_idle ||
	fail "BQL: $(cat $BQL/inflight) bytes in flight after the second reset, $(nd queued_to_peer) frames queued"
echo 0 >$BQL/limit_min || fail "BQL limit_min back"
echo "after the second reset: nothing in flight for BQL"

echo "== a control command while the device needs a reset"
# The stock driver spins under RTNL until a control command is answered,
# and would notice the reset only after: it is answered, refused.  The
# reset comes from a chain outside the window on the transmitq; the
# device is not held, so the driver's command reaches the window.
resets=$(nd needs_reset)
echo "$ENTRY $TXQ desc-oob" >$INJECT || fail "inject a chain outside the window"
retry 50 counted needs_reset $((resets + 1)) || fail "no DEVICE_NEEDS_RESET for a chain outside the window"
refused=$(nd ctrl_refused)
T0=$(now)
ethtool -C "$(peer_dev)" rx-usecs 50 rx-frames 8 >/tmp/ethtool.out 2>&1 &
pid=$!
returns $pid "ethtool -C on a device that needs a reset" 5000
wait $pid && fail "ethtool -C took coalescing from a device that needs a reset"
[ "$(nd ctrl_refused)" -gt "$refused" ] ||
	fail "the command was not refused: ctrl_refused $(nd ctrl_refused)"
dmesg | grep -q "refused control command .*: the device needs a reset" ||
	fail "no message naming the refusal"
echo "ethtool -C failed in $MS ms: $(cat /tmp/ethtool.out)"
