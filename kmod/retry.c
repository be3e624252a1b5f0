// SPDX-License-Identifier: GPL-2.0
/*
 * The listener's defence against a flood of HELLOs from spoofed sources, in
 * the spirit of SYN cookies and of QUIC's Retry. A HELLO makes a
 * connection at once, so a flood from addresses that never answer would
 * fill the accept queue with connections nobody holds, and real clients'
 * HELLOs would be dropped as the queue is full. Under pressure (the accept
 * queue half full, or always, as the "hello_retry" module parameter says)
 * the listener answers a HELLO without a valid token with a RETRY that
 * carries one, and keeps no state. The token is a keyed hash of the
 * client's address, connection id and cookie and of the time: only a
 * sender that receives at its address can return it, which a real client
 * does at once by sending its HELLO again with it. So the upper half of
 * the queue is left to clients whose address is proven.
 */
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/siphash.h>
#include <linux/timekeeping.h>
#include <linux/udp.h>
#include <net/netlink.h>

#include "conn.h"
#include "dgram.h"
#include "negotiate.h"
#include "netns.h"
#include "retry.h"
#include "transport.h"
#include "wire.h"

/* 0: never; 1: when the accept queue (a SOCK_DGRAM socket: its peers) is
 * half full, with one connection waiting at least; 2: always.
 */
static int hello_retry = 1;
module_param(hello_retry, int, 0644);
MODULE_PARM_DESC(hello_retry,
		 "answer HELLOs without a token with a RETRY: 0 never, 1 when the accept queue is half full (default), 2 always");

static siphash_key_t bertha_retry_key __read_mostly;

/* A token is good in the 4-second slot it was made in and the next. */
#define BERTHA_RETRY_SLOT_SHIFT	2

/**
 * bertha_retry_wanted() - must a HELLO to this listener prove its address?
 * @listener: the listener or bound SOCK_DGRAM socket, locked
 *
 * Return: true when a HELLO without a valid token is answered with RETRY.
 */
bool bertha_retry_wanted(const struct bertha_sock *listener)
{
	const struct sock *sk = &listener->sk;

	switch (READ_ONCE(hello_retry)) {
	case 0:
		return false;
	case 1:
		if (sk->sk_type == SOCK_DGRAM)
			return listener->npeers * 2 >= BERTHA_DGRAM_MAX_PEERS;
		/* one waiting at least: a backlog of 0 or 1 is no flood */
		return READ_ONCE(sk->sk_ack_backlog) &&
		       READ_ONCE(sk->sk_ack_backlog) * 2 >=
		       READ_ONCE(sk->sk_max_ack_backlog);
	default:
		return true;
	}
}

/**
 * bertha_retry_token() - the token for a HELLO
 * @from: the HELLO's source address
 * @client_id: its connection id
 * @cookie: its cookie
 * @ago: 0 for the current time slot, 1 for the one before
 *
 * Return: the token.
 */
u64 bertha_retry_token(const struct sockaddr_bertha *from, u32 client_id,
		       u64 cookie, u32 ago)
{
	struct {
		u64 cookie;
		u32 client_id;
		u32 slot;
		u8 addr[16];
		__be16 port;
		u16 family;
	} in;

	/* hashed whole: no byte of it, padding included, left unset */
	memset(&in, 0, sizeof(in));
	in.cookie = cookie;
	in.client_id = client_id;
	in.slot = (u32)(ktime_get_seconds() >> BERTHA_RETRY_SLOT_SHIFT) - ago;
	in.port = from->sbe_port;
	in.family = from->sbe_ip_family;
	net_get_random_once(&bertha_retry_key, sizeof(bertha_retry_key));
	if (from->sbe_ip_family == AF_INET)
		memcpy(in.addr, &from->sbe_addr.v4, sizeof(from->sbe_addr.v4));
	else
		memcpy(in.addr, from->sbe_addr.v6, sizeof(in.addr));
	return siphash(&in, sizeof(in), &bertha_retry_key);
}

static bool bertha_retry_token_valid(u64 t,
				     const struct sockaddr_bertha *from,
				     u32 client_id, u64 cookie)
{
	return t == bertha_retry_token(from, client_id, cookie, 0) ||
	       t == bertha_retry_token(from, client_id, cookie, 1);
}

/**
 * bertha_retry_token_ok() - does a HELLO carry a token the listener gave?
 * @token: its %BERTHA_WIRE_A_TOKEN attribute, or NULL
 * @from: its source address
 * @client_id: its connection id
 * @cookie: its cookie
 *
 * Return: true for a token of this slot or the one before.
 */
