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

# front_bound <virtio driver>: bound to one of hvl_front's devices (not to
# the machine's own: on arm64 the control port is a virtio-serial device,
# which virtio_console drives too).
front_bound() {
	local d
	for d in /sys/bus/virtio/drivers/$1/virtio*; do
		case $(readlink -f "$d") in
		*/soc:hvl-frontend*) return 0 ;;
		esac
	done
	return 1
}

# The 9P export that tests/2m/backend-*.dtso names, a tmpfs: the device
# serves it as nobody.
EXPORT=/srv/hvl2m
be_export() {
	grep -q " $EXPORT " /proc/mounts && return 0
	mkdir -p $EXPORT && mount -t tmpfs -o mode=1777 tmpfs $EXPORT ||
		{ fail "cannot mount a tmpfs on $EXPORT"; return 1; }
}

# The backend machine: the window, a console, vsock and 9P.  $1: the
# mailbox module for the doorbell, or nothing when the overlay polls.
be_up() {
	ifconfig lo 127.0.0.1 up
	be_export || return 1
	load $1 hvl_core hvl_console hvl_vsock hvl_9p || return 1
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
	retry 300 front_bound 9pnet_virtio || { fail "9pnet_virtio did not bind"; return 1; }
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

# devdbg <device id> <key>: a counter of the backend's device of that type
devdbg() {
	local f
	f=$(grep -l "^device_id: $1$" /sys/kernel/debug/hvl/*/* 2>/dev/null | head -1)
	sed -n "s/^$2: //p" "$f"
}

# vdbg <key>: a counter of the backend's vsock device
vdbg() { devdbg 19 "$1"; }

# rxsize: bytes the vsock listener has written so far
rxsize() { wc -c </tmp/vrx 2>/dev/null || echo 0; }

# cdbg <key>: a counter of the backend's console device
cdbg() { devdbg 3 "$1"; }

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

# diag: this machine's side of the window, everything debugfs has, for a
# transfer that stalled (who waits for whose doorbell).
diag() {
	local f
	for f in /sys/kernel/debug/hvl/*/* /sys/kernel/debug/hvl_front/*/status \
		/sys/kernel/debug/virtio-ports/*; do
		[ -f "$f" ] || continue
		echo "== $f"
		cat "$f"
	done 2>&1
	# Past the rings: what the tty holds for its reader, and the reader.
	echo "== $(hvl-raw -n "$(tty_dev)" 2>&1)"
	for f in $(pidof head); do
		echo "== head $f: $(tr '\0' ' ' </proc/$f/cmdline)"
		cat /proc/$f/stack
	done 2>&1
	return 0
}

# fe_gone: none of the stock drivers is bound to a device of hvl_front
# (they are removed after the devices went offline, by its reaper).
fe_gone() {
	! front_bound virtio_console && ! front_bound vmw_vsock_virtio_transport &&
		! front_bound 9pnet_virtio
}

# What make check runs in one kernel, across the two machines (run.py
# services()).

# sums <dir>: "file <name> <sha256>" for every file in it, sorted.
sums() {
	local f
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		echo "file ${f##*/} $(sha256sum <"$f" | cut -d' ' -f1)"
	done | sort
}

# fe_mount [options]: the peer mounts the backend's export over 9P
# (cache=none) on $MNT.
MNT=/mnt/hvl2m
fe_mount() {
	mkdir -p $MNT
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=none${1:+,$1} hvl2m $MNT ||
		{ fail "mount -t 9p hvl2m"; return 1; }
}

# fe_fio: fio writes and verifies (sequential and random) on the peer's
# mount, then every file's sum.
fe_fio() {
	local t0 job
	fe_mount msize=524288 || return 1
	t0=$(now)
	for job in "--name=seq --rw=write --bs=1m --size=8m" \
		"--name=randrw --rw=randrw --bs=4k --size=1m"; do
		# shellcheck disable=SC2086
		fio --directory=$MNT --output-format=terse --randrepeat=1 \
			--verify=crc32c --do_verify=1 --verify_fatal=1 $job \
			>/tmp/fio.out 2>&1 ||
			{ cat /tmp/fio.out; umount $MNT; fail "fio $job"; return 1; }
		echo "fio $job: verified"
	done
	echo "cs $(($(now) - t0))"
	sums $MNT
	umount $MNT || { fail "umount $MNT"; return 1; }
}

# vpar_listen <port> <n>: n vsock listeners, on <port> and up, each
# writing its connection's bytes to /tmp/vpar.<i>.
vpar_listen() {
	local i=0
	rm -f /tmp/vpar.*
	while [ $i -lt "$2" ]; do
		bg vpl$i socat -u VSOCK-LISTEN:$(($1 + i)) CREATE:/tmp/vpar.$i
		i=$((i + 1))
	done
	echo "listening on vsock ports $1 to $(($1 + $2 - 1))"
}

# vpar_send <cid> <port> <n> <MiB>: n connections at once, <MiB> of random
# bytes each; the centiseconds they took, and each one's sum.
vpar_send() {
	local i=0 pids= p t0
	while [ $i -lt "$3" ]; do
		dd if=/dev/urandom of=/tmp/vsrc.$i bs=1M count="$4" 2>/dev/null
		i=$((i + 1))
	done
	t0=$(now)
	i=0
	while [ $i -lt "$3" ]; do
		# retry: the listeners may not be in accept() yet
		socat -u OPEN:/tmp/vsrc.$i \
			VSOCK-CONNECT:"$1":$(($2 + i)),retry=40,interval=0.5 &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || { fail "a sender to $1 failed"; return 1; }
	done
	echo "cs $(($(now) - t0))"
	i=0
	while [ $i -lt "$3" ]; do
		echo "conn $i $(sha256sum </tmp/vsrc.$i | cut -d' ' -f1)"
		i=$((i + 1))
	done
	rm -f /tmp/vsrc.*
}

# vpar_wait <n> <bytes> <seconds>: every listener got its <bytes>; their sums.
vpar_wait() {
	local i=0 t0=$(now) n
	while [ $i -lt "$1" ]; do
		until ended vpl$i; do
			if [ $(($(now) - t0)) -gt $(($3 * 100)) ]; then
				fail "connection $i: timed out after $3 s at $(wc -c </tmp/vpar.$i) of $2 bytes"
				return 1
			fi
			nap 0.2
		done
		n=$(wc -c </tmp/vpar.$i)
		[ "$n" = "$2" ] || { fail "connection $i: received $n of $2 bytes"; return 1; }
		echo "conn $i $(sha256sum </tmp/vpar.$i | cut -d' ' -f1)"
		i=$((i + 1))
	done
	rm -f /tmp/vpar.*
}

# ctl_net <n>: the machines' control network (run.py: a virtio-net PCI
# card each, joined by UDP on the host), 10.9.0.<n>: vsock_test's TCP
# control connection, which must not go through what it tests.
ctl_net() {
	ip link set eth0 up && ip addr add 10.9.0."$1"/24 dev eth0 ||
		{ fail "no control network: $(ip link 2>&1 | tr '\n' ' ')"; return 1; }
}

# vsock_test's cases skipped, as in tests/integration/50-vsock.sh (17 and
# 21 race their control message against the packets they test).
VT_SKIPS="--skip=17 --skip=21"

# vt_server <peer cid>: the kernel's vsock_test, server side, in the
# background; vt_client <server address> <peer cid>: the client, to the end.
vt_server() {
	bg vts vsock_test --mode=server --control-port=1234 --peer-cid="$1" $VT_SKIPS
	# Its client tries to connect once: wait until the server listens.
	retry 100 grep -q "Control socket listening" /tmp/vts.log ||
		{ fail "vsock_test server not listening: $(cat /tmp/vts.log)"; return 1; }
	echo "vsock_test server, peer CID $1"
}

vt_client() {
	vsock_test --mode=client --control-host="$1" --control-port=1234 \
		--peer-cid="$2" $VT_SKIPS >/tmp/vtc.log 2>&1
	local rc=$?
	grep -E "^[0-9]+ - " /tmp/vtc.log | grep -v " ok$"
	echo "cases ok $(grep -c '^[0-9]* - .*ok$' /tmp/vtc.log) skipped $(grep -c 'skipped' /tmp/vtc.log)"
	[ $rc = 0 ] || { tail -5 /tmp/vtc.log; fail "vsock_test client: exit $rc"; return 1; }
}

vt_server_wait() {
	retry 300 ended vts || { fail "vsock_test server still running"; return 1; }
	[ "$(cat /tmp/vts.rc)" = 0 ] ||
		{ tail -10 /tmp/vts.log; fail "vsock_test server: exit $(cat /tmp/vts.rc)"; return 1; }
	echo "vsock_test server: exit 0"
}

# p9dbg <key>: a counter of the backend's 9P device
p9dbg() { devdbg 9 "$1"; }

# The mount's root and the open file: two fids at least.
p9_fids_some() { [ "$(p9dbg fids)" -ge 2 ] 2>/dev/null; }
p9_fids_none() { [ "$(p9dbg fids)" = 0 ]; }

# fe_p9_hold: the peer mounts the export and keeps a file open on it,
# until its machine dies (run.py crash()).
fe_p9_hold() {
	fe_mount || return 1
	bg p9hold sh -c "exec 7>$MNT/held; exec sleep 100000"
	retry 50 [ -e $MNT/held ] || { fail "no $MNT/held"; return 1; }
	echo "holding $MNT/held"
}
