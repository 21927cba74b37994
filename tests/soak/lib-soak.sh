# SPDX-License-Identifier: GPL-2.0
# Sourced, after lib.sh and lib-9p.sh, by the soak tests (make soak):
# every device of the loopback window up at once, traffic on all of them
# across a restart, and the counters that must come back to where they
# started.  Named so that init's [0-9]*.sh glob does not run it.

# hvl_net as 70-net sets it up: the peer's stock virtio_net in a network
# namespace of its own (peer, adopt_peer, linux_up).
. /tests/lib-net.sh

# The peer's processes are started through taskset; Linux's need not be:
# this shell runs on Linux's CPUs (lib.sh), and a child inherits them
# without taskset's exec.
P="taskset $PEER_CPUS"
FRONT=/sys/bus/platform/drivers/hvl-virtio-frontend
PORT=7100
NPORT=5200
NPORT_HEX=1450		# as /proc/net/tcp writes it

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

# front_console && front_vsock && front_net && p9_bound, without a
# process
all_bound() {
	any /sys/bus/virtio/drivers/virtio_console/virtio* &&
		any /sys/bus/virtio/drivers/vmw_vsock_virtio_transport/virtio* &&
		any /sys/bus/virtio/drivers/virtio_net/virtio* &&
		tag_bound
}

# driven <virtio driver>: each device bound to that driver of the peer
# is DRIVER_OK (its sysfs status, which hvl_front reads from its own
# register image: no backend lock taken, unlike a debugfs file polled
# under traffic).  The driver core links a device to its driver before
# the probe ends (driver_sysfs_add()), so all_bound alone lets a Linux
# connect() race the peer's vsock probe (ENODEV) now that hot-plug adds
# the devices one by one.
driven() {
	local d s n=0
	for d in /sys/bus/virtio/drivers/$1/virtio*; do
		[ -e "$d/status" ] || continue
		read -r s <"$d/status" 2>/dev/null || return 1
		[ $((s & 4)) != 0 ] || return 1
		n=$((n + 1))
	done
	[ $n != 0 ]
}
all_driven() {
	all_bound && driven virtio_console && driven vmw_vsock_virtio_transport &&
		driven virtio_net && driven 9pnet_virtio
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

# VDBG, P9DBG, NDBG: the debugfs files of the vsock, 9P and net devices,
# there as long as hvl_core is, bound or not.
find_dbg() {
	local f
	VDBG= P9DBG= NDBG=
	for f in "$DBG"/soc:hvl-backend-0.*; do
		val "$f" device_id
		case $V in
		19) VDBG=$f ;;
		9) P9DBG=$f ;;
		1) NDBG=$f ;;
		esac
	done
	[ -n "$VDBG" ] && [ -n "$P9DBG" ] && [ -n "$NDBG" ] ||
		fail "no debugfs file of the vsock, 9P or net device"
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
# IDLE=each CPU's idle time since boot, in centiseconds (USER_HZ): with
# the last round's, how busy each side was (the test's CPUs 0-1 and the
# peer's 2-3; a vCPU waiting for the host counts as busy).
IDLE0=
idle_cs() {
	local c u n s i x r=
	while read -r c u n s i x; do
		case $c in cpu[0-9]*) r="$r $i" ;; esac
	done </proc/stat
	IDLE=$r
}
tick_round() {
	[ -n "${SOAK_TIMING:-}" ] || return 0
	idle_cs
	echo "timing $1:$TIMES idle:$IDLE0 ->$IDLE"
	IDLE0=$IDLE
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
	# Only the loopback window (up() in lib.sh says why).
	only_windows soc:hvl-backend-0
	load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_9p hvl_net hvl_front
	retry 300 all_driven || fail "not every device bound and DRIVER_OK: $(ls /sys/bus/virtio/drivers/*/)"
	find_dbg
	pin
	# The peer's namespace, for the whole run (its interface is set up
	# by net_check, each time it is a new one).
	new_ns
	NETIF=
	# The peer's TCP sink for every round's stream, as the vsock server
	# (fork: a child a connection; the listener outlives the peer's
	# interfaces, being in its namespace).  Keepalive every second: a
	# Linux sender killed while hvlnet0 was gone can leave its end
	# without a FIN or RST ever reaching the peer, whose child would
	# wait for ever (2 such of 100 reloads, on the hotplug-v2 branch);
	# Linux answers a probe for a connection it does not know with RST.
	# (Not through peer(): $! would be the subshell running the
	# function, and killing it would leave socat.)
	nsenter -t "$NS" -n taskset $PEER_CPUS socat -u \
		TCP4-LISTEN:$NPORT,reuseaddr,fork,keepalive,keepidle=1,keepintvl=1,keepcnt=3 \
		OPEN:/dev/null >/dev/null 2>&1 &
	NSRV=$!
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
	reap $SRV $NSRV $P9JOB $NS
	cd /
	mounted $MNT && ! umount $MNT && return
	for m in hvl_front hvl_9p hvl_vsock hvl_console hvl_net hvl_core hvl_mbox_loopback; do
		retry 100 gone_or_removed $m
	done
	all_windows
	mounted $EXPORT && umount $EXPORT
	true
}

