# SPDX-License-Identifier: GPL-2.0
# fio through the 9P backend with verification: sequential and random
# read/write (cache=none), then sequential again in cache=loose, every
# file checksummed on both sides afterwards.  In cache=loose the client's
# write-back and read-ahead must fill large messages: a qid version of 0
# once made it bypass its page cache and send one page per message.
# Which reads and writes the ring's work item serves itself (tmpfs), and
# which it leaves to the workers (ramfs).
# Sized for the test guest (TCG, KASAN: 2 to 8 ms per 9P round trip):
# small files; make bench-9p moves real amounts.
. /tests/lib.sh
. /tests/lib-9p.sh

p9_up
run_fio() {
	fio --directory=$MNT --output-format=terse --randrepeat=1 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 "$@" \
		>/tmp/fio.out 2>&1 || { cat /tmp/fio.out; fail "fio $*"; }
	echo "fio $*: ok"
}
run_fio --name=seq --rw=write --bs=1m --size=2m
run_fio --name=rand --rw=randwrite --bs=4k --size=256k
run_fio --name=randrw --rw=randrw --bs=16k --size=512k
for f in $(ls $EXPORT); do
	same_file $MNT/$f $EXPORT/$f
done
echo "$(ls $EXPORT | wc -l) fio files checksummed on both sides: ok"
rm -f $MNT/*

# Reads and writes that the page cache takes at once are served in the
# ring's work item (io_inline), on tmpfs; on a file system that is not
# tmpfs and cannot take IOCB_NOWAIT (ramfs), by a worker (io_handed).
# The same bytes either way.
dd if=/dev/urandom of=/tmp/io bs=4k count=64 2>/dev/null
io_through() { # io_through <dir> <its export>: 64 writes of 4 KiB, read back
	dd if=/tmp/io of=$1/io bs=4k 2>/dev/null || fail "dd to $1"
	same_file $1/io /tmp/io
	same_file $2/io /tmp/io
	rm $1/io
}
i0=$(p9_stat io_inline) h0=$(p9_stat io_handed)
io_through $MNT $EXPORT
i1=$(p9_stat io_inline) h1=$(p9_stat io_handed)
[ $((i1 - i0)) -ge 64 ] && [ $h1 = $h0 ] ||
	fail "tmpfs: $((i1 - i0)) served inline, $((h1 - h0)) handed to a worker"
mkdir $EXPORT/ram
mount -t ramfs -o mode=0777 ram $EXPORT/ram || fail "mount ramfs"
io_through $MNT/ram $EXPORT/ram
i2=$(p9_stat io_inline) h2=$(p9_stat io_handed)
umount $EXPORT/ram
rmdir $EXPORT/ram
[ $((h2 - h1)) -ge 64 ] && [ $i2 = $i1 ] ||
	fail "ramfs: $((i2 - i1)) served inline, $((h2 - h1)) handed to a worker"
echo "tmpfs: $((i1 - i0)) reads and writes in the work item; ramfs: $((h2 - h1)) by workers: ok"
p9_umount

# op_calls <op>: how many messages of that type the server has served
op_calls() { p9_stat op.$1 | cut -d" " -f1; }
OPTS=cache=loose
p9_mount
w0=$(op_calls write)
r0=$(op_calls read)
dd if=/dev/urandom of=$MNT/loose bs=1M count=2 2>/dev/null || fail "dd to $MNT"
sync
echo 3 >/proc/sys/vm/drop_caches
same_file $MNT/loose $EXPORT/loose
w=$(($(op_calls write) - w0))
r=$(($(op_calls read) - r0))
# 2 MiB in 512 KiB messages is 4 of each; one page per message is 512.
[ $w -le 32 ] && [ $r -le 32 ] ||
	fail "cache=loose: 2 MiB took $w Twrite and $r Tread messages"
echo "cache=loose: 2 MiB written in $w messages, read in $r: ok"
rm -f $MNT/loose
p9_umount_clean

p9_down
