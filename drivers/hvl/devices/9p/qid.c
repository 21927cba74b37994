// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qids: the server's identity of a file.  path is the inode number for
 * files on the export's own file system; an export may have other file
 * systems mounted beneath it, whose inode numbers can collide with the
 * export's, so their device number is folded into the high bits.
 *
 * version is the inode's generation, which tells a reused inode number
 * from the file it used to name, and is never 0.  The v9fs client reads
 * a 0 version as "synthetic file system": it then bypasses its page cache
 * in every cache mode, and sequential I/O goes out one page per message
 * (v9fs_fid_add_modes()).  Nor may the version move with writes: the
 * client compares it to decide whether a cached inode is still the same
 * file, and a moving one would make it drop and re-instantiate inodes
 * under a writer, which QEMU's mtime-based versions are known to cause.
 */
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/stat.h>

#include "hvl_9p.h"

static u64 qpath(u64 ino, dev_t dev, dev_t root_dev)
{
	if (dev == root_dev)
		return ino;
	/* Not bijective, but distinct from the export's for small inodes. */
	return ino ^ ((u64)new_encode_dev(dev) << 40) ^ BIT_ULL(63);
}

/* Not every file system sets i_generation: 1 then stands for "unknown". */
static u32 qversion(u32 gen)
{
	return gen ?: 1;
}

void hvl_9p_qid_from_mode(struct p9_qid *q, umode_t mode, u64 ino, u32 gen,
			  dev_t dev, dev_t root_dev)
{
	if (S_ISDIR(mode))
		q->type = P9_QTDIR;
	else if (S_ISLNK(mode))
		q->type = P9_QTSYMLINK;
	else
		q->type = P9_QTFILE;
	q->version = qversion(gen);
	q->path = qpath(ino, dev, root_dev);
}

/*
 * Readdir entries have only d_type and d_ino (stat'ing each entry would
 * double the cost of a listing); the client walks before it trusts them,
 * and takes only the path from them, so their version stays unknown.
 */
void hvl_9p_qid_from_dtype(struct p9_qid *q, unsigned int d_type, u64 ino)
{
	q->type = d_type == DT_DIR ? P9_QTDIR :
		  d_type == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
	q->version = qversion(0);
	q->path = ino;
}

int hvl_9p_qid_of(const struct path *path, dev_t root_dev, struct p9_qid *q)
{
	struct kstat st;
	int ret;

	ret = vfs_getattr(path, &st, STATX_TYPE | STATX_INO,
			  AT_STATX_SYNC_AS_STAT);
	if (ret)
		return ret;
	hvl_9p_qid_from_mode(q, st.mode, st.ino,
			     d_inode(path->dentry)->i_generation, st.dev,
			     root_dev);
	return 0;
}
