# SPDX-License-Identifier: GPL-2.0
# The 9P backend end to end: the stock v9fs client (over hvl_front)
# mounts our export in each cache mode, lists, reads and writes, and what
# it writes is checksummed on the Linux side.  Also: unload with the
# export busy is refused by umount first, and every fid is freed.
. /tests/lib.sh
. /tests/lib-9p.sh

p9_up
grep -q "status: 0xf" "$P9DBG" || fail "driver side not at DRIVER_OK"
grep -q "^tag: $TAG" "$P9DBG" || fail "tag not in debugfs"

echo hello >$EXPORT/hello
mkdir $EXPORT/d && chown -R 65534:65534 $EXPORT
[ "$(cat $MNT/hello)" = hello ] || fail "cat through 9p"
ls -la $MNT
ls $MNT | grep -q '^d$' || fail "ls through 9p"

for mode in cache=none cache=loose cache=mmap; do
	[ $mode = cache=none ] || { p9_umount; OPTS=$mode; p9_mount; }
	dd if=/dev/urandom of=/tmp/r bs=64k count=4 2>/dev/null
	cp /tmp/r $MNT/d/r || fail "$mode: write"
	sync
	same_file /tmp/r $EXPORT/d/r
	same_file $EXPORT/d/r $MNT/d/r
	rm $MNT/d/r || fail "$mode: rm"
	[ -e $EXPORT/d/r ] && fail "$mode: rm did not reach the export"
	echo "$mode: 256 KiB written and read back: ok"
done

cat "$P9DBG"
p9_umount_clean
p9_down
