#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# The guest's end of make check-2m (hvl.mode=2m): each machine runs this,
# and tests/2m/run.py on the host drives both through a control port (x86:
# the second serial port, ttyS1; arm64: a virtio-serial port), one command
# at a time.  The console (ttyS0, ttyAMA0) keeps the kernel's log for the
# report's scan.
#
# Protocol, one line each way: the host sends "<id> <shell command>"; the
# command runs with its output to the port, which then gets "HVL-RC <id> <status>".
# A command that should outlive its line runs in the background with its
# own redirections.  The host pings ("p<n> true") until the first answer:
# what either side writes before the other listens may be lost.
. /2m/lib.sh

# x86: the second serial port.  arm64: QEMU's virt board has one UART,
# so a virtio-serial port named hvl.ctl (run.py), which is no tty.
# (Its name comes after its node, with a control message from QEMU.)
ctl_port() {
	local p
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = hvl.ctl ] && ctl=/dev/${p##*/} && return 0
	done
	return 1
}
ctl=/dev/ttyS1
if [ "$(uname -m)" = aarch64 ]; then
	retry 100 ctl_port || { echo "HVL: no virtio-serial port hvl.ctl"; exit 1; }
else
	stty -F $ctl raw -echo || { echo "HVL: no $ctl"; exit 1; }
fi
exec 5<>$ctl
serve() {
	while IFS= read -r line <&5; do
		id=${line%% *}
		cmd=${line#* }
		( eval "$cmd" ) </dev/null >&5 2>&1
		echo "HVL-RC $id $?" >&5
	done
}
case $ctl in
/dev/vport*)
	# A virtio-serial port reads end-of-file while the host has not
	# connected to it (or after it let go): wait, and read again.
	while :; do
		serve
		echo "HVL: agent: end of file on $ctl, reading again" >/dev/console
		nap 0.2
	done
	;;
*) serve ;;
esac
