// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_net's rings: the device's work item copies frames between the
 * peer's queues and two bounded skb queues, NAPI delivers what came from
 * the peer.  See main.c for the bounds and why.
 *
 * Receive buffers for a frame are taken all or none: with MRG_RXBUF a
 * frame may take several, and the first says how many in num_buffers,
 * so they are used with one move of used->idx (hvl_vq_push_n()); buffers
 * taken for a frame that cannot be completed now are given back
 * (hvl_vq_unpop()) and the frame waits for more.
 */
#include <linux/etherdevice.h>
#include <linux/hvl.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <kunit/visibility.h>

#include "hvl_net.h"

/* Peer -> Linux: one transmit chain is one frame. */
static void take_frame(struct hvl_net *n, struct hvl_chain *c)
{
	enum hvl_net_verdict verdict;
	struct sk_buff *skb;
	unsigned int len;

	if (!netif_running(n->ndev)) {
		hvl_net_count_drop(n, DROP_LINK_DOWN);
		return;
	}
	skb = hvl_net_skb_from_chain(c, &n->limits, &verdict);
	if (!skb) {
		atomic64_inc(&n->bad[verdict]);
		dev_err_ratelimited(&n->hdev->dev, "dropped a frame from the peer: %s (%zu bytes)\n",
				    hvl_net_verdict_name(verdict),
				    c->out_len > HVL_NET_HDR_LEN ?
				    c->out_len - HVL_NET_HDR_LEN : 0);
		return;
	}
	len = skb->len;
	skb->protocol = eth_type_trans(skb, n->ndev);
	skb_record_rx_queue(skb, 0);
	atomic64_inc(&n->rx_packets);
	atomic64_add(len, &n->rx_bytes);
	skb_queue_tail(&n->from_peer, skb);
}

/*
 * Is there room ahead of NAPI?  If not, say that we wait, and look again:
 * NAPI may have drained the queue before it could see the flag.
 */
static bool from_peer_room(struct hvl_net *n)
{
	if (skb_queue_len_lockless(&n->from_peer) < FROM_PEER_MAX)
		return true;
	WRITE_ONCE(n->from_peer_full, true);
	smp_mb();	/* the flag before the length; pairs with hvl_net_napi_poll() */
	return skb_queue_len_lockless(&n->from_peer) < FROM_PEER_MAX;
}

/* The peer's transmitq.  Returns true when it stopped on the budget. */
static bool serve_tx(struct hvl_net *n, int *budget)
{
	struct hvl_vq *vq = &n->hdev->vqs[TX_Q];
	struct hvl_chain c = { .iov = n->iov, .max = HVL_CHAIN_MAX };
	bool taken = false, more = false;
	int ret;

	/*
	 * A peer may set DRIVER_OK without a transmitq (fill() has the
	 * other way round): it sends nothing.  Not a broken ring.
	 */
	if (!vq->ready)
		return false;
	for (;;) {
		if (*budget <= 0) {
			more = true;
			break;
		}
		/* NAPI kicks us when it has made room. */
		if (!from_peer_room(n))
			break;
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY) {
			more = ret == -EBUSY;
			break;
		}
		if (ret) {
			hvl_device_needs_reset(n->hdev, "bad transmitq chain");
			break;
		}
		take_frame(n, &c);
		hvl_vq_push(vq, &c, 0);
		hvl_device_interrupt(n->hdev, vq);
		taken = true;
		(*budget)--;
	}
	if (taken) {
		/* From process context: have the softirq run on our way out. */
		local_bh_disable();
		napi_schedule(&n->napi);
		local_bh_enable();
	}
	return more;
}

/* Remember where the header of a frame went: num_buffers is set last. */
static void save_hdr_iov(struct hvl_net *n, const struct hvl_chain *c)
{
	size_t covered = 0;
	unsigned int i;

	for (i = 0; i < c->nr_in && covered < HVL_NET_HDR_LEN; i++) {
		n->hdr_iov[i] = c->iov[c->nr_out + i];
		covered += n->hdr_iov[i].iov_len;
	}
	n->nr_hdr_iov = i;
}

/*
 * Can the peer take @skb as it is?  ndo_features_check() asked it
 * before, but a frame validated for the previous session may reach us
 * after the peer restarted with fewer offloads: one the qdisc requeued
 * validated, or that start_xmit() queued as the peer came back.
 *
 * GSO first: a GSO frame the peer cannot take is dropped, and never
 * goes to skb_checksum_help(), which WARNs on one (its checksum is
 * partial, and the peer may have dropped GUEST_CSUM with the TSO bits).
 * The peer takes TSO only with GUEST_CSUM (activate()).
 */
