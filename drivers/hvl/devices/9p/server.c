// SPDX-License-Identifier: GPL-2.0-only
/*
 * The server proper: header checks, dispatch by message type, and the
 * session-level operations (version, auth, attach, flush, clunk, statfs).
 *
 * Every handler runs in a worker under the export's credentials (see
 * main.c): never root, no capabilities, so the kernel's own permission
 * checks apply exactly as they would to a local process of that user.
 */
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/unaligned.h>

#include "hvl_9p.h"

static int version(struct hvl_9p_call *c)
{
	struct hvl_9p *srv = c->srv;
	u32 msize = hvl_9p_pdu_get32(&c->in);
	char *v = hvl_9p_pdu_getstr(&c->in, 64);
	const char *answer = "unknown";

	if (c->in.err)
		return c->in.err;
	/* "9P2000.L" and extensions of it ("9P2000.L.foo") are ours. */
	if (!strncmp(v, "9P2000.L", 8) && (!v[8] || v[8] == '.'))
		answer = "9P2000.L";
	kfree(v);
	msize = clamp(msize, HVL_9P_MIN_MSIZE, HVL_9P_MAX_MSIZE);
	WRITE_ONCE(srv->msize, msize);
	/*
	 * A version starts a new session: every fid is clunked, and a fid
	 * that a request of the old one still in flight would create is
	 * refused (a new generation).  The ring goes on: replies of the old
	 * session are still the peer's to receive.
	 */
	hvl_9p_fid_clear(&srv->fids);
	hvl_9p_pdu_put32(&c->out, msize);
	hvl_9p_pdu_putstr(&c->out, answer, strlen(answer));
	return 0;
}

/* No authentication is required, and we say so rather than faking an afid. */
static int auth(struct hvl_9p_call *c)
{
	return -EOPNOTSUPP;
}

/*
 * The client's uname/n_uname are ignored: every operation runs as the
 * configured uid/gid whoever the peer claims to be, and aname too: a
 * device serves exactly one export.
 */
static int attach(struct hvl_9p_call *c)
{
	struct hvl_9p *srv = c->srv;
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 afid = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct p9_qid qid;
	int ret;

	if (c->in.err)
		return c->in.err;
	if (afid != P9_NOFID)
		return -EOPNOTSUPP;
	ret = hvl_9p_qid_of(&srv->root, srv->root.dentry->d_sb->s_dev, &qid);
	if (ret)
		return ret;
	/* The reply first: an attach answered with an error makes no fid. */
	hvl_9p_pdu_putqid(&c->out, &qid);
	if (c->out.err)
		return c->out.err;
	f = hvl_9p_fid_alloc(fid, &srv->root);
	if (!f)
		return -ENOMEM;
	ret = hvl_9p_fid_insert(&srv->fids, f, c->gen);
	if (ret)
		hvl_9p_fid_put(f);
	return ret;
}

/* Served in poll(): see queue.c for when the reply is released. */
static int flush(struct hvl_9p_call *c)
{
	hvl_9p_pdu_get16(&c->in);
	return c->in.err;
}

/*
 * A clunk in the ring's work item (c->nowait).  That of an xattrcreate
 * fid sets the attribute (hvl_9p_xattr_commit()): a write, which takes
 * the inode's lock and the file system's write access, and so waits for
 * another writer of the file or a frozen file system, as write_nowait()
 * in file.c must not: -EAGAIN, a worker clunks it.  Any other fid is
 * unpublished here, if its number still names the fid that was looked
 * at: an xattrcreate served meanwhile by a worker may have replaced it.
 * Returns the fid, with the table's reference, or an ERR_PTR.
 */
static struct hvl_9p_fid *clunk_nowait(struct hvl_9p_fids *t, u32 fid)
{
	struct hvl_9p_fid *f = hvl_9p_fid_get(t, fid);
	bool removed;

	if (!f)
		return ERR_PTR(-EBADF);
	removed = f->kind != HVL_9P_FID_XATTR_WRITE &&
		  hvl_9p_fid_remove_this(t, f);
	/* The lookup's reference; if removed, the table's is ours. */
	hvl_9p_fid_put(f);
	return removed ? f : ERR_PTR(-EAGAIN);
}

