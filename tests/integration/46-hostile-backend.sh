# SPDX-License-Identifier: GPL-2.0
# A hostile device side, end to end: the test module hvl_hostile_host
# plays the device side of a window of its own (tests/qemu/hostile.dtso)
# and the front-end must survive it: no device type it was not told to
# expect, a device table used as it was checked, a Status register that
# lies after a reset, a ConfigGeneration that never settles, and
# acknowledgments that each come just in time, a device table that
# changes within a host_gen, and protocol versions.  Every scenario prints
# PASS or FAIL; the test fails if any failed.  A scenario restarts the
# device side (host_gen + 1), so the front-end drops its devices and
# registers the new table.  HOSTILE=<scenario>,... (hvl.env=HOSTILE=...
# on the guest's command line) runs only those.
# hvl-timeout: 400
. /tests/lib.sh

F=soc:hvl-hostile-front
PD=/sys/bus/platform/devices
FDRV=/sys/bus/platform/drivers/hvl-virtio-frontend
HH=/sys/kernel/debug/hvl_hostile_host
FST=/sys/kernel/debug/hvl_front/$F/status
VC=/sys/bus/virtio/drivers/virtio_console
failed=0

cleanup() {
	[ -e $FDRV/$F ] && echo $F >$FDRV/unbind
	echo >$PD/$F/driver_override
	echo >$PD/soc:hvl-frontend-0/driver_override
	driven
	unload hvl_front hvl_hostile_host hvl_core
}
trap cleanup EXIT
trap 'exit 143' TERM INT

[ -e $PD/$F ] || fail "no platform device $F (tests/qemu/hostile.dtso)"
# This front-end only: the loopback window's has no device side here.
echo none >$PD/soc:hvl-frontend-0/driver_override
echo hvl-virtio-frontend >$PD/$F/driver_override
load hvl_core hvl_hostile_host hvl_front
wait_for $FST || fail "$F did not bind: $(dmesg | grep "$F" | tail -3)"

bad() { echo "FAIL: $*"; failed=1; }

# The net devices of the scenarios stand for a device nobody drives (its
# Status, its generation as the front-end sees them): virtio_net would
# bind them, so the bus probes no new device while they are up.
AUTOPROBE=/sys/bus/virtio/drivers_autoprobe
driverless() { echo 0 >$AUTOPROBE; }
driven() { echo 1 >$AUTOPROBE; }

# scenario <name>: restart the device side as <name>; sets GEN
scenario() {
	echo "$1" >$HH/scenario || fail "scenario $1"
	GEN=$(sed -n 's/.* host_gen //p' $HH/scenario)
	echo "== $1 (host_gen $GEN)"
}

scanned() { dmesg | grep "$F" | grep -q "device side ready (host_gen $GEN)"; }

# line <id>: the front-end's debugfs line of its device of that type
line() { grep " id $1 " $FST; }

console_bound() { ls -d $PD/$F/virtio*/driver 2>/dev/null | grep -q .; }

# 1. Only the device types the node allows (by default console, vsock,
#    9P, net): virtio-blk would wait for ever for an answer.
s_types() {
	driverless
	scenario types
	if ! retry 300 scanned; then
		bad "types: the front-end did not scan the table"
	elif line 2 >/dev/null; then
		bad "types: device ID 2 (block), not in the default hvl,device-types, was registered: $(line 2)"
	elif ! dmesg | grep "$F" | grep -qF "device table entry 0: device ID 2 is not in hvl,device-types: not registered"; then
		bad "types: no message naming the refused entry and ID"
	elif ! line 1 >/dev/null; then
		bad "types: the net device of entry 1 was not registered"
	else
		echo "PASS: types: device ID 2 refused, naming entry and ID; net registered"
	fi
}

# 2. The table is used as it was checked: the device side moves entry 1
#    onto entry 0's register page once the front-end has checked the
#    table (at the first transaction of entry 0).
s_flip() {
	driverless
	scenario flip
	if ! retry 300 scanned; then
		bad "flip: the front-end did not scan the table"
	elif [ "$(sed -n 's/^entry 1: txns //p' $HH/txns)" = 0 ]; then
		bad "flip: entry 1's register page saw no transaction: the front-end registered entry 1 from the table read again after the check, on entry 0's page ($(grep -c ' id 1 ' $FST) net devices, $(tr '\n' ' ' <$HH/txns))"
	elif [ "$(grep -c ' id 1 ' $FST)" != 2 ]; then
		bad "flip: expected two net devices: $(cat $FST)"
	else
		echo "PASS: flip: both devices on the pages the checked table named ($(tr '\n' ' ' <$HH/txns))"
	fi
}

