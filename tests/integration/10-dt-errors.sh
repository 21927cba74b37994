# SPDX-License-Identifier: GPL-2.0
# Malformed device-tree nodes (tests/qemu/bad-nodes.dtso) fail to probe
# with a message naming the property, and register nothing; the good
# window next to them probes.
. /tests/lib.sh

load hvl_mbox_loopback hvl_core
wait_for /sys/kernel/debug/hvl/soc:hvl-backend-0/doorbell || fail "good window did not probe"

expect() { # expect <node> <message fragment>
	dmesg | grep "soc:$1" | grep -qF "$2" || fail "$1: no error mentioning '$2'"
	[ -e "/sys/bus/platform/drivers/hvl-backend/soc:$1" ] && fail "$1: bound despite the error"
	[ -e "/sys/kernel/debug/hvl/soc:$1" ] && fail "$1: left debugfs behind"
	echo "ok: $1: $2"
}

expect hvl-bad-noregion '"memory-region" must list 1 to 4'
expect hvl-bad-notrmem '"memory-region" entry 0 is not a reserved-memory region'
expect hvl-bad-busaddr '"hvl,bus-addresses" needs one 64-bit address per'
expect hvl-bad-busaddr-odd '"hvl,bus-addresses" needs one 64-bit address per'
expect hvl-bad-nodoorbell 'need "mboxes" or "hvl,poll-interval-us"'
expect hvl-bad-nochild '"hvl,virtio-device" children, found 0'
expect hvl-bad-reg '/soc/hvl-bad-reg/dev@0: "reg" <0x0 0x1000>: must be 4 KiB aligned'
expect hvl-bad-overlap '/soc/hvl-bad-overlap/dev@'
expect hvl-bad-overlap '> overlaps <0x'
expect hvl-bad-id 'missing or zero "hvl,device-id"'
expect hvl-bad-queues '/soc/hvl-bad-queues/dev@1000: "hvl,queue-sizes" entry 1 (100) must be a power of two'
expect hvl-bad-features '"hvl,device-features" must be one 64-bit value'
expect hvl-bad-devid64 '"hvl,device-id" must be one 32-bit cell'
expect hvl-bad-features3 '"hvl,device-features" must be one 64-bit value'
expect hvl-bad-features-high '"hvl,device-features" (0x2000101000000): bits 24 to 49 belong to the transport'
expect hvl-bad-reg3 '"reg" must be <offset size>, one cell each'
expect hvl-bad-sizecells '/soc/hvl-bad-sizecells: a window with children needs #address-cells = <1> and #size-cells = <1>'
# Regions whose memory the kernel uses: never written (the old code put
# a window header into the pages of the failed pool; later, once a larger
# initramfs moved memblock's boot allocations into those pages, which
# are PageReserved as a reservation is, it bound a window over them).
expect hvl-bad-reusable '"memory-region" entry 1 (/reserved-memory/hvl-bad-cma@31120000) is reusable'
expect hvl-bad-unreserved '"memory-region" entry 0 (/reserved-memory/hvl-bad-failed@31130000): its setup failed at boot and the kernel took its memory back'
# Coherency comes from the node alone (on x86 of_dma_is_coherent() said
# "coherent" for every node): without dma-coherent the window is mapped
# write-combining, which a region in the linear map cannot be.
expect hvl-bad-wc-mapped '"memory-region" entry 0 (/reserved-memory/hvl-bad-mapped@31140000) must be no-map'
expect hvl-bad-coherency 'both "dma-coherent" and "dma-noncoherent"'
# Doorbells: exactly one way, and every channel requested.
expect hvl-bad-mbox-poll '"mboxes" and "hvl,poll-interval-us" together'
expect hvl-bad-mbox-names 'two "mboxes" need "mbox-names"'
expect hvl-bad-mbox-names3 '"mbox-names" must name each of the 2 "mboxes": "tx", "rx"'
# A peer such as hvl_front requires page-aligned windows: the backend
# went READY on one that no Linux peer would take.
expect hvl-bad-unaligned 'memory-region 0: 0x0000000031160800+0x0000000000002000 is not 4 KiB aligned or too small'
expect hvl-bad-poll-fast '"hvl,poll-interval-us" (1) must be 10 to 1000000'
expect hvl-bad-peer-wd '"hvl,peer-watchdog-ms" must be one 32-bit cell, 0 (off) or 1000 to 3600000'
# A misspelt window property was ignored: peer addresses taken as physical.
expect hvl-bad-prop '/soc/hvl-bad-prop: unknown property "hvl,bus-adresses"'

