# SPDX-License-Identifier: GPL-2.0
# A window whose probe fails after some children are registered: hvl_core
# loaded with fail_add_child=7 makes registering the eighth child of the
# hvl-unwind node (tests/qemu/bad-nodes.dtso) fail.  Its 100 us poll
# timer queues the work of the seven registered children all the while;
# probe must stop it before tearing them down, or a work item runs on a
# freed device (KASAN, which panics the guest).  Twenty attempts, then
# nothing of the window is left and a normal probe still works.
. /tests/lib.sh

PD=/sys/bus/platform/devices/soc:hvl-unwind
DRV=/sys/bus/platform/drivers/hvl-backend
[ -e $PD ] || fail "no platform device for the hvl-unwind node"
# Never leave the window (and its 100 us poll timer) to later tests.
cleanup() {
	echo >$PD/driver_override
	[ -e $DRV/soc:hvl-unwind ] && echo soc:hvl-unwind >$DRV/unbind
	true
}
trap cleanup EXIT

unload hvl_front hvl_9p hvl_vsock hvl_console hvl_core
load hvl_mbox_loopback
insmod $M/hvl_core.ko fail_add_child=7 || fail "insmod hvl_core fail_add_child=7"
echo hvl-backend >$PD/driver_override || fail "driver_override"
i=0
while [ $i -lt 20 ]; do
	echo soc:hvl-unwind >$DRV/bind 2>/dev/null && fail "probe succeeded despite fail_add_child=7"
	i=$((i + 1))
done
dmesg | grep "soc:hvl-unwind" | grep -qF "cannot register device 7: -5" ||
	fail "no message naming the child that failed"
n=$(ls /sys/bus/hvl/devices | grep -c "^soc:hvl-unwind\.")
[ "$n" = 0 ] || fail "$n devices of the failed window left on the bus"
[ -e /sys/kernel/debug/hvl/soc:hvl-unwind ] && fail "debugfs left behind"
echo "20 probes failed at child 7 and unwound"

# Without the fault the same window probes, and it unbinds cleanly.
# (driver_override still names hvl-backend: loading it binds the window.)
rmmod hvl_core || fail "rmmod hvl_core"
load hvl_core
[ -e $DRV/soc:hvl-unwind ] || echo soc:hvl-unwind >$DRV/bind ||
	fail "the window does not probe without the fault"
n=$(ls /sys/bus/hvl/devices | grep -c "^soc:hvl-unwind\.")
[ "$n" = 8 ] || fail "$n devices, expected 8"
echo soc:hvl-unwind >$DRV/unbind || fail "unbind"
unload hvl_core hvl_mbox_loopback
