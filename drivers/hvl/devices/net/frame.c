// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_net frame handling that does not touch rings or the netdev: what a
 * frame the peer transmits must look like before the stack sees it, and
 * the header of a frame for the peer.  Kept apart so that the KUnit suite
 * can feed it hostile headers.
 *
 * The header goes through the kernel's own helpers, as tun and vhost-net
 * use them: virtio_net_hdr_to_skb() checks gso_type, gso_size and the
 * checksum start and offset against the frame.  What the helpers do not
 * know is what was negotiated and the link's MTU; that is checked here,
 * before any memory is allocated for the frame.
 */
#include <linux/etherdevice.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

#include "hvl_net.h"

/* Frames up to this long are copied into one linear buffer. */
#define LINEAR_MAX	SKB_WITH_OVERHEAD(PAGE_SIZE - NET_SKB_PAD - NET_IP_ALIGN)
/* Linear part of longer frames: headers, as far as anyone needs them. */
#define LINEAR_HDRS	256u

static const char *const names[HVL_NET_NR_VERDICTS] = {
	[HVL_NET_OK] = "ok",
	[HVL_NET_BAD_BUFFER] = "bad_buffer",
	[HVL_NET_RUNT] = "runt",
	[HVL_NET_OVERSIZE] = "oversize",
	[HVL_NET_BAD_FLAGS] = "bad_flags",
	[HVL_NET_NOT_NEGOTIATED] = "not_negotiated",
	[HVL_NET_BAD_GSO] = "bad_gso",
	[HVL_NET_BAD_HDR] = "bad_hdr",
	[HVL_NET_NO_MEMORY] = "no_memory",
};

const char *hvl_net_verdict_name(enum hvl_net_verdict v)
{
	return v < HVL_NET_NR_VERDICTS ? names[v] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_verdict_name);

/**
 * hvl_net_check_hdr() - may a frame with this header go to the stack?
 * @h: the header, already copied out of the window
 * @frame_len: bytes of the frame after the header
 * @l: the link's MTU and what the peer negotiated
 *
 * num_buffers and hdr_len are not looked at: the first is the device's
 * to write (the stock virtio_net leaves it uninitialised on transmit
 * without MRG_RXBUF), the second a hint.  The checksum start and offset
 * are virtio_net_hdr_to_skb()'s to check, against the frame itself.
 *
 * Return: HVL_NET_OK or what is wrong.
 */
enum hvl_net_verdict hvl_net_check_hdr(const struct virtio_net_hdr *h,
				       size_t frame_len,
				       const struct hvl_net_rx_limits *l)
{
	u16 gso_size = __virtio16_to_cpu(true, h->gso_size);
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (frame_len < ETH_HLEN)
		return HVL_NET_RUNT;
	if (frame_len > HVL_NET_FRAME_MAX)
		return HVL_NET_OVERSIZE;
	/* DATA_VALID and RSC_INFO are the device's to set, not the driver's. */
	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return HVL_NET_BAD_FLAGS;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !l->csum)
		return HVL_NET_NOT_NEGOTIATED;

	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		/* A VLAN tag may come on top of the MTU, as on any Ethernet. */
		if (frame_len > l->mtu + VLAN_ETH_HLEN)
			return HVL_NET_OVERSIZE;
		return HVL_NET_OK;
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!l->tso4)
			return HVL_NET_NOT_NEGOTIATED;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!l->tso6)
			return HVL_NET_NOT_NEGOTIATED;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		/* Neither UFO nor USO is offered. */
		return HVL_NET_NOT_NEGOTIATED;
	default:
		return HVL_NET_BAD_GSO;
	}
	/* HOST_ECN is not offered. */
	if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN)
		return HVL_NET_NOT_NEGOTIATED;
	/*
	 * The spec requires NEEDS_CSUM with GSO, and an MSS the link can
	 * carry: a segment of gso_size bytes must fit the MTU.
	 */
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !gso_size ||
	    gso_size > l->mtu)
		return HVL_NET_BAD_GSO;
	return HVL_NET_OK;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_check_hdr);

