# SPDX-License-Identifier: GPL-2.0
# Sourced by the integration tests in the guest (busybox sh).

M=${M:-/lib/modules/hvl}
DBG=/sys/kernel/debug/hvl/soc:hvl-backend-0
WQ=/sys/devices/virtual/workqueue/hvl-soc:hvl-backend-0

# One kernel plays both OS instances of an AMP board: Linux (the backend,
# the tests) on CPUs 0-1, the peer (whatever uses /dev/hvcN) on CPUs 2-3.
# This is not only realism: the stock hvc console busy-waits with
# interrupts off until the device consumes its output, and a backend
# worker that was woken on that CPU would never run.
LINUX_CPUS=3
PEER_CPUS=c
taskset -p $LINUX_CPUS $$ >/dev/null

fail() { echo "FAIL: $*"; exit 1; }

# nap, retry, now, stack_top
. /tests/lib-base.sh

# wait_for <path> [tenths of a second]
wait_for() { retry "${2:-100}" [ -e "$1" ]; }

# The stock virtio_console bound to a device of ours?  (/dev/hvc0 itself
# exists as long as the hvc driver does.)
front_console() {
	ls /sys/bus/virtio/drivers/virtio_console 2>/dev/null | grep -q virtio
}

no_front_console() { ! front_console; }

wait_front_console() { retry 100 front_console; }

# The stock virtio_net bound to a device of ours, and its interface
# (while it is still in this network namespace).
front_net() {
	local d
	for d in /sys/bus/virtio/drivers/virtio_net/virtio*; do
		[ -e "$d" ] && return 0
	done
	return 1
}

no_front_net() { ! front_net; }

peer_dev() {
	local d
	for d in /sys/bus/virtio/drivers/virtio_net/virtio*/net/*; do
		[ -e "$d" ] && echo "${d##*/}" && return 0
	done
	return 1
}

# Gone, and its hvc released: a console registered while the old hvc is
# still referenced gets an index beyond /dev/hvc7 and no device node.
wait_front_console_gone() {
	retry 100 no_front_console || return 1
	sleep 1
}

# The console's hvc index is not always 0: set HVC to the one that opens.
# (A builtin's redirection, no subshell: a fork costs some 70 ms.  Read
# only: "<>" would create a file where a node is missing.)  The open
# passes on what the console had waiting, lost at the close: open_ttys
# does not look this way.
find_hvc() {
	local n
	for n in 0 1 2 3 4 5 6 7; do
		if true 2>/dev/null </dev/hvc$n; then
			HVC=/dev/hvc$n
			return 0
		fi
	done
	return 1
}

# A console bound after hold_console gets no byte until open_ttys or
# peer_read has its tty raw (hvl_front's hold_consoles): opened cooked, a
# peer's console passes what it has waiting (what Linux wrote while no
# peer ran, console.rst) through its line discipline with echo on, and
# the echo is written back from the CPU that flushes the tty, a
# kworker's, Linux's CPUs included.  That hvc write spins with
# interrupts off until the backend's work item, which runs on those
# CPUs, returns the buffer, while the other Linux CPU may be waiting for
# the spinning one ("1 written buffer(s) held for 2000 ms" in one round
# of the soak's restarts in 50 to 130: an umount's rcu_barrier() on the
# other CPU, waiting for its IPI).  Opening the tty raw leaves a moment,
# between open() and tcsetattr(), that the hold closes.
HOLD=/sys/module/hvl_front/parameters/hold_consoles
hold_console() { echo Y >$HOLD || fail "cannot set $HOLD"; }
let_console_in() { [ ! -e $HOLD ] || echo N >$HOLD || fail "cannot clear $HOLD"; }

