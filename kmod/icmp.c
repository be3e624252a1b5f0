// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors: a datagram a port sent came back unreachable (nothing bound
 * to the peer's port, no route to its host or network). The UDP tunnel
 * API hands such an error to encap_err_rcv, in softirq, with the datagram
 * the ICMP message quotes; it is queued, boundedly, for the port's work
 * item, which finds the connection the datagram belonged to and fails it
 * as TCP would: a connect under way ends at once with ECONNREFUSED,
 * EHOSTUNREACH or ENETUNREACH instead of after every HELLO retransmission,
 * and a connection whose peer's port is gone fails with ECONNREFUSED.
 *
 * An error only counts for a connection when the quoted datagram is one
 * the connection sends in its state: a HELLO while negotiating, DATA with
 * the peer's id for it once negotiated. Path MTU errors are left to the
 * UDP socket (it updates the route) and only counted.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/icmp.h>
#include <net/ipv6.h>
#include <net/udp_tunnel.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "close.h"
#include "compat/compat.h"
#include "conn.h"
#include "dgram.h"
#include "icmp.h"
#include "netns.h"
#include "socket.h"
#include "transport.h"
#include "wire.h"

/* Errors waiting for the work item, per port: ICMP is rate-limited at
 * its source, so more than this is a flood, and dropped.
 */
#define BERTHA_ICMP_QUEUE_MAX	64

/**
 * struct bertha_icmp_err - an ICMP error about a datagram a port sent
 * @node: in &bertha_port.icmp
 * @to: where the datagram was sent
 * @err: the error, a negative errno
 * @type: the datagram's &enum bertha_wire_type
 * @conn_id: the connection id in its header
 */
struct bertha_icmp_err {
	struct llist_node node;
	struct sockaddr_bertha to;
	int err;
	u8 type;
	u32 conn_id;
};

/* The quoted datagram at @udp_off from skb->data, after its IP header. */
static void bertha_icmp_queue(struct sock *udp_sk, struct sk_buff *skb,
			      unsigned int udp_off, int err)
{
	const unsigned int need = udp_off + sizeof(struct udphdr) +
				  sizeof(struct bertha_wire_hdr);
	const struct bertha_wire_hdr *hdr;
	struct bertha_icmp_err *e;
	struct bertha_port *port;
	const struct udphdr *uh;

	port = rcu_dereference_sk_user_data(udp_sk);
	if (!port || READ_ONCE(port->dead))
		return;
	bertha_net_count(sock_net(udp_sk), BERTHA_STATS_A_ICMP_ERRORS, 1);
	/* EMSGSIZE: the UDP socket has updated the path MTU */
	if (err >= 0 || err == -EMSGSIZE || !pskb_may_pull(skb, need))
		return;
	if (atomic_inc_return(&port->icmp_queued) > BERTHA_ICMP_QUEUE_MAX)
		goto full;
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		goto full;
	uh = (const struct udphdr *)(skb->data + udp_off);
	hdr = (const struct bertha_wire_hdr *)(uh + 1);
	e->err = err;
	e->type = hdr->type;
	e->conn_id = ntohl(hdr->conn_id);
	e->to.sbe_family = bertha_family();
	e->to.sbe_port = uh->dest;
	if (((const struct iphdr *)skb->data)->version == 4) {
		e->to.sbe_ip_family = AF_INET;
		e->to.sbe_addr.v4 = ((const struct iphdr *)skb->data)->daddr;
	} else {
		e->to.sbe_ip_family = AF_INET6;
		memcpy(e->to.sbe_addr.v6, &((const struct ipv6hdr *)skb->data)->daddr,
		       sizeof(e->to.sbe_addr.v6));
	}
	llist_add(&e->node, &port->icmp);
	queue_work(bertha_wq, &port->ctrl_work);
	return;
full:
	atomic_dec(&port->icmp_queued);
}

#ifdef BERTHA_HAVE_ENCAP_ERR_RCV_ERRNO
static void bertha_udp_encap_err_rcv(struct sock *udp_sk, struct sk_buff *skb,
				     int err, __be16 port, u32 info, u8 *payload)
{
	/* @payload follows the quoted UDP header */
	bertha_icmp_queue(udp_sk, skb,
			  payload - skb->data - sizeof(struct udphdr), -err);
}
#else
/* The errno UDP itself would report for the ICMP error @skb carries,
 * negative; 0 for what is no error.
 */
