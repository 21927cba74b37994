# SPDX-License-Identifier: GPL-2.0
# Sourced, after lib.sh and lib-9p.sh, by the soak tests (make soak):
# every device of the loopback window up at once, traffic on all of them
# across a restart, and the counters that must come back to where they
# started.  Named so that init's [0-9]*.sh glob does not run it.

# The peer's processes are started through taskset; Linux's need not be:
# this shell runs on Linux's CPUs (lib.sh), and a child inherits them
# without taskset's exec.
P="taskset $PEER_CPUS"
FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
PORT=7100

# A round ran 100 to 150 processes, at 70 ms or more a fork and exec in
# the test guest: most of a round.  What a round does often is in shell
# builtins now (these, nap of lib.sh for sleep, read for cat, within
# for timeout): a round runs some ten.

# any <glob>: does it match?
any() { [ -e "$1" ]; }

# The tag of our 9P device among the bound ones (p9_bound, in builtins).
tag_bound() {
	local f t
	for f in /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
		[ -e "$f" ] || continue
		read -r t <"$f"
		[ "$t" = "$TAG" ] && return 0
	done
	return 1
}

# front_console && front_vsock && p9_bound, without a process
all_bound() {
	any /sys/bus/virtio/drivers/virtio_console/virtio* &&
		any /sys/bus/virtio/drivers/vmw_vsock_virtio_transport/virtio* &&
		tag_bound
}

# val <file> <key>: V=the value of the line "<key>: <value>" of a debugfs
# or proc file (dbg, vdbg, p9_stat without a process)
val() {
	local l
	V=
	while IFS= read -r l; do
		case $l in
		"$2: "*|"$2:	"*)
			V=${l#"$2:"}
			V=${V#?}
			return 0
			;;
		esac
	done <"$1"
	return 1
}

# VDBG, P9DBG: the debugfs files of the vsock and 9P devices, there as
# long as hvl_core is, bound or not.
find_dbg() {
	local f
	VDBG= P9DBG=
	for f in "$DBG"/soc:hvl-backend-0.*; do
		val "$f" device_id
		case $V in
		19) VDBG=$f ;;
		9) P9DBG=$f ;;
		esac
	done
	[ -n "$VDBG" ] && [ -n "$P9DBG" ] || fail "no debugfs file of the vsock or 9P device"
}

# pin, unless our work queue and the peer's khvcd are still where pin put
# them (both outlive the restarts).
repin() {
	local p ok=1
	read -r p <$WQ/cpumask
	[ "$p" = "$LINUX_CPUS" ] || ok=
	for p in $KHVCD; do
		val /proc/$p/status Cpus_allowed
		[ "$V" = "$PEER_CPUS" ] || ok=
	done
	[ -n "$ok" ] && [ -n "$KHVCD" ] && return 0
	[ -n "${SOAK_TIMING:-}" ] && echo "timing: pin again (work queue $p, khvcd $V)"
	pin
	KHVCD=$(pidof khvcd)
}

