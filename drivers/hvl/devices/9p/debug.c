// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test hook: /sys/kernel/debug/hvl_9p/<device>/inject, present only
 * with the module parameter inject=1.  A write is one raw T-message, as
 * the peer could send it (malformed ones included); it is served at once
 * in the writer's context, through the same decoder, fid table and
 * credentials as the peer's requests, and a read returns the R-message.
 *
 * This lets the integration tests send what no stock client would: size
 * fields that lie, strings without room, ".." and "a/b" walks, fids that
 * are reused.  Root only, like the rest of debugfs; the fids it creates
 * share the peer's table, so tests use numbers the client does not.
 *
 * inject_rsize, beside it, is the room the next replies get (default and
 * at most 64 KiB), as the writable part of the peer's chain sets it: a
 * reply that does not fit must leave no state behind.
 *
 * A read returns the reply to the last write through the same open
 * file, or, from a file that has written nothing, the device's last
 * reply (so "write with one command, read with the next" works): racing
 * writers each open the hook once and read their own replies.
 *
 * inject_nowait is the same hook serving as the ring's work item does
 * (hvl_9p_server_try()): a handler that would wait hands the message to
 * a worker there, and here fails the write with EAGAIN, nothing answered.
 * A test holds what such a handler would wait for and sees that it does
 * not: the work item cannot be shown waiting through the hook, which
 * serves in the writer's context, as a worker does.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "hvl_9p.h"

#define INJECT_MAX	(64u * 1024u)

static struct dentry *top;

/* An open file of the hook: its last reply. */
struct inject_file {
	struct hvl_9p *srv;
	bool nowait;		/* inject_nowait: as the work item serves */
	struct mutex lock;	/* @reply, @len: pread/pwrite may race */
	void *reply;
	size_t len;
};

static int inject_open(struct inode *inode, struct file *file)
{
	struct inject_file *io = kzalloc(sizeof(*io), GFP_KERNEL);

	if (!io)
		return -ENOMEM;
	io->srv = inode->i_private;
	mutex_init(&io->lock);
	file->private_data = io;
	return 0;
}

static int inject_nowait_open(struct inode *inode, struct file *file)
{
	struct inject_file *io;
	int ret = inject_open(inode, file);

	if (ret)
		return ret;
	io = file->private_data;
	io->nowait = true;
	return 0;
}

static int inject_release(struct inode *inode, struct file *file)
{
	struct inject_file *io = file->private_data;

	mutex_destroy(&io->lock);
	kvfree(io->reply);
	kfree(io);
	return 0;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct inject_file *io = file->private_data;
	struct hvl_9p *srv = io->srv;
	struct hvl_9p_req *req;
	void *last;
	ssize_t ret = len;

	if (len > INJECT_MAX)
		return -EMSGSIZE;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->tbuf = vmemdup_user(ubuf, len);
	if (IS_ERR(req->tbuf)) {
		ret = PTR_ERR(req->tbuf);
		req->tbuf = NULL;
		goto out;
	}
	req->tsize = len;
	req->rsize = min(READ_ONCE(srv->inject_rsize), INJECT_MAX);
	req->rbuf = kvzalloc(max_t(size_t, req->rsize, 1), GFP_KERNEL);
	if (!req->rbuf) {
		ret = -ENOMEM;
		goto out;
	}
	req->tag = P9_NOTAG;
	if (len >= HVL_9P_HDR) {
		req->type = ((u8 *)req->tbuf)[4];
		req->tag = get_unaligned_le16(req->tbuf + 5);
	}
	spin_lock(&srv->lock);
	req->gen = srv->gen;
	spin_unlock(&srv->lock);
	req->session = hvl_9p_fid_session(&srv->fids);

	if (io->nowait) {
		if (!hvl_9p_server_try(srv, req)) {
			ret = -EAGAIN;	/* the work item's "to a worker" */
			goto out;
		}
	} else {
		hvl_9p_server_serve(srv, req);
	}

	last = kvmalloc(req->rlen ?: 1, GFP_KERNEL);
	if (last)
		memcpy(last, req->rbuf, req->rlen);
	mutex_lock(&srv->inject_lock);
	kvfree(srv->inject_reply);
	srv->inject_reply = last;
	srv->inject_len = last ? req->rlen : 0;
	mutex_unlock(&srv->inject_lock);
	/* A write and a read through one file are the writer's to order. */
	mutex_lock(&io->lock);
	kvfree(io->reply);
	io->reply = req->rbuf;
	io->len = req->rlen;
	mutex_unlock(&io->lock);
	req->rbuf = NULL;
	*ppos = 0;
out:
	kvfree(req->tbuf);
	kvfree(req->rbuf);
	kfree(req);
	return ret;
}

static ssize_t inject_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	struct inject_file *io = file->private_data;
	struct hvl_9p *srv = io->srv;
	ssize_t ret;

	mutex_lock(&io->lock);
	if (io->reply) {
		ret = simple_read_from_buffer(ubuf, len, ppos, io->reply,
					      io->len);
		mutex_unlock(&io->lock);
		return ret;
	}
	mutex_unlock(&io->lock);
	mutex_lock(&srv->inject_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, srv->inject_reply,
				      srv->inject_len);
	mutex_unlock(&srv->inject_lock);
	return ret;
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = inject_open,
	.release = inject_release,
	.read = inject_read,
	.write = inject_write,
	.llseek = default_llseek,
};

static const struct file_operations inject_nowait_fops = {
	.owner = THIS_MODULE,
	.open = inject_nowait_open,
	.release = inject_release,
	.read = inject_read,
	.write = inject_write,
	.llseek = default_llseek,
};

void hvl_9p_debug_add(struct hvl_9p *srv)
{
	mutex_init(&srv->inject_lock);
	srv->inject_rsize = INJECT_MAX;
	if (!top)
		return;
	srv->debug = debugfs_create_dir(dev_name(&srv->hdev->dev), top);
	debugfs_create_file("inject", 0600, srv->debug, srv, &inject_fops);
	debugfs_create_file("inject_nowait", 0600, srv->debug, srv,
			    &inject_nowait_fops);
	debugfs_create_u32("inject_rsize", 0600, srv->debug,
			   &srv->inject_rsize);
}

/* debugfs_remove() waits for writers still inside inject_write(). */
void hvl_9p_debug_remove(struct hvl_9p *srv)
{
	debugfs_remove(srv->debug);
	kvfree(srv->inject_reply);
	mutex_destroy(&srv->inject_lock);
}

void hvl_9p_debug_init(bool inject)
{
	if (inject)
		top = debugfs_create_dir("hvl_9p", NULL);
}

void hvl_9p_debug_exit(void)
{
	debugfs_remove(top);
	top = NULL;
}
