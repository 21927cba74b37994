// SPDX-License-Identifier: GPL-2.0-only
/*
 * Operations on names: create, link, rename and remove.
 *
 * Every directory comes from a fid and every name from the message, one
 * component, looked up in the locked directory (walk.c); the kernel's
 * vfs_* helpers then do their own permission checks (may_create,
 * may_delete, sticky bits) under the export's credentials.  Nothing here
 * follows a symlink: a symlink's target is stored as data and only ever
 * interpreted by the client, in its own namespace.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "hvl_9p.h"

#define AT_REMOVEDIR_9P	P9_DOTL_AT_REMOVEDIR

enum kind { MKDIR, MKNOD, SYMLINK };

/* The shared body of mkdir, mknod and symlink; replies with the qid. */
static int make(struct hvl_9p_call *c, u32 dfid, const char *name,
		enum kind kind, umode_t mode, dev_t rdev, const char *target)
{
	struct hvl_9p_fid *f;
	struct mnt_idmap *idmap;
	struct dentry *d;
	struct inode *dir;
	struct p9_qid qid;
	struct path child;
	int ret;

	f = hvl_9p_fid_verify(c, dfid, HVL_9P_NEED_DIR | HVL_9P_NEED_BENEATH);
	if (IS_ERR(f))
		return PTR_ERR(f);
	idmap = mnt_idmap(f->path.mnt);
	dir = d_inode(f->path.dentry);
	ret = mnt_want_write(f->path.mnt);
	if (ret)
		goto out_fid;
	d = hvl_9p_walk_lock_child(&f->path, name);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_drop;
	}
	if (d_is_positive(d)) {
		ret = -EEXIST;
	} else {
		switch (kind) {
		case MKDIR:
			ret = vfs_mkdir(idmap, dir, d, mode & (S_IALLUGO));
			break;
		case MKNOD:
			ret = vfs_mknod(idmap, dir, d, mode, rdev);
			break;
		case SYMLINK:
			ret = vfs_symlink(idmap, dir, d, target);
			break;
		}
	}
	if (!ret) {
		/* mkdir may have instantiated another dentry; look again. */
		child.mnt = f->path.mnt;
		child.dentry = d;
		ret = d_really_is_positive(d) ?
		      hvl_9p_qid_of(&child, c->srv->root.dentry->d_sb->s_dev,
				    &qid) : -ENOENT;
	}
	hvl_9p_walk_unlock_child(&f->path, d);
	if (!ret)
		hvl_9p_pdu_putqid(&c->out, &qid);
out_drop:
	mnt_drop_write(f->path.mnt);
out_fid:
	hvl_9p_fid_put(f);
	return ret;
}

int hvl_9p_dir_mkdir(struct hvl_9p_call *c)
{
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	u32 mode = hvl_9p_pdu_get32(&c->in);
	int ret;

	hvl_9p_pdu_get32(&c->in);	/* gid: files belong to the export */
	ret = c->in.err ?: make(c, dfid, name, MKDIR, mode, 0, NULL);
	kfree(name);
	return ret;
}

/*
 * What Tmknod may make.  Devices need CAP_MKNOD, which we never have, so
 * vfs_mknod() refuses them, except a character device 0:0: that is a
 * whiteout, which vfs_mknod() lets anyone make for overlayfs.  In an
 * export that is (or will be) a layer of an overlay, a whiteout hides
 * the lower file of that name, which is no business of the peer's: it
 * gets EPERM, as for any other device.  Numbers are checked before
 * MKDEV(), whose 12-bit major would otherwise wrap a major of 4096 into
 * the whiteout's 0:0.
 */
static int mknod_ok(u32 mode, u32 major, u32 minor)
{
	switch (mode & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		if (major > MAJOR(~0u) || minor > MINOR(~0u))
			return -EINVAL;
		if (S_ISCHR(mode) && MKDEV(major, minor) == WHITEOUT_DEV)
			return -EPERM;
		return 0;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		return 0;
	default:
		return -EINVAL;
	}
}

