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
expect hvl-bad-nodoorbell 'need "mboxes" or "hvl,poll-interval-us"'
expect hvl-bad-nochild '"hvl,virtio-device" children, found 0'
expect hvl-bad-reg '"reg" <0x0 0x1000>: must be 4 KiB aligned'
expect hvl-bad-overlap '> overlaps <0x'
expect hvl-bad-id 'missing or zero "hvl,device-id"'
expect hvl-bad-queues '"hvl,queue-sizes" entry 1 (100) must be a power of two'
expect hvl-bad-features '"hvl,device-features" must be one 64-bit value'

# The good window's devices: console@1000 and 9p@3000.
n=$(ls /sys/bus/hvl/devices | wc -l)
[ "$n" = 2 ] || fail "expected 2 hvl devices, found $n: $(ls /sys/bus/hvl/devices)"
down