# 3. A Status register that shows 0xf after an acknowledged reset: the
#    reset is complete when acknowledged, so get_status() says 0 (and
#    then what the driver set since).  Otherwise virtio_device_ready()'s
#    WARN_ON(DRIVER_OK) fires in the console's probe, and every orderly
#    unbind trips the one in virtio_dev_remove(): a panic here.  So
#    first a net device left without a driver, and a console only once
#    that passed.
s_sticky() {
	driverless
	scenario sticky
	if ! retry 300 scanned; then
		bad "sticky: the front-end did not scan the table"
		return
	fi
	st=$(line 1 | sed -n 's/.* status \(0x[0-9a-f]*\).*/\1/p')
	if [ "$st" != 0x1 ]; then
		bad "sticky: the driverless net device, reset and acknowledged, has status $st, expected 0x1 (ACKNOWLEDGE): get_status() believed the device's Status register after the reset"
		return
	fi
	driven
	scenario sticky-console
	if ! retry 300 scanned; then
		bad "sticky: the front-end did not scan the table"
	elif ! retry 100 console_bound; then
		bad "sticky: virtio_console did not bind: $(line 3)"
	else
		v=$(basename "$(dirname "$(ls -d $PD/$F/virtio*/driver | head -1)")")
		if ! echo "$v" >$VC/unbind; then
			bad "sticky: unbind $v"
		elif st=$(line 3 | sed -n 's/.* status \(0x[0-9a-f]*\).*/\1/p'); [ "$st" != 0x1 ]; then
			bad "sticky: after an orderly unbind the console has status $st, expected 0x1"
		elif ! echo "$v" >$VC/bind || ! retry 100 console_bound; then
			bad "sticky: virtio_console did not bind again: $(line 3)"
		else
			echo "PASS: sticky: status 0 after each acknowledged reset; a console binds, unbinds and binds again"
		fi
	fi
}

# 4. A ConfigGeneration that changes on every read: the module reads it
#    as __virtio_cread_many() does, the device incrementing it before
#    each read.  It must settle, and the device be dead.
s_gen_spin() {
	driverless
	scenario gen-spin
	if ! retry 300 scanned; then
		bad "gen-spin: the front-end did not scan the table"
	elif ! echo 1 >$HH/spin; then
		bad "gen-spin: the net device is not there: $(cat $FST)"
	elif r=$(cat $HH/spin); [ "${r#settled}" = "$r" ]; then
		bad "gen-spin: generation() $r: __virtio_cread_many() would spin for ever, in a probe under the front-end's lock"
	elif ! dmesg | grep -q "ConfigGeneration changed on 65 consecutive reads"; then
		bad "gen-spin: $r, but no message about ConfigGeneration"
	elif ! line 1 | grep -q " dead "; then
		bad "gen-spin: $r, but the device is not dead: $(line 1)"
	else
		echo "PASS: gen-spin: $r, the device is dead"
	fi
}

# 5. Acknowledgments that each come just inside the front-end's 2 s
#    timeout: the set-up of a device has a budget (setup_budget_ms, 10 s),
#    not a minute under the front-end's lock.
s_slow() {
	driven
	slow=$(cat /sys/module/hvl_hostile_host/parameters/slow_ms)
	t0=$(now)
	scenario slow
	if ! retry 900 scanned; then
		bad "slow: the front-end did not scan the table within 90 s"
	elif t=$((($(now) - t0) / 100)); [ $t -gt 25 ]; then
		bad "slow: with acknowledgments $slow ms late, registering one console held the front-end for $t s"
	elif ! dmesg | grep -q "more than setup_budget_ms"; then
		bad "slow: done in $t s, but no message about the budget"
	elif ! line 3 | grep -q " dead "; then
		bad "slow: the console is not dead: $(line 3)"
	else
		echo "PASS: slow: the console killed after its set-up budget, the front-end free after $t s"
	fi
}

