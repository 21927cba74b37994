// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_9p: a virtio-9p device (ID 9) whose server is in this kernel, so a
 * peer's stock 9P2000.L client (the Linux v9fs "trans=virtio" driver, or
 * an RTOS's) mounts a Linux directory without any user-space monitor.
 *
 * Device tree (a child of a hvl,virtio-backend window):
 *   hvl,mount-tag   string, 1..32 bytes: the tag in the virtio config
 *   hvl,export      string: absolute path of the exported directory
 *   hvl,uid/gid     u32: the credentials of every operation (65534)
 *   hvl,read-only   bool
 * Module parameters of the same names (tag=, export=, uid=, gid=, ro=)
 * override them at load time for bring-up; tag= and export= for one
 * device only.
 *
 * The peer is untrusted: see walk.c for confinement, queue.c for the
 * concurrency and reset rules, pdu.c for message decoding.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/of.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_ids.h>
#include <linux/xattr.h>

#include "hvl_9p.h"

#define NOBODY	65534u

static char *export;
module_param(export, charp, 0444);
MODULE_PARM_DESC(export, "export directory, overrides hvl,export");
static char *tag;
module_param(tag, charp, 0444);
MODULE_PARM_DESC(tag, "mount tag, overrides hvl,mount-tag");
static int uid = -1;
module_param(uid, int, 0444);
MODULE_PARM_DESC(uid, "uid of every operation, overrides hvl,uid");
static int gid = -1;
module_param(gid, int, 0444);
MODULE_PARM_DESC(gid, "gid of every operation, overrides hvl,gid");
static int ro = -1;
module_param(ro, int, 0444);
MODULE_PARM_DESC(ro, "1: read-only export, overrides hvl,read-only");
static bool inject;
module_param(inject, bool, 0444);
MODULE_PARM_DESC(inject, "test hook: raw messages through debugfs (debug.c)");
static unsigned int workers = 4;
module_param(workers, uint, 0444);
MODULE_PARM_DESC(workers, "server threads per device (1-64)");
static unsigned int max_fids = 65536;
module_param(max_fids, uint, 0444);
MODULE_PARM_DESC(max_fids, "fids the peer may hold per device (16-16777216, default 65536)");
static unsigned int max_xattr_bytes = SZ_1M;
module_param(max_xattr_bytes, uint, 0444);
MODULE_PARM_DESC(max_xattr_bytes, "bytes of xattr buffers the peer's fids may hold per device (65536-1073741824, default 1048576)");

/*
 * The credentials of every operation: the configured uid/gid for every
 * id, no supplementary groups, no capabilities at all, so DAC is what a
 * process of that user would get.  Root is possible only if configured.
 */
static const struct cred *make_cred(u32 u, u32 g)
{
	kuid_t ku = make_kuid(&init_user_ns, u);
	kgid_t kg = make_kgid(&init_user_ns, g);
	struct cred *c;

	if (!uid_valid(ku) || !gid_valid(kg))
		return ERR_PTR(-EINVAL);
	c = prepare_kernel_cred(&init_task);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->uid = ku;
	c->euid = ku;
	c->suid = ku;
	c->fsuid = ku;
	c->gid = kg;
	c->egid = kg;
	c->sgid = kg;
	c->fsgid = kg;
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	return c;
}

/*
 * tag= and export= are one value for every device: two devices given the
 * same tag would both be mounted by it, the peer getting whichever its
 * client finds first.  The first device to probe takes them, any other
 * is refused.
 */
static struct hvl_device *override_owner;

static int claim_override(struct hvl_device *hdev)
{
	struct hvl_device *owner;

	if (!tag && !export)
		return 0;
	owner = cmpxchg(&override_owner, NULL, hdev);
	if (!owner)
		return 0;
	dev_err(&hdev->dev, "tag=/export= are %s's already: they apply to one 9P device only\n",
		dev_name(&owner->dev));
	return -EBUSY;
}

static void release_override(struct hvl_device *hdev)
{
	cmpxchg(&override_owner, hdev, NULL);
}

