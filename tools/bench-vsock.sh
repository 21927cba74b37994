# SPDX-License-Identifier: GPL-2.0
# vsock benchmark, run in the test guest by "make bench-vsock": the same
# programs over three paths, side by side in one boot:
#   hvl       Linux application (CID 2) <-> the peer (CID 3) through the
#             window: hvl_vsock + hvl_front + loopback mailbox
#   loopback  the kernel's vsock_loopback (CID 1): the vsock stack with
#             no ring at all, our lower bound
#   tcp       TCP over the loopback interface
# Throughput with 4 KiB and 64 KiB writes (hvl-rr stream, and the kernel's
# vsock_perf for the vsock paths), 1-byte round trips (hvl-rr rr), and for
# hvl the doorbells and IPIs per MiB.  hvl runs twice: with the loopback
# mailbox's direct delivery (a doorbell rung from process context is
# delivered on the ringing CPU) and with every doorbell an IPI to every
# other CPU, as before it (hvl_mbox_loopback direct=0): what the test
# mailbox costs.  The peer side runs on CPUs 2-3, Linux on 0-1.  Context
# switches (all CPUs) per MiB streamed and per round trip, and by task
# per round trip, and hvl_vsock's work item runs per round trip, say what
# each path costs in wake-ups.  BENCH_PERF=1 profiles a 64 KiB stream
# (BENCH_PERF_BYTES, 128M) and the round trips of hvl both ways and of
# vsock_loopback (tools/lib-bench.sh).  BENCH_TAIL=1 runs each path's
# round trips once more with the scheduler's events recorded, and says
# what the slowest 1% waited for (tail_stop in tools/lib-bench.sh).
. /tests/lib.sh
. /tools/lib-bench.sh

BYTES=${BENCH_BYTES:-32M}
RR=${BENCH_RR:-5000}
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"

# vsock_counts: hvl_vsock's work item runs, the doorbells that had news
# for it, and the chains popped from its receive and transmit queues
# (packets to and from the peer), so far, as one line; empty without
# the device.
vsock_counts() {
	local f
	f=$(devdbg 19)
	[ -n "$f" ] || return 0
	awk '/^runs:/ { r = $2 } /^kicks:/ { k = $2 }
		/^queue0:/ { for (i = 1; i <= NF; i++) if ($i ~ /^popped=/) q0 = substr($i, 8) }
		/^queue1:/ { for (i = 1; i <= NF; i++) if ($i ~ /^popped=/) q1 = substr($i, 8) }
		END { print r, k, q0, q1 }' "$f"
}

# Function-call and irq_work interrupts so far, all CPUs: the loopback
# mailbox's IPIs and self-IPIs.
ipis() { irqs_of CAL IWI; }
DIRECT=/sys/module/hvl_mbox_loopback/parameters/direct

# profile <name> <client-side> <connect-addr>: BENCH_PERF's profiles of
# the path, a stream and the round trips, each on its own.
profile() {
	[ -n "${BENCH_PERF:-}" ] || return 0
	case $1 in hvl-peer-to-linux | hvl-linux-to-peer | loopback) ;; *) return 0 ;; esac
	profile_start
	$2 hvl-rr stream $3 -b ${BENCH_PERF_BYTES:-128M} -m 64K
	profile_stop "$1, 64 KiB stream"
	profile_start
	$2 hvl-rr rr $3 -n $RR
	profile_stop "$1, 1-byte round trips"
}

