# SPDX-License-Identifier: GPL-2.0
# SOAK_RELOADS (default 1000) backend restarts and module reloads while
# the front-end stays: every backend device (console, vsock, 9P, net) is
# unbound from its driver through sysfs while a vsock stream, a console
# flood and a TCP stream run towards the peer, then every device module
# is unloaded and loaded again.  (A module cannot go while the traffic
# runs: each Linux vsock socket holds a reference on its transport's
# module, and an open tty on its driver's, so the unbind is what the
# traffic crosses.)  Each time every device must come back and carry
# traffic, and at the end the counters are back to their starting
# values (kmemleak: init).
# hvl-timeout: 21600
# hvl-quiet: 900
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

R=${SOAK_RELOADS:-1000}
all_up
traffic_check 0
warm_up
baseline
T0=$(now)
i=0
while [ $i -lt "$R" ]; do
	i=$((i + 1))
	traffic_start $i
	n=0
	for d in hvl_console hvl_vsock hvl_9p hvl_net; do
		# The loopback window's: make check's board has others.
		for dev in /sys/bus/hvl/drivers/$d/soc:hvl-backend-0.*; do
			[ -e "$dev" ] || continue
			echo ${dev##*/} >/sys/bus/hvl/drivers/$d/unbind ||
				fail "round $i: unbind ${dev##*/} from $d"
			n=$((n + 1))
		done
	done
	[ $n = 4 ] || fail "round $i: $n devices unbound, not 4"
	tick unbind
	retry -s 20 100 sender_gone || fail "round $i: Linux sender still running 10 s after its device left"
	tick sender_gone
	traffic_stop
	tick stop
	# One process for the four, each costing 50 to 80 ms here; one by
	# one again if a closed tty still holds its module (unload).
	rmmod hvl_console hvl_vsock hvl_9p hvl_net 2>/dev/null ||
		unload hvl_console hvl_vsock hvl_9p hvl_net
	tick unload
	modprobe -a hvl_console hvl_vsock hvl_9p hvl_net ||
		fail "round $i: modprobe -a hvl_console hvl_vsock hvl_9p hvl_net"
	tick load
	retry -s 20 100 any /dev/ttyHVL0 || fail "round $i: no /dev/ttyHVL0"
	tick tty_wait
	traffic_check $i
	progress $i "$R"
	tick_round $i
done
check_baseline "$R"
echo "$R reloads of every backend module under traffic: ok"
