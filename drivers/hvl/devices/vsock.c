// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_vsock: a virtio-vsock device (ID 19) for the peer, and the kernel's
 * host-to-guest vsock transport on the Linux side.  Linux applications
 * reach the peer with socket(AF_VSOCK) at the CID its device-tree node
 * gives ("hvl,cid"); Linux itself is VMADDR_CID_HOST (2) to the peer.
 *
 * The vsock protocol (connections, credit, SOCK_STREAM and SOCK_SEQPACKET)
 * is virtio_transport_common's, exactly as for vhost_vsock: this file is
 * ring glue.  Queues, from the peer driver's point of view: 0 rx (we write
 * packets for the peer), 1 tx (the peer's packets for us), 2 event.
 *
 * The event queue's buffers are held, never used: TRANSPORT_RESET tells a
 * driver that the device side lost its connections while the driver ran
 * on, and here that cannot happen unseen.  Linux losing the device
 * (unbind, module unload) moves its device table entry's gen, and the
 * peer replaces that device (protocol.rst, "Hot-plug"); the peer
 * restarting resets the device, and Linux sockets get ECONNRESET.
 *
 * Several devices (windows, peers) may exist, each with its own CID; the
 * transport finds the device by the destination CID of every packet.  The
 * transport is registered with the vsock core while at least one device is
 * bound.  The vsock core allows a single H2G transport, so a device cannot
 * probe while vhost_vsock (or another H2G transport) is loaded.
 *
 * Bounds, so a peer that stops reading cannot make us queue without limit:
 *
 * - Every packet we queue that is not payload (RST, RESPONSE, but also
 *   CREDIT_UPDATE, which the common code sends for each CREDIT_REQUEST
 *   and does not flag as a reply) is counted, and the tx queue is not
 *   read while as many of them wait as the rx queue has entries, as
 *   vhost_vsock does with its replies.  The peer has to post rx buffers
 *   before it can make us answer more.
 * - Payload is limited by the peer's credit, which the common code caps
 *   at the Linux socket's own buffer size (256 KiB by default, but an
 *   application may raise it), yet the peer decides how many connections
 *   stall: one that advertises 4 GiB and never reads, on as many
 *   connections as Linux servers accept, would have everything they write
 *   sit in kernel memory.  So the memory queued per device is capped
 *   (max_queued_kib); the connection whose packet would go beyond is
 *   reset.
 *
 * Concurrency: send_pkt() and cancel_pkt() may run in any context and
 * find the device under RCU; everything that touches the rings runs in
 * the device's work item (->poll(), ->reset(), ->activate()).  The
 * counts of what is queued change under send_q.lock only, together with
 * the queue.
 */
#include <linux/delay.h>
#include <linux/hashtable.h>
#include <linux/hvl.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>
#include <net/af_vsock.h>
#include <kunit/visibility.h>

#include "vsock.h"

#define RX_Q		0
#define TX_Q		1
#define EVENT_Q		2

struct hvl_vsock {
	struct hvl_device *hdev;
	u32 cid;			/* the peer's */
	struct hlist_node node;		/* in @devices, RCU */
	struct sk_buff_head send_q;	/* to the peer, not yet in a buffer */
	/*
	 * Under send_q.lock: the packets in send_q or in serve_rx()'s hands,
	 * those that are not payload and the memory (truesize) of all.
	 */
	unsigned int queued_ctrl;
	unsigned int queued_mem;
	atomic64_t over_limit;		/* connections reset at the cap */
	bool seqpacket;			/* VIRTIO_VSOCK_F_SEQPACKET accepted */
	struct kvec iov[HVL_CHAIN_MAX];
	/* Work item only. */
	u64 rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	u64 bad[HVL_VSOCK_NR_VERDICTS];
	u64 resets;
};

/*
 * The most memory queued for one peer, in KiB.  The default lets 64
 * connections of a peer that stopped reading each hold the 256 KiB
 * credit a stock Linux peer advertises.
 */