# What must return to its starting value once the traffic has stopped:
# fids held by the 9P server, packets queued by the vsock device, frames
# queued by the net device and bytes in flight for hvlnet0's BQL, and
# AF_VSOCK sockets alive (vsocks), exactly; and the kernel's socket
# buffers (skbuff_head_cache, shrunk first: SLUB counts the free objects
# of per-CPU slabs as active) within 16 of the start (every run without
# the net device ended exactly where it started), plus 64 a CPU: the
# heads NAPI frees wait in a per-CPU cache (napi_skb_cache, 64 each)
# before the slab gets them back, and the net device's traffic runs
# through NAPI on both sides.  Slab memory as a whole moves with
# every cache (+1 MiB and -0.8 MiB over make check's 2 rounds), so it
# has a ceiling only: 6 MiB plus 8 KiB a round (SOAK_SLAB_KB overrides
# the whole; the net device's first 20 restarts grew it by 3.2 MiB after
# warm_up, where 2 MiB had been enough without it), the second half of a
# long run a limit of its own (check_baseline), and kmemleak looks at
# every object anyway.
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
# meminfo_kb <field>: its value in /proc/meminfo
meminfo_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
# debug_kb <slabinfo copy>: the kB of the debug kernel's own caches in
# it, all unreclaimable: kmemleak's (an object for each allocation it
# tracks, and it keeps the most it ever held: +6.5 MB over 40 000 9P
# messages where the rest of slab had not grown, lib.sh's slab_kb) and
# debug_objects' (a pool that refills itself).  The soak's slab figures
# leave them out, as cache_growth does (lib.sh's slab_kb, for the
# fuzzers, leaves out kmemleak_object).
debug_kb() {
	awk '$1 ~ /^(kmemleak_object|kmemleak_scan_area|debug_objects_cache)$/ {
		k += $15 * $6 * 4 }
	     END {print k + 0}' "$1"
}
# slab_at <slabinfo copy>: SLAB=slab, UNRECL=unreclaimable slab, in kB
# as meminfo says now, the debug caches of that copy (just taken) apart
slab_at() {
	local d
	d=$(debug_kb "$1")
	SLAB=$(($(meminfo_kb Slab) - d))
	UNRECL=$(($(meminfo_kb SUnreclaim) - d))
}
# lines <file>: N=its number of lines (builtins only)
lines() {
	local l
	N=0
	while read -r l; do N=$((N + 1)); done <"$1"
}
# tcp_live <proc net dir>: N=its TCP sockets, neither listening nor in
# TIME_WAIT (which lasts 60 s by design)
tcp_live() {
	local x st
	N=0
	while read -r x x x st x; do
		case $st in 0A|06|st) ;; *) N=$((N + 1)) ;; esac
	done <"$1/tcp"
}
# net_counts: NC=the net device's frames queued either way, hvlnet0's
# bytes in flight (BQL), the interfaces of each side (a netdev that
# outlives its device is referenced: kmemleak does not see it) and their
# live TCP sockets (the streams' ends: a round's stream is killed before
# the restart, and its socket must drain or reset); "?" for a value not
# found, which baseline refuses.
net_counts() {
	local a='?' b='?' c='?' i j t u
	val "$NDBG" queued_to_peer && a=$V
	val "$NDBG" queued_from_peer && b=$V
	{ read -r c </sys/class/net/hvlnet0/queues/tx-0/byte_queue_limits/inflight; } 2>/dev/null
	lines /proc/net/dev; i=$N
	lines /proc/$NS/net/dev; j=$N
	tcp_live /proc/net; t=$N
	tcp_live /proc/$NS/net; u=$N
	NC="net_queued=$a/$b net_inflight=${c:-?} netifs=$i/$j tcp=$t/$u"
}
# Nothing queued on the net device, nothing in flight, no TCP stream
# left: what a baseline must start from (a fresh link sends router
# solicitations and MLD reports for a while; warm_up's stream drains).
net_quiet() {
	net_counts
	case $NC in *"net_queued=0/0 net_inflight=0 "*"tcp=0/0") return 0 ;; esac
	return 1
}
counts() {
	net_counts
	echo "fids=$(p9_stat fids) vsock_queued=$(vdbg queued)" \
	     "vsock_sockets=$(vsocks) $NC"
}

