# SPDX-License-Identifier: GPL-2.0
# POSIX semantics through the 9P backend, as the stock v9fs client sees
# them, each checked on the Linux side too: permissions, ownership, hard
# links, symlinks, rename over an existing file, O_APPEND, truncate,
# unlink of an open file, FIFOs, locks, xattrs, statfs, and mmap
# write-back in cache=mmap.
. /tests/lib.sh
. /tests/lib-9p.sh

p9_up
cd $MNT || fail "cd $MNT"

# Ownership and permissions: files are nobody's, and the server enforces
# the mode bits even though the client is root.
echo data >f
[ "$(stat -c %u:%g f)" = 65534:65534 ] || fail "owner on the client: $(stat -c %u:%g f)"
[ "$(stat -c %u:%g $EXPORT/f)" = 65534:65534 ] || fail "owner in the export"
chmod 640 f && [ "$(stat -c %a $EXPORT/f)" = 640 ] || fail "chmod 640"
umask 0
echo x >m777 && chmod 777 m777 && [ "$(stat -c %a $EXPORT/m777)" = 777 ] || fail "mode 777"
mkdir -m 0777 d777 && [ "$(stat -c %a $EXPORT/d777)" = 777 ] || fail "mkdir mode 777 (umask applied twice?)"
umask 022
chmod 000 f
expect_err "Permission denied" cat f
chmod 600 f && [ "$(cat f)" = data ] || fail "read after chmod 600"
echo "permissions and ownership: ok"

# chown of a set-uid file, chgrp of a set-gid, group-executable one: the
# client sends the owner with the mode (its notify_change() has dropped
# the set-id bit); the server must not ask notify_change() to drop it
# again, which is a BUG().  The bits are gone on the Linux side.
echo x >su && chmod 4755 su && [ "$(stat -c %a $EXPORT/su)" = 4755 ] || fail "chmod 4755"
chown 65534 su || fail "chown of a setuid file"
[ "$(stat -c %a $EXPORT/su)" = 755 ] || fail "setuid kept by chown: $(stat -c %a $EXPORT/su)"
echo x >sg && chmod 2755 sg && [ "$(stat -c %a $EXPORT/sg)" = 2755 ] || fail "chmod 2755"
chgrp 65534 sg || fail "chgrp of a setgid file"
[ "$(stat -c %a $EXPORT/sg)" = 755 ] || fail "setgid kept by chgrp: $(stat -c %a $EXPORT/sg)"
echo "chown of a setuid file, chgrp of a setgid one: set-id bits dropped: ok"

# A file created with a mode that forbids the access it is opened with:
# open(2) does not check the permission of a file it has just created,
# so "tar x" and "cp" of read-only files work.  Opening it again for
# writing is refused as ever.
(umask 222; echo x >ro1) || fail "create a 0444 file for writing"
(umask 222; exec 6<>ro2) || fail "create a 0444 file O_RDWR"
echo ro >/tmp/ro-src && chmod 444 /tmp/ro-src
cp /tmp/ro-src ro3 || fail "cp of a read-only file"
[ "$(cat $EXPORT/ro1)" = x ] && [ -e $EXPORT/ro2 ] && [ "$(cat $EXPORT/ro3)" = ro ] ||
	fail "created read-only files: content"
for f in ro1 ro2 ro3; do
	[ "$(stat -c %a $EXPORT/$f)" = 444 ] || fail "$f: mode $(stat -c %a $EXPORT/$f)"
done
expect_err "Permission denied" sh -c 'echo y >ro1'
rm -f /tmp/ro-src
echo "files created read-only: written by their creator, refused afterwards: ok"

# Hard links: one inode, two names, on both sides.
ln f hl || fail "link"
[ "$(stat -c %h f)" = 2 ] || fail "nlink on the client: $(stat -c %h f)"
[ "$(stat -c %i $EXPORT/f)" = "$(stat -c %i $EXPORT/hl)" ] || fail "not the same inode"
echo more >>hl
[ "$(cat $EXPORT/f)" = "$(printf 'data\nmore')" ] || fail "write through the second link"
rm hl && [ "$(stat -c %h $EXPORT/f)" = 1 ] || fail "unlink of a link"
echo "hard links: ok"

# Symlinks, relative and absolute: stored as text, followed by the client.
ln -s f sl && [ "$(readlink sl)" = f ] && [ "$(readlink $EXPORT/sl)" = f ] || fail "symlink"
[ "$(cat sl)" = "$(cat f)" ] || fail "read through a symlink"
ln -s /nonexistent/abs as && [ "$(readlink $EXPORT/as)" = /nonexistent/abs ] || fail "absolute symlink text"
echo "symlinks: ok"

