/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_net internals: the device's state (main.c, the netdev and the life
 * cycle; queue.c, the rings and NAPI) and the frame checks shared with
 * the KUnit suite (frame.c).
 */
#ifndef _HVL_NET_H
#define _HVL_NET_H

#include <linux/hvl.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>

/*
 * With VIRTIO_F_VERSION_1, which every hvl device requires, the header
 * is always struct virtio_net_hdr_mrg_rxbuf, MRG_RXBUF or not.
 */
#define HVL_NET_HDR_LEN		sizeof(struct virtio_net_hdr_mrg_rxbuf)
/* The largest frame either way: a 64 KiB GSO frame with its link header. */
#define HVL_NET_FRAME_MAX	(ETH_MAX_MTU + VLAN_ETH_HLEN)

enum hvl_net_verdict {
	HVL_NET_OK,
	HVL_NET_BAD_BUFFER,	/* writable segments, or no room for a header */
	HVL_NET_RUNT,		/* shorter than an Ethernet header */
	HVL_NET_OVERSIZE,	/* beyond the MTU, or 64 KiB with GSO */
	HVL_NET_BAD_FLAGS,	/* flags other than NEEDS_CSUM */
	HVL_NET_NOT_NEGOTIATED,	/* an offload the peer did not negotiate */
	HVL_NET_BAD_GSO,	/* gso_type or gso_size malformed */
	HVL_NET_BAD_HDR,	/* refused by virtio_net_hdr_to_skb() */
	HVL_NET_NO_MEMORY,
	HVL_NET_NR_VERDICTS
};

/* What the peer may send: the link's MTU and the negotiated offloads. */
struct hvl_net_rx_limits {
	unsigned int mtu;	/* largest payload of a frame without GSO */
	bool csum;		/* VIRTIO_NET_F_CSUM: NEEDS_CSUM allowed */
	bool tso4, tso6;	/* VIRTIO_NET_F_HOST_TSO4 / _TSO6 */
};

const char *hvl_net_verdict_name(enum hvl_net_verdict v);
enum hvl_net_verdict hvl_net_check_hdr(const struct virtio_net_hdr *h,
				       size_t frame_len,
				       const struct hvl_net_rx_limits *l);
struct sk_buff *hvl_net_skb_from_chain(const struct hvl_chain *c,
				       const struct hvl_net_rx_limits *l,
				       enum hvl_net_verdict *verdict);
int hvl_net_hdr_from_skb(const struct sk_buff *skb,
			 struct virtio_net_hdr_mrg_rxbuf *h, bool data_valid);

#define RX_Q		0	/* the peer's receiveq: frames for the peer */
#define TX_Q		1	/* the peer's transmitq: frames from it */
#define CTRL_Q		2	/* its controlq, if the DT gives a third queue */
/* What takes a control queue: offered only with one (hvl_net_offer()). */
#define CTRL_FEATURES	(BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |		\
			 BIT_ULL(VIRTIO_NET_F_NOTF_COAL) |		\
			 BIT_ULL(VIRTIO_NET_F_VQ_NOTF_COAL))

/* Frames queued for the peer at most; 64 KiB each with TSO. */
#define TO_PEER_MAX	128u
/* Frames copied from the peer ahead of NAPI at most. */
#define FROM_PEER_MAX	256u
/* Control commands a run answers at most (the stock driver has one out). */
#define CTRL_BUDGET	8
/* Receive buffers one frame may take with MRG_RXBUF. */
#define MRG_MAX		256u

/* Counters of frames that did not make it, each a debugfs line. */
enum hvl_net_drop {
	DROP_PEER_DOWN,		/* Linux -> peer with the peer's driver down */
	DROP_TOO_BIG,		/* larger than all the receive buffers it has */
	DROP_BAD_SKB,		/* a frame the header cannot describe */
	DROP_PURGED,		/* queued when the peer or our link went down */
	DROP_LINK_DOWN,		/* peer -> Linux while our interface is down */
	DROP_NO_MEMORY,		/* a zerocopy frame's pages could not be copied */
	NR_DROPS
};

struct hvl_net {
	struct hvl_device *hdev;
	struct net_device *ndev;
	struct napi_struct napi;
	struct sk_buff_head to_peer;	/* from ndo_start_xmit() */
	struct sk_buff_head from_peer;	/* for NAPI */
	bool peer_up;			/* see main.c; READ_ONCE */
	bool from_peer_full;		/* the work item waits for NAPI */
	netdev_features_t tx_offloads;	/* what the peer takes; READ_ONCE */
	unsigned int mtu_max;		/* hvl,mtu: offered to the peer */
	u8 peer_mac[ETH_ALEN];
	/* Work item only: the negotiation of the current session. */
	struct hvl_net_rx_limits limits;
	bool mrg_rxbuf, guest_csum, guest_tso4, guest_tso6;
	struct kvec iov[HVL_CHAIN_MAX];
	struct kvec hdr_iov[HVL_NET_HDR_LEN];	/* where the header went */
	unsigned int nr_hdr_iov;
	u16 heads[MRG_MAX];
	u32 lens[MRG_MAX];
	/*
	 * BQL: every frame queued in to_peer was counted sent, and is
	 * counted completed once, when it leaves: by the work item (used or
	 * dropped) or by a purge.  Completions come from the work item and
	 * from net_stop(), and dql_completed() takes one caller at a time;
	 * ->reset() resets the BQL state under it too.
	 */
	spinlock_t bql_lock;
	/*
	 * Counters: atomic, as ndo_get_stats64() and ethtool read them
	 * anywhere.  debugfs and "ethtool -S" list them all under one set of
	 * names (main.c): the traffic each way, the peer's resets, drops[]
	 * and bad[].
	 */
	atomic64_t tx_packets, tx_bytes, rx_packets, rx_bytes, resets;
	atomic64_t ctrl_done, ctrl_refused;
	atomic64_t bad[HVL_NET_NR_VERDICTS];
	atomic64_t drops[NR_DROPS];
};

/* The counters debugfs and "ethtool -S" show: traffic, drops, refusals. */
#define HVL_NET_NR_TRAFFIC	7
#define HVL_NET_NR_STATS	(HVL_NET_NR_TRAFFIC + NR_DROPS + \
				 HVL_NET_NR_VERDICTS - 1)

const char *hvl_net_stat_name(unsigned int i);
bool hvl_net_ifname_valid(const char *name);
u64 hvl_net_offer(const struct hvl_device *hdev, u64 features);

static inline void hvl_net_count_drop(struct hvl_net *n, enum hvl_net_drop d)
{
	atomic64_inc(&n->drops[d]);
}

/* Any context: have the work item run, if there is a peer to serve. */
static inline void hvl_net_kick(struct hvl_net *n)
{
	if (READ_ONCE(n->peer_up))
		hvl_device_kick(n->hdev);
}

/* queue.c: the rings, in the device's work item, and NAPI. */
bool hvl_net_poll(struct hvl_device *hdev, int budget);

/* ctrl.c: the control queue, in the device's work item. */
bool hvl_net_serve_ctrl(struct hvl_net *n, int *budget, bool refuse);
bool hvl_net_poll_failed(struct hvl_device *hdev, int budget);
int hvl_net_napi_poll(struct napi_struct *napi, int budget);

#endif /* _HVL_NET_H */
