// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extended attributes, the 9P2000.L way: Txattrwalk makes a fid whose
 * content is one attribute's value (or, for an empty name, the list of
 * names), read with Tread; Txattrcreate turns a fid into one that
 * collects a value with Twrite and sets it on Tclunk.  A value announced
 * as 0 bytes removes the attribute, which is how the v9fs client sends
 * removexattr.
 *
 * Values are bounded by XATTR_SIZE_MAX (64 KiB) before anything is
 * allocated, so a hostile size costs nothing.  But each fid may hold such
 * a buffer, and max_fids of them would be gigabytes: every buffer is
 * charged to the device's budget (max_xattr_bytes, fid.c) before it is
 * allocated, and one beyond it is refused with ENOSPC.  The vfs_*xattr
 * helpers check permissions (user.* on files the export's user owns,
 * trusted.* and security.* need capabilities we do not have).
 *
 * POSIX ACLs (system.posix_acl_access and _default) are not xattrs to
 * the VFS since 6.2: vfs_*xattr() refuse them (EOPNOTSUPP) and the
 * syscalls go through vfs_get_acl(), vfs_set_acl() and vfs_remove_acl()
 * with the value converted from and to the xattr format.  So do we,
 * with ids in the initial user namespace (the server's credentials and
 * Rgetattr's).  An idmapped export would need the ids mapped through
 * the mount on the way out (vfs_posix_acl_to_xattr(), not exported):
 * there ACLs are EOPNOTSUPP.
 */
#include <linux/fs.h>
#include <linux/mnt_idmapping.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xattr.h>

#include "hvl_9p.h"

/* An ACL in the xattr format, as getxattr(2) answers (do_get_acl()). */
static ssize_t get_acl(const struct path *p, const char *name, void *buf,
		       size_t size)
{
	struct posix_acl *acl;
	ssize_t ret;

	if (mnt_idmap(p->mnt) != &nop_mnt_idmap)
		return -EOPNOTSUPP;
	acl = vfs_get_acl(&nop_mnt_idmap, p->dentry, name);
	if (IS_ERR(acl))
		return PTR_ERR(acl);
	ret = posix_acl_to_xattr(&init_user_ns, acl, buf, size);
	posix_acl_release(acl);
	return ret;
}

/* Set an ACL from the peer's xattr value, as setxattr(2) (do_set_acl()). */
static int set_acl(const struct path *p, const char *name, const void *value,
		   size_t size)
{
	struct posix_acl *acl;
	int ret;

	if (mnt_idmap(p->mnt) != &nop_mnt_idmap)
		return -EOPNOTSUPP;
	/* Validated here: version, size, tags, ids (NULL: no entries). */
	acl = posix_acl_from_xattr(&init_user_ns, value, size);
	if (IS_ERR(acl))
		return PTR_ERR(acl);
	ret = vfs_set_acl(&nop_mnt_idmap, p->dentry, name, acl);
	posix_acl_release(acl);
	return ret;
}

/* A value (or, for an empty name, the list of names) into @buf. */
static ssize_t get(const struct path *p, const char *name, void *buf,
		   size_t size)
{
	if (!*name)
		return vfs_listxattr(p->dentry, buf, size);
	if (is_posix_acl_xattr(name))
		return get_acl(p, name, buf, size);
	return vfs_getxattr(mnt_idmap(p->mnt), p->dentry, name, buf, size);
}

int hvl_9p_xattr_walk(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 newfid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, XATTR_NAME_MAX);
	struct hvl_9p_fids *t = &c->srv->fids;
	struct hvl_9p_fid *f, *nf;
	size_t charged = 0;
	void *buf = NULL;
	int tries, ret;
	ssize_t len;

	if (c->in.err) {
		ret = c->in.err;
		goto out_name;
	}
	f = hvl_9p_call_fid(c, fid);
	if (!f) {
		ret = -EBADF;
		goto out_name;
	}
	/*
	 * Size first, then the value, fetched again (a few times) if it grew
	 * in between.  A size above XATTR_SIZE_MAX (a list of names can be)
	 * fits no buffer we allocate, and asking again would get -ERANGE for
	 * ever: E2BIG, as getxattr(2) and listxattr(2) answer.
	 */
	for (tries = 0; tries < 4; tries++) {
		len = get(&f->path, name, NULL, 0);
		if (len < 0)
			break;
		if (len > XATTR_SIZE_MAX) {
			len = -E2BIG;
			break;
		}
		kvfree(buf);
		buf = NULL;
		hvl_9p_fid_uncharge(t, charged);
		charged = 0;
		if (!len)
			break;
		ret = hvl_9p_fid_charge(t, len);
		if (ret)
			goto out_fid;
		charged = len;
		buf = kvmalloc(len, GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_buf;
		}
		len = get(&f->path, name, buf, len);
		if (len != -ERANGE)
			break;
	}
	if (len < 0) {
		ret = len;
		goto out_buf;
	}
	/* The reply first: an xattrwalk answered with an error makes no fid. */
	hvl_9p_pdu_put64(&c->out, len);
	ret = c->out.err;
	if (ret)
		goto out_buf;
	nf = hvl_9p_fid_alloc(newfid, &f->path);
	if (!nf) {
		ret = -ENOMEM;
		goto out_buf;
	}
	nf->kind = HVL_9P_FID_XATTR_READ;
	nf->xbuf = buf;
	nf->xsize = len;
	nf->xtable = t;
	nf->xcharge = charged;
	buf = NULL;
	charged = 0;
	ret = hvl_9p_fid_insert(t, nf, c->gen);
	if (ret)
		hvl_9p_fid_put(nf);
out_buf:
	kvfree(buf);
	hvl_9p_fid_uncharge(t, charged);
out_fid:
	hvl_9p_fid_put(f);
out_name:
	kfree(name);
	return ret;
}