# raw_hvc -c <file> | raw_hvc -k: tools/hvl-raw.c on the first live
# /dev/hvcN, in the background (RAW), copying what it receives to <file>
# (-c) or holding it open (-k); once it names the tty, raw by then, HVC
# is set.  hvl-raw's errors come on the same stream ("/dev/hvc0: ..."
# from perror): anything but a bare name lets the console in and fails.
raw_hvc() {
	: >/tmp/hvc.name
	if [ "$1" = -c ]; then
		$(side /dev/hvc) hvl-raw -c /dev/hvc[0-7] >"$2" 2>/tmp/hvc.name &
	else
		$(side /dev/hvc) hvl-raw -k /dev/hvc[0-7] >/tmp/hvc.name 2>&1 &
	fi
	RAW=$!
	# A just-bound console may take a moment to accept opens.
	retry 60 [ -s /tmp/hvc.name ]
	read -r HVC </tmp/hvc.name
	case $HVC in
	/dev/hvc[0-7]) ;;
	*)
		kill $RAW 2>/dev/null
		let_console_in
		fail "no raw /dev/hvcN: $(cat /tmp/hvc.name)"
		;;
	esac
}

# peer_read <file> <bytes> <tenths of a second> [<seconds held>]: what
# the new peer's console has waiting, into <file>, until <bytes> of it
# came or the time passed.  Not find_hvc, whose open and close would drop
# it: the first /dev/hvcN that opens, raw (tools/hvl-raw.c -c, which
# names it on standard error then), before the bytes are let in.  With
# <seconds held>, nothing may come before: the hold holds.
has_bytes() { [ "$(wc -c <"$1")" -ge "$2" ]; }
peer_read() {
	: >"$1"
	raw_hvc -c "$1"
	if [ -n "${4:-}" ]; then
		nap "$4"
		[ ! -s "$1" ] || {
			kill $RAW 2>/dev/null
			let_console_in
			fail "a held console passed $(wc -c <"$1") bytes to $HVC"
		}
	fi
	let_console_in
	retry "$3" has_bytes "$1" "$2"
	kill $RAW 2>/dev/null
	wait $RAW 2>/dev/null
}

# Keep both ttys open (fds 3 and 4) so their raw settings stick: hvc
# resets its termios whenever the last opener closes.  The peer's console
# is raw from its first open (see hold_console): hvl-raw -k opens the
# first live /dev/hvcN, sets it raw, names it and keeps it open while
# this shell opens it too.
open_ttys() {
	# "<>" creates a regular file where the node is not there yet (a
	# backend just loaded): every later open then finds the file.
	retry 100 [ -c /dev/ttyHVL0 ] || fail "no device node /dev/ttyHVL0"
	raw_hvc -k
	exec 3<>$HVC 4<>/dev/ttyHVL0
	let_console_in
	kill $RAW 2>/dev/null
	wait $RAW 2>/dev/null
	# Not stty: it waits until the tty's output has drained, and what
	# our console kept for a restarted peer drains only as the peer
	# reads (tools/hvl-raw.c).
	hvl-raw /dev/ttyHVL0 $HVC || fail "hvl-raw /dev/ttyHVL0 $HVC"
}

close_ttys() {
	exec 3>&- 4>&-
}

# Shell builtins only: rounds of the soak call it thousands of times.
loaded() {
	local n x
	while read -r n x; do
		[ "$n" = "$1" ] && return 0
	done </proc/modules
	return 1
}

# kmod's modprobe, on the modules tree that "make modules_install" made
# (tests/qemu/initramfs.sh).  A bare "modprobe" in busybox sh is
# busybox's applet, whatever PATH says.
modprobe() { /usr/sbin/modprobe "$@"; }

load() {
	for m in "$@"; do
		loaded "$m" || insmod "$M/$m.ko" || fail "insmod $m"
	done
}

gone_or_removed() { ! loaded "$1" || rmmod "$1" 2>/dev/null; }

# A closed tty drops its module reference from a work item, and a closed
# vsock socket its transport's when the peer's RST comes, or after
# VSOCK_CLOSE_TIMEOUT (8 s): retry for 10 s.
unload() {
	local m
	for m in "$@"; do
		retry 100 gone_or_removed "$m" || fail "rmmod $m: $(rmmod $m 2>&1)"
	done
}