static int clunk(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	int ret = 0;

	if (c->in.err)
		return c->in.err;
	if (c->nowait) {
		f = clunk_nowait(&c->srv->fids, fid);
		if (IS_ERR(f))
			return PTR_ERR(f);
	} else {
		f = hvl_9p_fid_remove(&c->srv->fids, fid);
		if (!f)
			return -EBADF;
	}
	if (f->kind == HVL_9P_FID_XATTR_WRITE) {
		mutex_lock(&f->lock);
		ret = hvl_9p_xattr_commit(f);
		mutex_unlock(&f->lock);
	}
	hvl_9p_fid_put(f);
	return ret;
}

static int statfs(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct kstatfs st;
	struct hvl_9p_pdu *o = &c->out;
	int ret;

	if (c->in.err)
		return c->in.err;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	ret = vfs_statfs(&f->path, &st);
	hvl_9p_fid_put(f);
	if (ret)
		return ret;
	hvl_9p_pdu_put32(o, st.f_type);
	hvl_9p_pdu_put32(o, st.f_bsize);
	hvl_9p_pdu_put64(o, st.f_blocks);
	hvl_9p_pdu_put64(o, st.f_bfree);
	hvl_9p_pdu_put64(o, st.f_bavail);
	hvl_9p_pdu_put64(o, st.f_files);
	hvl_9p_pdu_put64(o, st.f_ffree);
	hvl_9p_pdu_put64(o, (u64)st.f_fsid.val[0] | (u64)st.f_fsid.val[1] << 32);
	hvl_9p_pdu_put32(o, st.f_namelen);
	return 0;
}

struct op {
	const char *name;
	hvl_9p_op_t fn;
	bool writes;		/* refused on a read-only export */
};

static const struct op ops[256] = {
	[P9_TSTATFS] = { "statfs", statfs },
	[P9_TLOPEN] = { "lopen", hvl_9p_file_lopen },
	[P9_TLCREATE] = { "lcreate", hvl_9p_file_lcreate, true },
	[P9_TSYMLINK] = { "symlink", hvl_9p_dir_symlink, true },
	[P9_TMKNOD] = { "mknod", hvl_9p_dir_mknod, true },
	[P9_TRENAME] = { "rename", hvl_9p_dir_rename, true },
	[P9_TREADLINK] = { "readlink", hvl_9p_dir_readlink },
	[P9_TGETATTR] = { "getattr", hvl_9p_file_getattr },
	[P9_TSETATTR] = { "setattr", hvl_9p_file_setattr, true },
	[P9_TXATTRWALK] = { "xattrwalk", hvl_9p_xattr_walk },
	[P9_TXATTRCREATE] = { "xattrcreate", hvl_9p_xattr_create, true },
	[P9_TREADDIR] = { "readdir", hvl_9p_file_readdir },
	[P9_TFSYNC] = { "fsync", hvl_9p_file_fsync },
	[P9_TLOCK] = { "lock", hvl_9p_file_lock },
	[P9_TGETLOCK] = { "getlock", hvl_9p_file_getlock },
	[P9_TLINK] = { "link", hvl_9p_dir_link, true },
	[P9_TMKDIR] = { "mkdir", hvl_9p_dir_mkdir, true },
	[P9_TRENAMEAT] = { "renameat", hvl_9p_dir_renameat, true },
	[P9_TUNLINKAT] = { "unlinkat", hvl_9p_dir_unlinkat, true },
	[P9_TVERSION] = { "version", version },
	[P9_TAUTH] = { "auth", auth },
	[P9_TATTACH] = { "attach", attach },
	[P9_TFLUSH] = { "flush", flush },
	[P9_TWALK] = { "walk", hvl_9p_walk_walk },
	[P9_TREAD] = { "read", hvl_9p_file_read },
	[P9_TWRITE] = { "write", hvl_9p_file_write },
	[P9_TCLUNK] = { "clunk", clunk },
	[P9_TREMOVE] = { "remove", hvl_9p_dir_remove, true },
};

const char *hvl_9p_server_name(u8 type)
{
	return ops[type].name;
}

/*
 * Errnos that must not cross the wire: kernel-internal codes (512 and
 * up) mean nothing to a client.  Returns a negative errno.
 */
