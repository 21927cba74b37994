# SPDX-License-Identifier: GPL-2.0
# modprobe and autoloading, as a user has them: the modules installed by
# "make modules_install" into /lib/modules/$(uname -r)/updates (done on
# the host by initramfs.sh, depmod included), kmod's modprobe, and a
# hotplug daemon (busybox mdev -d: the test kernel has no uevent helper)
# that runs modprobe with each uevent's MODALIAS.  Loading hvl_core alone
# must bring in the device modules of the windows it binds (hvl:dNNNNNNNN
# aliases: console, vsock, 9P, net), and modprobe -r must take it all away.
. /tests/lib.sh

V=$(uname -r)
MODS="hvl_console hvl_vsock hvl_9p hvl_net"
mdev=

# Live members of process group $1 (zombies are not: an orphan that init
# has not reaped yet would look alive to kill -0).
group_gone() {
	! awk -v g="$1" '$5 == g && $3 != "Z" { f = 1 } END { exit !f }' \
		/proc/[0-9]*/stat 2>/dev/null
}
no_modprobe() { ! grep -qx modprobe /proc/[0-9]*/comm 2>/dev/null; }

# mdev runs each rule's modprobe through system() and waits for it, so a
# modprobe for a late uevent can still be running when mdev is killed,
# and could load a module again after our modprobe -r: let the queue
# drain, then stop mdev's whole process group (its own session, below)
# and wait until nothing of it is left.
stop_mdev() {
	local pg=$mdev
	[ -n "$pg" ] || return 0
	mdev=
	retry 100 no_modprobe
	kill -TERM -"$pg" 2>/dev/null
	wait "$pg" 2>/dev/null
	retry 100 group_gone "$pg" || fail "mdev's children still running after 10 s"
}

cleanup() {
	stop_mdev
	rm -f /etc/mdev.conf
	modprobe -r $MODS hvl_core hvl_mbox_loopback 2>/dev/null
	all_windows
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

[ "$(readlink /usr/sbin/modprobe)" = /usr/bin/kmod ] || fail "no kmod modprobe"
[ -s /lib/modules/$V/modules.dep ] || fail "no /lib/modules/$V/modules.dep"
modprobe -n hvl_core || fail "modprobe does not know hvl_core"
for m in $MODS; do
	loaded $m && fail "$m loaded before the test"
done

# The hotplug daemon, for this test only, in a mount namespace of its
# own: a private /dev, since mdev sets the mode of every node it handles
# (0660 by default, which other tests' unprivileged programs could not
# open), and an empty /sys/dev, which mdev scans at start to populate
# /dev: not what this test is about, and 5 s under TCG.
echo '$MODALIAS=.* 0:0 660 @/usr/sbin/modprobe "$MODALIAS"' >/etc/mdev.conf
setsid unshare -m sh -c 'mount -t tmpfs mdev /dev && mount -t tmpfs mdev /sys/dev &&
	mkdir /sys/dev/char /sys/dev/block && exec mdev -df' &
mdev=$!
# No uevent is lost once its netlink socket (NETLINK_KOBJECT_UEVENT, 15)
# is bound.
mdev_listens() {
	awk -v p=$mdev '$2 == 15 && $3 == p { f = 1 } END { exit !f }' /proc/net/netlink
}
retry 100 mdev_listens || fail "mdev did not start"

# The loopback window only (console, vsock, 9P, net): every modprobe that mdev
# runs costs about a second here.
only_windows soc:hvl-backend-0
# The board's mailbox driver (built in, on most boards), then the core.
modprobe hvl_mbox_loopback || fail "modprobe hvl_mbox_loopback"
modprobe hvl_core || fail "modprobe hvl_core"
for m in $MODS; do
	retry 200 loaded $m || fail "$m was not loaded for the devices of the windows"
done
echo "autoloaded: $MODS"
wait_for /dev/ttyHVL0 || fail "the console did not bind: no /dev/ttyHVL0"
grep -q "bound: hvl_console" "$(devdbg 3)" || fail "hvl_console not bound"

stop_mdev

modprobe -r $MODS || fail "modprobe -r $MODS"
# hvl_core went with the last module that used it.
loaded hvl_core && fail "modprobe -r left hvl_core loaded"
modprobe -r hvl_mbox_loopback || fail "modprobe -r hvl_mbox_loopback"
left=$(grep '^hvl_' /proc/modules)
[ -z "$left" ] || fail "left loaded: $left"
echo "modprobe -r: nothing left"