bool bertha_retry_token_ok(const struct nlattr *token,
			   const struct sockaddr_bertha *from, u32 client_id,
			   u64 cookie)
{
	u64 t;

	if (!token)
		return false;
	memcpy(&t, nla_data(token), sizeof(t));
	return bertha_retry_token_valid(t, from, client_id, cookie);
}

/* The HELLO's attributes that a RETRY needs, read in the wire's order. */
struct bertha_retry_hello {
	u32 client_id;
	u64 cookie;
	u64 token;
	bool has_cookie;
};

/* Big-endian and only 4-byte aligned: read through memcpy(). */
static u64 bertha_retry_be(const u8 *p, size_t size)
{
	__be64 v64;
	__be32 v32;
	__be16 v16;

	switch (size) {
	case sizeof(v16):
		memcpy(&v16, p, size);
		return be16_to_cpu(v16);
	case sizeof(v32):
		memcpy(&v32, p, size);
		return be32_to_cpu(v32);
	default:
		memcpy(&v64, p, sizeof(v64));
		return be64_to_cpu(v64);
	}
}

static int bertha_retry_hello_read(const struct sk_buff *skb,
				   struct bertha_retry_hello *h)
{
	unsigned int off = sizeof(struct udphdr) +
			   sizeof(struct bertha_wire_hdr);
	const u8 *p = skb->data + off;
	int len = skb->len - off;
	u16 alen, type;

	memset(h, 0, sizeof(*h));
	/* Not converted yet (wire.c): headers and integers are big-endian. */
	while (len >= NLA_HDRLEN) {
		alen = bertha_retry_be(p, sizeof(u16));
		type = bertha_retry_be(p + 2, sizeof(u16)) & NLA_TYPE_MASK;
		if (alen < NLA_HDRLEN || alen > len)
			return -EPROTO;
		if (type == BERTHA_WIRE_A_CONN_ID &&
		    alen == NLA_HDRLEN + sizeof(u32))
			h->client_id = bertha_retry_be(p + NLA_HDRLEN, sizeof(u32));
		if (type == BERTHA_WIRE_A_COOKIE &&
		    alen == NLA_HDRLEN + sizeof(u64)) {
			h->cookie = bertha_retry_be(p + NLA_HDRLEN, sizeof(u64));
			h->has_cookie = true;
		}
		if (type == BERTHA_WIRE_A_TOKEN &&
		    alen == NLA_HDRLEN + sizeof(u64))
			h->token = bertha_retry_be(p + NLA_HDRLEN, sizeof(u64));
		if (NLA_ALIGN(alen) >= len)
			break;
		len -= NLA_ALIGN(alen);
		p += NLA_ALIGN(alen);
	}
	return h->client_id && h->has_cookie ? 0 : -EPROTO;
}

/**
 * bertha_retry_early() - answer a HELLO with a RETRY before it is queued
 * @port: the port it arrived on
 * @skb: the HELLO of this wire version (data at the UDP header), in softirq
 *
 * HELLOs wait in the port's control queue for process context, where the
 * listener decides. A flood at line rate fills that queue before the
 * listener sees any of it, and real clients' HELLOs are then dropped with
 * the flood's. So once the queue is half full a HELLO without a valid
 * token is answered here, as SYN cookies are made in softirq: no state, no
 * queue, no answer larger than the HELLO. The queue's upper half is left
 * to HELLOs with a proven address and to the other control messages.
 *
 * Return: true when @skb was consumed (answered, or dropped as malformed);
 * false when it is to be queued as usual.
 */
bool bertha_retry_early(struct bertha_port *port, struct sk_buff *skb)
{
	struct sockaddr_bertha from;
	struct bertha_retry_hello h;
	struct sk_buff *retry;

	if (!READ_ONCE(hello_retry))
		return false;
	if (skb_linearize(skb) || bertha_retry_hello_read(skb, &h)) {
		atomic64_inc(&port->rx_malformed);
		kfree_skb(skb);
		return true;
	}
	bertha_skb_source(skb, &from);
	if (h.token &&
	    bertha_retry_token_valid(h.token, &from, h.client_id, h.cookie))
		return false;

	retry = bertha_retry_build(h.cookie,
				   bertha_retry_token(&from, h.client_id,
						      h.cookie, 0),
				   GFP_ATOMIC);
	if (retry && retry->len + sizeof(struct bertha_wire_hdr) <=
		     skb->len - sizeof(struct udphdr)) {
		atomic64_inc(&port->retry_sent);
		bertha_net_count(sock_net(port->udp->sk),
				 BERTHA_STATS_A_RETRY_SENT, 1);
		bertha_ctrl_reply(port, skb, &from, h.client_id,
				  BERTHA_WIRE_RETRY, retry);
	} else {
		kfree_skb(retry);
	}
	kfree_skb(skb);
	return true;
}