/* Properties, with the module parameters taking precedence. */
static int read_config(struct hvl_device *hdev, struct hvl_9p *srv,
		       const char **path)
{
	struct device_node *np = hdev->of_node;
	const char *t = tag;
	size_t len;

	if (!t && of_property_read_string(np, "hvl,mount-tag", &t)) {
		dev_err(&hdev->dev, "hvl,mount-tag: missing\n");
		return -EINVAL;
	}
	len = strlen(t);
	if (!len || len > HVL_9P_TAG_MAX) {
		/* Blame what the tag came from. */
		dev_err(&hdev->dev, "%s: must be 1 to %u bytes\n",
			tag ? "module parameter tag=" : "hvl,mount-tag",
			HVL_9P_TAG_MAX);
		return -EINVAL;
	}
	strscpy(srv->tag, t);

	*path = export;
	if (!*path && of_property_read_string(np, "hvl,export", path)) {
		dev_err(&hdev->dev, "hvl,export: missing\n");
		return -EINVAL;
	}
	if ((*path)[0] != '/') {
		dev_err(&hdev->dev, "%s: not an absolute path\n",
			export ? "module parameter export=" : "hvl,export");
		return -EINVAL;
	}

	srv->uid = NOBODY;
	srv->gid = NOBODY;
	/* A wrong length must not read as 0: that would be root. */
	if (hvl_of_read_u32(np, "hvl,uid", &srv->uid) == -EINVAL) {
		dev_err(&hdev->dev, "%pOF: \"hvl,uid\" must be one 32-bit cell\n",
			np);
		return -EINVAL;
	}
	if (hvl_of_read_u32(np, "hvl,gid", &srv->gid) == -EINVAL) {
		dev_err(&hdev->dev, "%pOF: \"hvl,gid\" must be one 32-bit cell\n",
			np);
		return -EINVAL;
	}
	if (uid >= 0)
		srv->uid = uid;
	if (gid >= 0)
		srv->gid = gid;
	srv->read_only = ro >= 0 ? ro : of_property_read_bool(np,
							      "hvl,read-only");
	return 0;
}

static int probe(struct hvl_device *hdev)
{
	struct virtio_9p_config *cfg = hdev->config;
	struct hvl_9p *srv;
	const char *path;
	size_t len;
	int ret;

	if (hdev->num_queues != 1) {
		dev_err(&hdev->dev, "hvl,queue-sizes: 9p needs exactly 1 queue, DT gives %u\n",
			hdev->num_queues);
		return -EINVAL;
	}
	ret = claim_override(hdev);
	if (ret)
		return ret;
	srv = kvzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv) {
		release_override(hdev);
		return -ENOMEM;
	}
	srv->hdev = hdev;
	srv->msize = HVL_9P_MAX_MSIZE;
	if (max_fids < 16 || max_fids > (1u << 24)) {
		dev_err(&hdev->dev, "max_fids=%u: must be 16 to 16777216\n",
			max_fids);
		ret = -EINVAL;
		goto err_free;
	}
	/* At least one buffer of the largest size must fit. */
	if (max_xattr_bytes < XATTR_SIZE_MAX || max_xattr_bytes > SZ_1G) {
		dev_err(&hdev->dev, "max_xattr_bytes=%u: must be %d to %d\n",
			max_xattr_bytes, XATTR_SIZE_MAX, SZ_1G);
		ret = -EINVAL;
		goto err_free;
	}
	hvl_9p_fid_init(&srv->fids, max_fids, &hdev->dev);
	srv->fids.xmax = max_xattr_bytes;
	ret = read_config(hdev, srv, &path);
	if (ret)
		goto err_free;
	ret = kern_path(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &srv->root);
	if (ret) {
		dev_err(&hdev->dev, "hvl,export: %s: error %d\n", path, ret);
		goto err_free;
	}
	srv->cred = make_cred(srv->uid, srv->gid);
	if (IS_ERR(srv->cred)) {
		ret = PTR_ERR(srv->cred);
		dev_err(&hdev->dev, "hvl,uid/hvl,gid: invalid ids\n");
		goto err_path;
	}
	srv->iov = kvcalloc(HVL_CHAIN_MAX, sizeof(*srv->iov), GFP_KERNEL);
	if (!srv->iov) {
		ret = -ENOMEM;
		goto err_cred;
	}
	ret = hvl_9p_queue_start(srv, workers);
	if (ret)
		goto err_iov;

	/* The config image is ours: the peer only writes via transactions. */
	len = strlen(srv->tag);
	WRITE_ONCE(cfg->tag_len, __cpu_to_virtio16(true, len));
	memcpy(cfg->tag, srv->tag, len);
	hdev->config_size = sizeof(*cfg) + len;
	hdev->priv = srv;
	hvl_9p_debug_add(srv);
	dev_info(&hdev->dev, "9p: tag %s, export %s, uid %u gid %u%s\n",
		 srv->tag, path, srv->uid, srv->gid,
		 srv->read_only ? ", read-only" : "");
	return 0;

err_iov:
	kvfree(srv->iov);
err_cred:
	put_cred(srv->cred);
err_path:
	path_put(&srv->root);
err_free:
	kvfree(srv);
	release_override(hdev);
	return ret;
}

static void remove(struct hvl_device *hdev)
{
	struct hvl_9p *srv = hdev->priv;

	hvl_9p_debug_remove(srv);
	hvl_9p_queue_stop(srv);
	hvl_9p_fid_clear(&srv->fids);
	xa_destroy(&srv->fids.xa);
	kvfree(srv->iov);
	put_cred(srv->cred);
	path_put(&srv->root);
	kvfree(srv);
	release_override(hdev);
}

static int activate(struct hvl_device *hdev)
{
	hvl_device_kick(hdev);
	return 0;
}

static void reset(struct hvl_device *hdev)
{
	hvl_9p_queue_reset(hdev->priv);
}