# only_windows <platform device...>: every other window of the board stays
# unbound (driver_override), so that loading hvl_core binds only these:
# the board has some twenty, most of them bad-nodes.dtso's, and each
# probe costs time.  all_windows undoes it.
# One grep for all: a process per device costs seconds here.
windows() {
	grep -ls hvl,virtio-backend /sys/bus/platform/devices/*/of_node/compatible |
		sed 's|^/sys/bus/platform/devices/\([^/]*\)/.*|\1|'
}

only_windows() {
	local n
	for n in $(windows); do
		case " $* " in
		*" $n "*) ;;
		*) echo none >/sys/bus/platform/devices/$n/driver_override ;;
		esac
	done
}

all_windows() {
	local n
	for n in $(windows); do
		echo >/sys/bus/platform/devices/$n/driver_override
	done
}

# The full single-kernel set-up: backend, console, front-end.
# Keep each side on its CPUs (see above).
pin() {
	local p
	[ -e $WQ/cpumask ] && echo $LINUX_CPUS >$WQ/cpumask
	for p in $(pidof khvcd); do
		taskset -p $PEER_CPUS $p >/dev/null
	done
}

# side <tty>: the taskset prefix for a process using <tty>
side() {
	case $1 in
	/dev/hvc*) echo "taskset $PEER_CPUS" ;;
	*) echo "taskset $LINUX_CPUS" ;;
	esac
}

# Only the loopback window: others of the board have consoles too, and
# whichever probes first gets /dev/ttyHVL0 (a bad-nodes.dtso window that
# wrongly bound once took it, see hvl_rmem_lookup()).  Fewer probes are
# faster too.
up() {
	only_windows soc:hvl-backend-0
	load hvl_mbox_loopback hvl_core hvl_console hvl_front
	wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
	wait_front_console || fail "virtio_console did not bind through hvl_front"
	pin
	open_ttys
}

down() {
	close_ttys
	unload hvl_front hvl_console hvl_core hvl_mbox_loopback
	all_windows
}

# devdbg <virtio device ID>: debugfs file of the window's ($DBG's) device
# of that type (table order follows the merged device tree, not the
# overlay text)
devdbg() {
	grep -l "^device_id: $1$" "$DBG"/"${DBG##*/}".* 2>/dev/null | head -1
}

# dbg <file> <key>: a counter from debugfs
dbg() {
	sed -n "s/^$2: //p" "$DBG/$1"
}

# ms_since <centiseconds>
ms_since() { echo $((($(now) - $1) * 10)); }

# returns <pid> <what> <bound>: wait, with builtins only, until <pid> is
# gone, which must be within <bound> ms of T0 (now's centiseconds); set
# MS to the time it took.
returns() {
	while kill -0 "$1" 2>/dev/null; do
		[ "$(ms_since "$T0")" -le $(($3 + 10000)) ] || {
			dump_state
			fail "$2 still blocked $(ms_since "$T0") ms after T0"
		}
		nap 0.05
	done
	MS=$(ms_since "$T0")
	[ "$MS" -le "$3" ] || fail "$2 returned after $MS ms, bound $3"
}

# lines_like <file> <case pattern>...: the file's lines that match one
# of the patterns, on one line (builtins only)
lines_like() {
	local f=$1 l p
	shift
	while IFS= read -r l; do
		for p in "$@"; do
			case $l in $p) printf '%s ' "$l"; break ;; esac
		done
	done <"$f"
}

