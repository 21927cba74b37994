# SPDX-License-Identifier: GPL-2.0
# Network benchmark, run in the test guest by "make bench-net": TCP over
# three paths, side by side in one boot:
#   hvl    hvlnet0 (Linux) <-> the stock virtio_net of the peer, in a
#          network namespace of its own, through the window: hvl_net +
#          hvl_front + the loopback mailbox
#   veth   a veth pair between this namespace and another: the kernel's
#          in-memory link, our lower bound
#   vsock  hvl_vsock through the same window (hvl-rr over AF_VSOCK; iperf3
#          has no vsock): what the peer gets without a network stack
# iperf3 with 1 and 4 streams each way, 1-byte round trips (hvl-rr rr,
# TCP_NODELAY), and for hvl the doorbells per MiB each way.  The peer's
# processes run on CPUs 2-3 and Linux's on 0-1, on every path.
# Sizes: BENCH_SECS (iperf3 seconds per run, 10), BENCH_RR (round trips,
# 5000), BENCH_BYTES (vsock stream, 64M) from "make bench-net"'s
# environment.  BENCH_TAIL=1 adds what each path's slowest round trips
# waited for (tools/lib-bench.sh); BENCH_PERF=1 a profile of hvl's single
# streams, 2 with the call chains of the costliest functions.
. /tests/lib.sh
. /tests/lib-net.sh
. /tools/lib-bench.sh

SECS=${BENCH_SECS:-10}
RR=${BENCH_RR:-5000}
BYTES=${BENCH_BYTES:-64M}
VA=10.78.0.1		# veth: this side
VB=10.78.0.2		# veth: the other namespace

# snap: the counters a run's breakdown comes from, as one line: the
# window's doorbells (received, rung), then hvl_net's work item runs,
# its busy microseconds, frames to and from the peer.
snap() {
	local f
	f=$(devdbg 1)
	echo "$(dbg doorbell received) $(dbg doorbell rung)" \
		$(sed -n 's/^\(runs\|busy_us\|to_peer_frames\|from_peer_frames\): //p' "$f")
}

# iperf <path> <server-side> <client-side> <server-addr> <streams> <R|->
#       <server's /proc/.../net>: the receiver's MiB/s of one iperf3 run
# ("R": the server sends).  Appends "<path> <streams> <dir> MiB/s" and,
# for hvl, the counters before and after (snap) to /tmp/bench.
iperf() {
	local s out mibs a b p= dir=linux-to-peer rev=
	[ "$6" = R ] && dir=peer-to-linux rev=-R
	$2 iperf3 -s -1 -p 5201 -B $4 >/tmp/iperf.log 2>&1 &
	s=$!
	retry 100 listening "$7" 5201 || fail "$1: no iperf3 server: $(cat /tmp/iperf.log)"
	a=$(snap)
	# BENCH_PERF=1: where the time of hvl's single streams goes.
	[ "$1 $5" = "hvl 1" ] && p=1 && profile_start
	out=$($3 iperf3 -c $4 -p 5201 -t $SECS -P $5 $rev -f m 2>&1) ||
		fail "$1: iperf3 -P $5 $rev: $out"
	b=$(snap)
	wait $s
	[ -n "$p" ] && profile_stop "hvl $dir, 1 stream"
	# The last "receiver" line: the sum with -P > 1, the stream with 1.
	mibs=$(echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") r = $i }
		END { printf "%.1f", r * 1e6 / 8 / 1048576 }')
	case $1 in hvl*) ;; *) a= b= ;; esac
	echo "$1 $5 $dir $mibs $a $b" >>/tmp/bench
	echo "$1 $dir, $5 stream(s): $mibs MiB/s"
}

# stop_server <pid>: an hvl-rr server started in the background.  Through
# peer() or other() the pid is a subshell's, and killing it leaves the
# server running with our output, a pipe the guest's init waits on to
# its end: kill the servers by name too.
stop_server() {
	kill $1 2>/dev/null
	killall hvl-rr 2>/dev/null
	wait $1 2>/dev/null
}

# rr <path> <server-side> <client-side> <addr>: p50 p99 in us
rr() {
	local s out
	$2 hvl-rr server $4 &
	s=$!
	nap 1
	out=$($3 hvl-rr rr $4 -n $RR) || fail "$1: hvl-rr rr $4"
	tail_rr $1 $3 hvl-rr rr $4 -n $RR
	stop_server $s
	echo "$1 rr $(field "$out" p50_us) $(field "$out" p99_us)" >>/tmp/bench
	echo "$1 1-byte rr: p50 $(field "$out" p50_us) us, p99 $(field "$out" p99_us) us"
}

# A namespace for veth's other end, entered like the peer's.
other() { nsenter -t "$NS2" -n taskset $PEER_CPUS "$@"; }

: >/tmp/bench
NS2=
trap 'kill $NS $NS2 2>/dev/null; true' EXIT
ifconfig lo 127.0.0.1 up
net_up hvl_vsock
retry 100 front_vsock || fail "virtio_vsock did not bind through hvl_front"
peer ifconfig lo 127.0.0.1 up
peer_proc=/proc/$NS/net

