// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confined name resolution.
 *
 * A fid always names a path beneath the export root: attach gives the
 * root itself, and walk is the only other way to reach a path.  Walk
 * resolves one name at a time with vfs_path_lookup() rooted at the
 * current directory, with LOOKUP_BENEATH | LOOKUP_NO_SYMLINKS |
 * LOOKUP_NO_MAGICLINKS: the kernel itself refuses to leave that directory
 * and to follow any symlink, so there is no string check to get wrong and
 * no window for a symlink swapped in between check and use.  Names are
 * validated first: no '/', not empty, at most NAME_MAX bytes.
 *
 * ".." follows 9P (and chroot) semantics: at the export root it stays at
 * the root, elsewhere it goes to the parent (crossing mount points
 * upwards with follow_up()), and the result is checked to be beneath the
 * root, so a directory renamed out of the export by someone on the Linux
 * side cannot be used to climb further.  Nor to walk down: the fid a
 * walk (or any operation on names) starts from must itself still be
 * beneath the root (hvl_9p_fid_verify()), or the answer is ENOENT.
 *
 * Symlinks are never followed by the server at all: walk stops on them
 * (the client reads them and walks the target itself, in its own
 * namespace), and lopen refuses them.  Hard links can only be made to a
 * fid's file, which is beneath the root; rename and link take both ends
 * from fids.
 *
 * Operations that create or remove a name take the directory from a fid
 * and the last name from the message; hvl_9p_walk_lock_child() looks that
 * name up in the locked directory with lookup_one(), which refuses "." and
 * ".." and checks search permission.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "hvl_9p.h"

#define WALK_FLAGS	(LOOKUP_BENEATH | LOOKUP_NO_SYMLINKS | \
			 LOOKUP_NO_MAGICLINKS)

/**
 * hvl_9p_walk_name_ok() - is this one valid path component?
 * @name: NUL-terminated, as decoded from a message
 *
 * Return: 0, or -EINVAL (empty, contains '/') / -ENAMETOOLONG.
 */
int hvl_9p_walk_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || strchr(name, '/'))
		return -EINVAL;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* "..": the parent, clamped at the root, never outside it. */
static int walk_up(const struct path *root, struct path *p)
{
	struct path up;
	struct dentry *parent;
	int ret;

	/* As lookup in a file: there is no ".." to go up through. */
	if (!d_can_lookup(p->dentry))
		return -ENOTDIR;
	if (path_equal(p, root))
		return 0;
	ret = inode_permission(mnt_idmap(p->mnt), d_inode(p->dentry),
			       MAY_EXEC);
	if (ret)
		return ret;
	up = *p;
	path_get(&up);
	while (up.dentry == up.mnt->mnt_root && !path_equal(&up, root)) {
		if (!follow_up(&up))
			break;
	}
	if (!path_equal(&up, root)) {
		parent = dget_parent(up.dentry);
		dput(up.dentry);
		up.dentry = parent;
	}
	if (!path_is_under(&up, root)) {
		path_put(&up);
		return -EXDEV;
	}
	path_put(p);
	*p = up;
	return 0;
}

/*
 * In the ring's work item (@nowait) a name is looked up only in the
 * dentry cache (LOOKUP_CACHED: -EAGAIN where the lookup would leave RCU
 * mode).  One that is not there is looked up with the directory's lock
 * taken shared, which waits behind a writer queued for it: a worker's
 * Tlcreate or Tmkdir in that directory, itself waiting for a Linux
 * program that lists the directory into a page of the peer's 9P mount,
 * whose read waits for the replies the work item has not pushed.  A
 * worker looks it up.
 */
static int walk_one(const struct path *root, struct path *p,
		    const char *name, bool nowait)
{
	unsigned int flags = WALK_FLAGS | (nowait ? LOOKUP_CACHED : 0);
	struct path next;
	int ret;

	if (!strcmp(name, ".."))
		return walk_up(root, p);
	ret = hvl_9p_walk_name_ok(name);
	if (ret)
		return ret;
	if (!d_can_lookup(p->dentry))
		return -ENOTDIR;
	ret = vfs_path_lookup(p->dentry, p->mnt, name, flags, &next);
	if (ret)
		return ret;
	path_put(p);
	*p = next;
	return 0;
}

/*
 * Publish @nf, a walk of @f onto itself, in @f's place: under @f's lock,
 * as lopen, lcreate and xattrcreate replace a fid.  A worker holds that
 * lock for as long as its lcreate or lopen of @f takes: an lcreate waits
 * for the directory's inode lock, whose holder (a Linux program listing
 * the directory into a page of the peer's 9P mount) may wait for a reply
 * that the ring's work item (c->nowait) has made and not yet pushed.  So
 * the work item does not wait for it: -EAGAIN, nothing published, and a
 * worker walks again from the start.
 */