baseline() {
	p9_done
	pings "before the rounds"
	retry 300 net_quiet || fail "the net device did not go quiet: $NC"
	C0=$(counts)
	# First, as at the middle and the end: the slab figures below are
	# then read after the same drop of unused dentries and inodes.
	rm -f /tmp/slab.mid
	slab_snap /tmp/slab.start
	slab_at /tmp/slab.start
	S0=$SLAB
	K0=$(skbs)
	CPUS=$(grep -c ^processor /proc/cpuinfo)
	U_MID=
	# The peer's restricted DMA pool (swiotlb): slots in use.  (Its
	# debugfs files come with the first device that uses it.)
	POOL=$(echo /sys/kernel/debug/swiotlb/hvl-pool@*/io_tlb_used)
	[ -r "$POOL" ] || fail "no debugfs count of the peer's DMA pool: $POOL"
	read -r P0 <"$POOL"
	case $P0 in '' | *[!0-9]*) fail "the peer's DMA pool count reads '$P0'" ;; esac
	echo "start: $C0 slab=${S0}kB (the debug caches apart) skbs=$K0 pool=$P0"
	# "?" for a value not found, "name=" for a read that gave nothing
	case "$C0 " in *"?"* | *"= "*) fail "a counter was not found: $C0" ;; esac
	# The peer's server listens (all_up): a count that misses it is blind.
	[ "$(vsocks)" -ge 1 ] ||
		fail "no AF_VSOCK socket counted while the peer's server listens"
	# Nor can a cache with no object be the one sockets use (merged into
	# another: CONFIG_SLAB_MERGE_DEFAULT is off in the test kernel).
	[ "$K0" -gt 0 ] || fail "no skbuff_head_cache objects counted"
}

# A closed stream socket lingers until the peer's RST, at most
# VSOCK_CLOSE_TIMEOUT (8 s): wait up to 30 s.
settled() { [ "$(counts)" = "$C0" ]; }

# slab_snap <file>: /proc/slabinfo at a quiet point, what nobody uses
# dropped first: unused dentries and inodes (the rounds' 9P files leave
# negative dentries behind), and the free objects SLUB still counts as in
# use in its per-CPU slabs
slab_snap() {
	local f
	echo 2 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
	cp /proc/slabinfo "$1"
	# busy areas only: this kernel lists the lazily freed ones too
	grep -v unpurged /proc/vmallocinfo >"$1.vm"
	lines "$1.vm"
	echo "vmalloc_busy $N" >>"$1"
}

