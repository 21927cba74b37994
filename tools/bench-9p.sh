# SPDX-License-Identifier: GPL-2.0
# The 9P benchmark, run in the test guest by "make bench-9p": the same
# v9fs client and msize against three servers, in one boot (cache=none,
# and the sequential figures again in cache=loose):
#   hvl    our in-kernel server, over hvl_front + the loopback mailbox
#   diod   diod in this guest, over trans=tcp on 127.0.0.1
#   qemu   QEMU's virtio-9p (-virtfs local, added by tests/qemu/bench.sh)
#          on the host, over virtio-pci
# hvl and diod export a tmpfs of this guest; QEMU's runs natively on the
# host while this guest is emulated, which flatters it.
# Sizes: BENCH_SIZE (fio file, 16m), BENCH_RUNTIME (random I/O, s, 10),
# BENCH_META (files for the metadata storm, 200), BENCH_PERF_SIZE (the
# cache=loose profiles' file, 64m) and BENCH_SERVERS ("hvl diod qemu";
# give several as "hvl,diod": the kernel's command line carries it to
# the guest, where a space would end it), from the environment of
# "make bench-9p".
# Scaling: 4 KiB random-read IOPS (fio jobs on one file) and
# create+stat+unlink ops/s (hvl-fsstorm processes, the BENCH_META files
# shared out) with BENCH_SCALE clients each ("1 4 16"; "" for none), and
# the context switches (all CPUs, and by task) per random read and
# write.  BENCH_PERF=1 profiles each server's random reads (one client
# and four), random writes, metadata run and cache=loose sequential runs
# (tools/lib-bench.sh).
. /tests/lib.sh
. /tests/lib-9p.sh
. /tools/lib-bench.sh

SIZE=${BENCH_SIZE:-16m}
RT=${BENCH_RUNTIME:-10}
META=${BENCH_META:-200}

fio_bw() { # fio_bw <dir> <rw> <bs> <field>: KiB/s or IOPS from terse output
	local dir=$1 rw=$2 bs=$3 field=$4
	shift 4
	fio --name=b --directory="$dir" --rw="$rw" --bs="$bs" --size=$SIZE \
		--minimal "$@" 2>/dev/null | cut -d';' -f"$field"
}

# seq_figs <server> <dir> [metric suffix]: the sequential figures; fio drops
# the file's cached pages before reading it back.
seq_figs() {
	echo "$1 seq-write$3-KiB/s $(fio_bw "$2" write 1m 48 --end_fsync=1)" | tee -a /tmp/bench
	echo "$1 seq-read$3-KiB/s $(fio_bw "$2" read 1m 7)" | tee -a /tmp/bench
}

