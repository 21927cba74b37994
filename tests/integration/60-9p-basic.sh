# SPDX-License-Identifier: GPL-2.0
# The 9P backend end to end: the stock v9fs client (over hvl_front)
# mounts our export in each cache mode, lists, reads and writes, and what
# it writes is checksummed on the Linux side.  Also: unload with the
# export busy is refused by umount first, and every fid is freed.
. /tests/lib.sh
. /tests/lib-9p.sh

# Module parameters are checked, not ignored.  A negative uid other than
# -1 fails the load; workers= out of range is clamped, and said so.
load hvl_mbox_loopback hvl_core
insmod $M/hvl_9p.ko uid=-2 2>/dev/null && fail "insmod uid=-2 succeeded"
dmesg | grep -qF 'hvl_9p: uid=-2 gid=-1: each must be -1' ||
	fail "uid=-2: no message"
insmod $M/hvl_9p.ko workers=1000 || fail "insmod workers=1000"
dmesg | grep -qF 'hvl_9p: workers=1000 is out of 1 to 64, using 64' ||
	fail "workers=1000: no warning"
unload hvl_9p
# A bad tag= or export= is named as the parameter, not as the property
# it overrides.
insmod $M/hvl_9p.ko tag=0123456789abcdef0123456789abcdefX export=rel ||
	fail "insmod with a long tag="
dmesg | grep -qF 'module parameter tag=: must be 1 to' ||
	fail "tag= too long: not named as the parameter"
unload hvl_9p
insmod $M/hvl_9p.ko export=rel || fail "insmod with a relative export="
dmesg | grep -qF 'module parameter export=: not an absolute path' ||
	fail "export=rel: not named as the parameter"
unload hvl_9p
# tag= with two 9P devices (the loopback window's and, bound for this,
# 25-wc's): one takes it, the other is refused, as two devices with one
# tag would be mounted alike.
WC=/sys/bus/platform/devices/soc:hvl-wc
echo hvl-backend >$WC/driver_override || fail "driver_override soc:hvl-wc"
echo soc:hvl-wc >/sys/bus/platform/drivers/hvl-backend/bind || fail "bind soc:hvl-wc"
insmod $M/hvl_9p.ko tag=hvl-dup export=/ || fail "insmod tag=hvl-dup"
dmesg | grep -qF 'tag=/export= are soc:' || fail "tag=: second 9P device not refused"
unload hvl_9p
echo soc:hvl-wc >/sys/bus/platform/drivers/hvl-backend/unbind
echo >$WC/driver_override
echo "ok: bad module parameters refused or warned"

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
