# SPDX-License-Identifier: GPL-2.0
# Fids and sessions under messages no stock client sends.  A reply that
# does not fit in the peer's buffer is an error, and the fid the request
# would create must not be left behind (walk, attach and xattrwalk used
# to publish it first); ".." from a file is ENOTDIR, as lookup in a file
# is; a readdir count too small for one entry is EINVAL, not the empty
# reply that means the end; a Tversion starts a new fid generation, as a peer reset does, so a
# request of the old session still in flight cannot add a fid to the new.
# Raw messages through the inject hook; inject_rsize sets the room of
# their replies, as the writable part of a chain does.
. /tests/lib.sh
. /tests/lib-9p.sh

EBADF=9 ENOTDIR=20 EINVAL=22 EMSGSIZE=90

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"
RSZ=${INJ}_rsize
[ -w "$RSZ" ] || fail "no inject_rsize"
mkdir -p $EXPORT/s/t
echo x >$EXPORT/s/f
chown -R 65534:65534 $EXPORT/s

A=7400
t_attach $A; expect_type 105 "attach"
n0=$(p9_stat fids)

# no_fid <fid> <what>: the fid must not exist (clunk is EBADF)
no_fid() {
	echo 65536 >$RSZ
	t_clunk "$1"
	expect_lerror $EBADF "$2: no fid left"
}
# Room for the 7-byte header and an Rlerror, not for the reply.
echo 20 >$RSZ			# Rwalk of 2 names: 2 + 2 * 13 bytes
t_walk $A 7401 s t
expect_lerror $EMSGSIZE "walk s/t with 13 bytes of room"
no_fid 7401 "walk without room"
echo 19 >$RSZ			# Rattach: a 13-byte qid
t_attach 7402
expect_lerror $EMSGSIZE "attach with 12 bytes of room"
no_fid 7402 "attach without room"
echo 14 >$RSZ			# Rxattrwalk: an 8-byte size
t_begin; t_u32 $A; t_u32 7403; t_str ""; t_send 30
expect_lerror $EMSGSIZE "xattrwalk with 7 bytes of room"
no_fid 7403 "xattrwalk without room"
[ "$(p9_stat fids)" = "$n0" ] || fail "fids: $(p9_stat fids), want $n0"
# With room, the same messages make their fids.
t_walk $A 7401 s t; expect_type 111 "walk s/t"
t_attach 7402; expect_type 105 "attach 7402"
t_begin; t_u32 $A; t_u32 7403; t_str ""; t_send 30
expect_type 31 "xattrwalk"
for f in 7401 7402 7403; do t_clunk $f; expect_type 121 "clunk $f"; done
echo "walk, attach, xattrwalk whose reply does not fit: EMSGSIZE, no fid left: ok"

# ".." from a file: there is no directory to go up through.
t_walk $A 7404 s f; expect_type 111 "walk s/f"
t_walk 7404 7405 ..
expect_lerror $ENOTDIR "walk .. from a file"
no_fid 7405 "walk .. from a file"
t_walk $A 7406 s t ..; expect_type 111 "walk s/t/.."
t_clunk 7404; t_clunk 7406
echo "walk .. from a file: ENOTDIR: ok"

# Treaddir with a count too small for the first entry (24 bytes and the
# name): an empty reply would tell the client the directory is empty.
t_walk $A 7407 s; expect_type 111 "walk s"
t_begin; t_u32 7407; t_u32 0; t_send 12; expect_type 13 "lopen s"
t_begin; t_u32 7407; t_u64 0; t_u32 20; t_send 40
expect_lerror $EINVAL "readdir with a count of 20"
t_begin; t_u32 7407; t_u64 0; t_u32 100; t_send 40
expect_type 41 "readdir with a count of 100"
[ "$(r_byte 7)" != 0 ] || fail "readdir with a count of 100: empty"
t_clunk 7407
echo "readdir with a count below one entry: EINVAL, not an empty reply: ok"

# Tversion: every fid goes (ours and the client's), and the generation
# moves on, as a peer reset moves it.  The client negotiated 512000.
s0=$(p9_stat session)
[ -n "$s0" ] || fail "no session line in $P9DBG"
t_begin; t_u32 512000; t_str 9P2000.L; t_send 100
expect_type 101 "version"
[ "$(p9_stat session)" = $((s0 + 1)) ] ||
	fail "session $(p9_stat session) after a Tversion, was $s0"
[ "$(p9_stat fids)" = 0 ] || fail "fids after a Tversion: $(p9_stat fids)"
no_fid $A "Tversion"
echo "Tversion: fids of the old session gone, generation $s0 -> $((s0 + 1)): ok"

# The mount's fids are gone too: its clunks at umount are EBADF.
p9_down
