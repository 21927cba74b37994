// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test only: a hostile device side for the front-end's tests.  It binds,
 * as an hvl device module, to the window's devices of one virtio type in
 * place of the real module, takes the first chain the driver side makes
 * available on one queue and answers it with a used ring that lies:
 *
 *   loop   every descriptor of the queue gets NEXT, then the chain is
 *	    returned as used (virtio_ring's detach_buf_split() follows the
 *	    NEXT flags it reads back from the ring: an endless loop)
 *   len    the chain is returned with a length of 1 MiB
 *   id     a used entry names a descriptor beyond the ring
 *   dup    the chain is returned twice
 *   jump   used->idx runs a ring and a half ahead
 *
 * Nothing here goes through the core's checked ring code on the way out:
 * the entries are written into the window as a broken or malicious peer
 * would.  tests/integration/48-hostile-used.sh loads it instead of
 * hvl_console and checks that the front-end refuses each lie, counts it
 * and keeps running.
 */
#include <linux/hvl.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/virtio_ring.h>

static char *mode = "len";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "the lie: loop, len, id, dup or jump");

static unsigned int device_id = 3;
module_param(device_id, uint, 0444);
MODULE_PARM_DESC(device_id, "virtio device ID to serve (default 3, console)");

static unsigned int queue;
module_param(queue, uint, 0444);
MODULE_PARM_DESC(queue, "the queue to lie on (default 0)");

struct hostile {
	bool done;
	struct kvec iov[HVL_CHAIN_MAX];
};

static void put_used(struct hvl_vq *vq, u32 id, u32 len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	WRITE_ONCE(e->id, (__force __virtio32)cpu_to_le32(id));
	WRITE_ONCE(e->len, (__force __virtio32)cpu_to_le32(len));
	/* The entry before the index, as a correct device would. */
	wmb();
	vq->used_idx++;
	WRITE_ONCE(vq->used->idx, (__force __virtio16)cpu_to_le16(vq->used_idx));
}

static void lie(struct hvl_vq *vq, u16 head)
{
	unsigned int i;

	if (!strcmp(mode, "loop")) {
		for (i = 0; i < vq->num; i++)
			WRITE_ONCE(vq->desc[i].flags, (__force __virtio16)
				   cpu_to_le16(VRING_DESC_F_NEXT));
		put_used(vq, head, 0);
	} else if (!strcmp(mode, "len")) {
		put_used(vq, head, SZ_1M);
	} else if (!strcmp(mode, "id")) {
		put_used(vq, vq->num + 3, 0);
	} else if (!strcmp(mode, "dup")) {
		put_used(vq, head, 0);
		put_used(vq, head, 0);
	} else if (!strcmp(mode, "jump")) {
		vq->used_idx += vq->num + vq->num / 2;
		WRITE_ONCE(vq->used->idx,
			   (__force __virtio16)cpu_to_le16(vq->used_idx));
	}
}

static bool poll(struct hvl_device *hdev, int budget)
{
	struct hostile *h = hdev->priv;
	struct hvl_vq *vq;
	struct hvl_chain c = { .iov = h->iov, .max = HVL_CHAIN_MAX };

	if (h->done || queue >= hdev->num_queues)
		return false;
	vq = &hdev->vqs[queue];
	if (!vq->ready || hvl_vq_pop(vq, &c))
		return false;
	h->done = true;
	dev_warn(&hdev->dev, "hostile: answering chain %u of queue %u with \"%s\"\n",
		 c.head, queue, mode);
	lie(vq, c.head);
	hvl_device_interrupt(hdev, vq);
	return false;
}

static void reset(struct hvl_device *hdev)
{
	struct hostile *h = hdev->priv;

	h->done = false;
}

static int probe(struct hvl_device *hdev)
{
	struct hostile *h = kzalloc(sizeof(*h), GFP_KERNEL);

	hdev->priv = h;
	return h ? 0 : -ENOMEM;
}

static void remove(struct hvl_device *hdev)
{
	kfree(hdev->priv);
}

static struct hvl_driver hostile_driver = {
	.driver.name = "hvl_hostile_dev",
	.config_size = 64,
	.probe = probe,
	.remove = remove,
	.reset = reset,
	.poll = poll,
};

static int __init hostile_init(void)
{
	hostile_driver.device_id = device_id;
	return hvl_driver_register(&hostile_driver);
}
module_init(hostile_init);

static void __exit hostile_exit(void)
{
	hvl_driver_unregister(&hostile_driver);
}
module_exit(hostile_exit);

MODULE_DESCRIPTION("hvl test only: a device side that lies in its used rings");
MODULE_LICENSE("GPL");