static int walk_replace(struct hvl_9p_call *c, struct hvl_9p_fid *f,
			struct hvl_9p_fid *nf)
{
	int ret;

	if (!c->nowait)
		mutex_lock(&f->lock);
	else if (!mutex_trylock(&f->lock))
		return -EAGAIN;
	ret = hvl_9p_fid_replace(&c->srv->fids, f, nf, c->gen);
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * Twalk fid newfid nwname wname[nwname]: Rwalk nwqid qid[nwqid].  A walk
 * that fails on the first name is an error; one that fails later returns
 * the qids it got and creates no fid, as the protocol says.
 */
int hvl_9p_walk_walk(struct hvl_9p_call *c)
{
	struct hvl_9p *srv = c->srv;
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 newfid = hvl_9p_pdu_get32(&c->in);
	u16 nwname = hvl_9p_pdu_get16(&c->in);
	char *names[P9_MAXWELEM] = {};
	struct p9_qid qids[P9_MAXWELEM];
	dev_t root_dev = srv->root.dentry->d_sb->s_dev;
	struct hvl_9p_fid *f, *nf = NULL;
	struct path p;
	unsigned int i, n = 0;
	int ret;

	if (c->in.err)
		return c->in.err;
	if (nwname > P9_MAXWELEM)
		return -EINVAL;
	for (i = 0; i < nwname; i++) {
		names[i] = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
		if (c->in.err) {
			ret = c->in.err;
			goto out_names;
		}
	}
	f = hvl_9p_fid_verify(c, fid, HVL_9P_NEED_PATH | HVL_9P_NEED_BENEATH);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out_names;
	}
	/* An open fid may be cloned (nwname == 0), not walked. */
	if (nwname && f->file) {
		ret = -EINVAL;
		goto out_fid;
	}
	/*
	 * Onto itself with no names: the fid stays what it is, open file
	 * included (the clone below would be an unopened one).
	 */
	if (!nwname && newfid == fid) {
		hvl_9p_pdu_put16(&c->out, 0);
		ret = 0;
		goto out_fid;
	}
	p = f->path;
	path_get(&p);
	for (i = 0; i < nwname; i++) {
		ret = walk_one(&srv->root, &p, names[i], c->nowait);
		if (!ret)
			ret = hvl_9p_qid_of(&p, root_dev, &qids[i]);
		if (ret)
			break;
		n++;
	}
	/* Not a partial walk: a worker walks it all again. */
	if (n < nwname && ret == -EAGAIN && c->nowait)
		goto out_path;
	if (n < nwname && !n)
		goto out_path;
	/*
	 * The reply is written before the fid is published: a walk that
	 * the peer is told failed (a reply without room for its qids is
	 * EMSGSIZE) must leave no fid behind.
	 */
	hvl_9p_pdu_put16(&c->out, n);
	for (i = 0; i < n; i++)
		hvl_9p_pdu_putqid(&c->out, &qids[i]);
	ret = c->out.err;
	if (!ret && n == nwname) {
		nf = hvl_9p_fid_alloc(newfid, &p);
		if (!nf) {
			ret = -ENOMEM;
			goto out_path;
		}
		if (newfid == fid) {
			/* Walking a fid onto itself replaces it. */
			ret = walk_replace(c, f, nf);
		} else {
			ret = hvl_9p_fid_insert(&srv->fids, nf, c->gen);
		}
		if (ret)
			hvl_9p_fid_put(nf);
	}
out_path:
	path_put(&p);
out_fid:
	hvl_9p_fid_put(f);
out_names:
	for (i = 0; i < nwname; i++)
		kfree(names[i]);
	return ret;
}

/**
 * hvl_9p_walk_lock_child() - lock a directory and look up one name in it
 * @dir: a fid's path (a directory beneath the root)
 * @name: the name from the message (validated here)
 *
 * Return: the dentry (maybe negative), with @dir's inode locked; or an
 * ERR_PTR and nothing locked.  Undo with hvl_9p_walk_unlock_child().
 */
struct dentry *hvl_9p_walk_lock_child(const struct path *dir,
				      const char *name)
{
	struct dentry *d;
	int ret;

	ret = hvl_9p_walk_name_ok(name);
	if (ret)
		return ERR_PTR(ret);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return ERR_PTR(-EINVAL);
	if (!d_can_lookup(dir->dentry))
		return ERR_PTR(-ENOTDIR);
	inode_lock_nested(d_inode(dir->dentry), I_MUTEX_PARENT);
	d = lookup_one(mnt_idmap(dir->mnt), name, dir->dentry, strlen(name));
	if (IS_ERR(d))
		inode_unlock(d_inode(dir->dentry));
	return d;
}

void hvl_9p_walk_unlock_child(const struct path *dir, struct dentry *d)
{
	dput(d);
	inode_unlock(d_inode(dir->dentry));
}