int hvl_9p_dir_mknod(struct hvl_9p_call *c)
{
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	u32 mode = hvl_9p_pdu_get32(&c->in);
	u32 major = hvl_9p_pdu_get32(&c->in);
	u32 minor = hvl_9p_pdu_get32(&c->in);
	int ret;

	hvl_9p_pdu_get32(&c->in);	/* gid */
	ret = c->in.err;
	if (!ret) {
		ret = mknod_ok(mode, major, minor);
		if (!ret)
			ret = make(c, dfid, name, MKNOD,
				   mode & (S_IFMT | S_IALLUGO),
				   MKDEV(major, minor), NULL);
	}
	kfree(name);
	return ret;
}

int hvl_9p_dir_symlink(struct hvl_9p_call *c)
{
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	char *target = hvl_9p_pdu_getstr(&c->in, PATH_MAX - 1);
	int ret;

	hvl_9p_pdu_get32(&c->in);	/* gid */
	ret = c->in.err;
	if (!ret && !*target)
		ret = -ENOENT;
	if (!ret)
		ret = make(c, dfid, name, SYMLINK, 0, 0, target);
	kfree(target);
	kfree(name);
	return ret;
}

int hvl_9p_dir_readlink(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	DEFINE_DELAYED_CALL(done);
	struct hvl_9p_fid *f;
	const char *link;
	int ret = 0;

	if (c->in.err)
		return c->in.err;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	if (!d_is_symlink(f->path.dentry)) {
		ret = -EINVAL;
		goto out;
	}
	link = vfs_get_link(f->path.dentry, &done);
	if (IS_ERR(link)) {
		ret = PTR_ERR(link);
		goto out;
	}
	hvl_9p_pdu_putstr(&c->out, link, strlen(link));
	do_delayed_call(&done);
out:
	hvl_9p_fid_put(f);
	return ret;
}

/*
 * fs.protected_hardlinks, which linkat(2) checks in may_linkat() (not
 * exported) and vfs_link() leaves to its caller: a hard link pins a
 * file where its owner may not be able to remove it, so a file the
 * export's user does not own may be linked only if it is a regular
 * file that user may read and write, and not a set-uid (or set-gid
 * executable) one.  Always on, the sysctl's default: its value is not
 * visible to modules.
 */
static int may_link(struct mnt_idmap *idmap, struct inode *inode)
{
	umode_t mode = inode->i_mode;

	/* Inode writeback is not safe when the uid or gid are invalid. */
	if (!vfsuid_valid(i_uid_into_vfsuid(idmap, inode)) ||
	    !vfsgid_valid(i_gid_into_vfsgid(idmap, inode)))
		return -EOVERFLOW;
	if (inode_owner_or_capable(idmap, inode))
		return 0;
	if (!S_ISREG(mode) || (mode & S_ISUID) ||
	    (mode & (S_ISGID | 0010)) == (S_ISGID | 0010) ||
	    inode_permission(idmap, inode, MAY_READ | MAY_WRITE))
		return -EPERM;
	return 0;
}

/* Tlink dfid fid name: a new name in dfid for fid's file. */
int hvl_9p_dir_link(struct hvl_9p_call *c)
{
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	u32 fid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	struct hvl_9p_fid *df, *f;
	struct dentry *d;
	int ret;

	if (c->in.err) {
		ret = c->in.err;
		goto out_name;
	}
	ret = hvl_9p_fid_verify2(c, dfid, HVL_9P_NEED_DIR | HVL_9P_NEED_BENEATH,
				 &df, fid, HVL_9P_NEED_PATH |
				 HVL_9P_NEED_BENEATH, &f);
	if (ret)
		goto out_name;
	ret = -EXDEV;
	if (df->path.mnt != f->path.mnt)
		goto out_fids;
	ret = may_link(mnt_idmap(f->path.mnt), d_inode(f->path.dentry));
	if (ret)
		goto out_fids;
	ret = mnt_want_write(df->path.mnt);
	if (ret)
		goto out_fids;
	d = hvl_9p_walk_lock_child(&df->path, name);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_drop;
	}
	ret = d_is_positive(d) ? -EEXIST :
	      vfs_link(f->path.dentry, mnt_idmap(df->path.mnt),
		       d_inode(df->path.dentry), d, NULL);
	hvl_9p_walk_unlock_child(&df->path, d);
