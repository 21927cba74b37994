// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_net's control queue: notification coalescing, nothing else.
 *
 * A command is one chain: class and command bytes and their data, readable;
 * then the ack byte and any result, writable (virtio 1.3, 5.1.6.5).  The
 * stock virtio_net waits for the ack spinning under RTNL, so every command
 * is answered, CTRL_BUDGET a run (it has one out at a time), and answered
 * with VIRTIO_NET_ERR while the device needs a reset too, when nothing
 * else of the device is served (hvl_net_poll_failed()): a driver that
 * would only notice the reset after its answer would spin for good.
 * What we do not serve gets VIRTIO_NET_ERR, and so does a command of the
 * wrong size: the driver then reports the failure to its user ("ethtool
 * -C" fails).  A chain without a writable byte cannot be answered at all:
 * the device needs a reset, as for any malformed chain.
 *
 * Coalescing (VIRTIO_NET_F_NOTF_COAL, VIRTIO_NET_F_VQ_NOTF_COAL) is the
 * core's (core/coalesce.c): the driver's "ethtool -C" values, or those
 * of its adaptive moderation (net_dim), become how long and for how many
 * packets the core holds each queue's interrupt.
 */
#include <linux/hvl.h>
#include <linux/stringify.h>
#include <linux/uio.h>
#include <linux/virtio_net.h>
#include <kunit/visibility.h>

#include "hvl_net.h"

/* Largest command data we read: VQ_SET's. */
#define CTRL_DATA_MAX	sizeof(struct virtio_net_ctrl_coal_vq)

struct ctrl_cmd {
	struct virtio_net_ctrl_hdr hdr;
	size_t len;			/* of data[], as the peer sent it */
	u8 data[CTRL_DATA_MAX];
};

/* The coalescing of queue @q as the driver set it; NULL or why not. */
static const char *set_coal(struct hvl_net *n, unsigned int q,
			    __le32 packets, __le32 usecs)
{
	if (hvl_device_set_coalescing(n->hdev, q, le32_to_cpu(usecs),
				      le32_to_cpu(packets)))
		return "a time beyond " __stringify(HVL_COAL_MAX_USECS) " us";
	return NULL;
}

/*
 * An enabled receiveq or transmitq, by its virtqueue number: the only
 * two we have, and a driver may set DRIVER_OK without either.
 */
static bool data_queue(struct hvl_net *n, u16 vqn)
{
	return (vqn == RX_Q || vqn == TX_Q) && n->hdev->vqs[vqn].ready;
}

/*
 * Execute @cmd; what it returns goes to @res, @res_len of it at most, and
 * *@written says how much.  Returns NULL, or why it refused @cmd.
 */
static const char *execute(struct hvl_net *n, const struct ctrl_cmd *cmd,
			   void *res, size_t res_len, size_t *written)
{
	const struct virtio_net_ctrl_coal_vq *vq = (const void *)cmd->data;
	const struct virtio_net_ctrl_coal_tx *tx = (const void *)cmd->data;
	const struct virtio_net_ctrl_coal_rx *rx = (const void *)cmd->data;
	struct virtio_net_ctrl_coal *out = res;
	bool coal = hvl_device_feature(n->hdev, VIRTIO_NET_F_NOTF_COAL);
	bool vq_coal = hvl_device_feature(n->hdev, VIRTIO_NET_F_VQ_NOTF_COAL);
	const struct hvl_vq *q;
	u16 vqn;

	*written = 0;
	if (cmd->hdr.class != VIRTIO_NET_CTRL_NOTF_COAL)
		return "class not served";
	switch (cmd->hdr.cmd) {
	case VIRTIO_NET_CTRL_NOTF_COAL_TX_SET:
	case VIRTIO_NET_CTRL_NOTF_COAL_RX_SET:
		/* The two have the same layout: packets, then usecs. */
		BUILD_BUG_ON(sizeof(*tx) != sizeof(*rx) ||
			     offsetof(typeof(*tx), tx_usecs) !=
			     offsetof(typeof(*rx), rx_usecs));
		if (!coal)
			return "NOTF_COAL not negotiated";
		if (cmd->len != sizeof(*tx))
			return "wrong length";
		if (cmd->hdr.cmd == VIRTIO_NET_CTRL_NOTF_COAL_TX_SET)
			return set_coal(n, TX_Q, tx->tx_max_packets,
					tx->tx_usecs);
		return set_coal(n, RX_Q, rx->rx_max_packets, rx->rx_usecs);
	case VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET:
		if (!vq_coal)
			return "VQ_NOTF_COAL not negotiated";
		if (cmd->len != sizeof(*vq))
			return "wrong length";
		vqn = le16_to_cpu(vq->vqn);
		if (!data_queue(n, vqn))
			return "not an enabled receiveq or transmitq";
		return set_coal(n, vqn, vq->coal.max_packets,
				vq->coal.max_usecs);
	case VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET:
		if (!vq_coal)
			return "VQ_NOTF_COAL not negotiated";
		/*
		 * The data starts with vqn: the word alone, with the reserved
		 * one, or all of VQ_SET's, as drivers have sent it.
		 */
		if (cmd->len != sizeof(__le16) &&
		    cmd->len != 2 * sizeof(__le16) && cmd->len != sizeof(*vq))
			return "wrong length";
		if (res_len < sizeof(*out))
			return "no room for the result";
		vqn = le16_to_cpu(vq->vqn);
		if (!data_queue(n, vqn))
			return "not an enabled receiveq or transmitq";
		q = &n->hdev->vqs[vqn];
		out->max_packets = cpu_to_le32(q->coal_packets);
		out->max_usecs = cpu_to_le32(q->coal_usecs);
		*written = sizeof(*out);
		return NULL;
	}
	return "command not served";
}

/*
 * One command chain: read it, execute it (unless told to @refuse them
 * all), write the ack and the result.  Returns the bytes written, or
 * -EINVAL for a chain that cannot be answered.
 */
static int answer(struct hvl_net *n, const struct hvl_chain *c, bool refuse)
{
	struct virtio_net_ctrl_coal res;
	struct ctrl_cmd cmd = {};
	struct iov_iter it;
	size_t res_len = 0;
	const char *why;
	u8 ack;

	if (!c->in_len)
		return -EINVAL;
	/* Copies: the peer may rewrite the window under us. */
	hvl_chain_out_iter(c, &it);
	if (c->out_len >= sizeof(cmd.hdr)) {
		if (copy_from_iter(&cmd.hdr, sizeof(cmd.hdr), &it) !=
		    sizeof(cmd.hdr))
			return -EINVAL;
		cmd.len = c->out_len - sizeof(cmd.hdr);
	}
	if (c->out_len < sizeof(cmd.hdr)) {
		why = "shorter than its header";
	} else if (cmd.len > CTRL_DATA_MAX) {
		why = "longer than any command served";
	} else if (refuse) {
		why = "the device needs a reset";
	} else {
		if (copy_from_iter(cmd.data, cmd.len, &it) != cmd.len)
			return -EINVAL;
		why = execute(n, &cmd, &res, c->in_len - 1, &res_len);
	}
	ack = why ? VIRTIO_NET_ERR : VIRTIO_NET_OK;
	if (why) {
		atomic64_inc(&n->ctrl_refused);
		dev_warn_ratelimited(&n->hdev->dev,
				     "refused control command class %u cmd %u (%zu bytes of data): %s\n",
				     cmd.hdr.class, cmd.hdr.cmd, cmd.len, why);
	} else {
		atomic64_inc(&n->ctrl_done);
	}
	hvl_chain_in_iter(c, &it);
	if (copy_to_iter(&ack, 1, &it) != 1 ||
	    copy_to_iter(&res, res_len, &it) != res_len)
		return -EINVAL;
	return 1 + res_len;
}

/**
 * hvl_net_serve_ctrl() - answer the peer's control commands
 * @n: the device
 * @budget: chains left for this run; each command takes one
 * @refuse: answer each with VIRTIO_NET_ERR, executing none
 *
 * Work item context.
 *
 * Return: true if it stopped on the budget.
 */
bool hvl_net_serve_ctrl(struct hvl_net *n, int *budget, bool refuse)
{
	struct hvl_vq *vq;
	struct hvl_chain c = { .iov = n->iov, .max = HVL_CHAIN_MAX };
	int ret;

	if (n->hdev->num_queues <= CTRL_Q)
		return false;
	vq = &n->hdev->vqs[CTRL_Q];
	if (!vq->ready)
		return false;
	for (;;) {
		if (*budget <= 0)
			return true;
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY)
			return ret == -EBUSY;
		if (ret) {
			hvl_device_needs_reset(n->hdev, "bad controlq chain");
			return false;
		}
		ret = answer(n, &c, refuse);
		if (ret < 0) {
			hvl_device_needs_reset(n->hdev,
					       "control command without room for its ack");
			return false;
		}
		hvl_vq_push(vq, &c, ret);
		hvl_device_interrupt(n->hdev, vq);
		(*budget)--;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_serve_ctrl);

/**
 * hvl_net_poll_failed() - the device's ->poll_failed()
 * @hdev: the device, which needs a reset
 * @budget: unused: the control queue has a budget of its own
 *
 * The peer's driver may be spinning on a control command: answer it, and
 * any it sends before it resets the device, with VIRTIO_NET_ERR.
 *
 * Return: true if commands are left for another run.
 */
bool hvl_net_poll_failed(struct hvl_device *hdev, int budget)
{
	int ctrl = CTRL_BUDGET;

	return hvl_net_serve_ctrl(hdev->priv, &ctrl, true);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_poll_failed);
