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
 * and rings the doorbell.  The ring written is the window's copy, the one
 * the device side reads (shadow.c); the front-end's private ring is not
 * touched, so the driver sees a queue the device side stopped serving, as
 * with a real broken peer.  The device side answers with DEVICE_NEEDS_RESET; recovery is a
 * device reset, e.g. unbinding and binding the virtio driver.
 *
 * A peer can also be hostile with well-formed rings, and three more faults
 * play one towards a vsock or a net device:
 *
 *   hold        the device's driver gets no more callbacks: it neither
 *               sees nor replaces the buffers the device uses, i.e. it
 *               stops reading and posts no receive buffers, until the
 *               device is reset
 *   vsock <op> <src_port> <dst_port> <buf_alloc> <len> <bytes> <count>
 *               posts <count> raw packets on queue <queue> (the tx queue,
 *               1): header op, ports and buf_alloc as given, src_cid the
 *               CID the device announces, dst_cid 2, type stream, hdr.len
 *               <len>, in one descriptor of header + <bytes>.  Waits up to
 *               two seconds for the device to take them and fails with
 *               EBUSY if it stops (which a bounded device should).
 *   net <flags> <gso_type> <gso_size> <csum_start> <csum_offset> <bytes> <count>
 *               the same towards a net device: <count> raw frames on
 *               queue <queue> (the transmitq, 1), a virtio-net header
 *               with the fields as given (num_buffers 0) and <bytes> of
 *               frame, an Ethernet header (broadcast, IPv4) then zeros.
 *
 * The raw packets use the upper half of the public descriptor table, which
 * an idle stock driver does not reach, and one buffer from the restricted
 * DMA pool that lives as long as the front-end.  Every packet of a write
 * is the same; before it rewrites the buffer, a write waits until the
 * device has taken the packets of the previous one.  The device must be
 * held first (EBUSY otherwise): while it is, the front-end neither
 * publishes the driver's buffers nor takes used entries, so the public
 * ring is the injector's.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/virtio_net.h>
#include <linux/virtio_vsock.h>
#include <linux/vm_sockets.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "front.h"

static bool inject;
module_param(inject, bool, 0444);
MODULE_PARM_DESC(inject, "debugfs fault injection: act as a hostile peer (testing)");

/* Far outside any window the tests or a real board would describe. */
#define OUTSIDE		0xdead00000000ull

#define RAW_BUF_SIZE	(sizeof(struct virtio_vsock_hdr) + VIRTIO_VSOCK_MAX_PKT_BUF_SIZE)
#define NET_HDR_SIZE	sizeof(struct virtio_net_hdr_mrg_rxbuf)
static_assert(NET_HDR_SIZE + 0xffff <= RAW_BUF_SIZE);

/* Publish descriptor 0 as the next available chain. */
static void publish_desc0(struct hvl_front_vq *sq, u16 idx)
{
	const struct vring *vr = &sq->pub;

	vr->avail->ring[idx % vr->num] = cpu_to_virtio16(sq->vq->vdev, 0);
	/* Not virtio_wmb(): the window may be mapped write-combining. */
	wmb();
	vr->avail->idx = cpu_to_virtio16(sq->vq->vdev, idx + 1);
	sq->pub_avail = idx + 1;
}

static int corrupt(struct hvl_front_vq *sq, const char *fault)
{
	const struct vring *vr = &sq->pub;
	struct virtio_device *vdev = sq->vq->vdev;
	struct vring_desc *d = &vr->desc[0];
	u16 idx;
	int ret = 0;

	spin_lock(&sq->lock);
	idx = sq->pub_avail;
	if (!strcmp(fault, "avail-jump")) {
		vr->avail->idx = cpu_to_virtio16(vdev, idx + vr->num + 1);
	} else if (!strcmp(fault, "desc-oob")) {
		d->addr = cpu_to_virtio64(vdev, OUTSIDE);
		d->len = cpu_to_virtio32(vdev, 4096);
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_WRITE);
		publish_desc0(sq, idx);
	} else if (!strcmp(fault, "desc-loop")) {
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_NEXT);
		d->next = cpu_to_virtio16(vdev, 0);
		publish_desc0(sq, idx);
	} else if (!strcmp(fault, "desc-len")) {
		d->len = cpu_to_virtio32(vdev, U32_MAX);
		d->flags = cpu_to_virtio16(vdev, VRING_DESC_F_WRITE);
		publish_desc0(sq, idx);
	} else {
		ret = -EINVAL;
	}
	spin_unlock(&sq->lock);
	if (!ret)
		hvl_doorbell_ring(&sq->vd->front->db);
	return ret;
}