# uptime in centiseconds, from shell builtins
cs_now() {
	local up
	read -r up _ </proc/uptime
	echo ${up%.*}${up#*.}
}

# meta_ops <dir> <processes>: create, stat and unlink BENCH_META files
# shared out among <processes> hvl-fsstorm processes, a directory each;
# prints the operations per second of the three phases' wall time.
meta_ops() {
	local d=$1 n=$2 per=$((META / $2)) t0 i phase pids
	[ $per -ge 1 ] || per=1
	i=0
	while [ $i -lt $n ]; do
		mkdir "$d/m$i"
		i=$((i + 1))
	done
	t0=$(cs_now)
	for phase in create stat unlink; do
		i=0
		pids=
		while [ $i -lt $n ]; do
			hvl-fsstorm $phase "$d/m$i" $per >/dev/null || echo "$phase failed in $d/m$i" >&2 &
			pids="$pids $!"
			i=$((i + 1))
		done
		# Not a bare wait: diod and perf run in the background too.
		wait $pids
	done
	echo $((3 * per * n * 100 / ($(cs_now) - t0 + 1)))
	i=0
	while [ $i -lt $n ]; do
		rmdir "$d/m$i"
		i=$((i + 1))
	done
}

# scale <server> <dir>: random reads and metadata with 1, 4, 16 clients,
# and the reads' cross-CPU wake-ups (rescheduling and function-call IPIs,
# all CPUs) per read: fio's own are among them, so compare the servers'
# figures, not a figure with zero.
scale() {
	local n w0 w1 iops
	for n in ${BENCH_SCALE-1 4 16}; do
		w0=$(irqs_of RES CAL)
		iops=$(fio_bw "$2" randread 4k 8 --runtime=$RT \
			--time_based --filename=scale.dat --numjobs=$n --group_reporting)
		w1=$(irqs_of RES CAL)
		echo "$1 rand-read-4k-IOPS-x$n $iops" | tee -a /tmp/bench
		echo "$1 rand-read-IPIs/io-x$n $(awk "BEGIN { printf \"%.1f\", ($w1 - $w0) / ($iops * $RT + 1) }")" | tee -a /tmp/bench
		echo "$1 meta-ops/s-x$n $(meta_ops "$2" $n)" | tee -a /tmp/bench
	done
	rm -f "$2/scale.dat"
}

# profiles <server> <dir>: BENCH_PERF's profiles, outside the figures
profiles() {
	local iops
	[ -n "${BENCH_PERF:-}" ] || return 0
	profile_start
	fio_bw "$2" randread 4k 8 --runtime=$RT --time_based >/dev/null
	profile_stop "$1, 4 KiB random reads, one client"
	profile_start
	fio_bw "$2" randwrite 4k 49 --runtime=$RT --time_based >/dev/null
	profile_stop "$1, 4 KiB random writes, one client"
	rm -f "$2"/b.*
	profile_start
	meta_ops "$2" 1 >/dev/null
	profile_stop "$1, create+stat+unlink, one client"
	# The four clients of "scale", whose reads lose where one's win:
	# where the guest's time goes (fio's own threads are gone before
	# the second snapshot; the kernel's workers are not).
	tasks_snap /tmp/tasks0
	profile_start
	iops=$(fio_bw "$2" randread 4k 8 --runtime=$RT --time_based \
		--filename=scale.dat --numjobs=4 --group_reporting)
	profile_stop "$1, 4 KiB random reads, four clients ($iops IOPS)"
	tasks_snap /tmp/tasks1
	tasks_report /tmp/tasks0 /tmp/tasks1 $((iops * RT)) "$1, 4 KiB random reads, four clients"
	rm -f "$2/scale.dat"
}

# loose_profiles <server> <dir>: BENCH_PERF's profiles of the sequential
# runs in cache=loose, outside the figures, on a file of
# BENCH_PERF_SIZE (64m): at the 8m of the published runs the transfer
# takes some 80 ms and fio's own start-up (it loads its Ceph engines)
# is most of the samples.
loose_profiles() {
	local size=${BENCH_PERF_SIZE:-64m}
	[ -n "${BENCH_PERF:-}" ] || return 0
	profile_start
	fio_bw "$2" write 1m 48 --end_fsync=1 --size=$size >/dev/null
	profile_stop "$1, cache=loose sequential write of $size"
	profile_start
	fio_bw "$2" read 1m 7 --size=$size >/dev/null
	profile_stop "$1, cache=loose sequential read of $size"
}

# rand_figs <server> <dir> <read|write> <fio terse field>: 4 KiB random
# I/O for BENCH_RUNTIME seconds: IOPS, the guest's context switches per
# operation, and the tasks that switched most
rand_figs() {
	local c0 c1 iops
	tasks_snap /tmp/tasks0
	c0=$(ctxt)
	iops=$(fio_bw "$2" rand$3 4k $4 --runtime=$RT --time_based --thread)
	c1=$(ctxt)
	tasks_snap /tmp/tasks1
	echo "$1 rand-$3-4k-IOPS $iops" | tee -a /tmp/bench
	echo "$1 rand-$3-ctxsw/io $(awk "BEGIN { printf \"%.1f\", ($c1 - $c0) / ($iops * $RT + 1) }")" | tee -a /tmp/bench
	tasks_report /tmp/tasks0 /tmp/tasks1 $((iops * RT)) "$1, 4 KiB random ${3}s"
}

# run <server> <dir>: one "<server> <metric> <value>" line per figure
run() {
	local s=$1 d=$2 ms
	seq_figs "$s" "$d"
	rand_figs "$s" "$d" read 8
	rand_figs "$s" "$d" write 49
	rm -f "$d"/b.*
	# create+stat+unlink, in one process: hvl-fsstorm, as in 63-9p-storm
	mkdir "$d/m"
	ms=0
	for phase in create stat unlink; do
		r=$(hvl-fsstorm $phase "$d/m" $META) || echo "$s: $phase failed"
		r=$(echo "$r" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')
		ms=$((ms + ${r:-0}))
	done
	rmdir "$d/m"
	echo "$s meta-ops/s $((3 * META * 1000 / (ms + 1)))" | tee -a /tmp/bench
	scale "$s" "$d"
	profiles "$s" "$d"
}

# seq_loose <server> <dir>: sequential figures again, mounted cache=loose:
# page-cache write-back and read-ahead fill each message (see 9p.rst).
seq_loose() {
	seq_figs "$1" "$2" -loose
	loose_profiles "$1" "$2"
	rm -f "$2"/b.*
}

: >/tmp/bench
ip link set lo up
# diod resolves its clients' addresses and refuses them if it cannot;
# without nsswitch.conf glibc asks DNS first, which fails here.
echo "127.0.0.1 localhost" >/etc/hosts
echo "hosts: files" >/etc/nsswitch.conf
MOPTS=version=9p2000.L,msize=524288

bench_hvl() {
	OPTS=cache=none
	p9_up
	# Where the work item runs: "default (cache)" unless the command
	# line says workqueue.default_affinity_scope=cpu (the queuing CPU).
	for f in /sys/devices/virtual/workqueue/hvl-*/affinity_scope; do
		echo "workqueue $(basename "${f%/*}"): affinity scope $(cat "$f")"
	done
	run hvl $MNT
	p9_umount
	OPTS=cache=loose
	p9_mount
	seq_loose hvl $MNT
	p9_down
}

bench_diod() {
	mkdir -p /srv/diod /mnt/diod
	mount -t tmpfs -o size=256m diod /srv/diod
	chmod 777 /srv/diod
	diod -f -n -S -U nobody -e /srv/diod -l 127.0.0.1:5640 -L stderr 2>/tmp/diod.log &
	dpid=$!
	dmount() { # dmount <cache mode>
		retry 100 mount -t 9p -o trans=tcp,port=5640,aname=/srv/diod,$MOPTS,cache=$1 127.0.0.1 /mnt/diod
	}
	if dmount none; then
		run diod /mnt/diod
		umount /mnt/diod
		dmount loose && seq_loose diod /mnt/diod
		umount /mnt/diod
	else
		tail -3 /tmp/diod.log
		echo "diod: cannot mount"
	fi
	kill $dpid
}

bench_qemu() {
	mkdir -p /mnt/q
	if mount -t 9p -o trans=virtio,$MOPTS,cache=none host9p /mnt/q; then
		run qemu /mnt/q
		umount /mnt/q
		mount -t 9p -o trans=virtio,$MOPTS,cache=loose host9p /mnt/q &&
			seq_loose qemu /mnt/q
		umount /mnt/q
	else
		echo "qemu: cannot mount host9p (not booted by make bench-9p?)"
	fi
}

for server in $(echo "${BENCH_SERVERS:-hvl diod qemu}" | tr , ' '); do
	echo "== $server"
	bench_$server
done

echo
awk '
{ v[$1 " " $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
END {
	printf "%-20s %9s %9s %9s %9s %9s\n", "metric", "hvl", "diod", "qemu", "hvl/diod", "hvl/qemu"
	for (i = 1; i <= n; i++) {
		k = order[i]; h = v["hvl " k]; d = v["diod " k]; q = v["qemu " k]
		printf "%-20s %9s %9s %9s %9s %9s\n", k, h, d, q,
			(h > 0 && d > 0 ? sprintf("%.2fx", h / d) : "-"),
			(h > 0 && q > 0 ? sprintf("%.2fx", h / q) : "-")
	}
	print "(ratios above 1 favour hvl)"
}' /tmp/bench