static bool poll(struct hvl_device *hdev, int budget)
{
	return hvl_9p_queue_poll(hdev->priv, budget);
}

/* The config (the tag) is read-only. */
static int config_write(struct hvl_device *hdev, unsigned int offset,
			unsigned int width, u32 value)
{
	return -EINVAL;
}

static void show(struct hvl_device *hdev, struct seq_file *s)
{
	struct hvl_9p *srv = hdev->priv;
	unsigned int t;
	const char *name;

	seq_printf(s, "tag: %s\nuid: %u\ngid: %u\nread_only: %d\nmsize: %u\n",
		   srv->tag, srv->uid, srv->gid, srv->read_only,
		   READ_ONCE(srv->msize));
	seq_printf(s, "fids: %u\nfids_max: %u\nfids_refused: %lu\ninflight: %u\nworkers: %u\n",
		   hvl_9p_fid_count(&srv->fids), srv->fids.max,
		   READ_ONCE(srv->fids.refused), srv->nr_inflight,
		   srv->nr_workers);
	seq_printf(s, "session: %u\n", hvl_9p_fid_session(&srv->fids));
	seq_printf(s, "xattr_bytes: %ld\nxattr_bytes_max: %lu\nxattr_refused: %ld\n",
		   atomic_long_read(&srv->fids.xbytes), srv->fids.xmax,
		   atomic_long_read(&srv->fids.xrefused));
	seq_printf(s, "malformed: %lld\nstale: %lld\nbytes_read: %lld\nbytes_written: %lld\n",
		   atomic64_read(&srv->stats.malformed),
		   atomic64_read(&srv->stats.stale),
		   atomic64_read(&srv->stats.bytes_read),
		   atomic64_read(&srv->stats.bytes_written));
	seq_printf(s, "io_inline: %lld\nio_handed: %lld\n",
		   atomic64_read(&srv->stats.io_inline),
		   atomic64_read(&srv->stats.io_handed));
	seq_printf(s, "lock_waits: %lld\nlock_timeouts: %lld\nlocks: %d\nlocks_max: %u\nlocks_refused: %lld\n",
		   atomic64_read(&srv->stats.lock_waits),
		   atomic64_read(&srv->stats.lock_timeouts),
		   atomic_read(&srv->stats.locks), hvl_9p_lock_max(),
		   atomic64_read(&srv->stats.locks_refused));
	/*
	 * One line per operation seen:
	 * "op.<name>: <calls> <errors> <handler us> <pop-to-push us>",
	 * the times being averages.
	 */
	for (t = 0; t < 256; t++) {
		s64 n = atomic64_read(&srv->stats.calls[t]);
		char num[8];

		if (!n)
			continue;
		name = hvl_9p_server_name(t);
		if (!name) {
			snprintf(num, sizeof(num), "%u", t);
			name = num;
		}
		seq_printf(s, "op.%s: %lld %lld %lld %lld\n", name, n,
			   atomic64_read(&srv->stats.errors[t]),
			   div64_s64(atomic64_read(&srv->stats.serve_ns[t]),
				     n * NSEC_PER_USEC),
			   div64_s64(atomic64_read(&srv->stats.turn_ns[t]),
				     n * NSEC_PER_USEC));
	}
}

static const char * const of_properties[] = {
	"hvl,mount-tag", "hvl,export", "hvl,uid", "hvl,gid", "hvl,read-only",
	NULL
};

static struct hvl_driver p9_driver = {
	.driver.name = "hvl_9p",
	.device_id = VIRTIO_ID_9P,
	.of_properties = of_properties,
	.features = BIT_ULL(VIRTIO_9P_MOUNT_TAG),
	.config_size = sizeof(struct virtio_9p_config) + HVL_9P_TAG_MAX,
	.probe = probe,
	.remove = remove,
	.activate = activate,
	.reset = reset,
	.poll = poll,
	.config_write = config_write,
	.show = show,
};

static int __init p9_init(void)
{
	unsigned int w = clamp(workers, 1u, 64u);
	int ret;

	/* -1 is "from the device tree"; any other negative id is a typo. */
	if (uid < -1 || gid < -1) {
		pr_err("hvl_9p: uid=%d gid=%d: each must be -1 (the device tree's) or an id\n",
		       uid, gid);
		return -EINVAL;
	}
	if (w != workers) {
		pr_warn("hvl_9p: workers=%u is out of 1 to 64, using %u\n",
			workers, w);
		workers = w;
	}
	hvl_9p_debug_init(inject);
	ret = hvl_driver_register(&p9_driver);
	if (ret)
		hvl_9p_debug_exit();
	return ret;
}

static void __exit p9_exit(void)
{
	hvl_driver_unregister(&p9_driver);
	hvl_9p_debug_exit();
}

module_init(p9_init);
module_exit(p9_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvl virtio-9p backend: an in-kernel 9P2000.L file server");
MODULE_ALIAS("hvl:d00000009");