/*
 * A raw packet: for vsock the header fields as named; for net (@net)
 * op, src_port, dst_port, buf_alloc and len carry flags, gso_type,
 * gso_size, csum_start and csum_offset.
 */
struct raw_pkt {
	bool net;
	u32 op, src_port, dst_port, buf_alloc, len, bytes, count;
};

static size_t raw_hdr_size(const struct raw_pkt *p)
{
	return p->net ? NET_HDR_SIZE : sizeof(struct virtio_vsock_hdr);
}

/* A virtio-net header and an Ethernet header, the rest zeros. */
static void raw_net(struct hvl_front *f, const struct raw_pkt *p)
{
	struct virtio_net_hdr_mrg_rxbuf *h = f->inject_buf;
	struct ethhdr *eth = f->inject_buf + NET_HDR_SIZE;

	memset(f->inject_buf, 0, NET_HDR_SIZE + p->bytes);
	h->hdr.flags = p->op;
	h->hdr.gso_type = p->src_port;
	h->hdr.gso_size = __cpu_to_virtio16(true, p->dst_port);
	h->hdr.csum_start = __cpu_to_virtio16(true, p->buf_alloc);
	h->hdr.csum_offset = __cpu_to_virtio16(true, p->len);
	if (p->bytes < sizeof(*eth))
		return;
	eth_broadcast_addr(eth->h_dest);
	eth->h_source[0] = 2;
	eth->h_proto = htons(ETH_P_IP);
}

/* One buffer for every raw packet: header, then zeros. */
static int raw_buf(struct hvl_front *f, struct hvl_front_vdev *vd,
		   const struct raw_pkt *p)
{
	struct virtio_device *vdev = &vd->vdev;
	struct virtio_vsock_hdr *hdr;
	u64 cid;

	lockdep_assert_held(&f->lock);

	if (!f->inject_buf) {
		f->inject_buf = dma_alloc_coherent(f->dev, RAW_BUF_SIZE,
						   &f->inject_dma, GFP_KERNEL);
		if (!f->inject_buf)
			return -ENOMEM;
	}
	if (p->net) {
		raw_net(f, p);
		return 0;
	}
	virtio_cread_le(vdev, struct virtio_vsock_config, guest_cid, &cid);
	hdr = f->inject_buf;
	*hdr = (struct virtio_vsock_hdr){
		.src_cid = cpu_to_le64(cid),
		.dst_cid = cpu_to_le64(VMADDR_CID_HOST),
		.src_port = cpu_to_le32(p->src_port),
		.dst_port = cpu_to_le32(p->dst_port),
		.len = cpu_to_le32(p->len),
		.type = cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM),
		.op = cpu_to_le16(p->op),
		.buf_alloc = cpu_to_le32(p->buf_alloc),
	};
	return 0;
}

/*
 * Post one raw packet if the upper half of the ring has room; with @p
 * NULL, only say whether the device took everything posted.
 */
static int post_raw(struct hvl_front *f, struct hvl_front_vdev *vd,
		    unsigned int q, const struct raw_pkt *p)
{
	struct hvl_front_vq *sq;
	const struct vring *vr;
	struct vring_desc *d;
	struct virtio_device *vdev = &vd->vdev;
	u16 idx, used, half;
	int ret = -EAGAIN;

	spin_lock_irq(&vd->vq_lock);
	sq = vd->vqs[q];
	if (!sq || !vd->held) {
		ret = sq ? -EBUSY : -ENOENT;
		goto out;
	}
	vr = &sq->pub;
	/* A kick that saw the device before "hold" may be publishing. */
	spin_lock(&sq->lock);
	half = vr->num / 2;
	idx = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	used = virtio16_to_cpu(vdev, READ_ONCE(vr->used->idx));
	if (!p) {
		ret = idx == used ? 0 : -EAGAIN;
		goto out_sq;
	}
	if ((u16)(idx - used) >= half)
		goto out_sq;
	d = &vr->desc[half + idx % half];
	d->addr = cpu_to_virtio64(vdev, f->inject_dma);
	d->len = cpu_to_virtio32(vdev, raw_hdr_size(p) + p->bytes);
	d->flags = 0;
	d->next = 0;
	vr->avail->ring[idx % vr->num] = cpu_to_virtio16(vdev, half + idx % half);
	/* The descriptor and the entry before the index, as above. */
	wmb();
	vr->avail->idx = cpu_to_virtio16(vdev, idx + 1);
	hvl_doorbell_ring(&f->db);
	ret = 0;
out_sq:
	spin_unlock(&sq->lock);
out:
	spin_unlock_irq(&vd->vq_lock);
	return ret;
}