# SOAK_TIMING=1: where a round's time goes.  tick <phase> charges the
# time since the last tick to <phase>; tick_round prints one line a
# round, centiseconds per phase.  Shell builtins only.
TIMES=
TICK=
tick() {
	[ -n "${SOAK_TIMING:-}" ] || return 0
	local up
	read -r up _ </proc/uptime
	up=${up%.*}${up#*.}
	[ -n "$TICK" ] && TIMES="$TIMES $1=$((up - TICK))"
	TICK=$up
}
# What a fork and exec costs here, for reading the timings.
fork_cost() {
	[ -n "${SOAK_TIMING:-}" ] || return 0
	local n=0 a b
	read -r a _ </proc/uptime
	while [ $n -lt 20 ]; do
		/bin/true
		n=$((n + 1))
	done
	read -r b _ </proc/uptime
	echo "timing: 20 fork+exec in $((${b%.*}${b#*.} - ${a%.*}${a#*.}))0 ms"
}
tick_round() {
	[ -n "${SOAK_TIMING:-}" ] || return 0
	echo "timing $1:$TIMES"
	TIMES=
}
sender_gone() { ! kill -0 "$SND" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# reap <pid...>: kill these children and wait for them.  Not for no pid:
# a bare wait waits for every child, the peer's vsock server too.
reap() {
	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null
	wait "$@" 2>/dev/null
}

# within <tenths of a second> <pid>: the status of <pid>, a child of
# this shell, once it ends; 1 if it has not ended by then (it is killed).
# timeout(1) would cost two processes more each time.
within() {
	retry -s 20 "$1" gone "$2" || {
		kill "$2" 2>/dev/null
		wait "$2" 2>/dev/null
		return 1
	}
	wait "$2"
}

# Every backend device module and the front-end, the export ready.
all_up() {
	trap all_cleanup EXIT
	trap 'exit 143' TERM INT
	ifconfig lo 127.0.0.1 up
	mkdir -p $EXPORT $MNT
	mounted $EXPORT || mount -t tmpfs -o size=256m,mode=0755 export $EXPORT
	chown 65534:65534 $EXPORT
	load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_9p hvl_front
	retry 300 all_bound || fail "not every device bound: $(ls /sys/bus/virtio/drivers/*/)"
	find_dbg
	pin
	KHVCD=$(pidof khvcd)
	# The peer's vsock server for every round, the stream and the round
	# trips, one connection at a time: its listening socket outlives the
	# peer's device, whose restart resets the connections only.  (A
	# server a round, just started when dialled, cost two processes and
	# the wait for them.)
	$P hvl-rr server vsock:any:$PORT >/dev/null 2>&1 &
	SRV=$!
	fork_cost
}

all_cleanup() {
	traffic_stop
	reap $SRV $P9JOB
	cd /
	mounted $MNT && ! umount $MNT && return
	for m in hvl_front hvl_9p hvl_vsock hvl_console hvl_core hvl_mbox_loopback; do
		retry 50 gone_or_removed $m
	done
	mounted $EXPORT && umount $EXPORT
	true
}

# What must return to its starting value once the traffic has stopped:
# fids held by the 9P server, packets queued by the vsock device, and
# AF_VSOCK sockets alive (vsocks), exactly; and the kernel's socket
# buffers (skbuff_head_cache, shrunk first: SLUB counts the free objects
# of per-CPU slabs as active) within 16 of the start (every run so far
# ended exactly where it started).  Slab memory as a whole moves with
# every cache (+1 MiB and -0.8 MiB over make check's 2 rounds), so it
# has a ceiling only: 2 MiB plus 8 KiB a round (SOAK_SLAB_KB overrides
# the whole), and kmemleak looks at every object anyway.
# slab_objs <cache>: its objects in use, the cache shrunk first.
slab_objs() {
	echo 1 >/sys/kernel/slab/$1/shrink 2>/dev/null
	awk -v c="$1" '$1 == c {n = $2} END {print n + 0}' /proc/slabinfo
}
skbs() { slab_objs skbuff_head_cache; }
# Live AF_VSOCK sockets, listening, connected or closing: the objects of
# the protocol's own slab cache.  (Not the count of /proc/net/protocols,
# which stays 0: af_vsock never calls sock_prot_inuse_add().)  A socket
# the reset path leaks stays referenced from vsock's tables, where
# kmemleak does not see a leak.
vsocks() { slab_objs AF_VSOCK; }
slab_kb() { awk '$1 == "Slab:" {print $2}' /proc/meminfo; }
counts() {
	echo "fids=$(p9_stat fids) vsock_queued=$(vdbg queued)" \
	     "vsock_sockets=$(vsocks)"
}

baseline() {
	p9_done
	C0=$(counts)
	S0=$(slab_kb)
	K0=$(skbs)
	echo "start: $C0 slab=${S0}kB skbs=$K0"
	# The peer's server listens (all_up): a count that misses it is blind.
	[ "$(vsocks)" -ge 1 ] ||
		fail "no AF_VSOCK socket counted while the peer's server listens"
}

# A closed stream socket lingers until the peer's RST, at most
# VSOCK_CLOSE_TIMEOUT (8 s): wait up to 30 s.
settled() { [ "$(counts)" = "$C0" ]; }

# check_baseline <rounds>
check_baseline() {
	local s k max=${SOAK_SLAB_KB:-$((2048 + 8 * $1))}
	p9_done
	retry 300 settled || fail "counters did not return: $(counts), start: $C0"
	s=$(slab_kb)
	k=$(skbs)
	echo "end: $(counts) slab=${s}kB skbs=$k"
	[ $((s - S0)) -le "$max" ] ||
		fail "slab grew by $((s - S0)) kB over $1 rounds (limit $max)"
	[ $((k - K0)) -le 16 ] || fail "skbuff_head_cache grew by $((k - K0)) objects"
}

# traffic_start <round>: a vsock stream Linux -> peer, a console flood
# Linux -> peer, both still running when the caller restarts a side.
# (Not the peer's console towards Linux: the stock hvc busy-waits with
# interrupts off while our tty is full, see testing.rst.)  9P cannot
# cross a restart: the stock client's p9_virtio_remove() waits for the
# mount to go away, so 9P traffic runs between restarts (traffic_check).
traffic_start() {
	tick prev
	hvl-rr stream vsock:$PEER_CID:$PORT -b 1G -m 64K >/tmp/soak.stream 2>&1 &
	SND=$!
	# Raw and without echo, set while open_ttys holds both ends (an
	# echoing hvc would send the flood back into a tty nobody reads);
	# the reader and the writer keep the settings once those close.
	# traffic_check left them open, so set.
	tick start_vsock
	[ -n "$TTYS" ] || open_ttys
	tick start_open_ttys
	$P cat $HVC >/dev/null 2>&1 &
	CREAD=$!
	# A subshell of this one: a fork, no exec.
	(while :; do echo soak-console-line-0123456789abcdef; done) \
		>/dev/ttyHVL0 2>/dev/null &
	CWRITE=$!
	close_ttys
	TTYS=
	tick start_console
	# Some of both must have crossed before the restart.
	val "$VDBG" to_peer_bytes
	B0=$V
	retry -s 20 100 vsock_moved ||
		fail "round $1: no vsock traffic before the restart: $(cat /tmp/soak.stream)"
	tick start_wait
	p9_done
	tick p9_wait
}

vsock_moved() { val "$VDBG" to_peer_bytes && [ "$V" != "$B0" ]; }

fids_clunked() { val "$P9DBG" fids && [ "$V" = 0 ]; }

traffic_stop() {
	[ -n "$TTYS" ] && close_ttys
	TTYS=
	reap $SND $CREAD $CWRITE $SYNC
	SND= CREAD= CWRITE= SYNC=
}

# traffic_check <round>: after a restart, every device carries traffic
# again: vsock round trips, a line each way on the console, a file
# written through 9P and checked on the Linux side, every fid clunked
# (p9_check, which the next traffic_start or baseline waits for).
# Both ttys stay open (fds 3 and 4, TTYS set) for the next
# traffic_start.
traffic_check() {
	local r=$1 l
	tick prev
	retry -s 20 300 all_bound || fail "round $r: not every device came back"
	tick rebind_wait
	repin
	tick check_repin
	# 9P alongside the other devices' checks and the next traffic_start,
	# which waits for it (p9_done): it need only end before the restart.
	p9_check $r &
	P9JOB=$!
	# In the background, for a bound: a server that never answered
	# would leave a client waiting for ever.
	hvl-rr rr vsock:$PEER_CID:$PORT -n 2 >/tmp/soak.rr 2>&1 &
	within 300 $! || fail "round $r: no vsock round trips: $(cat /tmp/soak.rr)"
	tick check_vsock_rr
	[ -n "${SOAK_TIMING:-}" ] && read -r l </tmp/soak.rr && echo "timing $r: $l"
	open_ttys
	tick check_open_ttys
	# What the flood left in our tty when the peer went is delivered to
	# the new peer (a console keeps its output, as a UART's transmitter
	# does): read past it, up to a line of this round's.  The flood's
	# writer was killed mid-line, so the line starts with a newline of
	# its own: "soak-console-lisync 1" is no line of this round's.
	# (grep -x: the whole line, exactly.  These lines are the round's
	# console check; one more each way through xfer, as there was,
	# proved the same for 1.2 s a round.)  One process on the peer's
	# side reads and answers, while ours waits for the answer.
	printf '\nsync %d\n' "$r" >&4
	$P sh -c 'grep -q -m1 -x "sync $1" <&3 &&
		printf "\nsync back %s\n" "$1" >&3' sh "$r" &
	SYNC=$!
	# And back, from a line of its own: whatever else our tty holds
	# (nothing should: the new hvc was raw before it was let in,
	# hold_console) is read past.  Both within 30 s.
	grep -q -m1 -x "sync back $r" <&4 &
	within 300 $! || {
		gone $SYNC && fail "round $r: no sync line back on the console"
		fail "round $r: no sync line on the console"
	}
	within 10 $SYNC || fail "round $r: the peer answered but did not end"
	SYNC=
	TTYS=1
	tick check_sync
}

# p9_check <round>, in a subshell: a file written through 9P and read on
# the Linux side, the mount gone afterwards.  (The file is not removed:
# each round writes it anew, and an rm is a process.)
p9_check() {
	local l
	p9_mount
	echo "round $1" >$MNT/r || fail "round $1: 9P write"
	read -r l <$EXPORT/r
	[ "$l" = "round $1" ] || fail "round $1: 9P file not seen on the Linux side"
	p9_umount
}

# p9_done: the last p9_check passed, and every fid it used is clunked.
p9_done() {
	[ -n "$P9JOB" ] || return 0
	within 600 $P9JOB || fail "the 9P check failed (above) or took 60 s"
	P9JOB=
	retry -s 20 50 fids_clunked || fail "fids left after umount: $V"
}

# progress <round> <of>: one line every 50 rounds, with the time per round
progress() {
	[ $(($1 % 50)) = 0 ] || [ "$1" = "$2" ] || return 0
	echo "$1/$2 rounds, $(( ($(now) - T0) / $1 ))0 ms a round, $(counts) skbs=$(skbs)"
}
