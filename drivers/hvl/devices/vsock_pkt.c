// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_vsock packet handling that does not touch rings or sockets: what a
 * packet from the peer must look like before the vsock core sees it, and
 * how a packet for the peer is cut to the peer's receive buffers.  Kept
 * apart so the KUnit suite can feed it hostile headers and odd buffers.
 */
#include <linux/uio.h>
#include <net/af_vsock.h>
#include <kunit/visibility.h>

#include "vsock.h"

static const char *const names[HVL_VSOCK_NR_VERDICTS] = {
	[HVL_VSOCK_OK] = "ok",
	[HVL_VSOCK_BAD_BUFFER] = "bad_buffer",
	[HVL_VSOCK_BAD_LEN] = "bad_len",
	[HVL_VSOCK_BAD_SRC_CID] = "bad_src_cid",
	[HVL_VSOCK_BAD_DST_CID] = "bad_dst_cid",
	[HVL_VSOCK_BAD_TYPE] = "bad_type",
	[HVL_VSOCK_BAD_OP] = "bad_op",
	[HVL_VSOCK_NO_MEMORY] = "no_memory",
};

const char *hvl_vsock_verdict_name(enum hvl_vsock_verdict v)
{
	return v < HVL_VSOCK_NR_VERDICTS ? names[v] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_verdict_name);

/**
 * hvl_vsock_check_hdr() - may this packet from the peer go to the vsock core?
 * @hdr: the header, already copied out of the window
 * @buf_len: bytes of the chain it came in, header included
 * @peer_cid: the CID the device tree gives the peer
 *
 * Addressing is checked here, as vhost_vsock does: the common code trusts
 * the source CID to pick sockets, so a peer must not speak for another.
 * An unknown type or op is reported but is the common code's to answer
 * (with RST).
 *
 * Return: HVL_VSOCK_OK or what is wrong.
 */
