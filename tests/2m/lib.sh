# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/2m/agent.sh: what tests/2m/run.py asks each machine
# to do.  Busybox sh.  Every function prints what the host checks, and
# fails (non-zero, with a line saying why) when its own part went wrong.

M=/lib/modules/hvl
export PATH=/bin:/sbin:/usr/bin:/tools

fail() { echo "FAIL: $*"; return 1; }

# nap, retry, now: the integration tests' (the initramfs has them in /tests).
. /tests/lib-base.sh

loaded() { grep -q "^$1 " /proc/modules; }

load() {
	local m
	for m in "$@"; do
		loaded "$m" || insmod "$M/$m.ko" || { fail "insmod $m"; return 1; }
	done
}

front_bound() { # front_bound <virtio driver>
	ls /sys/bus/virtio/drivers/$1 2>/dev/null | grep -q virtio
}

# The backend machine: the window, a console and vsock.  $1: the mailbox
# module for the doorbell, or nothing when the overlay polls.
be_up() {
	ifconfig lo 127.0.0.1 up
	load $1 hvl_core hvl_console hvl_vsock || return 1
	retry 100 [ -e /dev/ttyHVL0 ] || { fail "no /dev/ttyHVL0"; return 1; }
	hold /dev/ttyHVL0
}

# The peer machine: hvl_front, whose devices the stock virtio drivers
# (built into the test kernel) take.
fe_up() {
	fe_load $1 && fe_wait
}

fe_load() {
	load $1 hvl_core hvl_front
}

fe_wait() {
	retry 300 front_settled || { fail "hvl_front not online at the current host_gen: $(front_status)"; return 1; }
	retry 300 front_bound virtio_console || { fail "virtio_console did not bind"; return 1; }
	retry 300 front_bound vmw_vsock_virtio_transport || { fail "virtio_vsock did not bind"; return 1; }
	retry 100 find_hvc || { fail "no live /dev/hvcN"; return 1; }
	hold "$(cat /tmp/hvc)"
}

