# SPDX-License-Identifier: GPL-2.0
# The mailbox controller unbound through sysfs while a window holds its
# channels: mbox_controller_unregister() frees the channels of its
# clients, and the controller's devm memory goes with it, so the window
# must be unbound first (a device link, consumer to supplier), never
# left ringing freed channels.
. /tests/lib.sh

MB=soc:mailbox-loopback
MDRV=/sys/bus/platform/drivers/hvl-mailbox-loopback
W=soc:hvl-backend-0
WDRV=/sys/bus/platform/drivers/hvl-backend
trap all_windows EXIT

only_windows $W
load hvl_mbox_loopback hvl_core
wait_for /sys/kernel/debug/hvl/$W/doorbell || fail "$W did not probe"
echo $MB >$MDRV/unbind || fail "unbind $MB"
[ -e $WDRV/$W ] && fail "$W still bound after its mailbox controller was unbound"
echo "ok: $W unbound with its mailbox controller"
echo $MB >$MDRV/bind || fail "bind $MB"
# Bound again with it, or by hand: either way it probes and works.
[ -e $WDRV/$W ] || echo $W >$WDRV/bind || fail "rebind $W"
wait_for /sys/kernel/debug/hvl/$W/doorbell || fail "$W did not probe again"
echo "ok: $W probes again"
unload hvl_core hvl_mbox_loopback