# Rename over an existing file and directory.
echo one >a && echo two >b && mv a b || fail "rename over existing"
[ "$(cat $EXPORT/b)" = one ] && [ ! -e $EXPORT/a ] || fail "rename over existing: content"
mkdir d1 d2 && touch d1/x && mv -T d1 d2 2>/dev/null || mv d1 d2/ || fail "rename dir"
mkdir e1 e2 && touch e2/y
expect_err "Directory not empty" mv -T e1 e2 2>/dev/null || true
mkdir -p r/s && echo deep >r/s/t && mv r/s/t r/t2 && [ "$(cat $EXPORT/r/t2)" = deep ] || fail "rename across dirs"
echo "rename: ok"

# O_APPEND from two writers, and truncate both ways.
: >ap
for i in 1 2 3; do echo "line $i" >>ap; done
[ "$(wc -l <$EXPORT/ap)" = 3 ] || fail "O_APPEND"
dd if=/dev/zero of=tr bs=1k count=10 2>/dev/null
truncate -s 3000 tr && [ "$(stat -c %s $EXPORT/tr)" = 3000 ] || fail "truncate down"
truncate -s 100000 tr && [ "$(stat -c %s $EXPORT/tr)" = 100000 ] || fail "truncate up"
echo "O_APPEND and truncate: ok"

# An unlinked file stays readable through an open fid.
echo still-here >ul
exec 5<ul
rm ul
[ ! -e $EXPORT/ul ] || fail "unlink"
read -r l <&5 && [ "$l" = still-here ] || fail "read after unlink"
exec 5<&-
echo "unlink of an open file: ok"

# FIFOs (created by the client, served locally by it), statfs, fsync.
mkfifo ff && [ -p $EXPORT/ff ] || fail "mkfifo"
df $MNT | grep -q $MNT || fail "statfs"
dd if=/dev/zero of=fs bs=4k count=4 conv=fsync 2>/dev/null || fail "fsync"

# POSIX locks.  Two processes of the peer settle their conflicts in the
# client's own lock table (util-linux flock, added to the initramfs);
# conflicts with a lock a Linux process holds on the export are the
# server's (tools/hvl-lock.c on both sides): refused with -n, and a
# blocking request waits in the server (lock_wait_ms) and is granted on
# release, long before the client's locktimeout (30 s) would retry it.
command -v flock >/dev/null || fail "no flock in the guest"
touch lk
flock lk sh -c ': >held; sleep 3' &
retry 100 [ -e held ] || fail "lock holder did not start"
flock -n lk true && fail "lock granted twice"
wait
flock -n lk true || fail "lock not released"
echo "locks between the peer's processes: a held lock refused, granted once released: ok"
echo 10001 >/sys/module/hvl_9p/parameters/lock_wait_ms 2>/dev/null &&
	fail "lock_wait_ms=10001 accepted"
echo 5000 >/sys/module/hvl_9p/parameters/lock_wait_ms
w0=$(p9_stat lock_waits)
hvl-lock $EXPORT/lk 1500 /tmp/held &
retry 100 [ -e /tmp/held ] || fail "Linux-side lock holder did not start"
hvl-lock -n lk 0 2>/dev/null
[ $? = 2 ] || fail "a lock held on the Linux side was granted to the peer"
t0=$(now)
hvl-lock lk 0 || fail "blocking lock"
dt=$((($(now) - t0) * 10))	# now() counts hundredths
wait
rm -f /tmp/held
echo 1000 >/sys/module/hvl_9p/parameters/lock_wait_ms
w=$(($(p9_stat lock_waits) - w0))
[ $w -gt 0 ] || fail "blocking lock: the server never waited ($dt ms)"
[ $dt -lt 10000 ] || fail "blocking lock took $dt ms: the client's locktimeout"
echo "locks against a Linux process: refused with -n; a blocking request waited in the server, granted after $dt ms: ok"

# xattrs (user.* on tmpfs), if busybox has setfattr.
if command -v setfattr >/dev/null && command -v getfattr >/dev/null; then
	setfattr -n user.k -v v1 f || fail "setfattr"
	getfattr -n user.k f | grep -q v1 || fail "getfattr"
	setfattr -x user.k f || fail "removexattr"
	echo "xattrs: ok"
fi
cd /
p9_umount

# mmap write-back in cache=mmap, verified on the Linux side.
OPTS=cache=mmap
p9_mount
fio --name=mmap --directory=$MNT --ioengine=mmap --rw=randwrite --bs=4k \
	--size=1m --verify=crc32c --do_verify=1 --randrepeat=1 \
	--output-format=terse >/tmp/fio.mmap || fail "fio mmap: $(cat /tmp/fio.mmap)"
f=$(ls $MNT | grep mmap | head -1)
sync
same_file $MNT/$f $EXPORT/$f
echo "mmap write-back (cache=mmap): 1 MiB verified: ok"
p9_down