static int inject_raw(struct hvl_front *f, struct hvl_front_vdev *vd,
		      unsigned int q, const struct raw_pkt *p)
{
	unsigned long timeout = jiffies + 2 * HZ;
	u32 n = 0;
	int ret;

	lockdep_assert_held(&f->lock);

	if (raw_hdr_size(p) + p->bytes > RAW_BUF_SIZE)
		return -EINVAL;
	/* The buffer is rewritten: the device must have read it. */
	while ((ret = post_raw(f, vd, q, NULL)) == -EAGAIN) {
		if (time_after(jiffies, timeout)) {
			dev_warn(f->dev, "inject: the device does not take raw packets\n");
			return -EBUSY;
		}
		usleep_range(1000, 2000);
	}
	if (ret)
		return ret;
	ret = raw_buf(f, vd, p);
	if (ret)
		return ret;
	while (n < p->count) {
		ret = post_raw(f, vd, q, p);
		if (!ret) {
			n++;
			continue;
		}
		if (ret != -EAGAIN)
			return ret;
		if (time_after(jiffies, timeout)) {
			dev_warn(f->dev, "inject: the device took %u of %u raw packets\n",
				 n, p->count);
			return -EBUSY;
		}
		usleep_range(1000, 2000);
	}
	return 0;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct hvl_front *f = file->private_data;
	struct hvl_front_vdev *vd;
	unsigned int entry, q;
	char buf[128], fault[16];
	struct raw_pkt p;
	int ret = -ENODEV;
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	n = sscanf(buf, "%u %u %15s %u %u %u %u %u %u %u", &entry, &q, fault,
		   &p.op, &p.src_port, &p.dst_port, &p.buf_alloc, &p.len,
		   &p.bytes, &p.count);
	p.net = !strcmp(fault, "net");
	if (n < 3 || q >= HVL_MAX_QUEUES ||
	    ((p.net || !strcmp(fault, "vsock")) && n != 10))
		return -EINVAL;

	mutex_lock(&f->lock);
	list_for_each_entry(vd, &f->vdevs, node) {
		if (vd->index != entry)
			continue;
		if (p.net || !strcmp(fault, "vsock")) {
			ret = inject_raw(f, vd, q, &p);
			break;
		}
		spin_lock_irq(&vd->vq_lock);
		if (!strcmp(fault, "hold")) {
			/* reset() lets go; a hold before DRIVER_OK would not last. */
			ret = vd->cbs ? 0 : -EBUSY;
			vd->held = vd->cbs;
		} else {
			ret = vd->vqs[q] ? corrupt(vd->vqs[q], fault) : -ENOENT;
		}
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
 * hvl_front_inject_fini() - free the raw packet buffer
 * @f: the front end, its devices stopped (nothing reads the buffer)
 *
 * Before the restricted DMA pool is released: the buffer is the pool's.
 */
void hvl_front_inject_fini(struct hvl_front *f)
{
	if (f->inject_buf)
		dma_free_coherent(f->dev, RAW_BUF_SIZE, f->inject_buf,
				  f->inject_dma);
	f->inject_buf = NULL;
}

/**
 * hvl_front_inject_init() - the "inject" debugfs file, if enabled
 * @f: the front end, its debugfs directory created
 */
void hvl_front_inject_init(struct hvl_front *f)
{
	if (inject)
		debugfs_create_file("inject", 0200, f->dbg, f, &inject_fops);
}