#define MAX_QUEUED_KIB_MIN	256u	/* a few 64 KiB packets */
#define MAX_QUEUED_KIB_MAX	(1024u * 1024)
static unsigned int max_queued_kib = 16 * 1024;

static int max_queued_kib_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return ret;
	if (n < MAX_QUEUED_KIB_MIN || n > MAX_QUEUED_KIB_MAX)
		return -ERANGE;
	WRITE_ONCE(max_queued_kib, n);
	return 0;
}

static const struct kernel_param_ops max_queued_kib_ops = {
	.set = max_queued_kib_set,
	.get = param_get_uint,
};

module_param_cb(max_queued_kib, &max_queued_kib_ops, &max_queued_kib, 0644);
MODULE_PARM_DESC(max_queued_kib,
		 "memory queued for one peer at most, KiB (256 - 1048576, default 16384); a connection that would exceed it is reset");

/*
 * A test knob: each socket's reset is held this long, under the socket's
 * lock, after it was found to need one.  52-vsock-churn closes a socket
 * meanwhile: the window in which an unlocked reset lost that close.
 */
#define RESET_DELAY_MS_MAX 5000
static unsigned int reset_delay_ms;

static int reset_delay_ms_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, RESET_DELAY_MS_MAX);
}

static const struct kernel_param_ops reset_delay_ms_ops = {
	.set = reset_delay_ms_set,
	.get = param_get_uint,
};

module_param_cb(reset_delay_ms, &reset_delay_ms_ops, &reset_delay_ms, 0600);
MODULE_PARM_DESC(reset_delay_ms,
		 "test knob: hold each socket's reset for a peer's restart this long, ms (0 - 5000, default 0)");

static DEFINE_MUTEX(devices_lock);	/* @devices writers, registration */
static DEFINE_HASHTABLE(devices, 4);
static unsigned int nr_devices;
static struct virtio_transport transport;

/* Under RCU or devices_lock. */
static struct hvl_vsock *lookup(u64 cid)
{
	struct hvl_vsock *v;

	hash_for_each_possible_rcu(devices, v, node, cid,
				   lockdep_is_held(&devices_lock))
		if (v->cid == cid)
			return v;
	return NULL;
}

static u32 get_local_cid(void)
{
	return VMADDR_CID_HOST;
}

/* Under send_q.lock: @skb enters (@sign 1) or leaves (-1) send_q's counts. */
static void account(struct hvl_vsock *v, struct sk_buff *skb, int sign)
{
	lockdep_assert_held(&v->send_q.lock);

	/* Read without the lock by more_replies() and show(). */
	if (sign > 0) {
		WRITE_ONCE(v->queued_ctrl,
			   v->queued_ctrl + virtio_vsock_skb_reply(skb));
		WRITE_ONCE(v->queued_mem, v->queued_mem + skb->truesize);
	} else {
		WRITE_ONCE(v->queued_ctrl,
			   v->queued_ctrl - virtio_vsock_skb_reply(skb));
		WRITE_ONCE(v->queued_mem, v->queued_mem - skb->truesize);
	}
}

/* Drop what is queued for @vsk, or everything.  Returns true if any. */
static bool purge(struct hvl_vsock *v, struct vsock_sock *vsk)
{
	struct sk_buff *skb, *tmp;
	struct sk_buff_head gone;

	__skb_queue_head_init(&gone);
	spin_lock_bh(&v->send_q.lock);
	skb_queue_walk_safe(&v->send_q, skb, tmp) {
		if (vsk && skb->sk != sk_vsock(vsk))
			continue;
		__skb_unlink(skb, &v->send_q);
		account(v, skb, -1);
		__skb_queue_tail(&gone, skb);
	}
	spin_unlock_bh(&v->send_q.lock);
	if (skb_queue_empty(&gone))
		return false;
	__skb_queue_purge(&gone);
	return true;
}

/*
 * @skb, payload for the peer, would take the device beyond max_queued_kib:
 * the peer advertised credit it does not read.  Reset the connection
 * rather than block the writer: blocking would stall every connection of
 * the peer on the one that does not read, and the peer is the party at
 * fault.  The Linux socket gets ECONNRESET and loses what it had queued,
 * the peer gets RST.
 *
 * The caller of send_pkt() holds the socket's lock for payload (sendmsg).
 */
