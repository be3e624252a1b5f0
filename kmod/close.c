// SPDX-License-Identifier: GPL-2.0
/*
 * CLOSE retransmitted until acknowledged. A CLOSE on the network path is
 * one datagram, and a lost one would leave the peer reading forever from a
 * connection that is gone. So each CLOSE a socket sends (and each abort of
 * a handshake its client gave up) is remembered here, with a reference on
 * its port, and sent again on the HELLO's schedule (200 ms, doubling,
 * five times) until the peer echoes it with %BERTHA_CLOSE_F_ACK. The
 * record outlives the socket, as TCP's FIN_WAIT does; it holds no socket,
 * only what the datagram needs. A namespace going away, or the module,
 * drops its records first: their ports live in that namespace.
 *
 * The peer echoes every CLOSE whose cookie is right, and every CLOSE for a
 * connection id it does not know (it closed too, or forgot), as TCP answers
 * a segment for no connection: the echo is no larger than what came.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include <linux/bertha.h>

#include "close.h"
#include "netns.h"
#include "transport.h"
#include "wire.h"

/* as the HELLO's: 0.2 s, doubling, five times; then it is given up */
#define BERTHA_CLOSE_RTO	(HZ / 5)
#define BERTHA_CLOSE_RETRIES	5
/* a bound on what closing sockets may leave behind; past it, best effort */
#define BERTHA_CLOSE_MAX	16384

/**
 * struct bertha_close_rtx - a CLOSE waiting for its echo
 * @node: in bertha_closing, by @id
 * @work: the retransmission timer
 * @port: the port it is sent from, a reference
 * @net: @port's namespace
 * @src: the address it is sent from
 * @peer: the address it is sent to
 * @id: the connection id in its header
 * @cookie: the connection's cookie, its payload
 * @flags: its flags
 * @tries: retransmissions so far
 * @done: acknowledged or flushed: @work is to stop (bertha_closing_lock)
 */
struct bertha_close_rtx {
	struct hlist_node node;
	struct delayed_work work;
	struct bertha_port *port;
	struct net *net;
	struct sockaddr_bertha src;
	struct sockaddr_bertha peer;
	u32 id;
	u64 cookie;
	u16 flags;
	u8 tries;
	bool done;
};

/* by connection id: they are random, and the echo of each is looked up */
static DEFINE_HASHTABLE(bertha_closing, 10);
static DEFINE_SPINLOCK(bertha_closing_lock);
static unsigned int bertha_closing_count;

static void bertha_close_free(struct bertha_close_rtx *r)
{
	bertha_port_put(r->port);
	kfree(r);
}

static void bertha_close_work(struct work_struct *work)
{
	struct bertha_close_rtx *r = container_of(to_delayed_work(work),
						  struct bertha_close_rtx,
						  work);
	bool last;

	spin_lock_bh(&bertha_closing_lock);
	if (r->done) {
		/* whoever set it frees it, once this has returned */
		spin_unlock_bh(&bertha_closing_lock);
		return;
	}
	last = r->tries >= BERTHA_CLOSE_RETRIES;
	if (last) {
		hash_del(&r->node);
		bertha_closing_count--;
	}
	spin_unlock_bh(&bertha_closing_lock);

	if (last) {
		bertha_net_count(r->net, BERTHA_STATS_A_CLOSE_UNACKED, 1);
		bertha_close_free(r);
		return;
	}
	r->tries++;
	bertha_net_count(r->net, BERTHA_STATS_A_CLOSE_RETRANSMITS, 1);
	bertha_port_send_cookie(r->port, &r->src, &r->peer, BERTHA_WIRE_CLOSE,
				r->id, r->flags, r->cookie);
	/* sent at 0, 0.2, 0.6, 1.4, 3.0 and 6.2 s; given up at 12.6 s */
	queue_delayed_work(bertha_wq, &r->work, BERTHA_CLOSE_RTO << r->tries);
}

/**
 * bertha_close_send() - send a CLOSE, and again until the peer echoes it
 * @port: the port to send from
 * @src: the source address
 * @peer: the peer's address
 * @id: the connection id in the header (the peer's; for
 *	%BERTHA_CLOSE_F_ABORT the sender's own)
 * @flags: its flags
 * @cookie: the connection's cookie
 *
 * Context: process context.
 */
