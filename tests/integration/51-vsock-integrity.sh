# SPDX-License-Identifier: GPL-2.0
# vsock under load: 16 MiB each way over 4 parallel connections, each
# checksummed (VSOCK_MB MiB a connection: make soak's 55-vsock-integrity
# runs 32 MiB each way, the size this test had until the test budget).
. /tests/lib.sh

vsock_up
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
N=4
MB=${VSOCK_MB:-4}

i=0
while [ $i -lt $N ]; do
	dd if=/dev/urandom of=/tmp/src.$i bs=1M count=$MB 2>/dev/null
	i=$((i + 1))
done

# parallel <listen-side> <listen-addr-fmt> <connect-side> <connect-addr-fmt>
parallel() {
	local i=0 pids= t0 t1
	while [ $i -lt $N ]; do
		$1 socat -u VSOCK-LISTEN:$((6000 + i)) OPEN:/tmp/dst.$i,creat,trunc &
		i=$((i + 1))
	done
	sleep 1
	t0=$(now)
	i=0
	while [ $i -lt $N ]; do
		# retry: a listener may not be up yet on a loaded machine
		$3 socat -u OPEN:/tmp/src.$i \
			VSOCK-CONNECT:$4:$((6000 + i)),retry=40,interval=0.5 &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait $p || fail "a sender failed"
	done
	wait
	t1=$(now)
	i=0
	while [ $i -lt $N ]; do
		[ "$(wc -c </tmp/dst.$i)" = $((MB << 20)) ] ||
			fail "connection $i: $(wc -c </tmp/dst.$i) bytes arrived"
		[ "$(sha256sum </tmp/src.$i)" = "$(sha256sum </tmp/dst.$i)" ] ||
			fail "connection $i: checksum mismatch ($(wc -c </tmp/dst.$i) bytes arrived)"
		i=$((i + 1))
	done
	echo "$((N * MB)) MiB over $N connections in $(((t1 - t0) / 100)).$(((t1 - t0) % 100)) s, checksums match"
}

echo "== peer -> Linux"
parallel "$L" - "$P" 2
echo "== Linux -> peer"
parallel "$P" - "$L" $PEER_CID
rm -f /tmp/dst.* /tmp/src.*
vsock_down