# vmalloc_grown <before> <after>: the callers of vmalloc areas busy in
# <after> more often than in <before> (slab_snap's copies)
vmalloc_grown() {
	awk 'FNR == NR {b[$3]++; next} {a[$3]++}
	     END {for (c in a) if (a[c] > b[c]) printf "%s +%d ", c, a[c] - b[c]}' "$1" "$2"
}

# cache_growth <rounds>: a leak of objects that stay referenced (a list
# that keeps what it should drop: kmemleak sees nothing) grows one cache
# with the rounds, by one object a round or more, where slab memory as a
# whole has megabytes of slack.  The caches at the start, the middle and
# the end of a run of 100 rounds or more (baseline, progress,
# check_baseline: each with the counters settled): one that grew by 4/5
# of an object a round (SOAK_CACHE_HALF objects overrides) in each half
# fails, so a leak of one object a round does; the caches that grew most
# are printed.  (Rarer leaks are left to the slab ceilings.)  Left out:
# kmemleak's own caches (kmemleak_object keeps the most objects it ever
# tracked) and debug_objects_cache (a pool that refills itself: +122 and
# +48 over the halves of 100 reloads); and vmap_area, whose objects
# stay until the lazily freed areas (a process's stack, each round)
# reach 96 MB or a module load purges them: +100 and +100 over the
# halves of 100 restarts, none over reloads ("unpurged" in
# /proc/vmallocinfo).  The busy vmalloc areas are counted instead, from
# /proc/vmallocinfo (vmalloc_busy), and printed by caller.  CACHE_BAD=
# the caches that grew so, for check_baseline.
cache_growth() {
	local t=${SOAK_CACHE_HALF:-$(($1 * 2 / 5))}
	# kmalloc-1k moved +254 and -167, +135 and +88 over the halves of
	# 100 restarts: below 750 rounds, 300 objects a half
	[ -n "${SOAK_CACHE_HALF:-}" ] || [ "$t" -ge 300 ] || t=300
	CACHE_BAD=
	[ -f /tmp/slab.mid ] || return 0
	awk 'FILENAME == ARGV[1] {a[$1] = $2; next}
	     FILENAME == ARGV[2] {b[$1] = $2; next}
	     ($1 in a) && $1 !~ /^(kmemleak_object|kmemleak_scan_area|debug_objects_cache|vmap_area)$/ &&
	     $2 - a[$1] > 0 {
		printf "%d %s %+d%+d\n", $2 - a[$1], $1, b[$1] - a[$1], $2 - b[$1]
	     }' /tmp/slab.start /tmp/slab.mid /tmp/slab.end | sort -rn >/tmp/slab.grown
	echo "caches grown most (objects, first half + second): $(head -6 /tmp/slab.grown | cut -d' ' -f2- | tr '\n' ' ')"
	# What the second half's slab growth (the unreclaimable limit) is made of
	echo "caches grown most over the second half (kB): $(awk 'FNR == NR {b[$1] = $2 * $4; next}
	     ($1 in b) {d = int(($2 * $4 - b[$1]) / 1024); if (d > 0) print d, $1}' \
		/tmp/slab.mid /tmp/slab.end | sort -rn | head -6 | awk '{printf "%s +%d ", $2, $1}')"
	echo "vmalloc areas grown, by caller: $(vmalloc_grown /tmp/slab.start.vm /tmp/slab.end.vm)"
	CACHE_BAD=$(awk -v t="$t" 'FILENAME == ARGV[1] {a[$1] = $2; next}
	     FILENAME == ARGV[2] {b[$1] = $2; next}
	     ($1 in a) && $1 !~ /^(kmemleak_object|kmemleak_scan_area|debug_objects_cache|vmap_area)$/ &&
	     b[$1] - a[$1] >= t && $2 - b[$1] >= t {printf "%s %d -> %d -> %d; ", $1, a[$1], b[$1], $2}' \
		/tmp/slab.start /tmp/slab.mid /tmp/slab.end)
	[ -z "$CACHE_BAD" ] ||
		CACHE_BAD="caches grew by $t objects or more in each half of $1 rounds: $CACHE_BAD"
}

# check_baseline <rounds>: the counters back, slab read as at the start
# and the middle (right after slab_snap, the debug caches apart), every
# limit checked and the caches' growth printed before any failure, all
# failures in one line
check_baseline() {
	local s k u p bad= max=${SOAK_SLAB_KB:-$((6144 + 8 * $1))}
	local half=${SOAK_SLAB_HALF_KB:-1024}
	p9_done
	pings "after $1 rounds"
	retry 300 settled ||
		bad="; counters did not return: $(counts), start: $C0"
	slab_snap /tmp/slab.end
	slab_at /tmp/slab.end
	s=$SLAB u=$UNRECL
	k=$(skbs)
	read -r p <"$POOL"
	echo "end: $(counts) slab=${s}kB unreclaimable=${u}kB (${U_MID:-not read} at the middle; the debug caches apart) skbs=$k pool=$p"
	cache_growth "$1"
	[ -z "$CACHE_BAD" ] || bad="$bad; $CACHE_BAD"
	[ $((s - S0)) -le "$max" ] ||
		bad="$bad; slab grew by $((s - S0)) kB over $1 rounds (limit $max)"
	# A leak grows with the rounds, the caches' own growth settles: over
	# the second half of a long run, read at the same quiet point (the
	# counters settled, the caches just shrunk), unreclaimable slab may
	# grow 1 MiB at most (SOAK_SLAB_HALF_KB; 8 KiB a round would pass
	# the limit above at 1000 rounds).
	[ -z "$U_MID" ] || [ "$1" -lt 100 ] || [ $((u - U_MID)) -le "$half" ] ||
		bad="$bad; unreclaimable slab grew by $((u - U_MID)) kB over the second half of $1 rounds (limit $half)"
	[ $((k - K0)) -le $((16 + 64 * CPUS)) ] ||
		bad="$bad; skbuff_head_cache grew by $((k - K0)) objects (limit $((16 + 64 * CPUS)))"
	# The peer's drivers map their receive buffers through the pool, and
	# virtio_net sizes its buffers by the packets it has seen: the same
	# rings take a few hundred slots more or fewer from one quiet point
	# to the next.  A slot leaked a round (the pool has 8192) shows over
	# a long run; with the front-end unbound, 20-peer-restarts wants 0.
	[ $((p - P0)) -le 512 ] ||
		bad="$bad; the peer's DMA pool holds $((p - P0)) slots more than at the start ($P0 -> $p, limit 512)"
	[ -z "$bad" ] || fail "${bad#; }"
}

# traffic_start <round>: a vsock stream, a console flood and a TCP stream
# over the net device, each Linux -> peer and all still running when the
# caller restarts a side; some of each must have crossed first.
# (Not the peer's console towards Linux: the stock hvc busy-waits with
# interrupts off while our tty is full, see testing.rst.)  9P cannot
# cross a restart: the stock client's p9_virtio_remove() waits for the
# mount to go away, so 9P traffic runs between restarts (traffic_check).
traffic_start() {
	tick prev
	# The TCP stream first: its connection and first frames take the
	# longest to come (0.8 s a round behind the others, when it was
	# socat's, dynamically linked; hvl-rr is static).  Offloads on the
	# way (checksum, TSO), unlike pings.  It survives the restart (its
	# socket and the peer's outlive both interfaces): traffic_stop
	# kills it.
	read -r F0 <$NSTAT
	hvl-rr stream tcp:$PA:$NPORT -b 1024G -m 64K >/tmp/soak.nstream 2>&1 &
	NSND=$!
	tick start_net
	hvl-rr stream vsock:$PEER_CID:$PORT -b 1G -m 64K >/tmp/soak.stream 2>&1 &
	SND=$!
	# Raw and without echo, set while open_ttys holds both ends (an
	# echoing hvc would send the flood back into a tty nobody reads);
	# the reader and the writer keep the settings once those close.
	# traffic_check left them open, so set.
	tick start_vsock
	[ -n "$TTYS" ] || open_ttys
	tick start_open_ttys
	# What the peer reads, in a file emptied here: that it is not empty
	# says the flood crossed (and no lock of the backend's is taken to
	# know it, as a debugfs read would).
	: >/tmp/soak.con
	$P cat $HVC >>/tmp/soak.con 2>/dev/null &
	CREAD=$!
	# A subshell of this one: a fork, no exec.
	# Its open's error, if any, goes to /tmp/soak.cw for the failure
	# below.  (Nothing waited for the flood at 5e73b59: a writer that
	# opened the tty only after the restart had begun failed with
	# ENODEV, and that round had no console traffic.)
	(
		exec 2>/tmp/soak.cw >/dev/ttyHVL0
		exec 2>/dev/null
		while :; do echo soak-console-line-0123456789abcdef; done
	) &
	CWRITE=$!
	close_ttys
	TTYS=
	tick start_console
	# Some of each must have crossed before the restart.
	val "$VDBG" to_peer_bytes
	B0=$V
	retry -s 20 100 vsock_moved ||
		fail "round $1: no vsock traffic before the restart: $(cat /tmp/soak.stream)"
	tick start_wait_vsock
	retry -s 20 100 net_moved ||
		fail "round $1: no TCP stream over the net device before the restart: $(cat /tmp/soak.nstream)"
	kill -0 $NSND 2>/dev/null || fail "round $1: the TCP sender ended: $(cat /tmp/soak.nstream)"
	tick start_wait_net
	retry -s 20 100 [ -s /tmp/soak.con ] ||
		fail "round $1: nothing of the console flood reached the peer before the restart:" \
			"$(cat /tmp/soak.cw; ls -l /dev/ttyHVL*; grep HVL /proc/tty/drivers)"
	tick start_wait
	p9_done
	tick p9_wait
}

vsock_moved() { val "$VDBG" to_peer_bytes && [ "$V" != "$B0" ]; }
# The new stream's socket is established, its own data acknowledged, and
# frames went out.  The last round's socket, killed, is established no
# more, but may still be sending what it had queued, to a peer whose end
# lives until keepalive ends it: hvlnet0's frames alone would count
# those, and the new connection's handshake.  (hvlnet0's own count, not
# the device's debugfs file: that is read under the device's lock, which
# its work item holds most of the time under a stream, and a round
# waited a second for it.)
NSTAT=/sys/class/net/hvlnet0/statistics/tx_packets
net_moved() {
	local p
	read -r p <$NSTAT && [ "$p" -ge $((F0 + 16)) ] && tcp_est_to /proc/net
}
# tcp_est_to <proc net dir>: an established socket to port NPORT whose
# congestion window (the 16th field) grew past the initial 10 segments,
# which it does only as its own data is acknowledged
tcp_est_to() {
	local x r st cw
	while read -r x x r st x x x x x x x x x x x cw x; do
		[ "$st" = 01 ] && [ "${r#*:}" = "$NPORT_HEX" ] && [ "$cw" -gt 10 ] &&
			return 0
	done <"$1/tcp"
	return 1
}

fids_clunked() { val "$P9DBG" fids && [ "$V" = 0 ]; }

traffic_stop() {
	[ -n "$TTYS" ] && close_ttys
	TTYS=
	reap $SND $CREAD $CWRITE $SYNC $NSND
	SND= CREAD= CWRITE= SYNC= NSND=
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
	retry -s 20 300 all_driven || fail "round $r: not every device came back (bound and DRIVER_OK)"
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
	net_check $r
	tick check_net
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
	# side reads and answers, while ours waits for the answer.  The
	# reader first, and our line written by a child with a bound: a
	# write to a tty without room sleeps until it has some, and the
	# builtin write by this shell, before the reader, was unbounded.
	$P sh -c 'grep -q -m1 -x "sync $1" <&3 &&
		printf "\nsync back %s\n" "$1" >&3' sh "$r" &
	SYNC=$!
	( printf '\nsync %s\n' "$r" >&4 ) &
	retry -s 20 300 gone $! ||
		fail "round $r: our console took no line for 30 s: $(console_state $!)"
	wait $!
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


# peer_if <name>: the peer's namespace has that interface (builtins only)
peer_if() {
	local l
	while read -r l; do
		case $l in "$1:"*) return 0 ;; esac
	done </proc/$NS/net/dev
	return 1
}

# net_check <round>: a restart or a reload gives the peer a new virtio_net
# interface (its device goes with ours, and the old one with it), and a
# reload gives Linux a new hvlnet0 (a new ifindex: they are not reused
# at once): set them up as 70-net does.  Whether they carry traffic is
# the next round's TCP stream's to show (it must be established and
# move frames before the restart); the last round's, check_baseline's
# pings.  (Two pings here cost a round 0.3 s, some ten processes.)
net_check() {
	local i
	peer_if hvlpeer || adopt_peer
	tick check_net_peer
	wait_for /sys/class/net/hvlnet0 || fail "round $1: no hvlnet0"
	read -r i </sys/class/net/hvlnet0/ifindex
	if [ "$i" != "$NETIF" ]; then
		# Not linux_up: its carrier waits cost a process a try, and
		# the next round's stream shows whether the link works.
		linux_addr
		NETIF=$i
	fi
	tick check_net_linux
	retry -s 20 250 carrier 1 || fail "round $1: hvlnet0 has no carrier"
}

# pings <when>: one each way over the net device.  The peer's side may
# come up a moment after hvlnet0's carrier: 10 s for a first answer.
pings() {
	retry 100 ping -c 1 -W 1 $PA >/dev/null ||
		fail "$1: Linux cannot ping the peer"
	peer_ns ping -c 1 -W 5 $LA >/dev/null || fail "$1: the peer cannot ping Linux"
}

# warm_up: the traffic of a round once without a restart, and the checks
# after it, so that the baseline is taken with the caches the rounds use
# grown (a TCP stream's first grew slab by 4 MiB over 20 rounds).
warm_up() {
	traffic_start warm-up
	traffic_stop
	traffic_check warm-up
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

# soak_start: every device up, a round's traffic once (warm_up), the
# counters read (baseline).  Then restart_rounds, reload_rounds or both,
# each followed by check_baseline: 41-restart-traffic runs both on one
# start, which costs some 15 s here.
soak_start() {
	all_up
	traffic_check 0
	warm_up
	baseline
}

# stream_reset: the Linux sender of the last round saw the peer go.
stream_reset() {
	local l
	while IFS= read -r l; do
		case $l in
		*"Connection reset by peer"* | *"No such device"*) return 0 ;;
		esac
	done </tmp/soak.stream
	return 1
}

# phase_start: a run of rounds has its own middle for check_baseline
# (41 runs a run of each) and its own clock for the timing lines.
phase_start() {
	U_MID=
	rm -f /tmp/slab.mid
	T0=$(now) LAST_T= LAST_I=
}

# restart_rounds <n>: <n> peer restarts under traffic (the front-end
# unbound and bound again); DONE=what was done, for the caller's line.
restart_rounds() {
	local r=$1 i=0 n g0 g1
	phase_start
	g0=$(dbg doorbell peer_gen)
	while [ $i -lt "$r" ]; do
		i=$((i + 1))
		traffic_start $i
		echo soc:hvl-frontend-0 >$FRONT/unbind || fail "round $i: unbind front-end"
		tick unbind
		retry -s 20 100 sender_gone || fail "round $i: Linux sender still running 10 s after the peer left"
		# ECONNRESET from the peer's reset, or ENODEV for a write that
		# came after the device stopped and before the reset reached
		# the socket.
		stream_reset ||
			fail "round $i: Linux sender did not get ECONNRESET or ENODEV: $(cat /tmp/soak.stream)"
		tick sender_gone
		# With the peer's drivers gone, so are their DMA mappings: one
		# left each restart filled the pool (hvl_front_vq_destroy()).
		read -r n <"$POOL"
		[ "$n" = 0 ] ||
			fail "round $i: $n slots of the peer's DMA pool still mapped with the front-end unbound"
		traffic_stop
		tick stop
		hold_console
		echo soc:hvl-frontend-0 >$FRONT/bind || fail "round $i: bind front-end"
		tick bind
		traffic_check $i
		progress $i "$r"
		tick_round $i
	done
	g1=$(dbg doorbell peer_gen)
	# Each restart announces a new peer_gen at least once.
	[ $((g1 - g0)) -ge "$r" ] || fail "peer_gen moved $((g1 - g0)) times in $r restarts ($g0 -> $g1)"
	DONE="$r peer restarts under traffic, peer_gen $g0 -> $g1"
}

# reload_rounds <n>: <n> backend restarts (every backend device unbound)
# and module reloads under traffic; DONE as above.
reload_rounds() {
	local r=$1 i=0 n d dev
	phase_start
	while [ $i -lt "$r" ]; do
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
		# One process for the four, each costing 50 to 80 ms here; one
		# by one again if a closed tty still holds its module (unload).
		rmmod hvl_console hvl_vsock hvl_9p hvl_net 2>/dev/null ||
			unload hvl_console hvl_vsock hvl_9p hvl_net
		tick unload
		modprobe -a hvl_console hvl_vsock hvl_9p hvl_net ||
			fail "round $i: modprobe -a hvl_console hvl_vsock hvl_9p hvl_net"
		tick load
		retry -s 20 100 any /dev/ttyHVL0 || fail "round $i: no /dev/ttyHVL0"
		tick tty_wait
		traffic_check $i
		progress $i "$r"
		tick_round $i
	done
	DONE="$r reloads of every backend module under traffic"
}

# progress <round> <of>: one line every 50 rounds, with the time per round
# (and the slab at half-way, for check_baseline)
progress() {
	if [ "$1" = $(($2 / 2)) ]; then
		p9_done
		retry 300 settled || fail "counters did not return at round $1: $(counts), start: $C0"
		if [ "$2" -ge 100 ]; then
			slab_snap /tmp/slab.mid
			slab_at /tmp/slab.mid
			U_MID=$UNRECL
		fi
	fi
	[ $(($1 % 50)) = 0 ] || [ "$1" = "$2" ] || return 0
	local t=$(now)
	health
	echo "$1/$2 rounds, $(( (t - T0) / $1 ))0 ms a round" \
	     "($(( (t - ${LAST_T:-$T0}) / ($1 - ${LAST_I:-0}) ))0 since the last line)," \
	     "$(counts) skbs=$(skbs) $H"
	LAST_T=$t LAST_I=$1
}

# health: H=what else a long run may pile up, for the progress lines: the
# guest's tasks, slab and free memory, lockdep's dependency chains (a
# lock class registered and dropped each round, as each new netdev's
# qdisc is, makes lockdep's work grow with its graph until that stops
# growing) and the TCP line of sockstat (TIME_WAIT among it).
health() {
	local a k v t=? ch=? tcp=?
	read -r a a a t a </proc/loadavg
	while IFS=: read -r k v; do
		case $k in *"dependency chains") set -- $v; ch=$1 ;; esac
	done 2>/dev/null </proc/lockdep_stats
	while read -r k v; do
		[ "$k" = TCP: ] && tcp=$v
	done </proc/net/sockstat
	H="tasks=$t slab=$(meminfo_kb Slab)kB free=$(meminfo_kb MemFree)kB chains=$ch tcp:[$tcp]"
}
