# SPDX-License-Identifier: GPL-2.0
# Tlopen and Tlcreate whose reply does not fit (inject_rsize): the peer
# is told EMSGSIZE, so nothing may change.  They used to swap the opened
# fid into the table first and write the 17-byte reply after: the fid
# was then open (a second Tlopen EINVAL, a walk from the directory fid
# EINVAL).  Raw messages through the inject hook, as in 66-9p-session.
. /tests/lib.sh
. /tests/lib-9p.sh

EMSGSIZE=90

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"
RSZ=${INJ}_rsize
[ -w "$RSZ" ] || fail "no inject_rsize"
mkdir -p $EXPORT/o/d
echo x >$EXPORT/o/f
chown -R 65534:65534 $EXPORT/o

A=7600
t_attach $A; expect_type 105 "attach"
bad=

# 1. Tlopen fid flags: Rlopen is a qid and an iounit, 17 bytes.
t_walk $A 7601 o f; expect_type 111 "walk o/f"
echo 20 >$RSZ			# 13 bytes of room
t_begin; t_u32 7601; t_u32 0; t_send 12
expect_lerror $EMSGSIZE "lopen with 13 bytes of room"
echo 65536 >$RSZ
t_begin; t_u32 7601; t_u32 0; t_send 12
[ "$(r_type)" = 13 ] ||
	bad="$bad; lopen refused with EMSGSIZE left fid 7601 open (a second lopen: type $(r_type) errno $(r_errno))"

# 2. Tlcreate fid name flags mode gid: refused before anything is made;
# the fid stays the directory, unopened: a walk from it works.
t_walk $A 7602 o; expect_type 111 "walk o"
echo 20 >$RSZ
t_begin; t_u32 7602; t_str new; t_u32 2; t_u32 420; t_u32 65534; t_send 14
expect_lerror $EMSGSIZE "lcreate with 13 bytes of room"
[ -e $EXPORT/o/new ] && bad="$bad; lcreate refused with EMSGSIZE created o/new"
echo 65536 >$RSZ
t_walk 7602 7603 d
[ "$(r_type)" = 111 ] ||
	bad="$bad; lcreate refused with EMSGSIZE turned directory fid 7602 into an open file (walk o/d from it: type $(r_type) errno $(r_errno))"

for f in 7601 7602 7603 $A; do t_clunk $f; done
[ -z "$bad" ] || fail "${bad#; }"
echo "lopen, lcreate whose reply does not fit: EMSGSIZE, fid left as it was: ok"
p9_down