static bool fits_peer(struct hvl_net *n, struct sk_buff *skb)
{
	unsigned int type;

	if (skb_is_gso(skb)) {
		type = skb_shinfo(skb)->gso_type;
		if (type & ~(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_DODGY))
			return false;
		return (type & SKB_GSO_TCPV4) ? n->guest_tso4 : n->guest_tso6;
	}
	return skb->ip_summed != CHECKSUM_PARTIAL || n->guest_csum ||
	       !skb_checksum_help(skb);
}

/*
 * NO_BUFFERS: the ring ran dry and the peer was asked to ring when it
 * posts more.  NO_BUDGET: a look after that request found buffers, and
 * the budget was spent; run again.
 */
enum fill_result { FILLED, DROPPED, NO_BUFFERS, NO_BUDGET, BROKEN };

/*
 * Copy @skb into as many of the peer's receive buffers as it takes, one
 * without MRG_RXBUF, and use them all at once (hvl_vq_push_n()): the
 * first says in num_buffers how many follow.  Buffers popped for a frame
 * that cannot be completed now are given back (hvl_vq_unpop()).
 *
 * Each buffer costs one of @budget, and a frame takes all it needs even
 * past the budget.  What stopped hvl_vq_next(), not whether @budget is
 * spent, tells an empty ring (the peer rings when it posts more) from
 * one that was not looked at again: else a frame needing more buffers
 * than the peer posted, and more than the budget, would have the work
 * item run again at once, pop the same buffers and give them back, for
 * as long as the peer posts no more.
 */
static enum fill_result fill(struct hvl_net *n, struct sk_buff *skb,
			     int *budget)
{
	struct hvl_vq *vq = &n->hdev->vqs[RX_Q];
	unsigned int max = n->mrg_rxbuf ? min_t(unsigned int, vq->num, MRG_MAX) : 1;
	struct hvl_chain c = { .iov = n->iov, .max = HVL_CHAIN_MAX };
	struct virtio_net_hdr_mrg_rxbuf h;
	unsigned int nbufs = 0, off = 0;
	struct iov_iter it;
	size_t chunk;
	int ret;

	/*
	 * A peer may set DRIVER_OK without a receiveq, and cannot add one
	 * after it: it takes nothing from us, as with its driver down.
	 * Not a broken ring, and not a frame too big for it.
	 */
	if (!vq->ready) {
		dev_warn_ratelimited(&n->hdev->dev,
				     "dropped a frame for the peer: it set up no receiveq\n");
		hvl_net_count_drop(n, DROP_PEER_DOWN);
		return DROPPED;
	}
	if (!fits_peer(n, skb) ||
	    hvl_net_hdr_from_skb(skb, &h, n->guest_csum)) {
		hvl_net_count_drop(n, DROP_BAD_SKB);
		return DROPPED;
	}
	do {
		if (nbufs == max) {
			/* More than all the buffers the peer can give. */
			hvl_vq_unpop(vq, nbufs);
			hvl_net_count_drop(n, DROP_TOO_BIG);
			return DROPPED;
		}
		ret = hvl_vq_next(vq, &c, budget);
		if (ret == -EAGAIN || ret == -EBUSY) {
			hvl_vq_unpop(vq, nbufs);
			return ret == -EAGAIN ? NO_BUFFERS : NO_BUDGET;
		}
		if (ret) {
			hvl_device_needs_reset(n->hdev, "bad receiveq chain");
			return BROKEN;
		}
		if (c.nr_out || (!nbufs && c.in_len < HVL_NET_HDR_LEN)) {
			hvl_device_needs_reset(n->hdev,
					       "receive buffer readable or without room for a header");
			return BROKEN;
		}
		hvl_chain_in_iter(&c, &it);
		/* in_len was checked: the header fits. */
		if (!nbufs) {
			save_hdr_iov(n, &c);
			if (copy_to_iter(&h, sizeof(h), &it) != sizeof(h)) {
				hvl_vq_unpop(vq, 1);
				hvl_net_count_drop(n, DROP_BAD_SKB);
				return DROPPED;
			}
		}
		chunk = min_t(size_t, iov_iter_count(&it), skb->len - off);
		if (chunk && skb_copy_datagram_iter(skb, off, &it, chunk)) {
			hvl_vq_unpop(vq, nbufs + 1);
			hvl_net_count_drop(n, DROP_BAD_SKB);
			return DROPPED;
		}
		off += chunk;
		n->heads[nbufs] = c.head;
		n->lens[nbufs] = chunk + (nbufs ? 0 : sizeof(h));
		nbufs++;
		(*budget)--;
	} while (off < skb->len);

	if (nbufs > 1) {
		h.num_buffers = __cpu_to_virtio16(true, nbufs);
		iov_iter_kvec(&it, ITER_DEST, n->hdr_iov, n->nr_hdr_iov,
			      sizeof(h));
		if (copy_to_iter(&h, sizeof(h), &it) != sizeof(h)) {
			/* Not reached: these segments took it before. */
			hvl_vq_unpop(vq, nbufs);
			hvl_net_count_drop(n, DROP_BAD_SKB);
			return DROPPED;
		}
	}
	hvl_vq_push_n(vq, n->heads, n->lens, nbufs);
	hvl_device_interrupt(n->hdev, vq);
	return FILLED;
}