static void over_limit(struct hvl_vsock *v, struct sk_buff *skb)
{
	struct virtio_vsock_hdr *hdr = virtio_vsock_hdr(skb);
	struct sock *sk = skb->sk;
	struct sk_buff *rst;

	atomic64_inc(&v->over_limit);
	dev_warn_ratelimited(&v->hdev->dev,
			     "the peer does not read: %u KiB queued for it (max_queued_kib %u); resetting its connection %u -> %u\n",
			     READ_ONCE(v->queued_mem) >> 10,
			     READ_ONCE(max_queued_kib),
			     le32_to_cpu(hdr->src_port), le32_to_cpu(hdr->dst_port));
	rst = virtio_vsock_alloc_skb(sizeof(*hdr), GFP_ATOMIC);
	if (rst) {
		struct virtio_vsock_hdr *rh = virtio_vsock_hdr(rst);

		*rh = *hdr;
		rh->op = cpu_to_le16(VIRTIO_VSOCK_OP_RST);
		rh->len = 0;
		rh->flags = 0;
		virtio_vsock_skb_set_reply(rst);
	}
	if (sk) {
		struct vsock_sock *vsk = vsock_sk(sk);

		purge(v, vsk);
		sock_set_flag(sk, SOCK_DONE);
		vsk->peer_shutdown = SHUTDOWN_MASK;
		sk->sk_state = TCP_CLOSE;
		sk->sk_err = ECONNRESET;
		sk_error_report(sk);
	}
	kfree_skb(skb);
	if (rst) {
		spin_lock_bh(&v->send_q.lock);
		/* As in send_pkt(): not past a reset's purge. */
		if (!hvl_device_ready(v->hdev)) {
			spin_unlock_bh(&v->send_q.lock);
			kfree_skb(rst);
			return;
		}
		account(v, rst, 1);
		__skb_queue_tail(&v->send_q, rst);
		spin_unlock_bh(&v->send_q.lock);
	}
}

static int send_pkt(struct sk_buff *skb)
{
	struct virtio_vsock_hdr *hdr = virtio_vsock_hdr(skb);
	unsigned int limit = READ_ONCE(max_queued_kib) << 10;
	int len = skb->len;
	struct hvl_vsock *v;
	bool request;

	rcu_read_lock();
	v = lookup(le64_to_cpu(hdr->dst_cid));
	if (!v)
		goto refuse;
	/*
	 * Everything that is not payload counts against the rx queue, as
	 * replies do (more_replies()).  The flag means nothing else to the
	 * common code: it only counts flagged packets it purges.
	 */
	if (le16_to_cpu(hdr->op) != VIRTIO_VSOCK_OP_RW)
		virtio_vsock_skb_set_reply(skb);
	spin_lock_bh(&v->send_q.lock);
	/*
	 * Under the lock reset() purges under, after the core stopped the
	 * device: a packet queued here by a sender that found the device
	 * ready is purged by it, and a sender after it finds the device
	 * stopped, so no packet reaches the next session.
	 */
	if (!hvl_device_ready(v->hdev)) {
		spin_unlock_bh(&v->send_q.lock);
		goto refuse;
	}
	/* Not payload is bounded by count; payload by memory. */
	if (!virtio_vsock_skb_reply(skb) &&
	    v->queued_mem + skb->truesize > limit) {
		spin_unlock_bh(&v->send_q.lock);
		over_limit(v, skb);
		hvl_device_kick(v->hdev);
		rcu_read_unlock();
		return -ECONNRESET;
	}
	account(v, skb, 1);
	__skb_queue_tail(&v->send_q, skb);
	spin_unlock_bh(&v->send_q.lock);
	hvl_device_kick(v->hdev);
	rcu_read_unlock();
	return len;

refuse:
	rcu_read_unlock();
	/*
	 * A peer that is not running fails connect() now, not on timeout.
	 * Any other packet belongs to a connection whose peer went away:
	 * ECONNRESET, what reset() is about to tell its socket (a write
	 * between the device stopping and reset() would otherwise see
	 * ENODEV, which names no device the writer knows of).
	 */
	request = le16_to_cpu(hdr->op) == VIRTIO_VSOCK_OP_REQUEST;
	kfree_skb(skb);
	return request ? -ENODEV : -ECONNRESET;
}

