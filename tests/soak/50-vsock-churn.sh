# SPDX-License-Identifier: GPL-2.0
# vsock connection churn at soak size: SOAK_CHURN (default 5000)
# connect / 1-byte round trip / close cycles each way, then the vsock
# device's queue, the live AF_VSOCK sockets and the kernel's socket
# buffers must be back where they started (make check: 52-vsock-churn
# runs it with 100).  No size is asked for: 50 times make check's 100
# each way is enough for a leak of one object a cycle to show in the
# counts, and kmemleak sees any; 20 000 cost 40 minutes of make soak.
# hvl-timeout: 14400
. /tests/lib.sh
. /soak/lib-soak.sh

N=${SOAK_CHURN:-5000}
vsock_up
skb0=$(skbs)
q0=$(vdbg queued)
s0=$(vsocks)
hvl-rr server vsock:any:7000 &
srv=$!
$P hvl-rr connect vsock:2:7000 -n "$N" || fail "peer -> Linux connect cycles"
kill $srv
$P hvl-rr server vsock:any:7001 &
srv=$!
hvl-rr connect vsock:$PEER_CID:7001 -n "$N" || fail "Linux -> peer connect cycles"
kill $srv
wait
# Closed sockets linger until the other side's RST: up to 8 s.
back() {
	[ "$(vdbg queued)" = "$q0" ] && [ "$(vsocks)" = "$s0" ] &&
		[ "$(skbs)" -le $((skb0 + 16)) ]
}
retry 300 back || fail "after $N cycles: queued $(vdbg queued) (was $q0), sockets $(vsocks) (was $s0), skbs $(skbs) (was $skb0)"
echo "$N connect/close cycles each way: queue, sockets ($s0) and skbs back to the start"
vsock_down