# Devices whose own properties are malformed: the window probes, each
# device fails when its module loads, naming the property.  A 64-bit
# hvl,uid used to read as 0: the peer's files owned by root.
B=soc:hvl-bad-cells
wait_for /sys/kernel/debug/hvl/$B/doorbell || fail "$B: window did not probe"
dmesg | grep "$B" | grep -qF '/soc/hvl-bad-cells/dev@5000: no hvl module serves device ID 42' ||
	fail "$B: no note about device ID 42"
mkdir -p /srv/hvl9p
load hvl_9p hvl_vsock
dev_expect() { # dev_expect <window-child reg> <message fragment>
	dmesg | grep "$B" | grep "@$1" | grep -qF "$2" || fail "$B @$1: no error mentioning '$2'"
	for d in /sys/bus/hvl/drivers/hvl_9p/$B.* /sys/bus/hvl/drivers/hvl_vsock/$B.*; do
		[ -e "$d" ] && fail "$B: $d bound despite the error"
	done
	echo "ok: $B @$1: $2"
}
dev_expect 1000 '"hvl,uid" must be one 32-bit cell'
dev_expect 2000 '"hvl,gid" must be one 32-bit cell'
dev_expect 3000 '"hvl,cid" must be one 32-bit cell'
# A misspelt property must not leave an export writable.
dev_expect 4000 'unknown property "hvl,readonly"'
unload hvl_vsock hvl_9p

# A second window over the memory of a live one is refused, naming both.
T=soc:hvl-bad-twin
DRV=/sys/bus/platform/drivers/hvl-backend
echo hvl-backend >/sys/bus/platform/devices/$T/driver_override || fail "$T: driver_override"
echo $T >$DRV/bind 2>/dev/null
echo >/sys/bus/platform/devices/$T/driver_override
expect hvl-bad-twin '(/reserved-memory/hvl-bad-cells@31110000) is in use by /soc/hvl-bad-cells'

# The front-end refuses such a region as well.
load hvl_front
F=soc:hvl-bad-front-unreserved
front_refused() { dmesg | grep "$F" | grep -qF "its setup failed at boot and the kernel took its memory back"; }
retry 50 front_refused ||
	fail "$F: no error about the unreserved region"
[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/$F ] && fail "$F: bound despite the error"
echo "ok: $F: unreserved region refused"
F=soc:hvl-bad-front-wc-mapped
front_refused() { dmesg | grep "$F" | grep -qF '"memory-region" entry 0 (/reserved-memory/hvl-bad-mapped@31140000) must be no-map'; }
retry 50 front_refused || fail "$F: no error about the region in the linear map"
[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/$F ] && fail "$F: bound despite the error"
echo "ok: $F: write-combining window in the linear map refused"
F=soc:hvl-bad-front-pool
front_refused() { dmesg | grep "$F" | grep -qF '"memory-region" entry 1 (/reserved-memory/hvl-bad-pool@31150000) is in use by /soc/hvl-bad-front-pool (its entry 0)'; }
retry 50 front_refused || fail "$F: no error about its pool over its own window"
[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/$F ] && fail "$F: bound despite the error"
echo "ok: $F: its DMA pool is claimed"
F=soc:hvl-bad-front-prop
front_refused() { dmesg | grep "$F" | grep -qF '/soc/hvl-bad-front-prop: unknown property "hvl,bus-addresses"'; }
retry 50 front_refused || fail "$F: no error about hvl,bus-addresses"
[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/$F ] && fail "$F: bound despite the error"
echo "ok: $F: unknown hvl, property refused"
for F in hvl-bad-front-types-empty hvl-bad-front-types-many; do
	front_refused() { dmesg | grep "soc:$F" | grep -qF "/soc/$F: \"hvl,device-types\" must list 1 to 32 virtio device IDs"; }
	retry 50 front_refused || fail "$F: no error about hvl,device-types"
	[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/soc:$F ] && fail "$F: bound despite the error"
	echo "ok: $F: hvl,device-types refused"
done
F=hvl-bad-front-types-zero
front_refused() { dmesg | grep "soc:$F" | grep -qF "/soc/$F: \"hvl,device-types\" entry 1 is 0"; }
retry 50 front_refused || fail "$F: no error about the 0 in hvl,device-types"
[ -e /sys/bus/platform/drivers/hvl-virtio-frontend/soc:$F ] && fail "$F: bound despite the error"
echo "ok: $F: a 0 in hvl,device-types refused"

unload hvl_front

# Only the good window's children became devices.
want=$(ls -d /proc/device-tree/soc/hvl-backend-0/*@* | wc -l)
n=$(ls /sys/bus/hvl/devices | grep -c "^soc:hvl-backend-0\.")
[ "$n" = "$want" ] ||
	fail "expected $want hvl devices, found $n: $(ls /sys/bus/hvl/devices)"
down