out_drop:
	mnt_drop_write(df->path.mnt);
out_fids:
	hvl_9p_fid_put(f);
	hvl_9p_fid_put(df);
out_name:
	kfree(name);
	return ret;
}

/*
 * Rename @old (or the name @oname) in directory @od to @nname in @nd, as
 * renameat(2) does it: lock_rename() orders the two directories and
 * returns the trap (a common ancestor) that neither end may be.
 */
static int rename_in(const struct path *od, const char *oname,
		     struct dentry *old, const struct path *nd,
		     const char *nname)
{
	struct mnt_idmap *idmap = mnt_idmap(od->mnt);
	struct renamedata rd = {};
	struct dentry *trap, *src, *dst;
	int ret;

	if (od->mnt != nd->mnt)
		return -EXDEV;
	ret = hvl_9p_walk_name_ok(nname);
	if (!ret && oname)
		ret = hvl_9p_walk_name_ok(oname);
	if (ret)
		return ret;
	if (!strcmp(nname, ".") || !strcmp(nname, "..") ||
	    (oname && (!strcmp(oname, ".") || !strcmp(oname, ".."))))
		return -EBUSY;
	if (!d_can_lookup(od->dentry) || !d_can_lookup(nd->dentry))
		return -ENOTDIR;
	ret = mnt_want_write(od->mnt);
	if (ret)
		return ret;
	trap = lock_rename(nd->dentry, od->dentry);
	if (IS_ERR(trap)) {
		ret = PTR_ERR(trap);
		goto out_drop;
	}
	/* A fid's file must still be where its parent was (not moved). */
	if (oname)
		src = lookup_one(idmap, oname, od->dentry, strlen(oname));
	else if (old->d_parent != od->dentry || d_unhashed(old))
		src = ERR_PTR(-ENOENT);
	else
		src = dget(old);
	if (IS_ERR(src)) {
		ret = PTR_ERR(src);
		goto out_unlock;
	}
	ret = -ENOENT;
	if (d_is_negative(src))
		goto out_src;
	ret = -EINVAL;
	if (src == trap)
		goto out_src;
	dst = lookup_one(idmap, nname, nd->dentry, strlen(nname));
	if (IS_ERR(dst)) {
		ret = PTR_ERR(dst);
		goto out_src;
	}
	ret = -ENOTEMPTY;
	if (dst == trap)
		goto out_dst;
	rd.old_mnt_idmap = idmap;
	rd.old_dir = d_inode(od->dentry);
	rd.old_dentry = src;
	rd.new_mnt_idmap = idmap;
	rd.new_dir = d_inode(nd->dentry);
	rd.new_dentry = dst;
	ret = vfs_rename(&rd);
out_dst:
	dput(dst);
out_src:
	dput(src);
out_unlock:
	unlock_rename(nd->dentry, od->dentry);
out_drop:
	mnt_drop_write(od->mnt);
	return ret;
}

/* The root of the export, or of a mount beneath it, is not renamed. */
static bool is_root(struct hvl_9p *srv, const struct path *p)
{
	return path_equal(p, &srv->root) || p->dentry == p->mnt->mnt_root;
}

/* Trename fid dfid name: move fid's file into dfid as name. */
int hvl_9p_dir_rename(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	struct hvl_9p_fid *f, *df;
	struct path od;
	int ret;

	if (c->in.err) {
		ret = c->in.err;
		goto out_name;
	}
	ret = hvl_9p_fid_verify2(c, fid, HVL_9P_NEED_PATH | HVL_9P_NEED_BENEATH,
				 &f, dfid, HVL_9P_NEED_DIR |
				 HVL_9P_NEED_BENEATH, &df);
	if (ret)
		goto out_name;
	ret = -EBUSY;
	if (is_root(c->srv, &f->path))
		goto out_fids;
	od.mnt = f->path.mnt;
	od.dentry = dget_parent(f->path.dentry);
	ret = rename_in(&od, NULL, f->path.dentry, &df->path, name);
	dput(od.dentry);
out_fids:
	hvl_9p_fid_put(df);
	hvl_9p_fid_put(f);
out_name:
	kfree(name);
	return ret;
}

