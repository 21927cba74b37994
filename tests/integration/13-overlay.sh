# SPDX-License-Identifier: GPL-2.0
# Overlays at load time: "modprobe hvl_core overlay=<file>" applies a
# compiled overlay from /lib/firmware and removes it at unload.  The board
# (tests/qemu/board.dts) reserves memory no merged overlay uses; the
# overlay (tests/qemu/overlays/ovl-console.dtso) adds a window with a
# console there, and its front-end.  Loaded, a console exchange, unloaded
# (the nodes and their platform devices gone), and again.  Then bad
# overlays: a truncated blob, a target the board lacks, a window that
# fails validation, a window nested in a bus the overlay adds, a changed
# property of a base-tree node (enabling a disabled window, retuning a
# window), a node added inside a window: each fails the load with an
# error naming the file and the node, and leaves nothing applied.
. /tests/lib.sh

O=hvl-test/ovl-console.dtbo
FW=/lib/firmware/hvl-test
PD=/sys/bus/platform/devices
DT=/proc/device-tree/soc
W=soc:hvl-ovl
F=soc:hvl-ovl-front
DBG=/sys/kernel/debug/hvl/$W
WQ=/sys/devices/virtual/workqueue/hvl-$W

cleanup() {
	close_ttys
	modprobe -r hvl_front hvl_console hvl_core hvl_mbox_loopback 2>/dev/null
	all_windows
	echo >$PD/soc:hvl-frontend-0/driver_override
	rm -f $FW/truncated.dtbo
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

gone() {
	[ ! -e $DT/hvl-ovl ] && [ ! -e $DT/hvl-ovl-front ] &&
		[ ! -e $PD/$W ] && [ ! -e $PD/$F ]
}

# Only the overlay's window and front-end, so that /dev/ttyHVL0 and the
# peer's hvc are theirs: the board's own stay unbound.
only_windows
echo none >$PD/soc:hvl-frontend-0/driver_override
gone || fail "the overlay's nodes exist before the test"
[ -e /proc/device-tree/reserved-memory/hvl-ovl-regs@31400000 ] ||
	fail "the board does not reserve the overlay's memory"

modprobe hvl_mbox_loopback || fail "modprobe hvl_mbox_loopback"
# Round 1 carries a line each way; round 2 shows a second apply after the
# removal binds again (the console module stays out: it is round 1's),
# with asynchronous probing asked for: the window driver probes
# synchronously all the same, or no overlay could ever apply (its windows
# would not have probed yet when the overlay is checked).
for round in 1 2; do
	async=
	[ $round = 2 ] && async=async_probe=1
	modprobe hvl_core overlay=$O $async ||
		fail "modprobe hvl_core overlay=$O $async"
	[ -e $DT/hvl-ovl/console@1000 ] || fail "no $DT/hvl-ovl/console@1000"
	[ -e $DBG/doorbell ] || fail "$W did not probe"
	[ -e /sys/bus/hvl/devices/$W.0 ] || fail "no console device on the hvl bus"
	if [ $round = 1 ]; then
		modprobe hvl_console || fail "modprobe hvl_console"
		modprobe hvl_front || fail "modprobe hvl_front"
		wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
		wait_front_console || fail "virtio_console did not bind through hvl_front"
		pin
		open_ttys
		printf 'from linux\n' >/tmp/t1
		xfer /dev/ttyHVL0 $HVC /tmp/t1
		printf 'from the peer\n' >/tmp/t2
		xfer $HVC /dev/ttyHVL0 /tmp/t2
		close_ttys
		# The front-end first: it keeps hvl_core loaded.
		retry 50 modprobe -r hvl_front || fail "modprobe -r hvl_front"
		wait_front_console_gone || fail "virtio_console still bound"
		retry 50 modprobe -r hvl_console || fail "modprobe -r hvl_console"
	fi
	modprobe -r hvl_core || fail "modprobe -r hvl_core"
	gone || fail "round $round: the overlay's nodes or devices outlive hvl_core"
	echo "round $round: applied${HVC:+, a line each way}, removed"
	HVC=
done

# expect_refused <file> <what> [<node>]: the load fails, names the file
# (and the node), and nothing of the overlay is left: no node, no new
# platform device.
expect_refused() {
	local devs=$(ls $PD | wc -l)
	# The kernel log from here on (a count of lines would not do: the
	# log wraps in a full run).
	echo "hvl-test: 13-overlay: loading with $1" >/dev/kmsg
	modprobe hvl_core overlay=$1 2>/dev/null &&
		fail "hvl_core loaded with $2 ($1)"
	loaded hvl_core && fail "hvl_core loaded after refusing $1"
	dmesg | sed -n "\|hvl-test: 13-overlay: loading with $1\$|,\$p" >/tmp/refused
	grep -q "hvl_core: overlay $1: not applied" /tmp/refused ||
		fail "no error naming $1: $(tail -5 /tmp/refused)"
	[ -z "$3" ] || grep "hvl_core: overlay $1" /tmp/refused | grep -qF "$3" ||
		fail "$2: no error naming $3: $(tail -5 /tmp/refused)"
	gone || fail "$2: the overlay's nodes are left"
	[ "$(ls $PD | wc -l)" = "$devs" ] ||
		fail "$2: platform devices left: $(ls $PD | grep hvl)"
	echo "$2: refused: $(grep "hvl_core: overlay $1" /tmp/refused | head -1)"
}

head -c 256 $FW/ovl-console.dtbo >$FW/truncated.dtbo
expect_refused hvl-test/truncated.dtbo "a truncated blob"
expect_refused hvl-test/ovl-bad-target.dtbo "a wrong target"
expect_refused hvl-test/ovl-bad-node.dtbo "an invalid window"
grep -q 'hvl-ovl.*"reg"' /tmp/refused || fail "the invalid window's error does not name reg"
expect_refused hvl-test/no-such.dtbo "a missing file"

# Whatever the overlay reaches must be checked, not only the direct
# children of its fragments (the old check saw none of these).
expect_refused hvl-test/ovl-nested.dtbo "a window in a new bus" /soc/hvl-ovl-bus/hvl-ovl-nested
[ ! -e $DT/hvl-ovl-bus ] || fail "the new bus is left"
B0=$DT/hvl-backend-0
mb=$(od -An -tx1 $B0/mboxes)
expect_refused hvl-test/ovl-retune.dtbo "a changed window" /soc/hvl-backend-0
[ "$(od -An -tx1 $B0/mboxes)" = "$mb" ] || fail "hvl-backend-0's mboxes changed"
[ "$(od -An -tx4 $B0/console@1000/hvl,queue-sizes | tr -s ' ')" = " 80000000 80000000" ] ||
	fail "hvl-backend-0's queue sizes changed: $(od -An -tx4 $B0/console@1000/hvl,queue-sizes)"
expect_refused hvl-test/ovl-window-child.dtbo "a node in a window" /soc/hvl-backend-0
[ ! -e $B0/console@5000 ] || fail "the node added in hvl-backend-0 is left"
expect_refused hvl-test/ovl-enable.dtbo "an enabled window" /soc/hvl-bad-off
[ "$(cat $DT/hvl-bad-off/status)" = disabled ] || fail "hvl-bad-off is not disabled"
[ ! -e $PD/soc:hvl-bad-off ] || fail "hvl-bad-off has a platform device"

# Last, so that the refused overlays' unwinding is covered too: the OF
# core's check of the node references of a destroyed changeset (kmemleak
# runs once after all tests, in init).
if dmesg | grep -q "ERROR: memory leak"; then
	fail "$(dmesg | grep "ERROR: memory leak")"
fi
