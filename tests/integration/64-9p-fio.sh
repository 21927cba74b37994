# SPDX-License-Identifier: GPL-2.0
# fio through the 9P backend with verification: sequential and random
# read/write (cache=none), then sequential again in cache=loose, every
# file checksummed on both sides afterwards.  In cache=loose the client's
# write-back and read-ahead must fill large messages: a qid version of 0
# once made it bypass its page cache and send one page per message.
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