int hvl_9p_dir_renameat(struct hvl_9p_call *c)
{
	u32 ofid = hvl_9p_pdu_get32(&c->in);
	char *oname = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	u32 nfid = hvl_9p_pdu_get32(&c->in);
	char *nname = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	struct hvl_9p_fid *of, *nf;
	int ret = c->in.err;

	if (ret)
		goto out;
	ret = hvl_9p_fid_verify2(c, ofid, HVL_9P_NEED_DIR | HVL_9P_NEED_BENEATH,
				 &of, nfid, HVL_9P_NEED_DIR |
				 HVL_9P_NEED_BENEATH, &nf);
	if (ret)
		goto out;
	ret = rename_in(&of->path, oname, NULL, &nf->path, nname);
	hvl_9p_fid_put(nf);
	hvl_9p_fid_put(of);
out:
	kfree(nname);
	kfree(oname);
	return ret;
}

/* Unlink or rmdir @d in the locked directory @dir. */
static int unlink_locked(const struct path *dir, struct dentry *d, bool rmdir)
{
	struct mnt_idmap *idmap = mnt_idmap(dir->mnt);

	if (d_is_negative(d))
		return -ENOENT;
	if (rmdir)
		return d_is_dir(d) ? vfs_rmdir(idmap, d_inode(dir->dentry), d) :
				     -ENOTDIR;
	return d_is_dir(d) ? -EISDIR :
	       vfs_unlink(idmap, d_inode(dir->dentry), d, NULL);
}

int hvl_9p_dir_unlinkat(struct hvl_9p_call *c)
{
	u32 dfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	u32 flags = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct dentry *d;
	int ret = c->in.err;

	if (ret)
		goto out_name;
	ret = -EINVAL;
	if (flags & ~AT_REMOVEDIR_9P)
		goto out_name;
	f = hvl_9p_fid_verify(c, dfid, HVL_9P_NEED_DIR | HVL_9P_NEED_BENEATH);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out_name;
	}
	ret = mnt_want_write(f->path.mnt);
	if (ret)
		goto out_fid;
	d = hvl_9p_walk_lock_child(&f->path, name);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_drop;
	}
	ret = unlink_locked(&f->path, d, flags & AT_REMOVEDIR_9P);
	hvl_9p_walk_unlock_child(&f->path, d);
out_drop:
	mnt_drop_write(f->path.mnt);
out_fid:
	hvl_9p_fid_put(f);
out_name:
	kfree(name);
	return ret;
}

/* Tremove fid: remove fid's file and clunk fid, even if removal fails. */
int hvl_9p_dir_remove(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct path dir;
	struct dentry *d;
	int ret;

	if (c->in.err)
		return c->in.err;
	f = hvl_9p_fid_remove(&c->srv->fids, fid);
	if (!f)
		return -EBADF;
	ret = -EBUSY;
	if (is_root(c->srv, &f->path))
		goto out_fid;
	ret = -ENOENT;	/* moved out of the export: gone, to the peer */
	if (!hvl_9p_fid_beneath(c->srv, f))
		goto out_fid;
	d = f->path.dentry;
	dir.mnt = f->path.mnt;
	dir.dentry = dget_parent(d);
	ret = mnt_want_write(dir.mnt);
	if (ret)
		goto out_dir;
	inode_lock_nested(d_inode(dir.dentry), I_MUTEX_PARENT);
	if (d->d_parent != dir.dentry || d_unhashed(d))
		ret = -ENOENT;	/* renamed or removed meanwhile */
	else
		ret = unlink_locked(&dir, d, d_is_dir(d));
	inode_unlock(d_inode(dir.dentry));
	mnt_drop_write(dir.mnt);
out_dir:
	dput(dir.dentry);
out_fid:
	hvl_9p_fid_put(f);
	return ret;
}
