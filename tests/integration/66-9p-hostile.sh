# SPDX-License-Identifier: GPL-2.0
# Requests that are well formed but that a kernel helper does not expect
# from its caller: each one used to reach a BUG(), a WARN or an endless
# loop in the server.  Raw messages through the inject hook; each must be
# answered, with the errno the matching system call gives, and the
# kernel must not complain (make check fails on any report).
. /tests/lib.sh
. /tests/lib-9p.sh

EPERM=1 EBADF=9 EISDIR=21 E2BIG=7 EINVAL=22 ENOSPC=28 EOPNOTSUPP=95

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"

A=8000			# fids of ours; the client's are small numbers
t_attach $A; expect_type 105 "attach"

# t_setattr <fid> <valid> <mode> <uid> <gid>: no size, no times
t_setattr() {
	t_begin; t_u32 "$1"; t_u32 "$2"; t_u32 "$3"; t_u32 "$4"; t_u32 "$5"
	t_u64 0; t_u64 0; t_u64 0; t_u64 0; t_u64 0
	t_send 26
}
# t_lopen <fid> <flags>
t_lopen() { t_begin; t_u32 "$1"; t_u32 "$2"; t_send 12; }

# 1. A chown that also sets the mode.  The v9fs client sends MODE|UID (or
# MODE|GID) for a chown of a setuid (or setgid, group-executable) file:
# its own notify_change() has already turned the kill-suid request into
# a mode without the bit.  The server added ATTR_KILL_SUID/SGID to that,
# and notify_change() BUG()s on ATTR_MODE with either.  Now, as nfsd
# does, the set-id bits go from the mode and the call succeeds.
# Modes in decimal: 04755 = 2541, 02755 = 1517, 02745 = 1509, 0755 = 493.
MODE=1 UID=2 GID=4
for f in suid sgid sgid-noexec suid-only dir; do
	echo x >$EXPORT/$f
done
rm $EXPORT/dir && mkdir $EXPORT/dir
chown 65534:65534 $EXPORT/suid $EXPORT/sgid $EXPORT/sgid-noexec \
	$EXPORT/suid-only $EXPORT/dir
chmod 4755 $EXPORT/suid $EXPORT/suid-only
chmod 2755 $EXPORT/sgid $EXPORT/dir
chmod 2745 $EXPORT/sgid-noexec
t_walk $A 8001 suid; t_setattr 8001 $((MODE | UID)) 2541 65534 0
expect_type 27 "setattr MODE|UID of a setuid file"
[ "$(stat -c %a $EXPORT/suid)" = 755 ] || fail "setuid kept: $(stat -c %a $EXPORT/suid)"
t_walk $A 8002 sgid; t_setattr 8002 $((MODE | GID)) 1517 0 65534
expect_type 27 "setattr MODE|GID of a setgid file"
[ "$(stat -c %a $EXPORT/sgid)" = 755 ] || fail "setgid kept: $(stat -c %a $EXPORT/sgid)"
# Set-gid without group execute marks mandatory locking, not a set-id
# program: chown keeps it (as chown(2) and nfsd do).
t_walk $A 8003 sgid-noexec; t_setattr 8003 $((MODE | UID | GID)) 1509 65534 65534
expect_type 27 "setattr MODE|UID|GID of a g+s,g-x file"
[ "$(stat -c %a $EXPORT/sgid-noexec)" = 2745 ] || fail "g+s,g-x: $(stat -c %a $EXPORT/sgid-noexec)"
# A chown alone still drops the set-uid bit, in notify_change().
t_walk $A 8004 suid-only; t_setattr 8004 $UID 0 65534 0
expect_type 27 "setattr UID of a setuid file"
[ "$(stat -c %a $EXPORT/suid-only)" = 755 ] || fail "UID only: $(stat -c %a $EXPORT/suid-only)"
# Directories keep their set-gid bit across a chown.
t_walk $A 8005 dir; t_setattr 8005 $((MODE | GID)) 1517 0 65534
expect_type 27 "setattr MODE|GID of a setgid directory"
[ "$(stat -c %a $EXPORT/dir)" = 2755 ] || fail "directory: $(stat -c %a $EXPORT/dir)"
for n in 1 2 3 4 5; do t_clunk 800$n; done
echo "setattr with MODE and UID/GID: set-id bits dropped as by chown(2), no oops: ok"