# console_state [pid...]: one line saying where a console transfer's
# bytes are: the backend's counters (held: peer -> Linux bytes waiting
# for room in the tty) and queue indices, the front-end's queues
# (published to the device side, taken back), the peer's virtio_console
# port counters (bytes_received: what left our rings), the top of the
# given tasks' stacks, and the hvl and virtio kernel messages since the
# transfer began.  A timed-out xfer prints it in its failure, which
# report.py repeats at the end of the output, so that a rare stall in
# CI can be placed from that alone.  Builtins but for the last part (see
# dump_state).
console_state() {
	local f l
	for f in "$DBG"/"${DBG##*/}".*; do
		{ read -r l <"$f"; } 2>/dev/null && [ "$l" = "device_id: 3" ] || continue
		printf 'backend: '
		lines_like "$f" 'queue[0-9]*' 'tty:*' 'to_peer_bytes:*' \
			'from_peer_bytes:*' 'dropped:*' 'fifo:*' 'held:*'
		printf '; '
	done
	for f in /sys/kernel/debug/hvl_front/*/status; do
		[ -f "$f" ] || continue
		printf 'front: '
		lines_like "$f" 'host_state*' 'online*' 'virtio*' '*vq [0-9]*'
		printf '; '
	done
	for f in /sys/kernel/debug/virtio-ports/*; do
		[ -f "$f" ] || continue
		printf 'peer %s: ' "${f##*/}"
		lines_like "$f" 'bytes_*' 'outvq*'
		printf '; '
	done
	for f in "$@"; do
		{ read -r l </proc/$f/comm; } 2>/dev/null || continue
		printf '%s %s:' "$l" "$f"
		stack_top "$f" 5
		printf '; '
	done 2>/dev/null
	printf 'log: '
	dmesg | awk '/hvl-test: xfer / {n = 0; next}
		     /hvl|virtio/ && !/hvl-test:/ {l[n++] = $0}
		     END {for (i = n > 4 ? n - 4 : 0; i < n; i++) printf "%s ", l[i]}'
}

# Print both sides' debugfs state with shell builtins only: a stalled
# console may leave CPUs spinning that a forked cat could wait on.
dump_state() {
	local f l
	# To the kernel log: the test's own output may be stuck behind a
	# pipe whose reader cannot run.
	for f in "$DBG"/* /sys/kernel/debug/hvl_front/*/* \
		 /sys/kernel/debug/hvl_mbox_loopback/*/*; do
		echo "hvl-test: == $f" >/dev/kmsg
		while IFS= read -r l; do echo "hvl-test: $l" >/dev/kmsg; done <"$f"
	done
}

# lb_spun: the loopback mailbox's deliveries through other CPUs for a
# sender spinning with interrupts off (its stats' last column), all channels
lb_spun() {
	awk 'FNR > 1 { n += $NF } END { print n + 0 }' /sys/kernel/debug/hvl_mbox_loopback/*/stats
}

# xfer <from-tty> <to-tty> <file>: copy through the console, compare.
#
# The waiting loop uses shell builtins only: while the writer is the stock
# hvc console, put_chars() spins with interrupts off until our backend
# consumes each chunk, and every fork/exit would send TLB-flush IPIs
# towards that spinning CPU.  (A sleeping watchdog process would also keep
# the test's output pipe open long after the test.)
xfer() {
	local n a b reader writer up start st
	n=$(wc -c <"$3")
	echo "xfer: $n bytes $1 -> $2"
	# console_state's log starts here
	echo "<7>hvl-test: xfer $n bytes $1 -> $2" >/dev/kmsg
	[ -p /tmp/tick ] || mkfifo /tmp/tick
	$(side "$2") head -c "$n" "$2" >/tmp/xfer.out &
	reader=$!
	$(side "$1") cat "$3" >"$1" &
	writer=$!
	read -r up _ </proc/uptime
	start=${up%.*}
	while kill -0 $reader 2>/dev/null; do
		read -r up _ </proc/uptime
		if [ $((${up%.*} - start)) -gt "${XFER_TIMEOUT:-$((120 * ${HVL_SLOW:-1}))}" ]; then
			dump_state
			# Before the kill: where the reader and writer wait.
			st=$(console_state $reader $writer)
			kill $reader $writer 2>/dev/null
			fail "transfer $1 -> $2 timed out at $(wc -c </tmp/xfer.out) of $n bytes: $st"
		fi
		read -r -t 0.2 up <>/tmp/tick
	done
	wait $reader
	wait $writer || fail "writer to $1 failed"
	a=$(sha256sum <"$3")
	b=$(sha256sum </tmp/xfer.out)
	if [ "$a" != "$b" ]; then
		cmp "$3" /tmp/xfer.out | head -3
		[ "$n" -le 64 ] && od -c /tmp/xfer.out
		fail "checksum mismatch $1 -> $2 ($(wc -c </tmp/xfer.out) of $n bytes)"
	fi
}