static int cancel_pkt(struct vsock_sock *vsk)
{
	struct hvl_vsock *v;

	rcu_read_lock();
	v = lookup(vsk->remote_addr.svm_cid);
	/* Fewer queued packets may let the tx queue go on. */
	if (v && purge(v, vsk))
		hvl_device_kick(v->hdev);
	rcu_read_unlock();
	return 0;
}

static bool seqpacket_allow(u32 remote_cid)
{
	struct hvl_vsock *v;
	bool ret;

	rcu_read_lock();
	v = lookup(remote_cid);
	ret = v && READ_ONCE(v->seqpacket);
	rcu_read_unlock();
	return ret;
}

static bool msgzerocopy_allow(void)
{
	return true;
}

static struct virtio_transport transport = {
	.transport = {
		.module                   = THIS_MODULE,
		.get_local_cid            = get_local_cid,
		.init                     = virtio_transport_do_socket_init,
		.destruct                 = virtio_transport_destruct,
		.release                  = virtio_transport_release,
		.connect                  = virtio_transport_connect,
		.shutdown                 = virtio_transport_shutdown,
		.cancel_pkt               = cancel_pkt,
		.dgram_enqueue            = virtio_transport_dgram_enqueue,
		.dgram_dequeue            = virtio_transport_dgram_dequeue,
		.dgram_bind               = virtio_transport_dgram_bind,
		.dgram_allow              = virtio_transport_dgram_allow,
		.stream_enqueue           = virtio_transport_stream_enqueue,
		.stream_dequeue           = virtio_transport_stream_dequeue,
		.stream_has_data          = virtio_transport_stream_has_data,
		.stream_has_space         = virtio_transport_stream_has_space,
		.stream_rcvhiwat          = virtio_transport_stream_rcvhiwat,
		.stream_is_active         = virtio_transport_stream_is_active,
		.stream_allow             = virtio_transport_stream_allow,
		.seqpacket_dequeue        = virtio_transport_seqpacket_dequeue,
		.seqpacket_enqueue        = virtio_transport_seqpacket_enqueue,
		.seqpacket_allow          = seqpacket_allow,
		.seqpacket_has_data       = virtio_transport_seqpacket_has_data,
		.msgzerocopy_allow        = msgzerocopy_allow,
		.notify_poll_in           = virtio_transport_notify_poll_in,
		.notify_poll_out          = virtio_transport_notify_poll_out,
		.notify_recv_init         = virtio_transport_notify_recv_init,
		.notify_recv_pre_block    = virtio_transport_notify_recv_pre_block,
		.notify_recv_pre_dequeue  = virtio_transport_notify_recv_pre_dequeue,
		.notify_recv_post_dequeue = virtio_transport_notify_recv_post_dequeue,
		.notify_send_init         = virtio_transport_notify_send_init,
		.notify_send_pre_block    = virtio_transport_notify_send_pre_block,
		.notify_send_pre_enqueue  = virtio_transport_notify_send_pre_enqueue,
		.notify_send_post_enqueue = virtio_transport_notify_send_post_enqueue,
		.notify_buffer_size       = virtio_transport_notify_buffer_size,
		.notify_set_rcvlowat      = virtio_transport_notify_set_rcvlowat,
		.unsent_bytes             = virtio_transport_unsent_bytes,
		.read_skb                 = virtio_transport_read_skb,
	},
	.send_pkt = send_pkt,
};

