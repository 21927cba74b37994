# SPDX-License-Identifier: GPL-2.0
# A fid does not follow its directory out of the export.  The peer holds
# fids on export/d and below; a Linux process moves d out of the export
# (a rename within one file system, so the fids' dentries go along).
# Everything that resolves or changes a name through those fids must then
# fail with ENOENT, as in a removed directory, and nothing may be
# created, removed or linked outside; moved back, d works again.
. /tests/lib.sh
. /tests/lib-9p.sh

ENOENT=2

# The export is a bind mount of a directory of a bigger tmpfs, so that
# Linux can rename out of the export (a rename across mounts would copy).
BIG=/srv/p9big
mkdir -p $BIG /srv/hvl9p
mount -t tmpfs -o size=64m,mode=0755 big $BIG || fail "mount $BIG"
mkdir $BIG/export $BIG/outside
mount -o bind $BIG/export /srv/hvl9p || fail "bind mount the export"
cleanup_big() { p9_cleanup; umount $BIG 2>/dev/null; }
p9_up inject=1
trap cleanup_big EXIT
[ -n "$INJ" ] || fail "no inject hook"

mkdir -p $EXPORT/d/sub $EXPORT/d/e
echo g >$EXPORT/d/g
chown -R 65534:65534 $EXPORT/d

A=7500
t_attach $A; expect_type 105 "attach"
t_walk $A 7501 d; expect_type 111 "walk d"
t_walk $A 7503 d g; expect_type 111 "walk d/g"
t_walk $A 7504 d; expect_type 111 "walk d (for lcreate)"
t_walk $A 7505 d sub; expect_type 111 "walk d/sub"

mv $BIG/export/d $BIG/outside/d || fail "mv d out of the export"
O=$BIG/outside/d

t_walk 7501 7510 sub; expect_lerror $ENOENT "walk from a moved-out fid"
t_walk 7501 7510 ..; expect_lerror $ENOENT "walk .. from a moved-out fid"
t_walk 7505 7510 ..; expect_lerror $ENOENT "walk .. from below a moved-out fid"
t_begin; t_u32 7501; t_u32 0; t_send 12; expect_lerror $ENOENT "lopen of a moved-out dir"
t_begin; t_u32 7503; t_u32 2; t_send 12; expect_lerror $ENOENT "lopen of a moved-out file"
t_begin; t_u32 7504; t_str new; t_u32 2; t_u32 420; t_u32 0; t_send 14
expect_lerror $ENOENT "lcreate in a moved-out dir"
t_begin; t_u32 7501; t_str m; t_u32 493; t_u32 0; t_send 72
expect_lerror $ENOENT "mkdir in a moved-out dir"
t_begin; t_u32 7501; t_str sl; t_str target; t_u32 0; t_send 16
expect_lerror $ENOENT "symlink in a moved-out dir"
t_begin; t_u32 7505; t_str n; t_u32 $((0x1000 | 420)); t_u32 0; t_u32 0; t_u32 0; t_send 18
expect_lerror $ENOENT "mknod (FIFO) below a moved-out dir"
t_begin; t_u32 7501; t_str e; t_u32 512; t_send 76
expect_lerror $ENOENT "unlinkat in a moved-out dir"
t_begin; t_u32 7501; t_str g; t_u32 $A; t_str stolen; t_send 74
expect_lerror $ENOENT "renameat from a moved-out dir into the export"
t_begin; t_u32 $A; t_u32 7503; t_str hard; t_send 70
expect_lerror $ENOENT "link of a moved-out file into the export"
t_begin; t_u32 7503; t_u32 $A; t_str stolen2; t_send 20
expect_lerror $ENOENT "rename of a moved-out file into the export"
t_begin; t_u32 7505; t_send 122; expect_lerror $ENOENT "remove of a moved-out dir"

for f in new m sl sub/n; do
	[ -e $O/$f ] || [ -L $O/$f ] && fail "$f was created outside the export"
done
[ -d $O/e ] && [ -f $O/g ] && [ -d $O/sub ] || fail "something was removed outside: $(ls $O)"
[ -e $EXPORT/stolen ] || [ -e $EXPORT/stolen2 ] || [ -e $EXPORT/hard ] &&
	fail "an outside file was brought into the export"
echo "moved out: nothing created, removed or linked outside: ok"

# Back in the export, the same fids work again.
mv $O $BIG/export/d || fail "mv d back"
t_begin; t_u32 7501; t_str m; t_u32 493; t_u32 0; t_send 72
expect_type 73 "mkdir after d came back"
[ -d $EXPORT/d/m ] || fail "d/m not created"
t_walk 7501 7510 sub; expect_type 111 "walk after d came back"
echo "moved back: the fids work again: ok"

for f in 7501 7503 7504 7510 $A; do t_clunk $f; done
p9_umount_clean
p9_down
umount $BIG || fail "umount $BIG"
