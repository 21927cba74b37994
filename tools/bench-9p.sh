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
# BENCH_META (files for the metadata storm, 200) and BENCH_SERVERS
# ("hvl diod qemu"), from the environment of "make bench-9p".
. /tests/lib.sh
. /tests/lib-9p.sh

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

# run <server> <dir>: one "<server> <metric> <value>" line per figure
run() {
	local s=$1 d=$2 ms
	seq_figs "$s" "$d"
	echo "$s rand-read-4k-IOPS $(fio_bw "$d" randread 4k 8 --runtime=$RT --time_based)" | tee -a /tmp/bench
	echo "$s rand-write-4k-IOPS $(fio_bw "$d" randwrite 4k 49 --runtime=$RT --time_based)" | tee -a /tmp/bench
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
}

# seq_loose <server> <dir>: sequential figures again, mounted cache=loose:
# page-cache write-back and read-ahead fill each message (see 9p.rst).
seq_loose() {
	seq_figs "$1" "$2" -loose
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

for server in ${BENCH_SERVERS:-hvl diod qemu}; do
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