/* Peer -> Linux: one tx chain is one packet. */
static void serve_one_tx(struct hvl_vsock *v, struct hvl_chain *c)
{
	enum hvl_vsock_verdict verdict;
	struct sk_buff *skb;

	skb = hvl_vsock_skb_from_chain(c, v->cid, &verdict);
	if (!skb) {
		v->bad[verdict]++;
		dev_err_ratelimited(&v->hdev->dev, "dropped a packet from the peer: %s\n",
				    hvl_vsock_verdict_name(verdict));
		return;
	}
	v->tx_pkts++;
	v->tx_bytes += skb->len;
	if (verdict != HVL_VSOCK_OK)
		v->bad[verdict]++;
	virtio_transport_deliver_tap_pkt(skb);
	/*
	 * Unknown ops and types still go to the common code: it answers
	 * them with RST, which is what the spec asks of a device.
	 */
	virtio_transport_recv_pkt(&transport, skb);
}

/* May the tx queue be read: is there room for what we may answer? */
static bool more_replies(struct hvl_vsock *v)
{
	return READ_ONCE(v->queued_ctrl) < v->hdev->vqs[RX_Q].num;
}

/* Returns true when it stopped on the budget. */
static bool serve_tx(struct hvl_vsock *v, int *budget)
{
	struct hvl_vq *vq = &v->hdev->vqs[TX_Q];
	struct hvl_chain c = { .iov = v->iov, .max = HVL_CHAIN_MAX };
	int ret;

	while (*budget > 0) {
		/*
		 * No kick is needed when replies drain: serve_rx() is next,
		 * and poll() re-arms tx after it.
		 */
		if (!more_replies(v))
			return false;
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY)
			return ret == -EBUSY;
		if (ret) {
			hvl_device_needs_reset(v->hdev, "bad tx chain");
			return false;
		}
		serve_one_tx(v, &c);
		hvl_vq_push(vq, &c, 0);
		hvl_device_interrupt(v->hdev, vq);
		(*budget)--;
	}
	return true;
}

/* Linux -> peer.  Returns true when it stopped on the budget. */
static bool serve_rx(struct hvl_vsock *v, int *budget)
{
	struct hvl_vq *vq = &v->hdev->vqs[RX_Q];
	struct hvl_chain c = { .iov = v->iov, .max = HVL_CHAIN_MAX };
	struct sk_buff *skb;
	ssize_t n;
	int ret;

	while (*budget > 0) {
		skb = virtio_vsock_skb_dequeue(&v->send_q);
		if (!skb) {
			/* Queueing a packet kicks us: the buffers wait. */
			hvl_vq_defer(vq);
			return false;
		}
		ret = hvl_vq_next(vq, &c, budget);
		if (ret) {
			virtio_vsock_skb_queue_head(&v->send_q, skb);
			if (ret == -EAGAIN || ret == -EBUSY)
				return ret == -EBUSY;
			hvl_device_needs_reset(v->hdev, "bad rx chain");
			return false;
		}
		n = hvl_vsock_fill(skb, &c);
		if (n < 0) {
			virtio_vsock_skb_queue_head(&v->send_q, skb);
			hvl_device_needs_reset(v->hdev, "rx buffer without room for a header");
			return false;
		}
		virtio_transport_deliver_tap_pkt(skb);
		hvl_vq_push(vq, &c, n);
		hvl_device_interrupt(v->hdev, vq);
		v->rx_pkts++;
		v->rx_bytes += n - sizeof(struct virtio_vsock_hdr);
		(*budget)--;
		if (VIRTIO_VSOCK_SKB_CB(skb)->offset < skb->len) {
			/* The rest goes in the next buffer, tapped again. */
			virtio_vsock_skb_clear_tap_delivered(skb);
			virtio_vsock_skb_queue_head(&v->send_q, skb);
			continue;
		}
		spin_lock_bh(&v->send_q.lock);
		account(v, skb, -1);
		spin_unlock_bh(&v->send_q.lock);
		virtio_transport_consume_skb_sent(skb, true);
	}
	return true;
}

/*
 * The device's ->poll().  Visible to the KUnit suite, which drives it on
 * rings of its own through hvl_vsock_kunit_add().
 */
