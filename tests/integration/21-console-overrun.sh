# SPDX-License-Identifier: GPL-2.0
# The console is a UART, not a pipe: with /dev/ttyHVL0 open and never
# read, 4 MiB written to the peer's /dev/hvc0 completes in bounded time
# (the stock driver busy-waits with interrupts off until each buffer comes
# back, so a backend that kept it would freeze the peer's CPUs).  What the
# tty and the held buffer (tx_buffer_kib) could not take is dropped and
# counted: the reader then gets exactly the first bytes written, and
# read + dropped is all of it.  The same with the tty closed: all dropped.
. /tests/lib.sh

P="taskset $PEER_CPUS"
L="taskset $LINUX_CPUS"
up
CON=$(devdbg 3)
cdbg() { sed -n "s/^$1: //p" "$CON"; }
N=$((4 * 1024 * 1024))
dd if=/dev/urandom of=/tmp/big bs=1M count=4 2>/dev/null

# Waits with shell builtins only (see xfer() in lib.sh).
wait_gone() { # wait_gone <pid> <seconds> <what>
	local up start
	read -r up _ </proc/uptime
	start=${up%.*}
	while kill -0 "$1" 2>/dev/null; do
		read -r up _ </proc/uptime
		if [ $((${up%.*} - start)) -gt "$2" ]; then
			dump_state
			kill "$1" 2>/dev/null
			fail "$3 not done after $2 s: $(cat "$CON")"
		fi
		read -r -t 0.2 up <>/tmp/tick
	done
}
[ -p /tmp/tick ] || mkfifo /tmp/tick

# 1. The tty open (fd 4, from up) and nobody reading it.
d0=$(cdbg dropped)
f0=$(cdbg from_peer_bytes)
$P cat /tmp/big >$HVC &
wait_gone $! $((60 * ${HVL_SLOW:-1})) "4 MiB to $HVC with ttyHVL0 unread"
d1=$(cdbg dropped)
held=$(cdbg held | cut -d' ' -f1)
echo "written $N, dropped $((d1 - d0)), held $held"
[ $((d1 - d0)) -gt 0 ] || fail "4 MiB into an unread tty and nothing dropped: $(cat "$CON")"
[ "$held" -gt 0 ] || fail "nothing held while the tty is full: $(cat "$CON")"

# Drain: everything the tty and the held buffer kept reaches the reader.
$L cat <&4 >/tmp/got &
reader=$!
settled() {
	s=$(wc -c </tmp/got)
	[ "$(cdbg held | cut -d' ' -f1)" = 0 ] &&
		[ "$s" = "${last:-}" ] || { last=$s; false; }
}
retry 300 settled || fail "the held bytes did not drain: $(cat "$CON")"
sleep 0.5
kill $reader
wait $reader 2>/dev/null
got=$(wc -c </tmp/got)
f1=$(cdbg from_peer_bytes)
echo "read $got, from_peer_bytes +$((f1 - f0))"
[ $((got + d1 - d0)) = $N ] ||
	fail "read $got + dropped $((d1 - d0)) != written $N"
[ $((f1 - f0)) = "$got" ] || fail "from_peer_bytes grew by $((f1 - f0)), read $got"
head -c "$got" /tmp/big | cmp -s - /tmp/got ||
	fail "what was read is not the first $got bytes written"

# 2. The tty closed: the peer's output is dropped, never kept.
exec 4>&-
$P head -c 1048576 /tmp/big >$HVC &
wait_gone $! $((60 * ${HVL_SLOW:-1})) "1 MiB to $HVC with ttyHVL0 closed"
dropped_is() { [ "$(cdbg dropped)" = "$1" ]; }
retry 50 dropped_is $((d1 + 1048576)) ||
	fail "closed tty: dropped $(cdbg dropped), want $((d1 + 1048576))"
grep -q "errors=0" "$CON" || fail "ring errors: $(cat "$CON")"
echo "tty unread: $((d1 - d0)) of $N dropped, the rest read in order; tty closed: all dropped"
down
