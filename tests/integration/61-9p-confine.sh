# SPDX-License-Identifier: GPL-2.0
# Confinement and credentials of the 9P backend, against an untrusted
# peer.  Raw messages (through the inject test hook) try every way out of
# the export and every malformed field; the stock client then checks
# that the server's credentials (nobody, no capabilities) and a
# read-only export are enforced.  Each attempt must fail with its errno.
. /tests/lib.sh
. /tests/lib-9p.sh

EINVAL=22 EBADF=9 ENAMETOOLONG=36 EMSGSIZE=90 EOPNOTSUPP=95 ELOOP=40
EPERM=1 ENOTDIR=20 EBUSY=16 EXDEV=18 ENOENT=2 EMFILE=24

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"

# The Linux side puts traps in the export (as root).
echo outside >/outside-secret
ln -s / $EXPORT/abs
ln -s ../../../.. $EXPORT/rel
mkdir $EXPORT/sub
echo data >$EXPORT/sub/f
mknod $EXPORT/mem c 1 1
chmod 666 $EXPORT/mem
mkfifo $EXPORT/fifo
chmod 666 $EXPORT/fifo
chown -h 65534:65534 $EXPORT/sub $EXPORT/sub/f

A=7000			# fids of ours; the client's are small numbers
t_attach $A; expect_type 105 "attach"
root_qid=$(echo $R | cut -d' ' -f13-20)	# qid.path

# ".." at the root stays at the root (9P semantics); so do many of them.
t_walk $A 7001 .. .. ..; expect_type 111 "walk ../../.."
[ "$(echo $R | cut -d' ' -f41-48)" = "$root_qid" ] ||
	fail "walk .. left the root: $R"
echo "walk ../../.. from the root: clamped at the root: ok"
t_walk 7001 7002 sub ..; expect_type 111 "walk sub/.."
t_clunk 7001; t_clunk 7002

# Names that are paths, empty, or too long.
t_walk $A 7003 sub/f; expect_lerror $EINVAL "walk 'sub/f'"
t_walk $A 7003 ../outside-secret; expect_lerror $EINVAL "walk '../outside-secret'"
t_walk $A 7003 /outside-secret; expect_lerror $EINVAL "walk '/outside-secret'"
t_walk $A 7003 ""; expect_lerror $EINVAL "walk ''"
long=$(printf '%0300d' 0)
t_walk $A 7003 "$long"; expect_lerror $ENAMETOOLONG "walk 300-byte name"
t_walk $A 7003 a b c d e f g h i j k l m n o p q; expect_lerror $EINVAL "walk 17 names"

# Symlinks are never followed by the server: walks stop on them.
t_walk $A 7004 abs etc; expect_type 111 "walk abs/etc"
[ "$(r_byte 7)" = 1 ] || fail "walk abs/etc went through the symlink: $R"
echo "walk abs/etc: stops at the symlink (1 of 2 qids): ok"
t_walk $A 7004 rel sub; [ "$(r_byte 7)" = 1 ] || fail "walk rel/..: $R"
t_walk $A 7004 abs; expect_type 111 "walk abs"
t_begin; t_u32 7004; t_u32 0; t_send 12; expect_lerror $ELOOP "lopen of an absolute symlink"
t_clunk 7004

# Special files: a device node or FIFO in the export is not opened.
t_walk $A 7005 mem; t_begin; t_u32 7005; t_u32 2; t_send 12
expect_lerror $EPERM "lopen of a char device"
t_walk $A 7006 fifo; t_begin; t_u32 7006; t_u32 0; t_send 12
expect_lerror $EPERM "lopen of a FIFO"
t_clunk 7005; t_clunk 7006

# Creating, linking and renaming with names that would climb out.
t_begin; t_u32 $A; t_str ..; t_u32 493; t_u32 0; t_send 72
expect_lerror $EINVAL "mkdir '..'"
t_begin; t_u32 $A; t_str ../x; t_u32 493; t_u32 0; t_send 72
expect_lerror $EINVAL "mkdir '../x'"
t_walk $A 7007 sub f
t_begin; t_u32 $A; t_u32 7007; t_str ../hard; t_send 70
expect_lerror $EINVAL "link to '../hard'"
t_begin; t_u32 $A; t_str sub; t_u32 $A; t_str ../sub; t_send 74
expect_lerror $EINVAL "renameat to '../sub'"
t_begin; t_u32 $A; t_str ..; t_u32 $A; t_str x; t_send 74
expect_lerror $EBUSY "renameat of '..'"
t_begin; t_u32 $A; t_u32 $A; t_str x; t_send 20
expect_lerror $EBUSY "rename of the export root"
t_begin; t_u32 $A; t_str ..; t_u32 0; t_send 76
expect_lerror $EINVAL "unlinkat '..'"
t_clunk 7007
[ -e /x ] || [ -e /hard ] || [ -e /srv/x ] && fail "something was created outside"

