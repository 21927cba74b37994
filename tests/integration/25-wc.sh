# SPDX-License-Identifier: GPL-2.0
# A window that is not dma-coherent (tests/qemu/wc.dtso): both sides map
# it write-combining, and the window carries console, vsock and 9P
# traffic.  The ordering the barriers give cannot be observed under TCG,
# which has no write-combining buffers: what is checked is that the
# mapping is the one the barriers are chosen for (our debugfs, and the
# memory type x86 PAT recorded) and that every device works through it.
# Coherency is the node's own: hvl-peers (multi-peer.dtso) says nothing,
# so it is write-combining too (of_dma_is_coherent() said "coherent" for
# every node on x86).
. /tests/lib.sh

W=soc:hvl-wc
F=soc:hvl-wc-front
PD=/sys/bus/platform/devices
DBG=/sys/kernel/debug/hvl/$W
WQ=/sys/devices/virtual/workqueue/hvl-$W
PAT=/sys/kernel/debug/x86/pat_memtype_list
EXPORT=/srv/hvlwc
MNT=/mnt/hvlwc
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"

mounted() { grep -q " $1 " /proc/mounts; }

cleanup() {
	local n m
	cd /
	close_ttys
	# A busy mount would keep 9pnet_virtio's remove waiting: keep the
	# modules rather than hang.
	mounted $MNT && ! umount $MNT && return
	for m in hvl_front hvl_9p hvl_vsock hvl_console hvl_core hvl_mbox_loopback; do
		retry 50 gone_or_removed $m
	done
	for n in $W $F soc:hvl-backend-0 soc:hvl-frontend-0; do
		echo >$PD/$n/driver_override
	done
	mounted $EXPORT && umount $EXPORT
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# This window only, so that /dev/ttyHVL0, the peer's hvc and CID 3 are
# its own: the loopback window and its front-end stay unbound.
for n in $W $F; do
	[ -e $PD/$n ] || fail "no platform device for $n"
done
echo none >$PD/soc:hvl-backend-0/driver_override
echo none >$PD/soc:hvl-frontend-0/driver_override
echo hvl-backend >$PD/$W/driver_override
echo hvl-virtio-frontend >$PD/$F/driver_override

mkdir -p $EXPORT $MNT
mount -t tmpfs -o size=16m,mode=0755 export $EXPORT
chown 65534:65534 $EXPORT

load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_9p hvl_front
wait_for $DBG/doorbell || fail "$W did not probe: $(dmesg | grep "$W" | tail -3)"

echo "== the mapping"
grep -qx "mapping: write-combining" $DBG/doorbell ||
	fail "backend: $(grep mapping $DBG/doorbell)"
wait_for /sys/kernel/debug/hvl_front/$F/status || fail "$F did not probe: $(dmesg | grep "$F" | tail -3)"
grep -q "^window .* write-combining$" /sys/kernel/debug/hvl_front/$F/status ||
	fail "front-end: $(head -1 /sys/kernel/debug/hvl_front/$F/status)"
# Region 0, mapped by both sides, is not RAM (memmap=), so PAT keeps it
# in its tree: two write-combining reservations and nothing else.
r0="0x0000000032000000-0x0000000032100000"
grep -F "$r0" $PAT
n=$(grep -F "$r0" $PAT | grep -c "\] write-combining$")
[ "$n" = 2 ] || fail "expected two write-combining mappings of region 0, PAT has $n"
grep -F "$r0" $PAT | grep -qv "\] write-combining$" &&
	fail "region 0 also mapped with another memory type"
grep -qx "mapping: write-combining" /sys/kernel/debug/hvl/soc:hvl-peers/doorbell ||
	fail "hvl-peers, without dma-coherent: $(grep mapping /sys/kernel/debug/hvl/soc:hvl-peers/doorbell)"
echo "backend, front-end and hvl-peers write-combining"

# devfile <virtio device ID>: this window's debugfs file of that device
devfile() { grep -l "^device_id: $1$" $DBG/$W.*; }

echo "== console"
wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
wait_front_console || fail "virtio_console did not bind through $F"
pin
open_ttys
printf 'hello through write-combining\n' >/tmp/t1
xfer /dev/ttyHVL0 $HVC /tmp/t1
xfer $HVC /dev/ttyHVL0 /tmp/t1
dd if=/dev/urandom of=/tmp/wc.big bs=64K count=4 2>/dev/null
xfer /dev/ttyHVL0 $HVC /tmp/wc.big
xfer $HVC /dev/ttyHVL0 /tmp/wc.big
close_ttys
echo "text and 256 KiB each way"

echo "== vsock"
retry 100 front_vsock || fail "virtio_vsock did not bind through $F"
dd if=/dev/urandom of=/tmp/wc.src bs=1M count=1 2>/dev/null
# vsock_to <listen-side> <connect-side> <cid>
vsock_to() {
	rm -f /tmp/wc.dst
	$1 socat -u VSOCK-LISTEN:6100 OPEN:/tmp/wc.dst,creat,trunc &
	$2 socat -u OPEN:/tmp/wc.src VSOCK-CONNECT:$3:6100,retry=40,interval=0.25 ||
		fail "vsock sender to CID $3 failed"
	wait
	[ "$(sha256sum </tmp/wc.src)" = "$(sha256sum </tmp/wc.dst)" ] ||
		fail "vsock to CID $3: $(wc -c </tmp/wc.dst) bytes, checksum mismatch"
}
vsock_to "$L" "$P" 2
vsock_to "$P" "$L" $PEER_CID
echo "1 MiB each way"

echo "== 9P"
p9_bound() {
	cat /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag 2>/dev/null |
		tr '\0' '\n' | grep -qx hvlwc
}
retry 200 p9_bound || fail "9pnet_virtio did not bind to hvlwc"
retry 50 mount -t 9p -o trans=virtio,version=9p2000.L,cache=none hvlwc $MNT ||
	fail "mount hvlwc"
dd if=/tmp/wc.src of=$MNT/from-peer bs=64K 2>/dev/null || fail "write over 9P"
cp /tmp/wc.src $EXPORT/from-linux
chown 65534:65534 $EXPORT/from-linux
[ "$(sha256sum <$EXPORT/from-peer)" = "$(sha256sum </tmp/wc.src)" ] ||
	fail "file written by the peer differs on the Linux side"
[ "$(dd if=$MNT/from-linux bs=64K 2>/dev/null | sha256sum)" = "$(sha256sum </tmp/wc.src)" ] ||
	fail "file written by Linux differs on the peer's mount"
umount $MNT || fail "umount"
echo "1 MiB each way"

for d in 3 19 9; do
	f=$(devfile $d)
	[ -n "$f" ] || fail "no debugfs file for device ID $d"
	grep -q "errors=[1-9]" "$f" && fail "ring errors: $(cat "$f")"
	grep -q "^needs_reset: 0$" "$f" || fail "needs reset: $(cat "$f")"
done
echo "no ring errors; doorbells from the peer: $(sed -n 's/^received: //p' $DBG/doorbell)"
