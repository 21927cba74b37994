# SPDX-License-Identifier: GPL-2.0
# hvl,ifname names hvl_net's interface: a window of net devices without a
# peer, from a run-time overlay (tests/qemu/overlays/ovl-net.dtso), one
# device per case.  "peer0" and the template "hvlovl%d" give interfaces
# of those names (the kernel told the name is predictable, or enumerated
# by it); "a/b", a name of 20 characters and two strings each fail the
# probe with a message naming the node and the property, a name in use
# ("lo") with register_netdev()'s error; no interface appears for those.
# Only a device with a third queue (hvlovl0) offers the control queue's
# features, those of them its hvl,device-features allows.
. /tests/lib.sh

IP=/usr/bin/ip
O=hvl-test/ovl-net.dtbo
W=soc:hvl-ovl-net
NODE=/soc/hvl-ovl-net

cleanup() {
	modprobe -r hvl_net hvl_core 2>/dev/null
	all_windows
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# Only the overlay's window: the board's own stay unbound.
only_windows
before=$(ls /sys/class/net | wc -l)
echo "hvl-test: 72-net-ifname: start" >/dev/kmsg
modprobe hvl_core overlay=$O || fail "modprobe hvl_core overlay=$O"
wait_for /sys/kernel/debug/hvl/$W/doorbell || fail "$W did not probe"
modprobe hvl_net || fail "modprobe hvl_net"

wait_for /sys/class/net/peer0 ||
	fail "no interface peer0: $(dmesg | grep "$W" | tail -5)"
$IP link show peer0 >/dev/null || fail "ip link show peer0"
wait_for /sys/class/net/hvlovl0 ||
	fail "no interface hvlovl0 from the template: $(dmesg | grep "$W" | tail -5)"
# NET_NAME_PREDICTABLE (2) for a name, NET_NAME_ENUM (1) for a template.
[ "$(cat /sys/class/net/peer0/name_assign_type)" = 2 ] ||
	fail "peer0: name_assign_type $(cat /sys/class/net/peer0/name_assign_type)"
[ "$(cat /sys/class/net/hvlovl0/name_assign_type)" = 1 ] ||
	fail "hvlovl0: name_assign_type $(cat /sys/class/net/hvlovl0/name_assign_type)"
echo "peer0 and hvlovl0: ok"

# A third queue in the node, the control queue, is what offers the
# features that need one: CTRL_VQ (17), VQ_NOTF_COAL (52), NOTF_COAL (53),
# and of those hvl,device-features allows hvlovl0 the first two: bits
# 50 and up are read from the node as the low ones are.
feats() {
	sed -n 's/^host_features: //p' \
		"/sys/kernel/debug/hvl/$W/$(basename "$(readlink /sys/class/net/$1/device)")"
}
ctrl=$(((1 << 17) | (1 << 52) | (1 << 53)))
[ $(($(feats peer0) & ctrl)) = 0 ] ||
	fail "peer0, without a control queue, offers its features: $(feats peer0)"
[ $(($(feats hvlovl0) & ctrl)) = $(((1 << 17) | (1 << 52))) ] ||
	fail "hvlovl0 offers $(feats hvlovl0), not CTRL_VQ and VQ_NOTF_COAL alone of the control queue's"
echo "the control queue's features offered with one only, as hvl,device-features allows: ok"

# The kernel log since the start of this test.
log() { dmesg | sed -n '/hvl-test: 72-net-ifname: start$/,$p'; }
# refused <reg> <message>: the device's probe failed with the message.
refused() {
	log | grep "$W" | grep -qF "$2" ||
		fail "@$1: no error '$2': $(log | grep "$W" | tail -5)"
	echo "ok: @$1: $2"
}
refused 3000 "$NODE/net@3000: \"hvl,ifname\" \"a/b\" is not an interface name"
refused 4000 "$NODE/net@4000: \"hvl,ifname\" \"abcdefghijklmnopqrst\" is not an interface name"
refused 5000 'register_netdev("lo"): -17, an interface of that name exists'
refused 6000 "$NODE/net@6000: \"hvl,ifname\" must be one string"
n=$(ls -d /sys/bus/hvl/drivers/hvl_net/$W.* 2>/dev/null | wc -l)
[ "$n" = 2 ] || fail "$n devices bound to hvl_net, not the 2 good ones"
[ "$(ls /sys/class/net | wc -l)" = $((before + 2)) ] ||
	fail "interfaces: $(ls /sys/class/net | tr '\n' ' ')"

modprobe -r hvl_net || fail "modprobe -r hvl_net"
[ -e /sys/class/net/peer0 ] && fail "peer0 outlived hvl_net"
modprobe -r hvl_core || fail "modprobe -r hvl_core"
[ -e /proc/device-tree$NODE ] && fail "the overlay outlived hvl_core"
echo "unloaded: the interfaces and the overlay gone"