VISIBLE_IF_KUNIT bool hvl_vsock_poll(struct hvl_device *hdev, int budget)
{
	struct hvl_vsock *v = hdev->priv;
	bool more;

	more = serve_tx(v, &budget);
	more |= serve_rx(v, &budget);
	/* Held, never used (above): no news, ever. */
	hvl_vq_defer(&hdev->vqs[EVENT_Q]);
	/*
	 * Replies drained by serve_rx() may let the tx queue go on.  If
	 * serve_tx() stopped on them, it did not re-arm tx: with EVENT_IDX
	 * avail_event lags behind what we popped and the peer would not
	 * ring for its next packet.  Re-arm now, and run again if packets
	 * came meanwhile.
	 */
	return more || (more_replies(v) &&
			hvl_vq_enable_notify(&hdev->vqs[TX_Q]));
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_poll);

static int activate(struct hvl_device *hdev)
{
	struct hvl_vsock *v = hdev->priv;

	WRITE_ONCE(v->seqpacket,
		   hvl_device_feature(hdev, VIRTIO_VSOCK_F_SEQPACKET));
	hvl_device_kick(hdev);
	return 0;
}

/*
 * The connected sockets of one peer, reset under their own lock.  Without
 * it (as vhost_vsock's reset_orphans() does), a close() could schedule
 * its close timeout after we saw none pending, and the timeout, finding
 * SOCK_DONE set by us, would never remove the socket: the socket and its
 * reference on this module leaked for good.  The table walk runs under a
 * spinlock and passes no argument, so it collects (holds) a batch of
 * them here, serialised by devices_lock, and each batch is reset with
 * lock_sock().
 */
#define RESET_BATCH 64
static u32 resetting_cid;
static struct sock *resetting[RESET_BATCH];
static unsigned int nr_resetting;

/*
 * Connected to the resetting peer, neither closed nor closing.  A pending
 * close timeout is left to expire: with SOCK_DONE clear it resets and
 * removes the socket itself.  Read without the socket lock to collect,
 * again under it to reset.
 */
static bool to_reset(struct sock *sk)
{
	struct vsock_sock *vsk = vsock_sk(sk);

	return vsk->remote_addr.svm_cid == resetting_cid &&
	       !sock_flag(sk, SOCK_DONE) && !READ_ONCE(vsk->close_work_scheduled);
}

static void collect_sock(struct sock *sk)
{
	if (nr_resetting < RESET_BATCH && to_reset(sk)) {
		sock_hold(sk);
		resetting[nr_resetting++] = sk;
	}
}

static void reset_sock(struct sock *sk)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	unsigned int delay;

	sock_owned_by_me(sk);
	if (!to_reset(sk))
		return;
	delay = READ_ONCE(reset_delay_ms);
	if (delay) {
		pr_info("hvl_vsock: test knob: holding the reset of port %u for %u ms\n",
			vsk->local_addr.svm_port, delay);
		msleep(delay);
	}
	sock_set_flag(sk, SOCK_DONE);
	WRITE_ONCE(vsk->peer_shutdown, SHUTDOWN_MASK);
	sk->sk_state = SS_UNCONNECTED;
	sk->sk_err = ECONNRESET;
	sk_error_report(sk);
}

/*
 * Each socket reset leaves the batch's filter (SOCK_DONE), and so does one
 * closed meanwhile: a full batch means there may be more, and the walk
 * ends.  No new connection of this peer comes meanwhile: its device is
 * stopped (or gone), and send_pkt() refuses Linux's requests to it.
 */
static void reset_sockets(struct hvl_vsock *v)
{
	unsigned int i, n;

	mutex_lock(&devices_lock);
	resetting_cid = v->cid;
	do {
		nr_resetting = 0;
		vsock_for_each_connected_socket(&transport.transport,
						collect_sock);
		n = nr_resetting;
		for (i = 0; i < n; i++) {
			lock_sock(resetting[i]);
			reset_sock(resetting[i]);
			release_sock(resetting[i]);
			sock_put(resetting[i]);
		}
	} while (n == RESET_BATCH);
	mutex_unlock(&devices_lock);
}