# 6. A console that never serves its control queue: virtio_console's
#    probe spins, under a spinlock, until its DEVICE_READY message comes
#    back (virtio_console.c __send_control_msg()), with the front-end's
#    lock held.  The front-end waits 2 s for it (front/shadow.c), then
#    gives the device up and hands the buffer back: the probe ends.
s_mute_mp() {
	driven
	t0=$(now)
	scenario mute-mp
	if ! retry 300 scanned; then
		bad "mute-mp: the front-end did not scan the table within 30 s"
	elif t=$((($(now) - t0) / 100)); [ $t -gt 15 ]; then
		bad "mute-mp: the console's probe held the front-end for $t s"
	elif ! dmesg | grep -q "device side holds written buffers: device is dead"; then
		bad "mute-mp: done in $t s, but the device was not given up"
	else
		echo "PASS: mute-mp: the unserved control message handed back, the probe over in $t s"
	fi
}

# 7. Hot-plug within a host_gen (table_gen): an entry whose gen moves
#    (its backend unbound and bound again) gets a new device, and the
#    other entry keeps its own; an entry moved to another register page
#    without a new host_gen is refused, every device dropped until
#    host_gen moves, and said so.
# serial <entry>: which of the front-end's devices it has (virtio's
# names are reused)
serial() { line 1 | sed -n "s/.* entry $1 serial \([0-9]*\) .*/\1/p"; }
# One device per entry: a replaced one that stayed would show as two.
replugged() {
	n=$(serial 1) && [ -n "$n" ] && [ "$n" != "$v1" ] &&
		[ "$(line 1 | grep -c ' entry 1 ')" = 1 ]
}
no_net() { ! line 1 >/dev/null; }
s_replug() {
	driverless
	scenario two-net
	if ! retry 300 scanned; then
		bad "replug: the front-end did not scan the table"
		return
	fi
	v0=$(serial 0)
	v1=$(serial 1)
	if [ -z "$v0" ] || [ -z "$v1" ]; then
		bad "replug: expected two net devices: $(cat $FST)"
	elif ! echo "replug 1" >$HH/table; then
		bad "replug: cannot write $HH/table"
	elif ! retry 100 replugged; then
		bad "replug: entry 1 kept its device (serial $v1) after its gen moved: $(cat $FST)"
	elif [ "$(serial 0)" != "$v0" ]; then
		bad "replug: entry 0's device (serial $v0) went with entry 1's: $(cat $FST)"
	elif ! dmesg | grep "$F" | grep -q "1 device(s) removed, 1 added"; then
		bad "replug: entry 1 replaced, but no message"
	elif ! echo "move 1" >$HH/table; then
		bad "replug: cannot move entry 1"
	elif ! retry 100 no_net; then
		bad "replug: entry 1 moved to another page, devices kept: $(cat $FST)"
	elif ! dmesg | grep "$F" | grep -q "entries moved without a new host_gen"; then
		bad "replug: devices dropped after the move, but no message"
	else
		echo "PASS: replug: entry 1 replaced alone (serial $v1 -> $n, entry 0's $v0 kept); a moved entry refused"
	fi
}

# 8. Protocol versions: a version-1 window is served as one (its
#    table_gen and entries' gen never move), a version-3 one refused
#    with a message until the device side re-initialises.
refused_v3() { dmesg | grep "$F" | grep -q "version is 3, expected 1 to 2"; }
s_versions() {
	driverless
	scenario v3
	if ! retry 300 refused_v3; then
		bad "versions: a version-3 window was not refused: $(cat $FST)"
	elif line 1 >/dev/null; then
		bad "versions: a device of the version-3 window was registered: $(line 1)"
	else
		scenario v1
		if ! retry 300 scanned; then
			bad "versions: a version-1 window was not scanned: $(dmesg | grep "$F" | tail -2)"
		elif ! line 1 >/dev/null; then
			bad "versions: the version-1 window's net device was not registered: $(cat $FST)"
		else
			echo "PASS: versions: version 3 refused, version 1 served"
		fi
	fi
}

for s in $(echo "${HOSTILE:-types,flip,sticky,gen-spin,slow,mute-mp,replug,versions}" | tr , ' '); do
	case $s in
	types | flip | sticky | slow | replug | versions) s_$s ;;
	gen-spin) s_gen_spin ;;
	mute-mp) s_mute_mp ;;
	*) fail "no scenario $s" ;;
	esac
done
scenario off
[ $failed = 0 ] || exit 1