/*
 * An skb for a frame of @len bytes: linear up to a page, else its
 * headers linear (as far as the checksum fields, which must be there)
 * and the rest in page fragments, as tun sizes them.  csum_start and
 * csum_offset mean something only with NEEDS_CSUM; without it they may
 * be anything, and do not make the whole frame linear.
 */
static struct sk_buff *alloc_frame(size_t len, const struct virtio_net_hdr *h)
{
	size_t linear = len, csum_end;
	struct sk_buff *skb;
	int err;

	if (len > LINEAR_MAX && !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		linear = LINEAR_HDRS;
	} else if (len > LINEAR_MAX) {
		csum_end = __virtio16_to_cpu(true, h->csum_start) +
			   __virtio16_to_cpu(true, h->csum_offset) +
			   sizeof(__sum16);
		linear = min(len, max_t(size_t, LINEAR_HDRS, csum_end));
	}
	skb = alloc_skb_with_frags(NET_SKB_PAD + NET_IP_ALIGN + linear,
				   len - linear, PAGE_ALLOC_COSTLY_ORDER, &err,
				   GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len += len - linear;
	return skb;
}

/**
 * hvl_net_skb_from_chain() - copy a frame the peer transmits out of its chain
 * @c: a popped chain of the peer's transmit queue
 * @l: the link's MTU and what the peer negotiated
 * @verdict: set to HVL_NET_OK or why there is no skb
 *
 * The header is copied out of the window and checked before anything is
 * allocated; the frame is then copied once, and the header applied to
 * the copy by virtio_net_hdr_to_skb(), so that the peer cannot change
 * what was checked.
 *
 * Return: the frame, its data at the Ethernet header, for
 * eth_type_trans(); or NULL.
 */
struct sk_buff *hvl_net_skb_from_chain(const struct hvl_chain *c,
				       const struct hvl_net_rx_limits *l,
				       enum hvl_net_verdict *verdict)
{
	struct virtio_net_hdr_mrg_rxbuf h;
	struct sk_buff *skb;
	struct iov_iter it;
	size_t len;

	if (c->nr_in || c->out_len < sizeof(h)) {
		*verdict = HVL_NET_BAD_BUFFER;
		return NULL;
	}
	hvl_chain_out_iter(c, &it);
	if (copy_from_iter(&h, sizeof(h), &it) != sizeof(h)) {
		*verdict = HVL_NET_BAD_BUFFER;
		return NULL;
	}
	len = c->out_len - sizeof(h);
	*verdict = hvl_net_check_hdr(&h.hdr, len, l);
	if (*verdict != HVL_NET_OK)
		return NULL;

	skb = alloc_frame(len, &h.hdr);
	if (!skb) {
		*verdict = HVL_NET_NO_MEMORY;
		return NULL;
	}
	if (skb_copy_datagram_from_iter(skb, 0, &it, len)) {
		kfree_skb(skb);
		*verdict = HVL_NET_BAD_BUFFER;
		return NULL;
	}
	if (virtio_net_hdr_to_skb(skb, &h.hdr, true)) {
		kfree_skb(skb);
		*verdict = HVL_NET_BAD_HDR;
		return NULL;
	}
	return skb;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_skb_from_chain);

/**
 * hvl_net_hdr_from_skb() - the header of a frame for the peer
 * @skb: the frame
 * @h: filled in; num_buffers is 1, the caller's to change
 * @data_valid: VIRTIO_NET_F_GUEST_CSUM was negotiated: a checked checksum
 *	may be passed on as VIRTIO_NET_HDR_F_DATA_VALID
 *
 * ndo_features_check() keeps GSO types and partial checksums the peer
 * did not negotiate out of our transmit path; virtio_net_hdr_from_skb()
 * refuses what it cannot describe.
 *
 * Return: 0, or -EINVAL for a frame the header cannot describe.
 */
int hvl_net_hdr_from_skb(const struct sk_buff *skb,
			 struct virtio_net_hdr_mrg_rxbuf *h, bool data_valid)
{
	int ret;

	ret = virtio_net_hdr_from_skb(skb, &h->hdr, true, data_valid, 0);
	if (ret)
		return ret;
	h->num_buffers = __cpu_to_virtio16(true, 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_net_hdr_from_skb);