static int bertha_icmp_errno(const struct sk_buff *skb)
{
	int type, code, err = 0;

	if (((const struct iphdr *)skb->data)->version == 6) {
		type = icmp6_hdr(skb)->icmp6_type;
		code = icmp6_hdr(skb)->icmp6_code;
		icmpv6_err_convert(type, code, &err);
		return type == ICMPV6_PKT_TOOBIG ? -EMSGSIZE : -err;
	}
	type = icmp_hdr(skb)->type;
	code = icmp_hdr(skb)->code;
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED)
			return -EMSGSIZE;
		return code <= NR_ICMP_UNREACH ? -icmp_err_convert[code].errno :
						 -EHOSTUNREACH;
	case ICMP_PARAMETERPROB:
		return -EPROTO;
	case ICMP_TIME_EXCEEDED:
		return -EHOSTUNREACH;
	default:
		return 0;	/* source quench, redirect: not errors */
	}
}

static void bertha_udp_encap_err_rcv(struct sock *udp_sk, struct sk_buff *skb,
				     unsigned int udp_offset)
{
	bertha_icmp_queue(udp_sk, skb, udp_offset, bertha_icmp_errno(skb));
}
#endif

/**
 * bertha_icmp_setup() - have a port's UDP socket report ICMP errors
 * @cfg: the tunnel configuration of the port's UDP socket
 */
void bertha_icmp_setup(struct udp_tunnel_sock_cfg *cfg)
{
	cfg->encap_err_rcv = bertha_udp_encap_err_rcv;
}

/* The connection of @port whose peer is @to, its socket held and locked. */
static struct bertha_sock *bertha_icmp_conn_lock(struct bertha_port *port,
						 const struct sockaddr_bertha *to,
						 struct bertha_conn **connp)
{
	struct bertha_conn *conn, *found = NULL;
	struct bertha_sock *bs = NULL;
	unsigned long index;
	u32 id = 0;

	rcu_read_lock();
	xa_for_each(&port->conns, index, conn) {
		if (bertha_addr_equal(&conn->peer, to) &&
		    refcount_inc_not_zero(&conn->bs->sk.sk_refcnt)) {
			found = conn;
			id = conn->id;
			bs = conn->bs;
			break;
		}
	}
	rcu_read_unlock();
	/* @found may be freed once RCU is left: only @id and @bs are used */
	if (!bs || !bertha_conn_relock(port, id, found, bs))
		return NULL;
	*connp = found;
	return bs;
}

/**
 * bertha_icmp_rcv() - apply the ICMP errors queued on a port
 * @port: the port
 *
 * Context: the port's work item (process context).
 */
void bertha_icmp_rcv(struct bertha_port *port)
{
	struct llist_node *list = llist_del_all(&port->icmp);
	struct bertha_icmp_err *e, *tmp;
	struct bertha_conn *conn;
	struct bertha_sock *bs;
	bool hit;

	llist_for_each_entry_safe(e, tmp, llist_reverse_order(list), node) {
		atomic_dec(&port->icmp_queued);
		/* a CLOSE sent again to a port that is gone: nobody to tell */
		if (e->type == BERTHA_WIRE_CLOSE && e->err == -ECONNREFUSED &&
		    bertha_close_refused(port, &e->to, e->conn_id)) {
			kfree(e);
			continue;
		}
		bs = READ_ONCE(port->dead) ? NULL :
		     bertha_icmp_conn_lock(port, &e->to, &conn);
		if (bs) {
			if (bs->sk.sk_type == SOCK_DGRAM)
				hit = bertha_dgram_unreachable(bs, conn, e->err,
							       e->type,
							       e->conn_id);
			else
				hit = bertha_conn_unreachable(bs, conn, e->err,
							      e->type,
							      e->conn_id);
			if (hit)
				atomic64_inc(&bs->cnt.icmp_errors);
			release_sock(&bs->sk);
			sock_put(&bs->sk);
		}
		kfree(e);
	}
}

/**
 * bertha_icmp_purge() - free the ICMP errors a closed port never applied
 * @port: the port, its work item stopped
 */
void bertha_icmp_purge(struct bertha_port *port)
{
	struct llist_node *list = llist_del_all(&port->icmp);
	struct bertha_icmp_err *e, *tmp;

	llist_for_each_entry_safe(e, tmp, list, node)
		kfree(e);
}
