# SPDX-License-Identifier: GPL-2.0
# fio through the 9P backend with verification: sequential and random
# read/write (cache=none), every file checksummed on both sides
# afterwards.
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
run_fio --name=seq --rw=write --bs=1m --size=4m
run_fio --name=rand --rw=randwrite --bs=4k --size=512k
run_fio --name=randrw --rw=randrw --bs=16k --size=1m
for f in $(ls $EXPORT); do
	same_file $MNT/$f $EXPORT/$f
done
echo "$(ls $EXPORT | wc -l) fio files checksummed on both sides: ok"
rm -f $MNT/*
p9_umount

p9_down
