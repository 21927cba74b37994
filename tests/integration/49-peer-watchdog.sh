# SPDX-License-Identifier: GPL-2.0
# A peer that stops and does not come back: its peer_beat stands still,
# peer_state still READY, and no doorbell comes from it.  With hvl_core's
# watch on (peer_watchdog_ms=1000 here), after that silence every device
# is reset as the peer's own reset would: a Linux program connected to
# the peer by vsock, blocked in a read, returns; the vsock device forgets
# the connection; the message says so, once.  host_gen then moves, and
# hvl_front, which was only muted (its debugfs "beat" 0 stops peer_beat
# and nothing else), rescans: its devices carry traffic again.  The watch
# stays quiet while off, while the peer beats, while the peer is silent
# but busy (its doorbells and chains are life), and once it has given
# the peer up.
# hvl-timeout: 300
. /tests/lib.sh

WD=1000
# From the mute to the program returning: a tick of the peer's beat
# (100 ms) and one of the watch (250 ms) before the silence counts, the
# watchdog time, the reset; generous for a loaded TCG guest.  The
# silence the message reports is exact: at least WD, under WD + 2 ticks.
BOUND=$((WD + 5000))
PARAM=/sys/module/hvl_core/parameters/peer_watchdog_ms
BEAT=/sys/kernel/debug/hvl_front/soc:hvl-frontend-0/beat
L="taskset $LINUX_CPUS"
P="taskset $PEER_CPUS"
MSG="peer silent for"
PIDS=