# Malformed messages.
t_begin; t_u32 $A; t_send 120 4000; expect_lerror $EINVAL "size field beyond the message"
t_begin; t_u32 $A; t_send 120 2000000; expect_lerror $EMSGSIZE "size field beyond msize"
t_begin; t_u32 $A; t_send 120 5; expect_lerror $EINVAL "size field below the header"
t_begin; t_u32 $A; t_u32 7008; t_u16 1; t_u16 200; printf abc >>$BODY; t_send 110
expect_lerror $EINVAL "string longer than the message"
t_begin; t_u32 $A; t_u32 7008; t_u16 2; t_str sub; t_send 110
expect_lerror $EINVAL "walk with a missing name"
t_begin; t_u16 1; t_send 120; expect_lerror $EINVAL "truncated fid"
t_begin; t_u32 7777; t_send 120; expect_lerror $EBADF "clunk of an unknown fid"
t_attach $A; expect_lerror $EINVAL "attach with a fid in use"
t_walk $A $A; expect_type 111 "walk onto itself"
t_begin; t_u32 $A; t_u8 0; t_u64 0; t_u64 0; t_u32 1; t_str c; t_send 54
expect_lerror $EBADF "getlock on an unopened fid"
t_begin; t_u32 $A; t_u32 0; t_send 112; expect_lerror $EOPNOTSUPP "legacy Topen"
t_begin; t_send 101; expect_lerror $EOPNOTSUPP "an R-message sent as a request"
t_begin; t_u32 $A; t_u32 4294967295; t_str x; t_str ""; t_u32 0; t_send 102
expect_lerror $EOPNOTSUPP "Tauth (no authentication needed)"
t_begin; t_u32 $A; t_str x; t_u64 1000000; t_u32 0; t_send 32
expect_lerror 7 "xattrcreate of 1 MB"	# E2BIG
printf '\001\002\003' >/tmp/3; dd if=/tmp/3 of=$INJ 2>/dev/null
R=$(echo $(od -An -tu1 -v "$INJ"))
expect_lerror $EINVAL "3-byte message"
echo "malformed: $(p9_stat malformed) refused before dispatch"

# Credentials, through the stock client: the server is nobody.
echo secret >$EXPORT/secret
chmod 600 $EXPORT/secret
expect_err "Permission denied" cat $MNT/secret
expect_err "Operation not permitted" chmod 666 $MNT/secret
expect_err "Operation not permitted" chown 0:0 $MNT/sub/f
expect_err "Operation not permitted" mknod $MNT/null c 1 3
echo new >$MNT/new || fail "create as nobody"
[ "$(stat -c %u:%g $EXPORT/new)" = 65534:65534 ] || fail "owner: $(stat -c %u:%g $EXPORT/new)"
echo "credentials: root-owned 0600 unreadable, chmod/chown/mknod refused, files owned by nobody: ok"
expect_err "Invalid cross-device link" ln /outside-secret $MNT/hard

# A peer reset frees every fid, ours included.
[ "$(p9_stat fids)" -gt 0 ] || fail "no fids before reset"
p9_umount
unload hvl_front
retry 50 no_fids || fail "fids left after the peer went: $(p9_stat fids)"
echo "peer reset: all fids freed: ok"

# A read-only export.
unload hvl_9p
p9_up ro=1
expect_err "Read-only file system" touch $MNT/ro
expect_err "Read-only file system" rm $MNT/new
[ "$(cat $MNT/new)" = new ] || fail "read on a read-only export"
echo "read-only export: ok"

# A peer that walks and never clunks runs out of fids, not Linux of
# memory: the table holds max_fids, refuses the next with EMFILE (and
# counts and logs it), and takes new ones again once one is clunked.
p9_umount
unload hvl_9p
insmod "$M/hvl_9p.ko" max_fids=3 || fail "insmod max_fids=3"
dmesg | grep -q "max_fids=3: must be 16 to 16777216" ||
	fail "max_fids=3: no error logged"
rmmod hvl_9p
p9_up inject=1 max_fids=16
t_attach $A; expect_type 105 "attach (max_fids=16)"
held=$(p9_stat fids)
n=0
while [ $n -lt 20 ]; do
	t_walk $A $((7100 + n))
	[ "$(r_type)" = 111 ] || break
	n=$((n + 1))
done
expect_lerror $EMFILE "walk beyond max_fids"
[ $((held + n)) = 16 ] || fail "max_fids=16: $held fids held, then $n more walks"
[ "$(p9_stat fids)" = 16 ] || fail "fids: $(p9_stat fids), want 16"
[ "$(p9_stat fids_refused)" = 1 ] || fail "fids_refused: $(p9_stat fids_refused)"
dmesg | grep -q "refusing more" || fail "fid limit: nothing logged"
t_clunk 7100; expect_type 121 "clunk"
t_walk $A 7199; expect_type 111 "walk after a clunk"
echo "max_fids=16: $held + $n fids, then EMFILE; after a clunk, walks again: ok"
rm -f /outside-secret
p9_down
