# SPDX-License-Identifier: GPL-2.0
# A published fid never changes under a request that uses it: Tlopen and
# Tlcreate build the opened fid afresh and swap it into the table, so
# a failed Tlcreate leaves the fid as it was, and a request racing with
# it sees either the directory or the new file, never half of each.
# Raw messages through the inject hook; the race runs several writers
# of the hook at once (tools/hvl-9prace.c).
. /tests/lib.sh
. /tests/lib-9p.sh

EISDIR=21 ENOTDIR=20 EACCES=13

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"

mkdir $EXPORT/c $EXPORT/c/sub $EXPORT/r
echo secret >$EXPORT/c/locked
chmod 600 $EXPORT/c/locked
chown 65534:65534 $EXPORT/c $EXPORT/c/sub $EXPORT/r

A=7300
t_attach $A; expect_type 105 "attach"
# t_lcreate <fid> <name> <flags> <mode>
t_lcreate() { t_begin; t_u32 "$1"; t_str "$2"; t_u32 "$3"; t_u32 "$4"; t_u32 0; t_send 14; }
t_mkdir() { t_begin; t_u32 "$1"; t_str "$2"; t_u32 493; t_u32 0; t_send 72; }
t_getattr() { t_begin; t_u32 "$1"; t_u64 2047; t_send 24; }

# After Tlcreate the fid is the new, open file: a regular file's qid,
# and what needs a directory is refused.
t_walk $A 7301 c; expect_type 111 "walk c"
t_lcreate 7301 new 2 420; expect_type 15 "lcreate c/new"
t_getattr 7301; expect_type 25 "getattr of the created fid"
[ "$(r_byte 15)" = 0 ] || fail "created fid: qid type $(r_byte 15), not a file"
t_mkdir 7301 x; expect_lerror $ENOTDIR "mkdir in an opened file's fid"
t_begin; t_u32 7301; t_str x; t_u32 0; t_send 76
expect_lerror $ENOTDIR "unlinkat in an opened file's fid"
[ -f $EXPORT/c/new ] || fail "c/new not created"

# Walking an open fid onto itself with no names keeps it open (it used
# to drop the open file: the next read was EBADF).
t_begin; t_u32 7301; t_u64 0; t_u32 5; printf hello >>$BODY; t_send 118
expect_type 119 "write c/new"
t_walk 7301 7301; expect_type 111 "walk an open fid onto itself"
t_begin; t_u32 7301; t_u64 0; t_u32 100; t_send 116
expect_type 117 "read after walking onto itself"
[ "$(r_byte 7)" = 5 ] || fail "read after walking onto itself: $R"
echo "walk of an open fid onto itself: still open: ok"
t_clunk 7301

# Tlcreate of an existing directory is EISDIR (as open(O_CREAT) is), and
# the fid still names the directory it was: a mkdir in it lands there.
t_walk $A 7302 c
t_lcreate 7302 sub 0 420; expect_lerror $EISDIR "lcreate of an existing directory"
t_mkdir 7302 y; expect_type 73 "mkdir after a failed lcreate"
[ -d $EXPORT/c/y ] || fail "failed lcreate moved the fid: y not in c ($(ls -R $EXPORT/c))"
# So does a Tlcreate whose open fails (an existing file we may not write).
t_lcreate 7302 locked 2 420; expect_lerror $EACCES "lcreate of an unwritable file"
t_mkdir 7302 z; expect_type 73 "mkdir after a failed open in lcreate"
[ -d $EXPORT/c/z ] || fail "failed lcreate moved the fid: z not in c"
echo "failed lcreate: the fid is unchanged: ok"
t_clunk 7302

# Tlopen too: the clone of an open fid is not open, the fid itself is.
t_walk $A 7303 c new; t_begin; t_u32 7303; t_u32 0; t_send 12
expect_type 13 "lopen c/new"
t_begin; t_u32 7303; t_u32 0; t_send 12; expect_lerror 22 "lopen twice"
t_clunk 7303

# The race: one writer turns fid 7400 into an open file over and over
# while three others use the same fid number as a directory.  It used
# to oops (lookup_one() on a regular file) or unbalance a rwsem.
fids0=$(p9_stat fids)
log0=$(dmesg | wc -l)
hvl-9prace "$INJ" $A 7400 r 15000 || fail "hvl-9prace"
t_clunk 7400; t_clunk 7401
[ "$(p9_stat fids)" = "$fids0" ] || fail "fids after the race: $(p9_stat fids), want $fids0"
dmesg | tail -n +$((log0 + 1)) | grep -E "BUG|WARNING|Oops|bad unlock" &&
	fail "kernel report during the race"
[ -f $EXPORT/r/f ] || fail "the race created no r/f"
echo "15 s of Tlcreate against Tmkdir/Tunlinkat/Tgetattr/Twalk/Tlink on one fid: ok"

# Txattrcreate makes a fid an xattr fid as Tlopen makes it an open file,
# and used to do it in place: raced with a Tlopen of the same fid, both
# could succeed, the lopen having swapped in an open file the xattr
# state never reached (or the xattrcreate having changed a fid the lopen
# then replaced).  Now it swaps a new fid in too: one of them fails.
echo x >$EXPORT/s; chown 65534:65534 $EXPORT/s
hvl-9pswap "$INJ" $A 7500 s $EXPORT/s xattr 400 || fail "Tlopen against Txattrcreate"
# O_TRUNC came before the swap: a Tclunk landing in between made the
# lopen fail after it had emptied the file.  Now it truncates last.
hvl-9pswap "$INJ" $A 7500 s $EXPORT/s trunc 400 || fail "Tlopen O_TRUNC against Tclunk"
# And a truncation that fails (ETXTBSY: a running program, opened
# read-only so that the open itself succeeds) puts the unopened fid
# back: it can be opened again.
mkdir $EXPORT/bin; cp /bin/busybox $EXPORT/bin/busybox
chown 65534:65534 $EXPORT/bin/busybox
$EXPORT/bin/busybox sleep 60 &
busy=$!
t_walk $A 7501 bin busybox; expect_type 111 "walk bin/busybox"
t_begin; t_u32 7501; t_u32 $((0 | 01000)); t_send 12
expect_lerror 26 "lopen O_RDONLY|O_TRUNC of a running program"
t_begin; t_u32 7501; t_u32 0; t_send 12
expect_type 13 "lopen after a failed truncation"
t_clunk 7501
kill $busy; wait $busy 2>/dev/null
echo "Txattrcreate and O_TRUNC against racing requests on one fid: ok"

t_clunk $A
p9_umount_clean
p9_down