# 2. Reads and writes on a fid opened the other way.  kernel_read() and
# kernel_write() WARN on a file not opened for the access (a kernel
# caller never does that); the peer may.  read(2) and write(2) say EBADF
# (a directory: EISDIR for a read, EBADF for a write, it is never open
# for writing).
rw_other_way() {
	echo data >$EXPORT/rw
	chown 65534:65534 $EXPORT/rw
	t_walk $A 8010 rw; t_lopen 8010 0	# O_RDONLY
	expect_type 13 "lopen O_RDONLY"
	t_begin; t_u32 8010; t_u64 0; t_u32 1; printf x >>$BODY; t_send 118
	expect_lerror $EBADF "write on an O_RDONLY fid${1:+ ($1)}"
	t_walk $A 8011; t_lopen 8011 0
	expect_type 13 "lopen of the root"
	t_begin; t_u32 8011; t_u64 0; t_u32 1; printf x >>$BODY; t_send 118
	expect_lerror $EBADF "write on a directory fid${1:+ ($1)}"
	t_begin; t_u32 8011; t_u64 0; t_u32 100; t_send 116
	expect_lerror $EISDIR "read on a directory fid${1:+ ($1)}"
	t_clunk 8010; t_clunk 8011
}
rw_other_way
t_walk $A 8012 rw; t_lopen 8012 1	# O_WRONLY
expect_type 13 "lopen O_WRONLY"
t_begin; t_u32 8012; t_u64 0; t_u32 100; t_send 116
expect_lerror $EBADF "read on an O_WRONLY fid"
t_clunk 8012
[ "$(cat $EXPORT/rw)" = data ] || fail "rw: content changed"
echo "read/write on fids opened the other way: answered as read(2)/write(2), no WARN: ok"

# 4. A list of xattr names longer than XATTR_LIST_MAX (64 KiB): the
# server asked for the size, allocated at most 64 KiB, got -ERANGE and
# asked again, for ever (a worker lost per request, and rmmod hung).
# listxattr(2) says E2BIG.  300 names of 5 + 240 + 1 bytes: 73 800 bytes.
touch $EXPORT/many
chown 65534:65534 $EXPORT/many
hvl-xattr $EXPORT/many 300 240 || fail "hvl-xattr"
t_walk $A 8020 many; expect_type 111 "walk many"
t_begin; t_u32 8020; t_u32 8021; t_str ""; t_send 30
expect_lerror $E2BIG "xattrwalk of a 72 KiB list of names"
t_begin; t_u32 8020; t_u32 8021; t_str user.$(printf '%0240d' 7); t_send 30
expect_type 31 "xattrwalk of one of its values"
t_clunk 8021

# 5. xattr buffers are bounded per device, not only per fid: each of
# max_fids fids could hold 64 KiB (4 GiB at the default 65536 fids).
# At the default budget, 1 MiB, sixteen 64 KiB values are held and the
# seventeenth is refused (ENOSPC, counted, logged), as is then a read
# fid's buffer; clunking one makes room again.
n=0
while [ $n -lt 17 ]; do
	t_walk $A $((8100 + n)) many
	t_begin; t_u32 $((8100 + n)); t_str user.big; t_u64 65536; t_u32 0
	t_send 32
	[ "$(r_type)" = 33 ] || break
	n=$((n + 1))
done
expect_lerror $ENOSPC "xattrcreate beyond 1 MiB of buffers"
[ $n = 16 ] || fail "$n xattrcreate of 64 KiB held before ENOSPC, want 16"
[ "$(p9_stat xattr_bytes)" = 1048576 ] || fail "xattr_bytes: $(p9_stat xattr_bytes)"
t_begin; t_u32 8020; t_u32 8021; t_str user.$(printf '%0240d' 7); t_send 30
expect_lerror $ENOSPC "xattrwalk with the budget spent"
[ "$(p9_stat xattr_refused)" = 2 ] || fail "xattr_refused: $(p9_stat xattr_refused)"
dmesg | grep -q "max_xattr_bytes): refusing" || fail "xattr budget: nothing logged"
t_clunk 8100		# EINVAL: nothing was written; the fid goes anyway
t_begin; t_u32 8020; t_u32 8021; t_str user.$(printf '%0240d' 7); t_send 30
expect_type 31 "xattrwalk after a clunk"
n=0
while [ $n -lt 17 ]; do t_clunk $((8100 + n)); n=$((n + 1)); done
t_clunk 8020; t_clunk 8021
[ "$(p9_stat xattr_bytes)" = 0 ] || fail "xattr_bytes after the clunks: $(p9_stat xattr_bytes)"
echo "xattr buffers: 16 x 64 KiB held, then ENOSPC (counted, logged); all returned on clunk: ok"