void bertha_close_send(struct bertha_port *port,
		       const struct sockaddr_bertha *src,
		       const struct sockaddr_bertha *peer, u32 id, u16 flags,
		       u64 cookie)
{
	struct bertha_close_rtx *r;
	bool kept;

	/* waiting before it is sent: the echo may come back at once */
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (r) {
		INIT_DELAYED_WORK(&r->work, bertha_close_work);
		bertha_port_get(port);
		r->port = port;
		r->net = sock_net(port->udp->sk);
		r->src = *src;
		r->peer = *peer;
		r->id = id;
		r->cookie = cookie;
		r->flags = flags;

		spin_lock_bh(&bertha_closing_lock);
		kept = bertha_closing_count < BERTHA_CLOSE_MAX;
		if (kept) {
			bertha_closing_count++;
			hash_add(bertha_closing, &r->node, id);
			queue_delayed_work(bertha_wq, &r->work,
					   BERTHA_CLOSE_RTO);
		}
		spin_unlock_bh(&bertha_closing_lock);
		if (!kept)	/* too many: sent once */
			bertha_close_free(r);
	}
	bertha_port_send_cookie(port, src, peer, BERTHA_WIRE_CLOSE, id, flags,
				cookie);
}

/* Stop sending the CLOSE of @port with @id to @peer; @exact: only the one
 * with @flags and @cookie.
 */
static bool bertha_close_stop(struct bertha_port *port, u32 id,
			      const struct sockaddr_bertha *peer, bool exact,
			      u16 flags, u64 cookie)
{
	struct bertha_close_rtx *r, *found = NULL;

	spin_lock_bh(&bertha_closing_lock);
	hash_for_each_possible(bertha_closing, r, node, id) {
		if (r->port == port && r->id == id &&
		    bertha_addr_equal(&r->peer, peer) &&
		    (!exact || (r->flags == flags && r->cookie == cookie))) {
			found = r;
			r->done = true;
			hash_del(&r->node);
			bertha_closing_count--;
			break;
		}
	}
	spin_unlock_bh(&bertha_closing_lock);
	if (!found)
		return false;
	cancel_delayed_work_sync(&found->work);
	bertha_close_free(found);
	return true;
}

/**
 * bertha_close_ack_rcv() - a peer echoed a CLOSE: stop sending it
 * @port: the port the echo arrived on
 * @skb: the echo (data at the UDP header)
 * @id: the connection id in its header
 * @flags: its flags, %BERTHA_CLOSE_F_ACK among them
 * @cookie: its payload
 *
 * Return: true when it matched a CLOSE waiting for it.
 */
bool bertha_close_ack_rcv(struct bertha_port *port, const struct sk_buff *skb,
			  u32 id, u16 flags, u64 cookie)
{
	struct sockaddr_bertha from;

	bertha_skb_source(skb, &from);
	return bertha_close_stop(port, id, &from, true,
				 flags & ~BERTHA_CLOSE_F_ACK, cookie);
}

/**
 * bertha_close_refused() - a CLOSE met a closed port (ICMP port
 *	unreachable): its peer is gone, nothing is left to tell
 * @port: the port it was sent from
 * @to: where it was sent
 * @id: the connection id in its header
 *
 * Return: true when a CLOSE waiting for its echo matched.
 */
bool bertha_close_refused(struct bertha_port *port,
			  const struct sockaddr_bertha *to, u32 id)
{
	return bertha_close_stop(port, id, to, false, 0, 0);
}

/**
 * bertha_close_echo() - acknowledge a CLOSE to its sender
 * @port: the port it arrived on
 * @skb: the CLOSE (data at the UDP header)
 * @id: the connection id in its header
 * @flags: its flags
 * @cookie: its payload
 */
void bertha_close_echo(struct bertha_port *port, const struct sk_buff *skb,
		       u32 id, u16 flags, u64 cookie)
{
	struct sockaddr_bertha src, to;

	bertha_skb_source(skb, &to);
	bertha_skb_dest(skb, &src);
	bertha_port_send_cookie(port, &src, &to, BERTHA_WIRE_CLOSE, id,
				flags | BERTHA_CLOSE_F_ACK, cookie);
}

/**
 * bertha_close_flush() - drop the CLOSEs still waiting for their echo
 * @net: those of this namespace, or NULL for all (the module goes)
 *
 * Context: process context; no new ones come meanwhile (no socket of
 * @net is left, or the module has no socket left).
 */
void bertha_close_flush(struct net *net)
{
	struct bertha_close_rtx *r;
	struct hlist_node *tmp;
	HLIST_HEAD(gone);
	int bkt;

	spin_lock_bh(&bertha_closing_lock);
	hash_for_each_safe(bertha_closing, bkt, tmp, r, node) {
		if (net && !net_eq(r->net, net))
			continue;
		r->done = true;
		hash_del(&r->node);
		hlist_add_head(&r->node, &gone);
		bertha_closing_count--;
	}
	spin_unlock_bh(&bertha_closing_lock);

	hlist_for_each_entry_safe(r, tmp, &gone, node) {
		hlist_del(&r->node);
		cancel_delayed_work_sync(&r->work);
		bertha_close_free(r);
	}
}