/*
 * Frames that left to_peer, used or dropped, completed for BQL at once
 * for the run (netdev_tx_completed_queue() wants a round, not a frame).
 * Frames put back in to_peer stay sent: they leave it later, or a purge
 * completes them.
 */
static void to_peer_completed(struct hvl_net *n, unsigned int pkts,
			      unsigned int bytes)
{
	spin_lock_bh(&n->bql_lock);
	netdev_tx_completed_queue(netdev_get_tx_queue(n->ndev, 0), pkts, bytes);
	spin_unlock_bh(&n->bql_lock);
}

/* Linux -> peer, its receiveq.  Returns true when it stopped on the budget. */
static bool serve_rx(struct hvl_net *n, int *budget)
{
	unsigned int pkts = 0, bytes = 0;
	enum fill_result res;
	struct sk_buff *skb;
	bool more = true;

	while (*budget > 0) {
		skb = skb_dequeue(&n->to_peer);
		if (!skb) {
			/* start_xmit() kicks us: the buffers wait. */
			hvl_vq_defer(&n->hdev->vqs[RX_Q]);
			more = false;
			break;
		}
		res = fill(n, skb, budget);
		if (res == NO_BUFFERS || res == NO_BUDGET || res == BROKEN) {
			skb_queue_head(&n->to_peer, skb);
			more = res == NO_BUDGET;
			break;
		}
		/* As start_xmit() counted it sent. */
		pkts++;
		bytes += skb->len;
		if (res == FILLED) {
			atomic64_inc(&n->tx_packets);
			atomic64_add(skb->len, &n->tx_bytes);
			consume_skb(skb);
		} else {
			kfree_skb(skb);
		}
		/* The length before the flag; pairs with start_xmit() (main.c). */
		smp_mb();
		if (netif_queue_stopped(n->ndev) &&
		    skb_queue_len_lockless(&n->to_peer) < TO_PEER_MAX / 2)
			netif_wake_queue(n->ndev);
	}
	to_peer_completed(n, pkts, bytes);
	return more;
}

/*
 * The device's ->poll().  Control commands first, on a budget of their
 * own: the peer's driver spins until they are answered, and one that
 * floods its control queue takes nothing from the frames.  Then frames
 * from the peer: its transmit
 * buffers come back to it at once, ours wait in its receive buffers.
 * But while frames wait for the peer, half the budget is kept for them:
 * else a peer that keeps its transmitq full, a flood of small frames,
 * would have every run spend the budget there and nothing ever reach it.
 * Visible to the KUnit suite, which drives it on rings of its own.
 */
bool hvl_net_poll(struct hvl_device *hdev, int budget)
{
	struct hvl_net *n = hdev->priv;
	int kept = skb_queue_empty_lockless(&n->to_peer) ? 0 : budget / 2;
	int ctrl = CTRL_BUDGET;
	bool more;

	more = hvl_net_serve_ctrl(n, &ctrl, false);
	budget -= kept;
	more |= serve_tx(n, &budget);
	budget += kept;
	more |= serve_rx(n, &budget);
	return more;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_poll);

int hvl_net_napi_poll(struct napi_struct *napi, int budget)
{
	struct hvl_net *n = container_of(napi, struct hvl_net, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&n->from_peer))) {
		napi_gro_receive(napi, skb);
		done++;
	}
	/* The length before the flag; pairs with from_peer_room(). */
	smp_mb();
	if (READ_ONCE(n->from_peer_full) &&
	    skb_queue_len_lockless(&n->from_peer) < FROM_PEER_MAX / 2) {
		WRITE_ONCE(n->from_peer_full, false);
		hvl_net_kick(n);
	}
	if (done < budget && napi_complete_done(napi, done) &&
	    !skb_queue_empty_lockless(&n->from_peer))
		napi_schedule(napi);
	return done;
}