# 6. Times on append-only and immutable files.  Tsetattr said neither
# ATTR_TIMES_SET nor (for the owner) ATTR_TOUCH, so notify_change()'s
# may_setattr() let the owner set explicit times on an append-only file
# and touch an immutable one; utimensat(2) refuses both with EPERM.
# t_settimes <fid> <valid>: atime 1000000000, mtime 1000000000
t_settimes() {
	t_begin; t_u32 "$1"; t_u32 "$2"; t_u32 0; t_u32 0; t_u32 0; t_u64 0
	t_u64 1000000000; t_u64 0; t_u64 1000000000; t_u64 0
	t_send 26
}
ATIME=16 MTIME=32 ATIME_SET=128 MTIME_SET=256
for f in app imm; do echo x >$EXPORT/$f; done
chown 65534:65534 $EXPORT/app $EXPORT/imm
chattr +a $EXPORT/app || fail "chattr +a"
chattr +i $EXPORT/imm || fail "chattr +i"
m_app=$(stat -c %Y $EXPORT/app) m_imm=$(stat -c %Y $EXPORT/imm)
t_walk $A 8040 app; t_walk $A 8041 imm
t_settimes 8040 $((ATIME | MTIME | ATIME_SET | MTIME_SET))
expect_lerror $EPERM "explicit times on an append-only file"
t_settimes 8041 $((ATIME | MTIME | ATIME_SET | MTIME_SET))
expect_lerror $EPERM "explicit times on an immutable file"
t_settimes 8041 $((ATIME | MTIME))
expect_lerror $EPERM "times set to now on an immutable file"
t_settimes 8040 $((ATIME | MTIME))
expect_type 27 "times set to now on an append-only file (allowed, as by touch)"
# One time of two set to now is explicit to utimensat(2) (only both
# now is a touch): EPERM on an append-only file.
t_settimes 8040 $ATIME
expect_lerror $EPERM "atime alone set to now on an append-only file"
[ "$(stat -c %Y $EXPORT/imm)" = "$m_imm" ] || fail "immutable file's mtime changed"
[ "$(stat -c %Y $EXPORT/app)" != 1000000000 ] || fail "append-only file got explicit times"
chattr -a $EXPORT/app; chattr -i $EXPORT/imm
t_clunk 8040; t_clunk 8041

# 7. chmod of a symlink: fchmodat(2) says EOPNOTSUPP; the server ignored
# the mode and answered success.
ln -s target $EXPORT/sl
t_walk $A 8042 sl; expect_type 111 "walk to a symlink"
t_setattr 8042 $MODE 420 0 0
expect_lerror $EOPNOTSUPP "chmod of a symlink"
t_clunk 8042

# 8. Tlcreate with P9_DOTL_DIRECTORY: open(2) refuses O_CREAT|O_DIRECTORY
# with EINVAL before creating anything; the server created the file and
# then failed the open with ENOTDIR.
t_walk $A 8043
t_begin; t_u32 8043; t_str dirflag; t_u32 $((2 | 65536)); t_u32 420; t_u32 0; t_send 14
expect_lerror $EINVAL "lcreate with P9_DOTL_DIRECTORY"
[ -e $EXPORT/dirflag ] && fail "lcreate with P9_DOTL_DIRECTORY created the file"
t_clunk 8043

# 9. Tmknod of a character device 0:0 is a whiteout, which vfs_mknod()
# lets anyone make: refused EPERM as every device is.  A major of 4096
# wrapped to 0 in MKDEV(): EINVAL.  (S_IFCHR|0644 = 8612.)
t_mknod() { t_begin; t_u32 $A; t_str "$1"; t_u32 8612; t_u32 "$2"; t_u32 "$3"; t_u32 0; t_send 18; }
t_mknod wh 0 0; expect_lerror $EPERM "mknod of a whiteout (c 0:0)"
[ -e $EXPORT/wh ] && fail "a whiteout was created"
t_mknod wh2 4096 0; expect_lerror $EINVAL "mknod c 4096:0"
[ -e $EXPORT/wh2 ] && fail "mknod c 4096:0 created $(stat -c '%F %t:%T' $EXPORT/wh2)"
t_mknod dev 1 3; expect_lerror $EPERM "mknod c 1:3"

