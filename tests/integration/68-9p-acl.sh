# SPDX-License-Identifier: GPL-2.0
# POSIX ACLs over the mount (-o posixacl; access=client is the 9P2000.L
# default), with the real getfacl and setfacl, checked on the Linux side.
# Since 6.2 vfs_getxattr() and vfs_setxattr() refuse system.posix_acl_*
# (EOPNOTSUPP), so the server answered every ACL request that way, though
# it listed the names; it now goes through vfs_get_acl()/vfs_set_acl()/
# vfs_remove_acl() as the syscalls do.
. /tests/lib.sh
. /tests/lib-9p.sh

command -v getfacl >/dev/null && command -v setfacl >/dev/null ||
	fail "getfacl/setfacl missing from the guest (Debian package acl)"

OPTS=cache=none,posixacl
p9_up
has_acl() { getfacl -pcn "$1" 2>/dev/null | grep -qx "$2"; }

mkdir $MNT/a $MNT/a/d || fail "mkdir"
echo x >$MNT/a/f || fail "create a/f"

# Set over the mount, seen in the export.
setfacl -m u:1234:rw $MNT/a/f || fail "setfacl -m over the mount"
has_acl $EXPORT/a/f user:1234:rw- || fail "export: $(getfacl -pcn $EXPORT/a/f)"
has_acl $MNT/a/f user:1234:rw- || fail "mount: $(getfacl -pcn $MNT/a/f)"
echo "setfacl over the mount, getfacl in the export: ok"

# Set in the export, seen over the mount (a file the client has not
# looked up yet: its ACLs are fetched when the inode is made).
echo y >$EXPORT/a/g; chown 65534:65534 $EXPORT/a/g
setfacl -m g:4321:r $EXPORT/a/g || fail "setfacl in the export"
has_acl $MNT/a/g group:4321:r-- || fail "mount: $(getfacl -pcn $MNT/a/g)"
echo "setfacl in the export, getfacl over the mount: ok"

# Default ACLs, and their inheritance by a new file.
setfacl -d -m u:1234:rwx $MNT/a/d || fail "setfacl -d over the mount"
has_acl $EXPORT/a/d default:user:1234:rwx || fail "export: $(getfacl -pcn $EXPORT/a/d)"
echo z >$MNT/a/d/n || fail "create in a/d"
getfacl -pcn $EXPORT/a/d/n | grep -q "^user:1234:" ||
	fail "not inherited: $(getfacl -pcn $EXPORT/a/d/n)"
echo "default ACL set and inherited: ok"

# cp -a keeps them (coreutils' cp copies ACLs with libacl; busybox's
# would not, hence the path).
/usr/bin/cp -a --no-preserve=ownership $MNT/a/f $MNT/a/f2 || fail "cp -a of a file"
has_acl $EXPORT/a/f2 user:1234:rw- || fail "cp -a: $(getfacl -pcn $EXPORT/a/f2)"
/usr/bin/cp -a --no-preserve=ownership $MNT/a/d $MNT/a/d2 || fail "cp -a of a directory"
has_acl $EXPORT/a/d2 default:user:1234:rwx || fail "cp -a: $(getfacl -pcn $EXPORT/a/d2)"
echo "cp -a preserves access and default ACLs: ok"

# Removal, and the owner check (a root file: EPERM from the server).
setfacl -b $MNT/a/f || fail "setfacl -b"
getfacl -pcn $EXPORT/a/f | grep -q "^user:1234:" && fail "setfacl -b: $(getfacl -pcn $EXPORT/a/f)"
echo r >$EXPORT/rootf
expect_err "Operation not permitted" setfacl -m u:1234:r $MNT/rootf
getfacl -pcn $EXPORT/rootf | grep -q "^user:1234:" && fail "ACL set on a root file"
echo "setfacl -b, and not on a file of another owner: ok"

p9_umount_clean
p9_down