# The test kernel's own modules (vhost_vsock, vsock_loopback, ...).
K=/lib/modules/kernel
kload() {
	for m in "$@"; do
		loaded "$m" || insmod "$K/$m.ko" || fail "insmod $m"
	done
}

# vsock: the peer's CID in dts/hvl-loopback.dtso; Linux is 2 to the peer.
PEER_CID=3
front_vsock() {
	ls /sys/bus/virtio/drivers/vmw_vsock_virtio_transport 2>/dev/null | grep -q virtio
}

# Backend vsock and the front-end, whose stock virtio_vsock driver plays
# the peer: processes using CID 2 are "the peer", those using CID 3 are
# Linux applications.  The loopback interface carries vsock_test's
# control connection.
vsock_up() {
	ifconfig lo 127.0.0.1 up
	load hvl_mbox_loopback hvl_core hvl_vsock hvl_front
	retry 100 front_vsock || fail "virtio_vsock did not bind through hvl_front"
	pin
}

vsock_down() {
	unload hvl_front hvl_vsock hvl_core hvl_mbox_loopback
}

# in_accept <pid>: is the process asleep in a vsock accept()?  A listener
# is ready for a peer's raw REQUEST only then (a slow guest may take
# seconds to start socat).
in_accept() {
	grep -qE 'vsock_accept|do_sys_poll|do_select' /proc/"$1"/stack 2>/dev/null
}

# vdbg <key>: a vsock device counter
vdbg() {
	sed -n "s/^$1: //p" "$(devdbg 19)"
}

# slab_kb: slab memory in kB, the caches shrunk first (SLUB counts the
# free objects of per-CPU slabs as in use), without kmemleak's own cache:
# it holds an object for each allocation tracked and keeps the most it
# ever held (+6.5 MB over 40 000 9P messages, +5.9 MB over the soak's
# fuzzer at 400 000 inputs a case, where the rest of slab had not grown).
# Saves /proc/slabinfo for slab_grown.
slab_kb() {
	local f
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
	cp /proc/slabinfo /tmp/slabinfo.last
	awk '$1 == "Slab:" {s = $2}
	     FILENAME == "/proc/slabinfo" && $1 == "kmemleak_object" {k = $3 * $4 / 1024}
	     END {print int(s - k)}' /proc/meminfo /proc/slabinfo
}
# slab_grown <saved slabinfo>: the caches that grew most since it was
# saved (by slab_kb), in kB: active objects times object size
slab_grown() {
	awk 'FNR == NR {b[$1] = $2 * $4; next}
	     {d = ($2 * $4 - b[$1]) / 1024; if (d > 64) printf "%s +%d kB\n", $1, d}' \
		"$1" /proc/slabinfo | sort -t+ -k2 -rn | head -8 | tr '\n' ' '
	echo
}
# caches_grew <saved slabinfo> <objects>: the caches (kmemleak's own
# apart) with at least that many objects more in use than when it was
# saved, as "name before -> after; ", nothing if none: a leak of one
# object per input of a fuzzer grows one cache by as many objects as
# inputs, where slab memory as a whole has megabytes of slack
caches_grew() {
	awk -v t="$2" 'FNR == NR {b[$1] = $2; next}
	     ($1 in b) && $1 != "kmemleak_object" && $2 - b[$1] >= t {
		printf "%s %d -> %d; ", $1, b[$1], $2
	     }' "$1" /proc/slabinfo
}