# 10. Hard links to files the export's user does not own follow
# fs.protected_hardlinks (may_linkat()), which vfs_link() leaves to its
# caller: a root file nobody may not write is EPERM, one nobody may read
# and write is fine.
echo r >$EXPORT/rootro; chmod 644 $EXPORT/rootro
echo r >$EXPORT/rootrw; chmod 666 $EXPORT/rootrw
t_walk $A 8044 rootro; t_walk $A 8045 rootrw
t_begin; t_u32 $A; t_u32 8044; t_str lnro; t_send 70
expect_lerror $EPERM "hard link to a root-owned 0644 file"
[ -e $EXPORT/lnro ] && fail "hard link to a root-owned 0644 file made"
t_begin; t_u32 $A; t_u32 8045; t_str lnrw; t_send 70
expect_type 71 "hard link to a root-owned 0666 file"
t_clunk 8044; t_clunk 8045

# 11. Lock records: one per disjoint range, and the peer chose how many.
# With max_locks=8 the ninth is refused (P9_LOCK_ERROR = 2), counted,
# an unlock of the whole file still works, and clunk gives them back.
echo 8 >/sys/module/hvl_9p/parameters/max_locks || fail "no max_locks"
echo data >$EXPORT/lk; chown 65534:65534 $EXPORT/lk
t_walk $A 8046 lk; t_lopen 8046 2; expect_type 13 "lopen lk"
# t_lock <type> <start> <len>: 0 read, 1 write, 2 unlock
t_lock() {
	t_begin; t_u32 8046; t_u8 "$1"; t_u32 0; t_u64 "$2"; t_u64 "$3"; t_u32 1
	t_str hvl; t_send 52
}
for i in 0 1 2 3 4 5 6 7; do
	t_lock 1 $((i * 2)) 1; expect_type 53 "lock $i"
	[ "$(r_byte 7)" = 0 ] || fail "lock $i: status $(r_byte 7)"
done
[ "$(p9_stat locks)" = 8 ] || fail "locks: $(p9_stat locks), want 8"
t_lock 1 100 1
[ "$(r_byte 7)" = 2 ] || fail "lock beyond max_locks: status $(r_byte 7), want 2 (error)"
[ "$(p9_stat locks_refused)" = 1 ] || fail "locks_refused: $(p9_stat locks_refused)"
t_lock 2 0 0; [ "$(r_byte 7)" = 0 ] || fail "unlock of the whole file: status $(r_byte 7)"
[ "$(p9_stat locks)" = 0 ] || fail "locks after unlocking: $(p9_stat locks)"
t_lock 1 0 1; t_lock 1 2 1
[ "$(p9_stat locks)" = 2 ] || fail "locks: $(p9_stat locks), want 2"
t_clunk 8046
[ "$(p9_stat locks)" = 0 ] || fail "locks after clunk: $(p9_stat locks)"
# As fcntl(2): a write lock needs a file open for writing, a read lock
# one open for reading (EBADF).
t_walk $A 8047 lk; t_lopen 8047 0; expect_type 13 "lopen lk O_RDONLY"
t_begin; t_u32 8047; t_u8 1; t_u32 0; t_u64 0; t_u64 1; t_u32 1; t_str hvl; t_send 52
expect_lerror $EBADF "write lock on a read-only fid"
t_walk $A 8048 lk; t_lopen 8048 1; expect_type 13 "lopen lk O_WRONLY"
t_begin; t_u32 8048; t_u8 0; t_u32 0; t_u64 0; t_u64 1; t_u32 1; t_str hvl; t_send 52
expect_lerror $EBADF "read lock on a write-only fid"
[ "$(p9_stat locks)" = 0 ] || fail "locks after refused locks: $(p9_stat locks)"
t_clunk 8047; t_clunk 8048
echo 4096 >/sys/module/hvl_9p/parameters/max_locks
echo "times, symlink chmod, lcreate O_DIRECTORY, whiteouts, hard links, lock budget: ok"

t_clunk $A
p9_down

# The same on a read-only export (where a write fid cannot exist at all).
p9_up inject=1 ro=1
t_attach $A; expect_type 105 "attach (ro)"
rw_other_way "read-only export"
t_clunk $A
p9_down

# max_xattr_bytes is range-checked at probe, as max_fids is.
load hvl_mbox_loopback hvl_core
insmod "$M/hvl_9p.ko" max_xattr_bytes=1000 || fail "insmod max_xattr_bytes=1000"
dmesg | grep -q "max_xattr_bytes=1000: must be 65536 to 1073741824" ||
	fail "max_xattr_bytes=1000: no error logged"
unload hvl_9p hvl_core hvl_mbox_loopback
echo "max_xattr_bytes=1000: refused at probe: ok"
