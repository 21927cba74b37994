# SPDX-License-Identifier: GPL-2.0
# vsock through the window: the kernel's own vsock_test suite between a
# Linux application (CID 2, our H2G transport) and the peer (CID 3, the
# stock virtio_vsock driver over hvl_front), then the H2G exclusivity.
. /tests/lib.sh

vsock_up
[ "$(vdbg cid)" = $PEER_CID ] || fail "debugfs does not show cid $PEER_CID"

# Cases skipped, with the reason:
#  17 "SOCK_STREAM SHUT_RD": the server calls shutdown(SHUT_RD), says so on
#     the TCP control connection, and the client expects send() to fail at
#     once.  That races the control message over TCP loopback against the
#     SHUTDOWN packet through the window; under TCG the packet can lose
#     (seen once in three runs).  The shutdown path is the common code's,
#     and 16 "SHUT_WR", 2 "client close" and 3 "server close" cover the
#     same packets.
#  21 "SOCK_STREAM double bind connect": the client connects from a fixed
#     port, closes, and binds the same port again as soon as the server
#     says LISTENING on the TCP control connection, which the server does
#     when it sees the close; the port is free only once the server's RST
#     has come back through the window.  The same race as 17: with the
#     machine loaded (load average 9) the RST lost and bind() failed
#     with EADDRINUSE.  Binding is the vsock core's; 2 and 3 cover the
#     close and the RST.
skips="--skip=17 --skip=21"

# Linux side is the server, the peer the client; then the other way.
run_suite() { # run_suite <server-cpus> <server-peer-cid> <client-cpus> <client-peer-cid>
	taskset $1 vsock_test --mode=server --control-port=1234 \
		--peer-cid=$2 $skips >/tmp/vt.server 2>&1 &
	local srv=$!
	sleep 1
	taskset $3 vsock_test --mode=client --control-host=127.0.0.1 \
		--control-port=1234 --peer-cid=$4 $skips >/tmp/vt.client 2>&1
	local rc=$?
	wait $srv
	local rs=$?
	grep -E "^[0-9]+ - " /tmp/vt.client | sed 's/^/client: /'
	if [ $rc != 0 ] || [ $rs != 0 ]; then
		tail -20 /tmp/vt.server | sed 's/^/server: /'
		tail -5 /tmp/vt.client | sed 's/^/client: /'
		dump_state
		fail "vsock_test: client exit $rc, server exit $rs"
	fi
	echo "vsock_test: $(grep -c '^[0-9]* - .*ok$' /tmp/vt.client) cases ok, $(grep -c 'skipped' /tmp/vt.client) skipped"
}

echo "== Linux (CID 2) serves, the peer (CID $PEER_CID) is the client"
run_suite $LINUX_CPUS $PEER_CID $PEER_CPUS 2
echo "== the peer serves, Linux is the client"
run_suite $PEER_CPUS 2 $LINUX_CPUS $PEER_CID

for k in $(sed -n 's/^\(bad_.*\|no_memory\): \([0-9]*\)$/\1=\2/p' "$(devdbg 19)"); do
	[ "${k#*=}" = 0 ] || fail "the stock driver's packets were refused: $k"
done
echo "counters: $(vdbg to_peer_pkts) packets to the peer, $(vdbg from_peer_pkts) from it"

# Several peers: tests/qemu/multi-peer.dtso adds a window whose vsock
# device is CID 4 with no peer behind it, and one with a reserved CID.
echo "== routing by CID"
PEERS=/sys/kernel/debug/hvl/soc:hvl-peers
grep -q "^cid: 4$" $PEERS/soc:hvl-peers.* || fail "no device for CID 4"
dmesg | grep -q "hvl,cid: 2 is reserved" || fail "reserved CID 2 not refused"
before=$(vdbg to_peer_pkts)
out=$(taskset $LINUX_CPUS hvl-rr rr vsock:4:5000 -n 1 2>&1) &&
	fail "connect to CID 4, whose peer is not running, succeeded"
echo "$out" | grep -q "No such device" || fail "connect to CID 4: $out"
[ "$(vdbg to_peer_pkts)" = "$before" ] || fail "a packet for CID 4 went to CID $PEER_CID"
echo "CID 4 (no peer running): $out; CID $PEER_CID untouched"

# Only one H2G transport: with vhost_vsock loaded the device must not
# probe, and say why.
vsock_down
load hvl_mbox_loopback hvl_core
kload vhost_iotlb vhost vhost_vsock
h2g_refused() { dmesg | grep -q "another host-to-guest vsock transport"; }
insmod $M/hvl_vsock.ko || fail "insmod hvl_vsock"
retry 50 h2g_refused ||
	fail "no error naming the H2G conflict: $(dmesg | tail -3)"
ls /sys/bus/hvl/drivers/hvl_vsock | grep -q soc: &&
	fail "hvl_vsock bound although vhost_vsock holds the H2G slot"
rmmod hvl_vsock vhost_vsock vhost vhost_iotlb || fail "rmmod"
# ... and it binds once the slot is free.
vsock_up
vsock_down
echo "H2G conflict refused with a clear error"