enum hvl_vsock_verdict hvl_vsock_check_hdr(const struct virtio_vsock_hdr *hdr,
					   size_t buf_len, u32 peer_cid)
{
	u32 len = le32_to_cpu(hdr->len);

	if (buf_len < sizeof(*hdr) ||
	    buf_len > sizeof(*hdr) + VIRTIO_VSOCK_MAX_PKT_BUF_SIZE)
		return HVL_VSOCK_BAD_BUFFER;
	if (len > buf_len - sizeof(*hdr))
		return HVL_VSOCK_BAD_LEN;
	if (le64_to_cpu(hdr->src_cid) != peer_cid)
		return HVL_VSOCK_BAD_SRC_CID;
	if (le64_to_cpu(hdr->dst_cid) != VMADDR_CID_HOST)
		return HVL_VSOCK_BAD_DST_CID;
	switch (le16_to_cpu(hdr->type)) {
	case VIRTIO_VSOCK_TYPE_STREAM:
	case VIRTIO_VSOCK_TYPE_SEQPACKET:
		break;
	default:
		return HVL_VSOCK_BAD_TYPE;
	}
	switch (le16_to_cpu(hdr->op)) {
	case VIRTIO_VSOCK_OP_REQUEST:
	case VIRTIO_VSOCK_OP_RESPONSE:
	case VIRTIO_VSOCK_OP_RST:
	case VIRTIO_VSOCK_OP_SHUTDOWN:
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		return len ? HVL_VSOCK_BAD_LEN : HVL_VSOCK_OK;
	case VIRTIO_VSOCK_OP_RW:
		return HVL_VSOCK_OK;
	default:
		return HVL_VSOCK_BAD_OP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_check_hdr);

/**
 * hvl_vsock_skb_from_chain() - copy a packet from the peer out of its chain
 * @c: a popped tx chain
 * @peer_cid: the CID the device tree gives the peer
 * @verdict: set to what hvl_vsock_check_hdr() said, or why there is no skb
 *
 * The header is copied out of the window and checked first; the skb is
 * then sized by its len, which the check bounded by the chain (and so by
 * VIRTIO_VSOCK_MAX_PKT_BUF_SIZE), as vhost_vsock does.  Sizing it by the
 * chain would let a peer pin 64 KiB of Linux memory per packet with
 * len = 0, and a chain beyond one linear allocation would give an skb
 * whose len is below its data_len.
 *
 * Return: the packet, for the vsock core (@verdict HVL_VSOCK_OK, or an
 * unknown type or op that the core answers with RST), or NULL.
 */
struct sk_buff *hvl_vsock_skb_from_chain(const struct hvl_chain *c, u32 peer_cid,
					 enum hvl_vsock_verdict *verdict)
{
	struct virtio_vsock_hdr hdr;
	struct sk_buff *skb;
	struct iov_iter it;
	u32 len;

	if (c->nr_in || c->out_len < sizeof(hdr) ||
	    c->out_len > sizeof(hdr) + VIRTIO_VSOCK_MAX_PKT_BUF_SIZE) {
		*verdict = HVL_VSOCK_BAD_BUFFER;
		return NULL;
	}
	hvl_chain_out_iter(c, &it);
	if (copy_from_iter(&hdr, sizeof(hdr), &it) != sizeof(hdr)) {
		*verdict = HVL_VSOCK_BAD_BUFFER;
		return NULL;
	}
	*verdict = hvl_vsock_check_hdr(&hdr, c->out_len, peer_cid);
	if (*verdict != HVL_VSOCK_OK && *verdict != HVL_VSOCK_BAD_OP &&
	    *verdict != HVL_VSOCK_BAD_TYPE)
		return NULL;
	len = le32_to_cpu(hdr.len);
	skb = virtio_vsock_alloc_skb(sizeof(hdr) + len, GFP_KERNEL);
	if (!skb) {
		*verdict = HVL_VSOCK_NO_MEMORY;
		return NULL;
	}
	*virtio_vsock_hdr(skb) = hdr;
	if (len) {
		virtio_vsock_skb_put(skb, len);
		if (skb_copy_datagram_from_iter(skb, 0, &it, len)) {
			kfree_skb(skb);
			*verdict = HVL_VSOCK_BAD_BUFFER;
			return NULL;
		}
	}
	return skb;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_skb_from_chain);

/**
 * hvl_vsock_fill() - copy (the next part of) a packet into a receive buffer
 * @skb: the packet; VIRTIO_VSOCK_SKB_CB(skb)->offset says what was sent
 * @c: a chain of device-writable segments
 *
 * A payload larger than the buffer is split, each part with its own
 * header, as vhost_vsock does: the peer's buffers are typically 4 KiB and
 * a packet can be 64 KiB.  A SEQPACKET message's EOM and EOR flags go only
 * on its last part.  Advances the skb's offset.
 *
 * Return: bytes written (header included), -EINVAL if the chain has
 * readable segments or no room for a header.
 */
ssize_t hvl_vsock_fill(struct sk_buff *skb, const struct hvl_chain *c)
{
	struct virtio_vsock_hdr *hdr = virtio_vsock_hdr(skb);
	struct virtio_vsock_hdr out = *hdr;
	u32 offset = VIRTIO_VSOCK_SKB_CB(skb)->offset;
	size_t payload = skb->len - offset;
	struct iov_iter it;

	if (c->nr_out || c->in_len < sizeof(out))
		return -EINVAL;
	if (payload > c->in_len - sizeof(out)) {
		payload = c->in_len - sizeof(out);
		out.flags &= ~cpu_to_le32(VIRTIO_VSOCK_SEQ_EOM |
					  VIRTIO_VSOCK_SEQ_EOR);
	}
	out.len = cpu_to_le32(payload);
	hvl_chain_in_iter(c, &it);
	if (copy_to_iter(&out, sizeof(out), &it) != sizeof(out))
		return -EINVAL;
	if (payload && skb_copy_datagram_iter(skb, offset, &it, payload))
		return -EINVAL;
	VIRTIO_VSOCK_SKB_CB(skb)->offset += payload;
	return sizeof(out) + payload;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_vsock_fill);
