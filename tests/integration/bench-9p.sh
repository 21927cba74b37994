# SPDX-License-Identifier: GPL-2.0
# The 9P benchmark, guest side (booted by tools/9p-bench, hvl.mode=bench-9p):
# the same v9fs client, msize and cache=none against three servers:
#   hvl    our in-kernel server, over hvl_front + the loopback mailbox
#   diod   diod in this guest, over trans=tcp on 127.0.0.1
#   qemu   QEMU's virtio-9p (-virtfs local) on the host, over virtio-pci
# hvl and diod export a tmpfs of this guest; QEMU's runs natively on the
# host while this guest is emulated, which flatters it.
# Prints "BENCH <server> <metric> <value>" lines.
. /tests/lib.sh
. /tests/lib-9p.sh

SIZE=${BENCH_SIZE:-32m}
RT=${BENCH_RUNTIME:-15}
META=${BENCH_META:-100}

fio_bw() { # fio_bw <dir> <rw> <bs> <field>: KiB/s or IOPS from terse output
	local dir=$1 rw=$2 bs=$3 field=$4
	shift 4
	fio --name=b --directory="$dir" --rw="$rw" --bs="$bs" --size=$SIZE \
		--minimal "$@" 2>/dev/null | cut -d';' -f"$field"
}

run() { # run <server> <dir>
	local s=$1 d=$2 v t0 t1 i
	v=$(fio_bw "$d" write 1m 48 --end_fsync=1)
	echo "BENCH $s seq-write-KiBps $v"
	v=$(fio_bw "$d" read 1m 7)
	echo "BENCH $s seq-read-KiBps $v"
	v=$(fio_bw "$d" randread 4k 8 --runtime=$RT --time_based)
	echo "BENCH $s rand-read-4k-IOPS $v"
	v=$(fio_bw "$d" randwrite 4k 49 --runtime=$RT --time_based)
	echo "BENCH $s rand-write-4k-IOPS $v"
	rm -f "$d"/b.*
	mkdir "$d/m"
	t0=$(now)
	i=0
	while [ $i -lt $META ]; do : >"$d/m/f$i"; i=$((i + 1)); done
	i=0
	while [ $i -lt $META ]; do [ -f "$d/m/f$i" ]; i=$((i + 1)); done
	rm -r "$d/m"
	t1=$(now)
	echo "BENCH $s meta-ops-per-s $((3 * META * 100 / (t1 - t0 + 1)))"
}

ip link set lo up
# diod resolves its clients' addresses and refuses them if it cannot;
# without nsswitch.conf glibc asks DNS first, which fails here.
echo "127.0.0.1 localhost" >/etc/hosts
echo "hosts: files" >/etc/nsswitch.conf
MOPTS=version=9p2000.L,msize=524288,cache=none

p9_up
run hvl $MNT
p9_down

mkdir -p /srv/diod /mnt/diod
mount -t tmpfs -o size=256m diod /srv/diod
chmod 777 /srv/diod
diod -f -n -S -U nobody -e /srv/diod -l 127.0.0.1:5640 -L stderr 2>/tmp/diod.log &
dpid=$!
retry 100 mount -t 9p -o trans=tcp,port=5640,aname=/srv/diod,$MOPTS 127.0.0.1 /mnt/diod ||
	{ cat /tmp/diod.log; echo "BENCH diod error mount"; }
grep -q /mnt/diod /proc/mounts && run diod /mnt/diod
umount /mnt/diod
kill $dpid

mkdir -p /mnt/q
if mount -t 9p -o trans=virtio,$MOPTS host9p /mnt/q; then
	run qemu /mnt/q
	umount /mnt/q
else
	echo "BENCH qemu error mount"
fi
echo "=== bench done"