cleanup() {
	[ -e "$BEAT" ] && echo 1 >"$BEAT"
	[ -e $PARAM ] && echo 0 >$PARAM
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill -9 $PIDS 2>/dev/null
	for m in hvl_front hvl_vsock hvl_console hvl_core hvl_mbox_loopback; do
		retry 50 gone_or_removed $m
	done
	all_windows
	true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

silences() { dbg doorbell peer_silences; }
quiet() { [ "$(silences)" = "$S0" ] || fail "$1: the watch fired ($(silences) times)"; }
fired() { [ "$(silences)" -gt "$S0" ]; }
all_bound() { front_console && front_vsock; }
host_gen_moved() { [ "$(dbg doorbell host_gen)" -gt "$H0" ]; }
beat_moved() { [ "$(dbg doorbell peer_beat)" != "$B0" ]; }
watched() { [ "$(dbg doorbell peer_dead)" = 0 ]; }

# held <port>: a Linux program connected to a vsock server of the peer
# that never writes, blocked in its read (C); the server is SRV.
held() {
	$P socat -u VSOCK-LISTEN:"$1" OPEN:/dev/null &
	SRV=$!
	retry 100 in_accept $SRV || true
	$L socat -u VSOCK-CONNECT:$PEER_CID:"$1",retry=40,interval=0.25 \
		OPEN:/tmp/got,creat,trunc 2>/tmp/c.err &
	C=$!
	PIDS="$SRV $C"
	nap 1
	kill -0 $C 2>/dev/null || fail "port $1: the connection did not last: $(cat /tmp/c.err)"
	kill -0 $SRV 2>/dev/null || fail "port $1: the peer's server is gone"
}

# rr <port>: round trips between Linux and the peer
rr() {
	$P hvl-rr server vsock:any:"$1" >/dev/null 2>&1 &
	SRV=$!
	PIDS=$SRV
	retry 100 in_accept $SRV || true
	$L hvl-rr rr vsock:$PEER_CID:"$1" -n 20 >/tmp/rr 2>&1 ||
		fail "port $1: no round trips: $(cat /tmp/rr)"
	kill $SRV 2>/dev/null
	wait $SRV 2>/dev/null
	PIDS=
}

only_windows soc:hvl-backend-0
load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_front
retry 300 all_bound || fail "not every device bound: $(ls /sys/bus/virtio/drivers/*/)"
pin
[ "$(dbg doorbell peer_watchdog_ms)" = 0 ] || fail "the watch is on by default"
# Values the peer's beat period cannot honour are refused.
echo 500 >$PARAM 2>/dev/null && fail "peer_watchdog_ms=500 accepted"
# The refusal names the parameter, module and all: hvl_core's
# hvl_watchdog_param_ops serve hvl_front's watchdog_ms too.
refused() {
	dmesg | grep -qF "$1=500: 0 (off) or 1000 to 3600000" ||
		fail "no message naming $1: $(dmesg | grep -F 'watchdog_ms=500' | tail -1)"
}
refused hvl_core.peer_watchdog_ms
echo 500 >/sys/module/hvl_front/parameters/watchdog_ms 2>/dev/null &&
	fail "hvl_front's watchdog_ms=500 accepted"
refused hvl_front.watchdog_ms
S0=0

# 1. Off: a silent peer keeps its connection.
held 7049
echo 0 >"$BEAT" || fail "cannot mute the peer"
B0=$(dbg doorbell peer_beat)
nap 3
[ "$(dbg doorbell peer_beat)" = "$B0" ] || fail "peer_beat moved while muted"
quiet "off"
kill -0 $C 2>/dev/null || fail "off: the connection went: $(cat /tmp/c.err)"
echo 1 >"$BEAT"

# 2. On, the peer beating, the connection idle: quiet.
echo $WD >$PARAM || fail "cannot set peer_watchdog_ms"
[ "$(dbg doorbell peer_watchdog_ms)" = $WD ] || fail "peer_watchdog_ms reads $(dbg doorbell peer_watchdog_ms)"
B0=$(dbg doorbell peer_beat)
nap 2
b1=$(dbg doorbell peer_beat)
[ "$b1" -ge $((B0 + 10)) ] || fail "peer_beat $B0 -> $b1 in 2 s: hvl_front beats too slowly"
quiet "beating"

# 3. Silent but busy: muted while it streams to Linux, its doorbells and
# the chains it posts keep it alive for four watchdog times.
kill $C $SRV 2>/dev/null
wait $C $SRV 2>/dev/null
$L hvl-rr server vsock:any:7050 >/dev/null 2>&1 &
SRV=$!
retry 100 in_accept $SRV || true
$P hvl-rr stream vsock:2:7050 -b 1G -m 4K >/tmp/w.err 2>&1 &
W=$!
PIDS="$SRV $W"
echo 0 >"$BEAT"
nap $((4 * WD / 1000))
kill -0 $W 2>/dev/null || fail "busy: the stream ended: $(cat /tmp/w.err)"
quiet "busy"
echo 1 >"$BEAT"
kill $W $SRV 2>/dev/null
wait $W $SRV 2>/dev/null

# 4. Silent and idle: given up.
held 7051
H0=$(dbg doorbell host_gen)
T0=$(now)
echo 0 >"$BEAT"
returns $C "the Linux program connected to the silent peer" $BOUND
echo "the Linux program returned $MS ms after the mute: $(cat /tmp/c.err)"
[ "$MS" -ge $WD ] || fail "the program returned after $MS ms, before the watch could fire"
retry 100 fired || fail "no peer_silences"
[ "$(silences)" = 1 ] || fail "the watch fired $(silences) times, not once"
line=$(dmesg | grep "$MSG" | tail -1)
echo "$line"
t=$(echo "$line" | sed -n "s/.*$MSG \([0-9]*\) ms.*/\1/p")
[ -n "$t" ] && [ "$t" -ge $WD ] && [ "$t" -lt $((WD + 500)) ] ||
	fail "the message gives ${t:-no} silence, configured $WD"
retry 100 host_gen_moved || fail "host_gen stood still at $H0"
kill $SRV 2>/dev/null
wait $SRV 2>/dev/null
PIDS=

# hvl_front rescans on the new host_gen and announces itself (peer_gen):
# its devices come back, still muted.  In the new peer_gen peer_beat has
# not moved: not watched, the watch stays quiet.
S0=1
retry 300 all_bound || fail "the devices did not come back: $(ls /sys/bus/virtio/drivers/*/)"
rr 7052
nap 2
quiet "given up"

# 5. The beat resumes: watched again, and a second silence is caught.
B0=$(dbg doorbell peer_beat)
echo 1 >"$BEAT"
retry 50 beat_moved || fail "peer_beat did not resume"
retry 50 watched || fail "still given up after the beat resumed"
retry 300 all_bound || fail "the devices are gone after the beat resumed"
held 7053
T0=$(now)
echo 0 >"$BEAT"
returns $C "the second program" $BOUND
retry 100 fired || fail "no second peer_silences"
echo "the second silence: the program returned after $MS ms"
echo 1 >"$BEAT"
retry 300 all_bound || fail "the devices did not come back the second time"
rr 7054
