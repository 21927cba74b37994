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
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xattr.h>

#include "hvl_9p.h"

/* A value (or, for an empty name, the list of names) into @buf. */
static ssize_t get(const struct path *p, const char *name, void *buf,
		   size_t size)
{
	if (!*name)
		return vfs_listxattr(p->dentry, buf, size);
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

/* Txattrcreate fid name attr_size flags: fid collects the value. */
int hvl_9p_xattr_create(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, XATTR_NAME_MAX);
	u64 size = hvl_9p_pdu_get64(&c->in);
	u32 flags = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
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
	f = hvl_9p_call_fid(c, fid);
	if (!f) {
		ret = -EBADF;
		goto out_name;
	}
	mutex_lock(&f->lock);
	ret = -EINVAL;
	if (f->kind != HVL_9P_FID_PATH || f->file)
		goto out_unlock;
	if (size) {
		ret = hvl_9p_fid_charge(&c->srv->fids, size);
		if (ret)
			goto out_unlock;
		f->xbuf = kvzalloc(size, GFP_KERNEL);
		if (!f->xbuf) {
			hvl_9p_fid_uncharge(&c->srv->fids, size);
			ret = -ENOMEM;
			goto out_unlock;
		}
		f->xtable = &c->srv->fids;
		f->xcharge = size;
	}
	f->xsize = size;
	f->xfill = 0;
	f->xflags = flags;
	f->xname = name;
	name = NULL;
	f->kind = HVL_9P_FID_XATTR_WRITE;
	ret = 0;
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
	if (!f->xsize)
		ret = vfs_removexattr(idmap, f->path.dentry, f->xname);
	else if (f->xfill != f->xsize)
		ret = -EINVAL;	/* announced more than it wrote */
	else
		ret = vfs_setxattr(idmap, f->path.dentry, f->xname, f->xbuf,
				   f->xsize, f->xflags);
	mnt_drop_write(f->path.mnt);
	return ret;
}
