// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_front fault injection: make this front-end behave like a buggy or
 * hostile peer, so that a device side's defences can be tested end to
 * end (tests/integration/45-hostile-peer.sh), not only in KUnit.
 *
 * Off unless the module is loaded with inject=1.  Then each front-end has
 * a debugfs file "inject"; writing "<entry> <queue> <fault>" corrupts the
 * split ring of queue <queue> of the device in table entry <entry>:
 *
 *   avail-jump  avail->idx moves num + 1 ahead: more chains than the ring
 *   desc-oob    a new chain whose buffer lies outside the window
 *   desc-loop   a new chain whose descriptor names itself as next
 *   desc-len    a new chain whose length wraps the address space
 *
 * and rings the doorbell.  The rings belong to the virtio core; writing
 * them behind its back leaves the queue as unusable as a real broken peer
 * would.  The device side answers with DEVICE_NEEDS_RESET; recovery is a
 * device reset, e.g. unbinding and binding the virtio driver.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "front.h"

static bool inject;
module_param(inject, bool, 0444);
MODULE_PARM_DESC(inject, "debugfs fault injection: act as a hostile peer (testing)");

/* Far outside any window the tests or a real board would describe. */
#define OUTSIDE		0xdead00000000ull

/* Publish descriptor 0 as the next available chain. */
static void publish_desc0(struct virtqueue *vq, const struct vring *vr, u16 idx)
{
	vr->avail->ring[idx % vr->num] = cpu_to_virtio16(vq->vdev, 0);
	virtio_wmb(true);
	vr->avail->idx = cpu_to_virtio16(vq->vdev, idx + 1);
}

static int corrupt(struct virtqueue *vq, const char *fault)
{
	const struct vring *vr = virtqueue_get_vring(vq);
	struct virtio_device *vdev = vq->vdev;
	struct vring_desc *d = &vr->desc[0];
	u16 idx = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));

	if (!strcmp(fault, "avail-jump")) {
		vr->avail->idx = cpu_to_virtio16(vdev, idx + vr->num + 1);
	} else if (!strcmp(fault, "desc-oob")) {
		d->addr = cpu_to_virtio64(vdev, OUTSIDE);
		d->len = cpu_to_virtio32(vdev, 4096);
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_WRITE);
		publish_desc0(vq, vr, idx);
	} else if (!strcmp(fault, "desc-loop")) {
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_NEXT);
		d->next = cpu_to_virtio16(vdev, 0);
		publish_desc0(vq, vr, idx);
	} else if (!strcmp(fault, "desc-len")) {
		d->len = cpu_to_virtio32(vdev, U32_MAX);
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_WRITE);
		publish_desc0(vq, vr, idx);
	} else {
		return -EINVAL;
	}
	virtqueue_notify(vq);
	return 0;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct hvl_front *f = file->private_data;
	struct hvl_front_vdev *vd;
	unsigned int entry, q;
	char buf[64], fault[16];
	int ret = -ENODEV;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%u %u %15s", &entry, &q, fault) != 3 ||
	    q >= HVL_MAX_QUEUES)
		return -EINVAL;

	mutex_lock(&f->lock);
	list_for_each_entry(vd, &f->vdevs, node) {
		if (vd->index != entry)
			continue;
		spin_lock_irq(&vd->vq_lock);
		ret = vd->vqs[q] ? corrupt(vd->vqs[q], fault) : -ENOENT;
		spin_unlock_irq(&vd->vq_lock);
		break;
	}
	mutex_unlock(&f->lock);
	if (!ret)
		dev_warn(f->dev, "injected %s into entry %u queue %u\n",
			 fault, entry, q);
	return ret ?: len;
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = inject_write,
};

/**
 * hvl_front_inject_init() - the "inject" debugfs file, if enabled
 * @f: the front end, its debugfs directory created
 */
void hvl_front_inject_init(struct hvl_front *f)
{
	if (inject)
		debugfs_create_file("inject", 0200, f->dbg, f, &inject_fops);
}