# veth, the other end in a second namespace.
PEER_NS=$NS
new_ns
NS2=$NS
NS=$PEER_NS
$IP link add hvlva type veth peer name hvlvb || fail "veth"
$IP link set hvlvb netns "$NS2" || fail "veth to its namespace"
$IP addr add $VA/24 dev hvlva
$IP link set hvlva up
other $IP addr add $VB/24 dev hvlvb
other $IP link set hvlvb up
linux ping -c 1 -W 5 $VB >/dev/null || fail "veth: no ping"
linux ping -c 1 -W 5 $PA >/dev/null || fail "hvl: no ping"

for p in 1 4; do
	iperf hvl peer linux $PA $p - $peer_proc
	iperf hvl peer linux $PA $p R $peer_proc
	iperf veth other linux $VB $p - /proc/$NS2/net
	iperf veth other linux $VB $p R /proc/$NS2/net
done
rr hvl peer linux tcp:$PA:5300
rr veth other linux tcp:$VB:5301

# BENCH_COAL=<ethtool -C arguments, "," for spaces: the kernel command
# line carries the variable>: hvl's runs once more, in the same boot,
# with the peer's driver asking hvl_net to hold its interrupts so
# (notification coalescing, Documentation/hvl/net.rst): "hvl+coal".
if [ -n "${BENCH_COAL:-}" ]; then
	coal=$(echo "$BENCH_COAL" | tr , ' ')
	peer_ns ethtool -C hvlpeer $coal || fail "ethtool -C hvlpeer $coal"
	echo "hvl+coal: ethtool -C hvlpeer $coal"
	for p in 1 4; do
		iperf hvl+coal peer linux $PA $p - $peer_proc
		iperf hvl+coal peer linux $PA $p R $peer_proc
	done
	rr hvl+coal peer linux tcp:$PA:5302
	peer_ns ethtool -C hvlpeer rx-usecs 0 rx-frames 0 tx-usecs 0 tx-frames 1 ||
		fail "ethtool -C hvlpeer: coalescing off again"
fi

# vsock: one stream each way, 64 KiB writes, and round trips.
vs() { # vs <dir> <server-side> <server-addr> <client-side> <client-addr>
	local s out
	$2 hvl-rr server $3 &
	s=$!
	nap 1
	out=$($4 hvl-rr stream $5 -b $BYTES -m 64K) || fail "vsock stream $1"
	stop_server $s
	echo "vsock 1 $1 $(field "$out" MiB/s)" >>/tmp/bench
	echo "vsock $1, 1 stream: $(field "$out" MiB/s) MiB/s"
}
vs linux-to-peer "taskset $PEER_CPUS" vsock:any:5400 linux vsock:$PEER_CID:5400
vs peer-to-linux linux vsock:any:5401 "taskset $PEER_CPUS" vsock:2:5401
rr vsock "taskset $PEER_CPUS" linux vsock:$PEER_CID:5402

echo
# For hvl: doorbells per MiB each way, the share of the run its work
# item was busy, the average frame, and frames per doorbell received.
echo "path     streams  direction       MiB/s  doorbells/MiB   work busy  KiB/frame  frames/doorbell"
echo "                                         to hvl/to peer"
awk -v secs=$SECS '$2 != "rr" {
	db = busy = kib = fpd = "-"
	if ($1 ~ /^hvl/ && NF == 16) {
		mib = $4 * secs
		db = sprintf("%.1f/%.1f", ($11 - $5) / mib, ($12 - $6) / mib)
		busy = sprintf("%.0f%%", ($14 - $8) / (secs * 1e6) * 100)
		fr = ($3 == "linux-to-peer") ? $15 - $9 : $16 - $10
		kib = sprintf("%.1f", fr ? mib * 1024 / fr : 0)
		fpd = sprintf("%.1f", ($11 - $5) ? fr / ($11 - $5) : 0)
	}
	printf "%-8s %7s  %-14s %6s  %13s  %9s  %9s  %15s\n", $1, $2, $3, $4, db, busy, kib, fpd
}' /tmp/bench
echo
echo "path     rr p50 us  rr p99 us"
awk '$2 == "rr" { printf "%-8s %9s  %9s\n", $1, $3, $4 }' /tmp/bench
echo
awk '
	$2 == "rr" { p50[$1] = $3; p99[$1] = $4; next }
	{ t[$1 " " $2 " " $3] = $4 }
	END {
		n = split("1 linux-to-peer,1 peer-to-linux,4 linux-to-peer,4 peer-to-linux", k, ",")
		# hvl, and hvl+coal if BENCH_COAL ran it
		np = split("hvl hvl+coal", path, " ")
		for (j = 1; j <= np; j++) {
			if (!(path[j] in p50))
				continue
			for (i = 1; i <= n; i++)
				if (t["veth " k[i]] > 0)
					printf "%s / veth, %s: %.2fx\n", path[j], k[i], t[path[j] " " k[i]] / t["veth " k[i]]
			printf "%s / veth, rr: p50 %.2fx, p99 %.2fx\n", path[j], p50[path[j]] / p50["veth"], p99[path[j]] / p99["veth"]
		}
		printf "vsock / veth, rr: p50 %.2fx, p99 %.2fx\n", p50["vsock"] / p50["veth"], p99["vsock"] / p99["veth"]
	}' /tmp/bench
echo "(throughput ratios above 1 and latency ratios below 1 favour hvl)"
