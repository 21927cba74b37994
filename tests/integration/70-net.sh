# SPDX-License-Identifier: GPL-2.0
# hvl_net through the window, as lib-net.sh sets it up: the stock
# virtio_net of the peer in a network namespace of its own.  Ping and TCP
# both ways (NET_TCP_MIB each, 64 MiB by default, checksums compared),
# iperf3 with 4 streams each
# way, UDP of varied sizes up to the MTU, an MTU change, link down and up
# as the peer sees it, a peer restart in the middle of a stream, and
# hvl_net unloaded under traffic.  Notification coalescing set by the
# peer's "ethtool -C" through the control queue, its interrupts held on
# a stream and released by the timer for a ping, a value beyond the
# longest refused, the driver's adaptive moderation (net_dim) setting
# its own, all of it forgotten by the peer's restart; hvl_net unloaded
# with interrupts held for 100 ms.  After the
# traffic, the peer restart and the reload, nothing is left in flight
# for BQL.
# hvl-timeout: 300
. /tests/lib.sh
. /tests/lib-net.sh

MTU=9000		# hvl,mtu in dts/hvl-loopback.dtso
MIB=${NET_TCP_MIB:-64}	# each way, a multiple of 4
FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
pids=

cleanup() {
	kill $pids 2>/dev/null
	[ -n "$NS" ] && kill "$NS" 2>/dev/null
	rm -f /tmp/net.*
	unload hvl_front hvl_net hvl_core hvl_mbox_loopback
	all_windows
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# nd <key>: a counter of the net device's debugfs file
nd() { sed -n "s/^$1: //p" "$(devdbg 1)"; }
# co <queue> <key>: its notification coalescing, from the same file
co() { sed -n "s/^queue$1 coalescing: .*$2=\([0-9]*\).*/\1/p" "$(devdbg 1)"; }

# BQL: every byte counted sent on hvlnet0 was completed once the traffic
# is over.  A frame counted sent and never completed would keep the
# queue stopped for good once BQL's limit is reached.
BQL=/sys/class/net/hvlnet0/queues/tx-0/byte_queue_limits
bql_idle() { [ "$(cat $BQL/inflight)" = 0 ]; }
bql_check() {
	retry 100 bql_idle ||
		fail "$1: BQL: $(cat $BQL/inflight) bytes in flight, $(nd queued_to_peer) frames queued for the peer"
	echo "$1: nothing in flight for BQL (limit $(cat $BQL/limit))"
}

pings() { # pings <label>: both ways, IPv4 and IPv6
	linux ping -c 1 -W 5 $PA >/dev/null || fail "$1: Linux cannot ping the peer"
	peer ping -c 1 -W 5 $LA >/dev/null || fail "$1: the peer cannot ping Linux"
	linux ping6 -c 1 -W 5 $PA6 >/dev/null || fail "$1: Linux cannot ping6 the peer"
	peer ping6 -c 1 -W 5 $LA6 >/dev/null || fail "$1: the peer cannot ping6 Linux"
}

# tcp <from: linux|peer> <port> <file>: start sending <file> over TCP to
# the other side, which writes it to /tmp/net.<port>; tcp_check waits.
# Streams on different ports run at once.
tcp() {
	local rx tx dst procnet
	if [ "$1" = linux ]; then
		rx=peer tx=linux dst=$PA procnet=/proc/$NS/net
	else
		rx=linux tx=peer dst=$LA procnet=/proc/net
	fi
	rm -f /tmp/net.$2
	$rx socat -u TCP4-LISTEN:$2,reuseaddr OPEN:/tmp/net.$2,creat,trunc &
	eval rx_$2=$!
	pids="$pids $!"
	retry 100 listening $procnet "$2" || fail "no listener on port $2"
	$tx socat -u OPEN:$3 TCP4:$dst:$2 &
	eval tx_$2=$!
	pids="$pids $!"
}

# tcp_check <port> <file> <label> [seconds]: the stream on <port> ends,
# and /tmp/net.<port> is <file>.
tcp_check() {
	local t=0 rx tx
	eval rx=\$rx_$1 tx=\$tx_$1
	while kill -0 $rx 2>/dev/null; do
		t=$((t + 1))
		if [ $t -gt $((${4:-60} * 5 * ${HVL_SLOW:-1})) ]; then
			dump_state
			fail "$3: TCP stream timed out at $(wc -c </tmp/net.$1) of $(wc -c <$2) bytes"
		fi
		nap 0.2
	done
	wait $tx || fail "$3: sender failed"
	wait $rx || fail "$3: receiver failed"
	[ "$(sha256sum <$2)" = "$(sha256sum </tmp/net.$1)" ] ||
		fail "$3: checksum mismatch ($(wc -c </tmp/net.$1) of $(wc -c <$2) bytes)"
	rm -f /tmp/net.$1
}

# udp <from: linux|peer> <size...>: one datagram each, compared
udp() {
	local rx tx dst s
	if [ "$1" = linux ]; then
		rx=peer tx=linux dst=$PA
	else
		rx=linux tx=peer dst=$LA
	fi
	shift
	for s in "$@"; do
		head -c "$s" /dev/urandom >/tmp/udp.in
		rm -f /tmp/udp.out
		$rx socat -u -b 65536 UDP4-RECVFROM:5100,reuseaddr OPEN:/tmp/udp.out,creat &
		rxpid=$!
		# No listening state for UDP: resend until it got one.
		retry 30 udp_send $tx $dst || fail "UDP $s bytes to $dst never arrived"
		wait $rxpid
		cmp -s /tmp/udp.in /tmp/udp.out || fail "UDP $s bytes to $dst: datagram differs"
	done
}

udp_send() {
	$1 socat -u -b 65536 OPEN:/tmp/udp.in UDP4-SENDTO:$2:5100 2>/dev/null
	nap 0.1
	! kill -0 $rxpid 2>/dev/null
}

# The stock driver's frames were all taken, ours all delivered.
check_counters() {
	local k
	for k in $(sed -n 's/^\(bad_.*\|runt\|oversize\|not_negotiated\|no_memory\|to_peer_dropped_bad_skb\|to_peer_dropped_too_big\): \([0-9]*\)$/\1=\2/p' "$(devdbg 1)"); do
		[ "${k#*=}" = 0 ] || fail "frames refused between the stock driver and hvl_net: $k"
	done
}

# streaming <port>: a stream under way there, 256 KiB received.
streaming() {
	[ -e /tmp/net.$1 ] && [ "$(wc -c </tmp/net.$1)" -ge 262144 ]
}

# section <title>: what follows, and how long the previous one took
last=
section() {
	local t
	t=$(now)
	[ -n "$last" ] && echo "(took $(((t - last) / 100)) s)"
	last=$t
	echo "== $*"
}

section "set-up"
net_up
[ "$(nd peer_up)" = 1 ] || fail "debugfs: peer_up $(nd peer_up)"
[ "$(nd mrg_rxbuf)" = 1 ] && [ "$(nd guest_csum)" = 1 ] && [ "$(nd guest_tso)" = 11 ] &&
	[ "$(nd host_csum)" = 1 ] && [ "$(nd host_tso)" = 11 ] ||
	fail "offloads not negotiated: $(grep -E 'mrg|csum|tso' "$(devdbg 1)" | tr '\n' ' ')"
pmtu=$(peer $IP -o link show dev hvlpeer | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
[ "$pmtu" = $MTU ] || fail "the peer's MTU is $pmtu, not hvl,mtu $MTU (VIRTIO_NET_F_MTU)"
pmac=$(peer $IP -o link show dev hvlpeer | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
[ "$pmac" = "$(nd peer_mac)" ] || fail "the peer's MAC $pmac is not the config's $(nd peer_mac)"
[ "$(cat /sys/class/net/hvlnet0/address)" = 02:00:00:00:00:01 ] ||
	fail "hvlnet0's MAC is not local-mac-address: $(cat /sys/class/net/hvlnet0/address)"
echo "hvlnet0 up, peer MAC $pmac, MTU $pmtu, offloads negotiated"

section "ping"
pings "ping"
echo "ping and ping6 both ways: ok"

section "TCP, $MIB MiB each way, at once"
# 4 MiB of random bytes MIB/4 times, each copy after a numbered line so
# that a block lost, repeated or swapped changes the checksum:
# /dev/urandom is slow here.
head -c 4194304 /dev/urandom >/tmp/net.small
i=0
while [ $i -lt $((MIB / 4)) ]; do
	i=$((i + 1))
	echo "block $i"
	cat /tmp/net.small
done >/tmp/net.in
t0=$(now)
tcp linux 5001 /tmp/net.in
tcp peer 5002 /tmp/net.in
tcp_check 5001 /tmp/net.in "Linux -> peer" 120
tcp_check 5002 /tmp/net.in "peer -> Linux" 120
t1=$(now)
echo "$((2 * MIB)) MiB in $(((t1 - t0) / 100)) s, checksums match"
rm -f /tmp/net.in
check_counters

section "iperf3, 4 streams each way"
# What users measure a link with.  The receiver's total must be there,
# and no frame refused on the way (check_counters).
iperf() { # iperf <label> [-R]
	local s out
	peer iperf3 -s -1 -p 5201 -B $PA >/tmp/net.iperf 2>&1 &
	s=$!
	retry 100 listening /proc/$NS/net 5201 ||
		fail "no iperf3 server: $(cat /tmp/net.iperf)"
	out=$(linux iperf3 -c $PA -p 5201 -t 3 -P 4 $2 -f m 2>&1) ||
		fail "iperf3 $1: $out"
	wait $s || fail "iperf3 server, $1, failed"
	echo "$out" | grep -q 'SUM.*receiver' || fail "iperf3 $1: no receiver total: $out"
	echo "iperf3 -P 4, $1: $(echo "$out" | sed -n 's/.*SUM.* \([0-9.]* Mbits\/sec\).*receiver.*/\1/p')"
}
iperf "Linux -> peer"
iperf "peer -> Linux" -R
check_counters
bql_check "after TCP and iperf3"

section "UDP up to the MTU"
sizes="1 1472 $((MTU - 28))"
udp linux $sizes
udp peer $sizes
echo "UDP datagrams of $sizes bytes both ways: ok"

section "MTU change"
$IP link set dev hvlnet0 mtu $((MTU + 1)) 2>/dev/null && fail "hvlnet0 took an MTU beyond hvl,mtu"
$IP link set dev hvlnet0 mtu 1280 || fail "hvlnet0 mtu 1280"
peer $IP link set dev hvlpeer mtu 1280 || fail "hvlpeer mtu 1280"
udp linux 1252
udp peer 1252
linux ping -c 1 -W 5 -s 1252 $PA >/dev/null || fail "ping of 1280 bytes at MTU 1280"
before=$(nd from_peer_frames)
peer ping -c 1 -W 5 -s 3000 $LA >/dev/null || fail "ping of 3000 bytes at MTU 1280"
[ $(($(nd from_peer_frames) - before)) -ge 3 ] || fail "3000 bytes at MTU 1280 were not fragmented by the peer"
$IP link set dev hvlnet0 mtu $MTU || fail "hvlnet0 mtu back"
peer $IP link set dev hvlpeer mtu $MTU || fail "hvlpeer mtu back"
echo "MTU 1280 and back to $MTU: ok"

section "link down and up"
$IP link set dev hvlnet0 down || fail "hvlnet0 down"
retry 50 peer_carrier 0 || fail "the peer still sees a link with hvlnet0 down"
$IP link set dev hvlnet0 up || fail "hvlnet0 up"
retry 50 peer_carrier 1 || fail "the peer sees no link with hvlnet0 up again"
pings "after link down and up"
echo "hvlnet0 down and up, seen by the peer: ok"

section "notification coalescing, as the peer's driver asks"
# "ethtool -C" on the peer sends its commands over the control queue;
# the core then holds each queue's interrupts for that many frames or
# that long.  Left on for the peer restart below, which forgets it.
done0=$(nd ctrl_commands)
peer_ns ethtool -C hvlpeer rx-usecs 2000 rx-frames 64 tx-usecs 500 tx-frames 32 ||
	fail "ethtool -C hvlpeer: the peer's driver could not set coalescing"
[ "$(co 0 usecs) $(co 0 packets) $(co 1 usecs) $(co 1 packets)" = "2000 64 500 32" ] ||
	fail "coalescing not as asked: $(grep coalescing "$(devdbg 1)")"
[ "$(nd ctrl_commands)" -ge $((done0 + 2)) ] ||
	fail "ctrl_commands $(nd ctrl_commands), from $done0: not both commands counted"
# A ping and its reply are one frame of 64 each way: the time releases
# the interrupt.
timeouts=$(co 0 timeouts)
pings "with interrupts held"
[ "$(co 0 timeouts)" -gt "$timeouts" ] ||
	fail "no held interrupt released by its time: $(grep coalescing "$(devdbg 1)")"
held0=$(co 0 coalesced) held1=$(co 1 coalesced)
tcp linux 5005 /tmp/net.small
tcp peer 5006 /tmp/net.small
tcp_check 5005 /tmp/net.small "Linux -> peer, interrupts held" 120
tcp_check 5006 /tmp/net.small "peer -> Linux, interrupts held" 120
[ "$(co 0 coalesced)" -gt "$held0" ] && [ "$(co 1 coalesced)" -gt "$held1" ] ||
	fail "no interrupt held on the streams: $(grep coalescing "$(devdbg 1)")"
# Beyond HVL_COAL_MAX_USECS: refused, counted, what was set kept.
refused=$(nd ctrl_refused)
peer_ns ethtool -C hvlpeer rx-usecs 100001 2>/dev/null &&
	fail "ethtool -C hvlpeer took rx-usecs 100001, beyond 100 ms"
[ "$(nd ctrl_refused)" = $((refused + 1)) ] ||
	fail "ctrl_refused $(nd ctrl_refused), from $refused: the refusal not counted"
[ "$(co 0 usecs)" = 2000 ] || fail "a refused command changed rx-usecs to $(co 0 usecs)"
echo "held: $(($(co 0 coalesced) - held0)) interrupts to the peer's receiveq, $(($(co 1 coalesced) - held1)) on its transmitq; rx-usecs 100001 refused"
# The driver's adaptive moderation (net_dim) sets the receiveq's on its
# own as the traffic goes (VQ_SET): one of its profiles, 256 packets.
# It decides every 64 interrupts, which 2 ms or 64 frames would space
# out: off first.
peer_ns ethtool -C hvlpeer rx-usecs 0 rx-frames 0 &&
	peer_ns ethtool -C hvlpeer adaptive-rx on ||
	fail "ethtool -C hvlpeer adaptive-rx on"
dim() { [ "$(co 0 packets)" = 256 ] && [ "$(co 0 usecs)" -le 256 ]; }
linux ping -A -q -c 300 $PA >/dev/null || fail "ping -A with adaptive moderation"
retry 50 dim || fail "no moderation from net_dim: $(grep coalescing "$(devdbg 1)")"
check_counters
echo "net_dim's moderation: rx-usecs $(co 0 usecs), rx-frames $(co 0 packets)"

section "peer restart in the middle of a stream"
resets=$(nd peer_resets)
tcp linux 5003 /tmp/net.small
retry 300 streaming 5003 || fail "the stream did not start"
got=$(wc -c </tmp/net.5003)
echo soc:hvl-frontend-0 >$FRONT/unbind || fail "unbind front-end"
retry 100 no_front_net || fail "virtio_net stayed after the front-end left"
retry 50 carrier 0 || fail "hvlnet0 kept its carrier with the peer gone"
echo soc:hvl-frontend-0 >$FRONT/bind || fail "bind front-end"
adopt_peer
retry 50 carrier 1 || fail "hvlnet0 has no carrier after the peer came back"
# The peer's TCP socket outlived its interface; the stream resumes.
tcp_check 5003 /tmp/net.small "stream across a peer restart" 120
[ "$(nd peer_resets)" -gt "$resets" ] || fail "the backend saw no peer reset"
[ "$(co 0 usecs) $(co 0 packets) $(co 1 usecs) $(co 1 packets)" = "0 0 0 0" ] ||
	fail "coalescing outlived the peer's reset: $(grep coalescing "$(devdbg 1)")"
echo "peer restarted at $((got >> 10)) KiB of 4096, the stream resumed, checksum matches"
pings "after the peer restart"
check_counters
bql_check "after the peer restart"
echo "counters: $(nd to_peer_frames) frames to the peer, $(nd from_peer_frames) from it, none refused"

section "hvl_net unloaded under traffic"
# With interrupts held for 100 ms: the device goes with its timer set.
peer_ns ethtool -C hvlpeer rx-usecs 100000 rx-frames 64 ||
	fail "ethtool -C hvlpeer rx-usecs 100000"
tcp linux 5004 /tmp/net.small
peer ping -A -q -c 100000 $LA >/dev/null 2>&1 &
pids="$pids $!"
retry 300 streaming 5004 || fail "the stream to the peer did not start"
unload hvl_net
[ -e /sys/class/net/hvlnet0 ] && fail "hvlnet0 outlived hvl_net"
retry 100 no_front_net || fail "virtio_net stayed after the backend left"
kill $pids 2>/dev/null
wait $pids 2>/dev/null
pids=
load hvl_net
wait_for /sys/class/net/hvlnet0 || fail "no hvlnet0 after reloading hvl_net"
adopt_peer
linux_up
pings "after the reload"
echo "hvl_net unloaded mid-stream and reloaded: ok"
bql_check "after the reload"

check_counters
section "done"