/*
 * The peer reset the device or restarted: its connections are gone, so
 * are the packets it will never read.  Linux sockets get ECONNRESET.
 *
 * The core stopped the device before calling us, and send_pkt() and
 * over_limit() look at that under send_q.lock, which purge() takes: what
 * a sender that found the device ready queued is purged here, and no
 * sender queues after it.  (No grace period: this runs on every restart
 * of the peer, in the work item whose acknowledgment of the reset the
 * peer waits for, and a grace period was most of that wait.)
 */
static void reset(struct hvl_device *hdev)
{
	struct hvl_vsock *v = hdev->priv;

	WRITE_ONCE(v->seqpacket, false);
	purge(v, NULL);
	v->resets++;
	reset_sockets(v);
}

static int read_cid(struct hvl_device *hdev, u32 *cid)
{
	int ret = hvl_of_read_u32(hdev->of_node, "hvl,cid", cid);

	if (ret) {
		dev_err(&hdev->dev, "%pOF: \"hvl,cid\" %s\n", hdev->of_node,
			ret == -ENOENT ? "missing" : "must be one 32-bit cell");
		return -EINVAL;
	}
	if (*cid <= VMADDR_CID_HOST || *cid == VMADDR_CID_ANY) {
		dev_err(&hdev->dev, "hvl,cid: %u is reserved (0-2 and 0xffffffff)\n",
			*cid);
		return -EINVAL;
	}
	/* As vhost_vsock: a CID that is our own as a guest is ambiguous. */
	if (vsock_find_cid(*cid)) {
		dev_err(&hdev->dev, "hvl,cid: %u is this kernel's own guest CID\n",
			*cid);
		return -EADDRINUSE;
	}
	return 0;
}

static struct hvl_vsock *alloc_vsock(struct hvl_device *hdev, u32 cid)
{
	struct hvl_vsock *v = kvzalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return NULL;
	v->hdev = hdev;
	v->cid = cid;
	skb_queue_head_init(&v->send_q);
	atomic64_set(&v->over_limit, 0);
	hdev->priv = v;
	return v;
}

static int probe(struct hvl_device *hdev)
{
	struct virtio_vsock_config *cfg = hdev->config;
	struct hvl_vsock *v, *other;
	u32 cid;
	int ret;

	if (hdev->num_queues != 3) {
		dev_err(&hdev->dev, "vsock needs 3 queues (rx, tx, event), DT gives %u\n",
			hdev->num_queues);
		return -EINVAL;
	}
	ret = read_cid(hdev, &cid);
	if (ret)
		return ret;
	v = alloc_vsock(hdev, cid);
	if (!v)
		return -ENOMEM;
	WRITE_ONCE(cfg->guest_cid, cpu_to_le64(cid));

	mutex_lock(&devices_lock);
	other = lookup(cid);
	if (other) {
		dev_err(&hdev->dev, "hvl,cid: %u already belongs to %s\n",
			cid, dev_name(&other->hdev->dev));
		ret = -EADDRINUSE;
		goto err_unlock;
	}
	if (!nr_devices) {
		ret = vsock_core_register(&transport.transport,
					  VSOCK_TRANSPORT_F_H2G);
		if (ret == -EBUSY) {
			dev_err(&hdev->dev, "another host-to-guest vsock transport (vhost_vsock?) is registered; the vsock core allows only one\n");
			goto err_unlock;
		}
		if (ret) {
			dev_err(&hdev->dev, "vsock_core_register: %d\n", ret);
			goto err_unlock;
		}
	}
	nr_devices++;
	hash_add_rcu(devices, &v->node, cid);
	mutex_unlock(&devices_lock);
	dev_info(&hdev->dev, "vsock: peer CID %u\n", cid);
	return 0;

err_unlock:
	mutex_unlock(&devices_lock);
	hdev->priv = NULL;
	kvfree(v);
	return ret;
}