# measure <name> <server-side> <listen-addr> <client-side> <connect-addr>
measure() {
	local s r4 r64 rr db0 db1 rg0 rg1 ip0 ip1 cs0 cs1 cs2 v0 v1 vs0 vs1 wrt=- mib=$((2 * ${BYTES%M}))
	$2 hvl-rr server $3 &
	s=$!
	sleep 1
	db0=$(dbg doorbell received 2>/dev/null || echo 0)
	rg0=$(dbg doorbell rung 2>/dev/null || echo 0)
	ip0=$(ipis)
	cs0=$(ctxt)
	vs0=$(vsock_counts)
	r4=$($4 hvl-rr stream $5 -b $BYTES -m 4K)
	r64=$($4 hvl-rr stream $5 -b $BYTES -m 64K)
	vs1=$(vsock_counts)
	cs1=$(ctxt)
	ip1=$(ipis)
	db1=$(dbg doorbell received 2>/dev/null || echo 0)
	rg1=$(dbg doorbell rung 2>/dev/null || echo 0)
	tasks_snap /tmp/tasks0
	v0=$(vsock_counts)
	rr=$($4 hvl-rr rr $5 -n $RR)
	cs2=$(ctxt)
	v1=$(vsock_counts)
	tasks_snap /tmp/tasks1
	# Each round trip is four packets, data and a credit update each
	# way (vsock.rst): what ran the work item for them.
	case $1 in hvl*) ;; *) v0= vs0= ;; esac
	# What a doorbell brings while streaming: doorbells per MiB are the
	# chains per MiB (the data's buffers, and the credit updates back)
	# over the chains each doorbell finds.
	if [ -n "$vs0" ]; then
		echo "$vs0 $vs1 $db0 $db1 $rg0 $rg1" | awk -v m=$mib -v p="$1" '{
			from = $8 - $4; to = $7 - $3; db = $10 - $9; rg = $12 - $11
			printf "%s, streaming: chains per MiB from the peer %.0f, to the peer %.0f; per doorbell to the backend %.1f chains from the peer, per doorbell to the peer %.1f chains to it\n",
				p, from / m, to / m, from / (db ? db : 1), to / (rg ? rg : 1) }'
	fi
	if [ -n "$v0" ]; then
		echo "$v0 $v1" | awk -v n=$RR -v p="$1" '{
			printf "%s, per round trip: work item runs %.2f (for doorbells with news %.2f), packets to the peer %.2f, from the peer %.2f\n",
				p, ($5 - $1) / n, ($6 - $2) / n, ($7 - $3) / n, ($8 - $4) / n }'
		wrt=$(echo "$v0 $v1" | awk -v n=$RR '{ printf "%.2f", ($5 - $1) / n }')
	fi
	tasks_report /tmp/tasks0 /tmp/tasks1 $RR "$1, 1-byte round trips"
	profile $1 "$4" $5
	tail_rr $1 $4 hvl-rr rr $5 -n $RR
	kill $s
	wait $s 2>/dev/null
	echo "$1 $(field "$r4" MiB/s) $(field "$r64" MiB/s) $(field "$rr" p50_us) $(field "$rr" p99_us) $(((db1 - db0) / mib))/$(((rg1 - rg0) / mib)) $(((ip1 - ip0) / mib)) $(((cs1 - cs0) / mib)) $(awk "BEGIN { printf \"%.1f\", ($cs2 - $cs1) / $RR }") $wrt" >>/tmp/bench
	echo "$1: 4K $(field "$r4" MiB/s) MiB/s, 64K $(field "$r64" MiB/s) MiB/s, rr p50 $(field "$rr" p50_us) us p99 $(field "$rr" p99_us) us"
}

# vsock_perf, receiver on the server side: its Gbit/s as MiB/s.
vperf() { # vperf <name> <rx-side> <tx-side> <tx-peer-cid>
	local s out
	$2 vsock_perf --port 9999 >/tmp/perf.rx 2>&1 &
	s=$!
	sleep 1
	$3 vsock_perf --sender $4 --port 9999 --bytes $BYTES --buf-size 64K >/dev/null 2>&1
	wait $s
	out=$(sed -n 's/^rx performance: \([0-9.]*\) Gbits.*/\1/p' /tmp/perf.rx)
	echo "$1 vsock_perf rx (64 KiB buffers): $(awk "BEGIN { printf \"%.1f\", $out * 1e9 / 8 / 1048576 }") MiB/s"
}

: >/tmp/bench
ifconfig lo 127.0.0.1 up
vsock_up
measure hvl-peer-to-linux "$L" vsock:any:5000 "$P" vsock:2:5000
measure hvl-linux-to-peer "$P" vsock:any:5001 "$L" vsock:$PEER_CID:5001
vperf hvl-peer-to-linux "$L" "$P" 2
echo 0 >$DIRECT
measure hvl-p2l-broadcast "$L" vsock:any:5004 "$P" vsock:2:5004
measure hvl-l2p-broadcast "$P" vsock:any:5005 "$L" vsock:$PEER_CID:5005
echo 1 >$DIRECT
vsock_down

# vsock_loopback would take over CID 3 (the front-end's own CID) while it
# is loaded, so it gets the machine to itself.
kload vsock_loopback
measure loopback "$L" vsock:any:5002 "$P" vsock:1:5002
vperf loopback "$L" "$P" 1
rmmod vsock_loopback

measure tcp "$L" tcp:127.0.0.1:5003 "$P" tcp:127.0.0.1:5003

echo
echo "path               4K MiB/s  64K MiB/s  rr p50 us  rr p99 us  doorbells/MiB to backend/to peer  IPIs/MiB  ctxsw/MiB  ctxsw/rt  work runs/rt"
while read -r n a b c d e f g h i; do
	printf "%-18s %9s %10s %10s %10s  %-33s %8s %10s %9s  %12s\n" $n $a $b $c $d \
		"$(case $n in hvl*) echo $e ;; *) echo - ;; esac)" "$f" "$g" "$h" "$i"
done </tmp/bench
awk '
	{ t4[$1] = $2; t64[$1] = $3; p50[$1] = $4; p99[$1] = $5 }
	END {
		n = split("hvl-peer-to-linux hvl-linux-to-peer hvl-p2l-broadcast hvl-l2p-broadcast", h, " ")
		for (i = 1; i <= n; i++) {
			k = h[i]
			printf "%s / loopback: 4K %.2fx, 64K %.2fx, p50 %.2fx, p99 %.2fx\n", k,
				t4[k] / t4["loopback"], t64[k] / t64["loopback"],
				p50[k] / p50["loopback"], p99[k] / p99["loopback"]
			printf "%s / tcp:      4K %.2fx, 64K %.2fx, p50 %.2fx, p99 %.2fx\n", k,
				t4[k] / t4["tcp"], t64[k] / t64["tcp"],
				p50[k] / p50["tcp"], p99[k] / p99["tcp"]
		}
	}' /tmp/bench
echo "(throughput ratios above 1 and latency ratios below 1 favour hvl)"
