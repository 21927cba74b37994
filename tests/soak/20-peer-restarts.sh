# SPDX-License-Identifier: GPL-2.0
# SOAK_RESTARTS (default 1000) peer restarts: the front-end is unbound
# and bound again while a vsock stream, a console flood and a TCP stream
# run towards the peer; each time every device (console,
# vsock, 9P, net) must come back and carry traffic, the Linux sender must
# see the reset, the peer's DMA pool must be empty while the front-end is
# unbound, and at the end the counters are back to their starting values
# (kmemleak: init).
# hvl-timeout: 21600
# hvl-quiet: 900
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

[ -n "${SOAK_TRACE:-}" ] && set -x
R=${SOAK_RESTARTS:-1000}
stream_reset() {
	local l
	while IFS= read -r l; do
		case $l in
		*"Connection reset by peer"* | *"No such device"*) return 0 ;;
		esac
	done </tmp/soak.stream
	return 1
}
all_up
traffic_check 0
warm_up
baseline
g0=$(dbg doorbell peer_gen)
T0=$(now)
i=0
while [ $i -lt "$R" ]; do
	i=$((i + 1))
	traffic_start $i
	echo soc:hvl-frontend-0 >$FRONT/unbind || fail "round $i: unbind front-end"
	tick unbind
	retry -s 20 100 sender_gone || fail "round $i: Linux sender still running 10 s after the peer left"
	# ECONNRESET from the peer's reset, or ENODEV for a write that came
	# after the device stopped and before the reset reached the socket.
	stream_reset ||
		fail "round $i: Linux sender did not get ECONNRESET or ENODEV: $(cat /tmp/soak.stream)"
	tick sender_gone
	# With the peer's drivers gone, so are their DMA mappings: one left
	# each restart filled the pool (hvl_front_vq_destroy()).
	read -r n <"$POOL"
	[ "$n" = 0 ] ||
		fail "round $i: $n slots of the peer's DMA pool still mapped with the front-end unbound"
	traffic_stop
	tick stop
	hold_console
	echo soc:hvl-frontend-0 >$FRONT/bind || fail "round $i: bind front-end"
	tick bind
	traffic_check $i
	progress $i "$R"
	tick_round $i
done
g1=$(dbg doorbell peer_gen)
# Each restart announces a new peer_gen at least once.
[ $((g1 - g0)) -ge "$R" ] || fail "peer_gen moved $((g1 - g0)) times in $R restarts ($g0 -> $g1)"
check_baseline "$R"
echo "$R peer restarts under traffic, peer_gen $g0 -> $g1: ok"
