# SPDX-License-Identifier: GPL-2.0
# vsock connection churn and trouble: the soak's churn at 100
# connect/close cycles each way (tests/soak/50-vsock-churn.sh: queue,
# sockets and skbs back to the start; make soak runs 5000), a peer
# that stops reading (credit must hold: nothing piles up in the kernel),
# a peer that restarts in the middle of a transfer (Linux sockets get
# ECONNRESET, nothing hangs), and one whose restart races a Linux close
# (the socket is freed).
. /tests/lib.sh

echo "== 100 connect/close cycles each way"
SOAK_CHURN=100 sh /soak/50-vsock-churn.sh || exit

vsock_up
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
FDRV=/sys/bus/platform/drivers/hvl-virtio-frontend

# Not fixed sleeps: the server listening, then 1 MiB through (four
# times the peer's socket buffer: the reader has read and returned
# credit, and the sender waits in write() for more), then the stream
# standing still for a second (the peer's credit spent), each waited
# for; then it must stay still for 2 s.
flowing() { [ "$(vdbg to_peer_bytes)" -ge $((b0 + 1048576)) ]; }
still() {
	a=$(vdbg to_peer_bytes)
	nap 1
	[ "$(vdbg to_peer_bytes)" = "$a" ]
}

echo "== the peer stops reading"
$P hvl-rr server vsock:any:7001 &
srv=$!
retry 100 in_accept $srv || fail "the peer's server does not listen"
b0=$(vdbg to_peer_bytes)
$L hvl-rr stream vsock:$PEER_CID:7001 -b 8M -m 64K >/tmp/stall.out 2>&1 &
snd=$!
retry 100 flowing || fail "no bytes to the peer: $(cat /tmp/stall.out)"
kill -STOP $srv || fail "no receiver to stop"
retry 10 still || fail "data still flowing to a stopped reader after ten seconds: $(vdbg to_peer_bytes) bytes"
a=$(vdbg to_peer_bytes)
nap 2
b=$(vdbg to_peer_bytes)
q=$(vdbg queued)
kill -0 $snd 2>/dev/null || fail "sender finished although the peer stopped reading: $(cat /tmp/stall.out)"
[ "$a" = "$b" ] || fail "data kept flowing to a stopped reader: $a -> $b bytes"
[ "$q" -le 1 ] || fail "$q packets queued in the kernel for a stopped reader"
echo "stopped reader: sender blocked, $q packets queued, to_peer_bytes steady at $b"
kill -CONT $srv
wait $snd || fail "stream after resume: $(cat /tmp/stall.out)"
cat /tmp/stall.out
kill $srv

echo "== the peer restarts during a transfer"
$P hvl-rr server vsock:any:7002 &
srv=$!
retry 100 in_accept $srv || fail "the peer's server does not listen"
b0=$(vdbg to_peer_bytes)
$L hvl-rr stream vsock:$PEER_CID:7002 -b 4G -m 64K >/tmp/reset.out 2>&1 &
snd=$!
retry 100 flowing || fail "no bytes to the peer: $(cat /tmp/reset.out)"
kill -0 $snd 2>/dev/null || fail "transfer ended early: $(cat /tmp/reset.out)"
echo soc:hvl-frontend-0 >$FDRV/unbind
t0=$(now)
sender_gone() { ! kill -0 $snd 2>/dev/null; }
retry 100 sender_gone || fail "Linux sender still running 10 s after the peer went away"
wait $snd && fail "Linux sender succeeded although the peer restarted"
grep -q "Connection reset by peer" /tmp/reset.out ||
	fail "Linux sender did not get ECONNRESET: $(cat /tmp/reset.out)"
echo "Linux sender: $(cat /tmp/reset.out) after $(($(now) - t0))0 ms"
kill $srv 2>/dev/null
echo soc:hvl-frontend-0 >$FDRV/bind
retry 100 front_vsock || fail "virtio_vsock did not come back"
$P hvl-rr server vsock:any:7003 &
srv=$!
retry 100 in_accept $srv || fail "the peer's server does not listen"
$L hvl-rr rr vsock:$PEER_CID:7003 -n 100 || fail "no traffic after the peer restarted"
kill $srv
[ "$(vdbg peer_resets)" -ge 1 ] || fail "the device did not count the reset"
wait

echo "== Linux closes a connection while the peer's restart resets it"
# hvl_vsock's reset_delay_ms (a test knob) holds each socket's reset
# once it was found to need one.  The Linux writer is killed meanwhile:
# its close() sent a shutdown and scheduled its close timeout, which,
# finding the socket reset by then, never removed it.  The reset looked
# without the socket's lock, and the socket and its reference on
# hvl_vsock were never freed: rmmod hvl_vsock failed for good.
REFS=/sys/module/hvl_vsock/refcnt
DELAY=/sys/module/hvl_vsock/parameters/reset_delay_ms
$P hvl-rr server vsock:any:7004 >/dev/null 2>&1 &
srv=$!
retry 100 in_accept $srv || fail "the peer's server does not listen"
r0=$(cat $REFS)
b0=$(vdbg to_peer_bytes)
$L hvl-rr stream vsock:$PEER_CID:7004 -b 4G -m 64K >/tmp/close.out 2>&1 &
snd=$!
retry 100 flowing || fail "no bytes to the peer: $(cat /tmp/close.out)"
[ "$(cat $REFS)" -gt "$r0" ] || fail "the connection holds no reference on hvl_vsock ($r0)"
echo 1500 >$DELAY || fail "cannot set reset_delay_ms"
log0=$(dmesg | wc -l)
echo soc:hvl-frontend-0 >$FDRV/unbind &
unb=$!
held() { dmesg | tail -n +$((log0 + 1)) | grep -q "holding the reset of port"; }
retry 100 held || fail "no socket's reset was held"
kill -9 $snd
wait $snd 2>/dev/null
wait $unb || fail "unbind the front-end"
echo 0 >$DELAY
kill $srv 2>/dev/null
wait $srv 2>/dev/null
# A close timeout (8 s) may be what frees it: wait past it.
refs_back() { [ "$(cat $REFS)" = "$r0" ]; }
retry 120 refs_back ||
	fail "hvl_vsock still referenced by $(($(cat $REFS) - r0)) socket(s) 12 s after a close that raced the peer's reset"
echo "the closed socket freed, hvl_vsock's references back to $r0"
echo soc:hvl-frontend-0 >$FDRV/bind || fail "bind the front-end"
retry 100 front_vsock || fail "virtio_vsock did not come back"
vsock_down