/*
 * Txattrcreate fid name attr_size flags: fid collects the value.  Like
 * lopen, it makes the fid something else, so it builds the xattr fid
 * afresh and swaps it in (see hvl_9p.h): a request that verified the
 * path fid goes on with it, and of a racing lopen and xattrcreate of
 * one fid only the first succeeds.
 */
int hvl_9p_xattr_create(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, XATTR_NAME_MAX);
	u64 size = hvl_9p_pdu_get64(&c->in);
	u32 flags = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f, *nf;
	int ret;

	if (c->in.err) {
		ret = c->in.err;
		goto out_name;
	}
	if (!*name || (flags & ~(XATTR_CREATE | XATTR_REPLACE))) {
		ret = -EINVAL;
		goto out_name;
	}
	if (size > XATTR_SIZE_MAX) {
		ret = -E2BIG;
		goto out_name;
	}
	f = hvl_9p_fid_verify(c, fid, HVL_9P_NEED_PATH | HVL_9P_NEED_UNOPENED);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out_name;
	}
	mutex_lock(&f->lock);
	ret = -EINVAL;	/* replaced by a request that held the lock first */
	if (!hvl_9p_fid_published(&c->srv->fids, f))
		goto out_unlock;
	ret = -ENOMEM;
	nf = hvl_9p_fid_alloc(fid, &f->path);
	if (!nf)
		goto out_unlock;
	if (size) {
		ret = hvl_9p_fid_charge(&c->srv->fids, size);
		if (ret)
			goto out_nf;
		nf->xbuf = kvzalloc(size, GFP_KERNEL);
		if (!nf->xbuf) {
			hvl_9p_fid_uncharge(&c->srv->fids, size);
			ret = -ENOMEM;
			goto out_nf;
		}
		/* Refunded when the fid is freed, published or not. */
		nf->xtable = &c->srv->fids;
		nf->xcharge = size;
	}
	nf->xsize = size;
	nf->xflags = flags;
	nf->xname = name;
	name = NULL;
	nf->kind = HVL_9P_FID_XATTR_WRITE;
	ret = hvl_9p_fid_replace(&c->srv->fids, f, nf, c->gen);
	if (!ret)
		goto out_unlock;
out_nf:
	hvl_9p_fid_put(nf);
out_unlock:
	mutex_unlock(&f->lock);
	hvl_9p_fid_put(f);
out_name:
	kfree(name);
	return ret;
}

int hvl_9p_xattr_read(struct hvl_9p_fid *f, struct hvl_9p_call *c, u64 off,
		      u32 count)
{
	size_t n;

	if (off > f->xsize)
		return -EINVAL;
	n = min_t(size_t, f->xsize - off, count);
	if (hvl_9p_pdu_room(&c->out) < 4 + n)
		n = hvl_9p_pdu_room(&c->out) >= 4 ?
		    hvl_9p_pdu_room(&c->out) - 4 : 0;
	hvl_9p_pdu_put32(&c->out, n);
	if (n)
		memcpy(hvl_9p_pdu_reserve(&c->out, n), f->xbuf + off, n);
	return c->out.err;
}

/* Under f->lock. */
int hvl_9p_xattr_write(struct hvl_9p_fid *f, u64 off, const void *data,
		       u32 count)
{
	lockdep_assert_held(&f->lock);

	if (off > f->xsize || count > f->xsize - off)
		return -ENOSPC;
	memcpy(f->xbuf + off, data, count);
	f->xfill = max_t(size_t, f->xfill, off + count);
	return count;
}

/* On clunk: set (or, for an empty value, remove) the attribute. */
int hvl_9p_xattr_commit(struct hvl_9p_fid *f)
{
	struct mnt_idmap *idmap = mnt_idmap(f->path.mnt);
	int ret;

	lockdep_assert_held(&f->lock);

	ret = mnt_want_write(f->path.mnt);
	if (ret)
		return ret;
	if (f->xsize && f->xfill != f->xsize)
		ret = -EINVAL;	/* announced more than it wrote */
	else if (!f->xsize && is_posix_acl_xattr(f->xname))
		ret = vfs_remove_acl(idmap, f->path.dentry, f->xname);
	else if (!f->xsize)
		ret = vfs_removexattr(idmap, f->path.dentry, f->xname);
	else if (is_posix_acl_xattr(f->xname))
		ret = set_acl(&f->path, f->xname, f->xbuf, f->xsize);
	else
		ret = vfs_setxattr(idmap, f->path.dentry, f->xname, f->xbuf,
				   f->xsize, f->xflags);
	mnt_drop_write(f->path.mnt);
	return ret;
}