static void remove(struct hvl_device *hdev)
{
	struct hvl_vsock *v = hdev->priv;

	mutex_lock(&devices_lock);
	hash_del_rcu(&v->node);
	mutex_unlock(&devices_lock);
	/* No send_pkt() or cancel_pkt() sees @v after this. */
	synchronize_rcu();
	reset_sockets(v);
	purge(v, NULL);

	mutex_lock(&devices_lock);
	if (!--nr_devices)
		vsock_core_unregister(&transport.transport);
	mutex_unlock(&devices_lock);
	kvfree(v);
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * The KUnit suite's way in: a device on @hdev, whose queues the test set
 * up as a peer would, that send_pkt() finds under @cid as it finds a
 * probed one, without a device tree or the transport's registration.  The
 * vsock core answers the test's packets through it (RST for a port
 * nobody listens on), and the test runs hvl_vsock_poll() as the core's
 * work item would.
 */
int hvl_vsock_kunit_add(struct hvl_device *hdev, u32 cid)
{
	struct hvl_vsock *v;

	v = alloc_vsock(hdev, cid);
	if (!v)
		return -ENOMEM;
	mutex_lock(&devices_lock);
	if (lookup(cid)) {
		mutex_unlock(&devices_lock);
		hdev->priv = NULL;
		kvfree(v);
		return -EADDRINUSE;
	}
	hash_add_rcu(devices, &v->node, cid);
	mutex_unlock(&devices_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_kunit_add);

void hvl_vsock_kunit_del(struct hvl_device *hdev)
{
	struct hvl_vsock *v = hdev->priv;

	mutex_lock(&devices_lock);
	hash_del_rcu(&v->node);
	mutex_unlock(&devices_lock);
	synchronize_rcu();
	purge(v, NULL);
	hdev->priv = NULL;
	kvfree(v);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_kunit_del);

/*
 * What the debugfs file shows of the peer's packets: @bad, each verdict's
 * count (HVL_VSOCK_OK's unused), and @delivered, those handed to the
 * core.  Read between polls, as the work item writes them.
 */
void hvl_vsock_kunit_counts(struct hvl_device *hdev,
			    u64 bad[HVL_VSOCK_NR_VERDICTS], u64 *delivered)
{
	struct hvl_vsock *v = hdev->priv;

	memcpy(bad, v->bad, sizeof(v->bad));
	*delivered = v->tx_pkts;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_kunit_counts);
#endif

static void show(struct hvl_device *hdev, struct seq_file *s)
{
	struct hvl_vsock *v = hdev->priv;
	int i;

	seq_printf(s, "cid: %u\nseqpacket: %d\nto_peer_pkts: %llu\nto_peer_bytes: %llu\nfrom_peer_pkts: %llu\nfrom_peer_bytes: %llu\nqueued: %u\nqueued_replies: %u\nqueued_bytes: %u\nover_limit: %lld\npeer_resets: %llu\n",
		   v->cid, READ_ONCE(v->seqpacket), v->rx_pkts, v->rx_bytes,
		   v->tx_pkts, v->tx_bytes, skb_queue_len(&v->send_q),
		   READ_ONCE(v->queued_ctrl), READ_ONCE(v->queued_mem),
		   atomic64_read(&v->over_limit), v->resets);
	for (i = HVL_VSOCK_OK + 1; i < HVL_VSOCK_NR_VERDICTS; i++)
		seq_printf(s, "%s: %llu\n", hvl_vsock_verdict_name(i), v->bad[i]);
}

static const char * const of_properties[] = { "hvl,cid", NULL };

static struct hvl_driver vsock_driver = {
	.driver.name = "hvl_vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.of_properties = of_properties,
	.features = BIT_ULL(VIRTIO_VSOCK_F_SEQPACKET),
	.config_size = sizeof(struct virtio_vsock_config),
	.probe = probe,
	.remove = remove,
	.activate = activate,
	.reset = reset,
	.poll = hvl_vsock_poll,
	.show = show,
};

module_hvl_driver(vsock_driver);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvl virtio-vsock backend: an H2G vsock transport to the peer");
MODULE_ALIAS("hvl:d00000013");