# hvl_front's devices are those of the device side's current host_gen
# and table_gen.  (A device side that comes up binds its backends one by
# one; with protocol version 1 each bind was a new host_gen, and the peer
# registered and removed every device each time: a /dev/hvcN opened while
# its port went could crash the peer, the stock hvc layer's race,
# Documentation/hvl/testing.rst, "Two machines".  Now each bind adds one
# device.)
front_settled() {
	set -- $(sed -n 's/.* host_gen \([0-9]*\) table_gen \([0-9]*\) .*/\1 \2/p;s/^online 1 gen \([0-9]*\) table_gen \([0-9]*\) .*/\1 \2/p' \
		/sys/kernel/debug/hvl_front/*/status 2>/dev/null)
	[ $# = 4 ] && [ "$1" = "$3" ] && [ "$2" = "$4" ]
}

find_hvc() {
	local n
	for n in 0 1 2 3 4 5 6 7; do
		if true 2>/dev/null </dev/hvc$n; then
			echo /dev/hvc$n >/tmp/hvc
			return 0
		fi
	done
	return 1
}

# The console's tty on this machine.
tty_dev() {
	if [ -e /tmp/hvc ]; then cat /tmp/hvc; else echo /dev/ttyHVL0; fi
}

# hold <tty>: keep it open in the background, so that its raw settings
# stick between commands (hvc resets its termios on the last close), and
# raw from its first open (tools/hvl-raw.c -k): opened cooked by a shell
# and set raw by stty 70 ms later, it echoed what came meanwhile back to
# the other machine (suspected in one failure of the polled backend
# crash's "console text peer -> backend": 37 bytes, not the text).
hold() {
	rm -f /tmp/holder.out
	hvl-raw -k "$1" >/tmp/holder.out 2>&1 &
	echo $! >/tmp/holder
	retry 50 [ -s /tmp/holder.out ] &&
		[ "$(cat /tmp/holder.out)" = "$1" ] ||
		{ fail "hvl-raw -k $1: $(cat /tmp/holder.out)"; return 1; }
}

# mkdata <file> <KiB>: random bytes, and their checksum.
mkdata() {
	dd if=/dev/urandom of="$1" bs=1k count="$2" 2>/dev/null
	sum "$1"
}

sum() { set -- $(sha256sum <"$1"); echo "sha256 $1"; }

# rx_start <bytes>: read that much from the console tty, in the background.
rx_start() {
	rm -f /tmp/rx /tmp/rx.done
	{ head -c "$1" "$(tty_dev)" >/tmp/rx; echo $? >/tmp/rx.done; } &
	echo "rx: $1 bytes from $(tty_dev)"
}

# rx_wait <bytes> <seconds>: the reader is done; print the checksum.
rx_wait() {
	local t0=$(now) n
	while [ ! -e /tmp/rx.done ]; do
		if [ $(($(now) - t0)) -gt $(($2 * 100)) ]; then
			fail "timed out after $2 s at $(wc -c </tmp/rx) of $1 bytes"
			return 1
		fi
		nap 0.2
	done
	n=$(wc -c </tmp/rx)
	[ "$n" = "$1" ] || { fail "read $n of $1 bytes"; return 1; }
	sum /tmp/rx
}

# tx <file>: write it to the console tty; print the centiseconds it took.
tx() {
	local t0=$(now)
	cat "$1" >"$(tty_dev)" || { fail "write to $(tty_dev)"; return 1; }
	echo "cs $(($(now) - t0))"
}

# vsock_listen <port>: receive one connection's bytes into /tmp/vrx;
# returns once socat sleeps in accept().
vsock_listen() {
	rm -f /tmp/vrx /tmp/vrx.done
	{ socat -u VSOCK-LISTEN:$1 CREATE:/tmp/vrx; echo $? >/tmp/vrx.done; } >/tmp/vrx.log 2>&1 &
	retry 100 socat_in_accept || { fail "socat did not listen: $(cat /tmp/vrx.log)"; return 1; }
	echo "listening on vsock port $1"
}

socat_in_accept() {
	local p
	for p in $(pidof socat); do
		grep -qE 'vsock_accept|do_sys_poll|do_select' /proc/$p/stack 2>/dev/null && return 0
	done
	return 1
}

vsock_wait() { # vsock_wait <bytes> <seconds>
	local t0=$(now) n
	while [ ! -e /tmp/vrx.done ]; do
		if [ $(($(now) - t0)) -gt $(($2 * 100)) ]; then
			fail "timed out after $2 s at $(wc -c </tmp/vrx 2>/dev/null) of $1 bytes"
			return 1
		fi
		nap 0.2
	done
	[ "$(cat /tmp/vrx.done)" = 0 ] || { fail "socat: $(cat /tmp/vrx.log)"; return 1; }
	n=$(wc -c </tmp/vrx)
	[ "$n" = "$1" ] || { fail "received $n of $1 bytes"; return 1; }
	sum /tmp/vrx
}

# vsock_send <cid> <port> <file>: connect, send, close; centiseconds.
vsock_send() {
	local t0=$(now)
	socat -u OPEN:"$3" VSOCK-CONNECT:$1:$2 || { fail "socat to $1:$2"; return 1; }
	echo "cs $(($(now) - t0))"
}

# window <key>: a field of the backend's window state (peer_gen, ...).
window() {
	sed -n "s/^$1: //p" /sys/kernel/debug/hvl/*/doorbell
}

# Doorbell counters of this machine's side of the window, one line:
# "db rung <n> received <n>" (in polling mode "received" counts polls).
counters() {
	local f r x
	for f in /sys/kernel/debug/hvl/*/doorbell; do
		[ -e "$f" ] || continue
		r=$(sed -n 's/^rung: //p' "$f")
		x=$(sed -n 's/^received: //p' "$f")
		echo "db rung $r received $x"
	done
	for f in /sys/kernel/debug/hvl_front/*/status; do
		[ -e "$f" ] || continue
		sed -n 's/^doorbell rung \([0-9]*\) coalesced [0-9]* received \([0-9]*\).*/db rung \1 received \2/p' "$f"
	done
	return 0
}

# End of the run: kmemleak, the kernel log for the host's scan, HVL-DONE.
finish() {
	{
		if [ -w /sys/kernel/debug/kmemleak ]; then
			echo scan >/sys/kernel/debug/kmemleak
			if [ -s /sys/kernel/debug/kmemleak ]; then
				echo "HVL: kmemleak: suspected memory leaks:"
				cat /sys/kernel/debug/kmemleak
			fi
		fi
		echo HVL-DMESG-BEGIN
		dmesg
		echo HVL-DMESG-END
		echo HVL-DONE
	} >/dev/console 2>&1
	reboot -f
}

# vdbg <key>: a counter of the backend's vsock device
vdbg() {
	local f
	f=$(grep -l "^device_id: 19$" /sys/kernel/debug/hvl/*/* 2>/dev/null | head -1)
	sed -n "s/^$1: //p" "$f"
}

# rxsize: bytes the vsock listener has written so far
rxsize() { wc -c </tmp/vrx 2>/dev/null || echo 0; }

# cdbg <key>: a counter of the backend's console device
cdbg() {
	local f
	f=$(grep -l "^device_id: 3$" /sys/kernel/debug/hvl/*/* 2>/dev/null | head -1)
	sed -n "s/^$1: //p" "$f"
}

# bg <name> <command...>: run it in the background, its output to
# /tmp/<name>.log; when it returns, /tmp/<name>.cs holds the centiseconds
# since boot and then /tmp/<name>.rc its exit status.
bg() {
	local n=$1
	shift
	rm -f /tmp/$n.rc /tmp/$n.cs
	{ "$@"; r=$?; now >/tmp/$n.cs; echo $r >/tmp/$n.rc; } >/tmp/$n.log 2>&1 &
	echo $! >/tmp/$n.pid
}

# ended <name...>: each has returned.
ended() {
	local n
	for n in "$@"; do
		[ -e /tmp/$n.rc ] || return 1
	done
}

# The backend machine's part of the traffic that its reboot cuts (run.py
# reboot()): a vsock listener on port 5020 that throws away what the peer
# streams, console output to the peer without end, the console's input
# thrown away.
be_live() {
	bg vsink socat -u VSOCK-LISTEN:5020 OPEN:/dev/null
	retry 100 socat_in_accept || { fail "socat did not listen: $(cat /tmp/vsink.log)"; return 1; }
	bg ctx sh -c 'exec cat /dev/zero >/dev/ttyHVL0'
	bg crx sh -c 'exec cat /dev/ttyHVL0 >/dev/null'
	echo "backend: console both ways, vsock sink on 5020"
}

# be_vsend <port>: stream to the peer's vsock port without end.
be_vsend() {
	bg vsrc socat -u OPEN:/dev/zero VSOCK-CONNECT:3:$1
}

# The peer's part: a vsock stream to Linux (vsend), a vsock listener on
# port $1 that Linux streams to (vrecv), console output (ctx, lines) and
# a console read (crx), each without end: only the device breaking ends
# them.  The readers count what they got.
fe_live() {
	local tty
	tty=$(tty_dev)
	bg vrecv sh -c "socat -u VSOCK-LISTEN:$1 - | wc -c"
	retry 100 socat_in_accept || { fail "socat did not listen: $(cat /tmp/vrecv.log)"; return 1; }
	bg vsend socat -u OPEN:/dev/zero VSOCK-CONNECT:2:5020
	bg ctx sh -c ". /2m/lib.sh; lines >$tty"
	bg crx sh -c "wc -c <$tty"
	echo "peer: console both ways on $tty, vsock to 2:5020, listening on $1"
}

# lines: numbered lines without end, about a hundred a second: console
# output, not a flood (see Documentation/hvl/testing.rst, "Two machines").
lines() {
	local i=0
	while echo "line $i of the peer's console output"; do
		i=$((i + 1))
		nap 0.01
	done
	return 1
}

# fe_ended: which of the peer's programs returned, when (centiseconds
# since boot) and how.
fe_ended() {
	local n
	for n in vsend vrecv ctx crx; do
		if [ -e /tmp/$n.rc ]; then
			echo "$n rc $(cat /tmp/$n.rc) cs $(cat /tmp/$n.cs) $(tr '\n' ' ' </tmp/$n.log)"
		else
			echo "$n running"
		fi
	done
}

# front <key>: a field of hvl_front's watchdog debugfs file
# (limit_ms, state, expired, last_silence_ms).
front() {
	sed -n "s/^$1: //p" /sys/kernel/debug/hvl_front/*/watchdog
}

# front_status: hvl_front's window header and device state, one line.
front_status() {
	cat /sys/kernel/debug/hvl_front/*/status | sed -n '2p;/^online/p' | tr '\n' ' '
	echo
}