int hvl_9p_server_errno(int err)
{
	if (err >= 0)
		return -EIO;
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	case -ENOIOCTLCMD:
		return -ENOTTY;
	case -ENOTSUPP:
		return -EOPNOTSUPP;
	case -EBADTYPE:
		return -EINVAL;
	}
	return err > -512 ? err : -EIO;
}

/* Finish the header of the reply in req->rbuf, c->out.pos bytes long. */
static void seal(struct hvl_9p_req *req, u8 type, size_t len)
{
	u8 *r = req->rbuf;

	put_unaligned_le32(len, r);
	r[4] = type;
	put_unaligned_le16(req->tag, r + 5);
	req->rlen = len;
}

void hvl_9p_server_error(struct hvl_9p_req *req, int err)
{
	if (req->rsize < HVL_9P_HDR + 4) {
		req->rlen = 0;	/* no room even for Rlerror */
		return;
	}
	put_unaligned_le32(-hvl_9p_server_errno(err), req->rbuf + HVL_9P_HDR);
	seal(req, P9_RLERROR, HVL_9P_HDR + 4);
}

/*
 * Answer @req into req->rbuf.  @nowait: a handler that would have to wait
 * may return -EAGAIN instead, and then nothing is answered or counted:
 * returns false.
 */
static bool serve(struct hvl_9p *srv, struct hvl_9p_req *req, bool nowait)
{
	struct hvl_9p_call c = { .srv = srv, .nowait = nowait,
				 .gen = req->session };
	const struct cred *old;
	const struct op *op;
	ktime_t t0;
	u32 size;
	int ret;

	if (req->tsize < HVL_9P_HDR) {
		atomic64_inc(&srv->stats.malformed);
		hvl_9p_server_error(req, -EINVAL);
		return true;
	}
	size = get_unaligned_le32(req->tbuf);
	c.type = req->type;
	c.tag = req->tag;
	op = &ops[c.type];
	/* The size field must describe exactly what the chain carried. */
	if (size < HVL_9P_HDR || size > req->tsize) {
		atomic64_inc(&srv->stats.malformed);
		ret = size > READ_ONCE(srv->msize) ? -EMSGSIZE : -EINVAL;
		goto err_early;
	}
	if (!op->fn || (c.type & 1)) {
		ret = -EOPNOTSUPP;
		goto err_early;
	}
	if (op->writes && srv->read_only) {
		ret = -EROFS;
		goto err_early;
	}
	if (req->rsize < HVL_9P_HDR) {
		ret = -EMSGSIZE;
		goto err_early;
	}
	hvl_9p_pdu_init(&c.in, req->tbuf + HVL_9P_HDR, size - HVL_9P_HDR);
	hvl_9p_pdu_init(&c.out, req->rbuf + HVL_9P_HDR,
			req->rsize - HVL_9P_HDR);

	t0 = ktime_get();
	old = override_creds(srv->cred);
	ret = op->fn(&c);
	revert_creds(old);
	if (ret == -EAGAIN && nowait)
		return false;
	atomic64_inc(&srv->stats.calls[c.type]);
	atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), t0)),
		     &srv->stats.serve_ns[c.type]);
	if (!ret && c.out.err)
		ret = c.out.err;
	if (ret)
		goto err;
	seal(req, c.type + 1, HVL_9P_HDR + c.out.pos);
	return true;

err_early:
	atomic64_inc(&srv->stats.calls[c.type]);
err:
	atomic64_inc(&srv->stats.errors[c.type]);
	hvl_9p_server_error(req, ret);
	return true;
}

/**
 * hvl_9p_server_serve() - answer one request
 * @srv: the server
 * @req: the request, copied out of the window, and room for its reply
 *
 * Worker context (poll() for what is served inline).  Leaves the reply
 * in req->rbuf.
 */
void hvl_9p_server_serve(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	serve(srv, req, false);
}

/**
 * hvl_9p_server_try() - answer one request if that needs no waiting
 * @srv: the server
 * @req: as for hvl_9p_server_serve()
 *
 * The ring's work item, and the inject hook's inject_nowait.  Handlers
 * that know refuse to wait: Tread and Twrite for I/O, Twalk for the
 * fid's lock, Tclunk for an xattr's setting; the others are not to be
 * called here.
 *
 * Return: true if @req is answered, false if a worker must serve it.
 */
bool hvl_9p_server_try(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	return serve(srv, req, true);
}
