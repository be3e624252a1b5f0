// SPDX-License-Identifier: GPL-2.0
/*
 * Transport: each bound AF_BERTHA socket owns a port, a kernel UDP socket
 * in its network namespace set up with the UDP tunnel API (as WireGuard and
 * VXLAN do), so the wire is ordinary UDP that tcpdump, netem and XDP
 * understand. The sockets a listener accepts share its port; the port
 * lives until the last of them closes.
 *
 * Datagrams arrive through encap_rcv in softirq context. DATA goes straight
 * to its connection's socket. Control datagrams (HELLO, ACCEPT, REJECT,
 * CLOSE) are queued, boundedly, for a work item: negotiation allocates,
 * takes socket locks and sends answers, which wants process context.
 * Anything else is classified, counted and dropped. ICMP errors about
 * the datagrams a port sent take the same work item (icmp.c).
 *
 * A port's connections are kept by a dense index (an xarray, cyclic), but
 * the id each one is known by on the wire is that index through a keyed
 * permutation of the 32-bit numbers (a four-round Feistel network with
 * hsiphash rounds, key drawn per port): an off-path sender cannot guess
 * the id of a connection from the ids it was given itself, and no memory
 * is spent per id, as random ids in the xarray would.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "icmp.h"
#include "registry.h"
#include "retry.h"
#include "socket.h"
#include "transport.h"
#include "wire.h"

/* Control datagrams waiting for the work item, per port. */
#define BERTHA_CTRL_QUEUE_MAX	256

static_assert(LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
	      sizeof(struct bertha_wire_hdr) <= BERTHA_HEADROOM);

/**
 * bertha_sock_local() - the address a bound AF_BERTHA socket's port has
 * @sk: the socket
 *
 * Return: the address, or NULL while unbound.
 */
const struct sockaddr_bertha *bertha_sock_local(const struct sock *sk)
{
	struct bertha_port *port = READ_ONCE(bertha_sk(sk)->port);

	return port ? &port->local : NULL;
}
EXPORT_SYMBOL_GPL(bertha_sock_local);

struct workqueue_struct *bertha_wq;
u64 bertha_host_id;

/* The source (@source) or destination address of a received datagram. */
static void bertha_skb_addr(const struct sk_buff *skb, bool source,
			    struct sockaddr_bertha *sbe)
{
	const struct in6_addr *ip6;

	memset(sbe, 0, sizeof(*sbe));
	sbe->sbe_family = bertha_family();
	sbe->sbe_port = source ? udp_hdr(skb)->source : udp_hdr(skb)->dest;
	if (ip_hdr(skb)->version == 4) {
		sbe->sbe_ip_family = AF_INET;
		sbe->sbe_addr.v4 = source ? ip_hdr(skb)->saddr : ip_hdr(skb)->daddr;
		return;
	}
	ip6 = source ? &ipv6_hdr(skb)->saddr : &ipv6_hdr(skb)->daddr;
	sbe->sbe_ip_family = AF_INET6;
	memcpy(sbe->sbe_addr.v6, ip6, sizeof(*ip6));
	/* skb_iif, not IP6CB's: a chunnel may have used skb->cb */
	if (ipv6_addr_type(ip6) & IPV6_ADDR_LINKLOCAL)
		sbe->sbe_scope_id = skb->skb_iif;
}

/**
 * bertha_skb_source() - the address a received datagram came from
 * @skb: a datagram encap_rcv accepted
 * @from: filled with the source IP address and UDP port
 */
void bertha_skb_source(const struct sk_buff *skb, struct sockaddr_bertha *from)
{
	bertha_skb_addr(skb, true, from);
}

/**
 * bertha_skb_dest() - the address a received datagram was sent to
 * @skb: a datagram encap_rcv accepted
 * @to: filled with the destination IP address and UDP port
 */
void bertha_skb_dest(const struct sk_buff *skb, struct sockaddr_bertha *to)
{
	bertha_skb_addr(skb, false, to);
}

/**
 * bertha_skb_from() - did a received datagram come from @peer?
 * @skb: a datagram encap_rcv accepted
 * @peer: an address
 *
 * Compares the headers in place: the receive path asks for every message.
 *
 * Return: true if the source IP address and UDP port are @peer's.
 */
bool bertha_skb_from(const struct sk_buff *skb,
		     const struct sockaddr_bertha *peer)
{
	if (udp_hdr(skb)->source != peer->sbe_port)
		return false;
	if (ip_hdr(skb)->version == 4)
		return peer->sbe_ip_family == AF_INET &&
		       ip_hdr(skb)->saddr == peer->sbe_addr.v4;
	return peer->sbe_ip_family == AF_INET6 &&
	       !memcmp(&ipv6_hdr(skb)->saddr, peer->sbe_addr.v6, 16);
}

/**
 * bertha_addr_is_any() - is the IP address the wildcard?
 * @a: an address
 *
 * Return: true for 0.0.0.0 and ::.
 */
bool bertha_addr_is_any(const struct sockaddr_bertha *a)
{
	if (a->sbe_ip_family == AF_INET)
		return !a->sbe_addr.v4;
	return ipv6_addr_any((const struct in6_addr *)a->sbe_addr.v6);
}

/**
 * bertha_addr_equal() - same IP family, address and port?
 * @a: one address
 * @b: another
 *
 * Return: true if they name the same endpoint.
 */
bool bertha_addr_equal(const struct sockaddr_bertha *a,
		       const struct sockaddr_bertha *b)
{
	if (a->sbe_ip_family != b->sbe_ip_family || a->sbe_port != b->sbe_port)
		return false;
	if (a->sbe_ip_family == AF_INET)
		return a->sbe_addr.v4 == b->sbe_addr.v4;
	return !memcmp(a->sbe_addr.v6, b->sbe_addr.v6, 16);
}

/* One Feistel round's function: 16 bits of a keyed hash of the half. */
static u32 bertha_id_round(const struct bertha_port *port, u32 half, u32 round)
{
	return hsiphash_2u32(half, round, &port->id_key) & 0xffff;
}

static u32 bertha_id_permute(const struct bertha_port *port, u32 x)
{
	u32 l = x >> 16, r = x & 0xffff, t;
	int i;

	for (i = 0; i < 4; i++) {
		t = r;
		r = l ^ bertha_id_round(port, r, i);
		l = t;
	}
	return l << 16 | r;
}

static u32 bertha_id_unpermute(const struct bertha_port *port, u32 y)
{
	u32 l = y >> 16, r = y & 0xffff, t;
	int i;

	for (i = 3; i >= 0; i--) {
		t = l;
		l = r ^ bertha_id_round(port, l, i);
		r = t;
	}
	return l << 16 | r;
}

/* 0 is no id: walking the cycle past it keeps both maps bijective on the
 * other 2^32 - 1 numbers.
 */
static u32 bertha_id_of_index(const struct bertha_port *port, u32 index)
{
	u32 id = bertha_id_permute(port, index);

	while (!id)
		id = bertha_id_permute(port, id);
	return id;
}

static u32 bertha_index_of_id(const struct bertha_port *port, u32 id)
{
	u32 index = bertha_id_unpermute(port, id);

	while (!index)
		index = bertha_id_unpermute(port, index);
	return index;
}

/**
 * bertha_port_conn_find() - the connection a port knows by an id
 * @port: the port
 * @id: the id from a header, as the connection's peer puts it
 *
 * Context: under rcu_read_lock(), or with the connection's socket locked.
 * Return: the connection, or NULL.
 */
struct bertha_conn *bertha_port_conn_find(struct bertha_port *port, u32 id)
{
	if (!id)
		return NULL;
	return xa_load(&port->conns, bertha_index_of_id(port, id));
}

static void bertha_data_rcv(struct bertha_port *port, struct sk_buff *skb,
			    const struct bertha_wire_hdr *hdr)
{
	u32 conn_id = ntohl(hdr->conn_id);
	u16 flags = ntohs(hdr->flags);
	u8 type = hdr->type;
	struct bertha_conn *conn;

	conn = bertha_port_conn_find(port, conn_id);
	/* A connection only takes data from its negotiated peer, or from
	 * where one of its chunnels says the peer answers from; DATA for no
	 * connection may be a chunnel type's (a shard port's).
	 */
	if (conn && !bertha_skb_from(skb, &conn->peer) &&
	    !bertha_binding_peer_match(conn, skb))
		conn = NULL;
	if (!conn && type == BERTHA_WIRE_DATA &&
	    bertha_chunnel_port_rcv(port, skb, conn_id, flags))
		return;
	if (!conn || !refcount_inc_not_zero(&conn->bs->sk.sk_refcnt))
		goto unexpected;
	__skb_pull(skb, sizeof(struct udphdr) + sizeof(struct bertha_wire_hdr));
	if (bertha_conn_data_rcv(conn, skb, type, flags)) {
		sock_put(&conn->bs->sk);
		return;
	}
	sock_put(&conn->bs->sk);
unexpected:
	atomic64_inc(&port->rx_unexpected);
	kfree_skb(skb);
}

static int bertha_udp_encap_rcv(struct sock *udp_sk, struct sk_buff *skb)
{
	const struct bertha_wire_hdr *hdr;
	struct bertha_port *port;

	/* The UDP receive path holds rcu_read_lock(). */
	port = rcu_dereference_sk_user_data(udp_sk);
	if (!port)
		goto drop;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + sizeof(*hdr))) {
		atomic64_inc(&port->rx_malformed);
		goto drop;
	}
	hdr = (const struct bertha_wire_hdr *)(udp_hdr(skb) + 1);
	if (hdr->version != BERTHA_WIRE_VERSION) {
		/* a HELLO of another version is answered (conn.c) */
		atomic64_inc(&port->rx_bad_version);
		/* a courtesy: dropped once the queue is half full */
		if (hdr->type == BERTHA_WIRE_HELLO &&
		    skb_queue_len(&port->ctrl) < BERTHA_CTRL_QUEUE_MAX / 2)
			goto queue;
		goto drop;
	}
	if (!hdr->type || hdr->type > BERTHA_WIRE_TYPE_MAX) {
		atomic64_inc(&port->rx_malformed);
		goto drop;
	}
	/* The socket we hand it to may live in process context for long. */
	skb_dst_drop(skb);
	nf_reset_ct(skb);

	if (hdr->type == BERTHA_WIRE_DATA || hdr->type == BERTHA_WIRE_CHUNNEL) {
		bertha_data_rcv(port, skb, hdr);
		return 0;
	}
	/* Past half the queue, a HELLO proves its address first. */
	if (hdr->type == BERTHA_WIRE_HELLO &&
	    skb_queue_len(&port->ctrl) >= BERTHA_CTRL_QUEUE_MAX / 2 &&
	    bertha_retry_early(port, skb))
		return 0;
queue:
	if (skb_queue_len(&port->ctrl) >= BERTHA_CTRL_QUEUE_MAX) {
		atomic64_inc(&port->rx_unexpected);
		goto drop;
	}
	skb_queue_tail(&port->ctrl, skb);
	queue_work(bertha_wq, &port->ctrl_work);
	return 0;

drop:
	kfree_skb(skb);
	return 0;	/* consumed: never queued on the kernel socket */
}

static void bertha_port_ctrl_work(struct work_struct *work)
{
	struct bertha_port *port = container_of(work, struct bertha_port,
						ctrl_work);
	struct sk_buff *skb;

	bertha_icmp_rcv(port);
	while ((skb = skb_dequeue(&port->ctrl))) {
		if (READ_ONCE(port->dead))
			kfree_skb(skb);
		else
			bertha_conn_ctrl_rcv(port, skb);
		cond_resched();
	}
}

static void bertha_port_free_rcu(struct work_struct *work)
{
	struct bertha_port *port = container_of(to_rcu_work(work),
						struct bertha_port, free_rwork);

	cancel_work_sync(&port->ctrl_work);
	skb_queue_purge(&port->ctrl);
	bertha_icmp_purge(port);
	WARN_ON_ONCE(!xa_empty(&port->conns));
	xa_destroy(&port->conns);
	kfree(port);
}

static void bertha_port_close(struct bertha_port *port)
{
	/* No new deliveries; the work they fed stops sending; then the UDP
	 * port is given back at once. encap_rcv may still be running on
	 * @port, so its memory goes after a grace period.
	 */
	rcu_assign_sk_user_data(port->udp->sk, NULL);
	WRITE_ONCE(port->dead, true);
	cancel_work_sync(&port->ctrl_work);
	kernel_sock_shutdown(port->udp, SHUT_RDWR);
	sock_release(port->udp);
	port->udp = NULL;
	queue_rcu_work(bertha_wq, &port->free_rwork);
}

static void bertha_port_free_work(struct work_struct *work)
{
	bertha_port_close(container_of(work, struct bertha_port, free_work));
}

/**
 * bertha_port_get() - take a reference to a port
 * @port: the port
 */
void bertha_port_get(struct bertha_port *port)
{
	refcount_inc(&port->refcnt);
}

/**
 * bertha_port_put() - drop a reference; the last one closes the port
 * @port: the port
 *
 * The last close gives the UDP port back before it returns, as closing a
 * UDP socket does; only the port's own work item must leave that to
 * another.
 *
 * Context: process context; may sleep.
 */
void bertha_port_put(struct bertha_port *port)
{
	if (!refcount_dec_and_test(&port->refcnt))
		return;
	if (current_work() == &port->ctrl_work)
		queue_work(bertha_wq, &port->free_work);
	else
		bertha_port_close(port);
}

/**
 * bertha_port_conn_add() - give a connection an id on its port
 * @port: the port
 * @conn: the connection; @conn->id is set
 *
 * Return: 0, -EBUSY when every id is taken, or -ENOMEM.
 */
int bertha_port_conn_add(struct bertha_port *port, struct bertha_conn *conn)
{
	u32 index;
	int err;

	/* Found by id as soon as it is stored: the id must be set first. */
	err = xa_alloc_cyclic_bh(&port->conns, &index, NULL,
				 XA_LIMIT(1, U32_MAX), &port->next_id,
				 GFP_KERNEL);
	if (err < 0)
		return err;
	conn->id = bertha_id_of_index(port, index);
	/* The slot is reserved: storing into it allocates nothing. */
	WARN_ON_ONCE(xa_err(xa_store_bh(&port->conns, index, conn,
					GFP_KERNEL)));
	return 0;
}

/**
 * bertha_port_conn_del() - withdraw a connection's id
 * @port: the port
 * @conn: the connection; free it with kfree_rcu() afterwards
 */
void bertha_port_conn_del(struct bertha_port *port, struct bertha_conn *conn)
{
	xa_erase_bh(&port->conns, bertha_index_of_id(port, conn->id));
}

/**
 * bertha_ctrl_alloc() - a buffer for a datagram bertha sends
 * @size: room for the payload
 * @gfp: allocation flags
 *
 * Return: an skb with headroom for every header, or NULL.
 */
struct sk_buff *bertha_ctrl_alloc(unsigned int size, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(BERTHA_HEADROOM + size, gfp);

	if (skb)
		skb_reserve(skb, BERTHA_HEADROOM);
	return skb;
}

static int bertha_xmit4(struct bertha_port *port,
			const struct sockaddr_bertha *src,
			const struct sockaddr_bertha *to, struct sk_buff *skb)
{
	struct sock *sk = port->udp->sk;
	struct flowi4 fl4 = {
		.daddr		= to->sbe_addr.v4,
		.saddr		= src->sbe_addr.v4,
		.flowi4_proto	= IPPROTO_UDP,
		.fl4_dport	= to->sbe_port,
		.fl4_sport	= inet_sk(sk)->inet_sport,
	};
	struct rtable *rt;

	rt = ip_route_output_key(sock_net(sk), &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	/* DF clear: a message larger than the path MTU is fragmented. */
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl4.fl4_sport,
			    to->sbe_port, false, false);
	return 0;
}

static int bertha_xmit6(struct bertha_port *port,
			const struct sockaddr_bertha *src,
			const struct sockaddr_bertha *to, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct sock *sk = port->udp->sk;
	struct flowi6 fl6 = {
		.flowi6_proto	= IPPROTO_UDP,
		.fl6_dport	= to->sbe_port,
		.fl6_sport	= inet_sk(sk)->inet_sport,
	};
	struct dst_entry *dst;

	memcpy(&fl6.daddr, to->sbe_addr.v6, sizeof(fl6.daddr));
	memcpy(&fl6.saddr, src->sbe_addr.v6, sizeof(fl6.saddr));
	if (ipv6_addr_type(&fl6.daddr) & IPV6_ADDR_LINKLOCAL)
		fl6.flowi6_oif = to->sbe_scope_id;
	dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &fl6.saddr, &fl6.daddr, 0,
			     ip6_dst_hoplimit(dst), 0, fl6.fl6_sport,
			     to->sbe_port, false);
	return 0;
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

/**
 * bertha_port_send_version() - put a bertha header of some wire version on
 *	@skb and send it
 * @port: the port to send from
 * @src: the source address, or NULL for the port's (any address: routing
 *	picks)
 * @to: the destination
 * @version: the header's version (a refusal answers in the peer's)
 * @type: &enum bertha_wire_type
 * @conn_id: the receiver's connection id
 * @flags: per-type flags
 * @skb: the payload, from bertha_ctrl_alloc() or with as much headroom;
 *	always consumed
 *
 * Return: 0 once handed to IP, or the routing error (-ENETUNREACH, ...).
 */
int bertha_port_send_version(struct bertha_port *port,
			     const struct sockaddr_bertha *src,
			     const struct sockaddr_bertha *to, u8 version,
			     u8 type, u32 conn_id, u16 flags,
			     struct sk_buff *skb)
{
	struct bertha_wire_hdr *hdr;

	hdr = skb_push(skb, sizeof(*hdr));
	hdr->version = version;
	hdr->type = type;
	hdr->flags = htons(flags);
	hdr->conn_id = htonl(conn_id);
	/* Messages larger than the MTU are fragmented, for IPv6 too. */
	skb->ignore_df = 1;

	if (to->sbe_ip_family != port->local.sbe_ip_family) {
		kfree_skb(skb);
		return -EAFNOSUPPORT;
	}
	if (!src)
		src = &port->local;
	if (to->sbe_ip_family == AF_INET)
		return bertha_xmit4(port, src, to, skb);
	return bertha_xmit6(port, src, to, skb);
}

/**
 * bertha_port_send() - put a bertha header on @skb and send it
 * @port: the port to send from
 * @src: the source address, or NULL for the port's
 * @to: the destination
 * @type: &enum bertha_wire_type
 * @conn_id: the receiver's connection id
 * @flags: per-type flags
 * @skb: the payload; always consumed
 *
 * Return: 0 once handed to IP, or the routing error.
 */
int bertha_port_send(struct bertha_port *port,
		     const struct sockaddr_bertha *src,
		     const struct sockaddr_bertha *to, u8 type, u32 conn_id,
		     u16 flags, struct sk_buff *skb)
{
	return bertha_port_send_version(port, src, to, BERTHA_WIRE_VERSION,
					type, conn_id, flags, skb);
}

/**
 * bertha_port_send_cookie() - send a datagram whose payload is a cookie
 * @port: the port to send from
 * @src: the source address, or NULL for the port's
 * @to: the destination
 * @type: &enum bertha_wire_type
 * @id: the connection id in the header
 * @flags: per-type flags
 * @cookie: the connection's cookie
 *
 * Context: any (GFP_ATOMIC).
 */
void bertha_port_send_cookie(struct bertha_port *port,
			     const struct sockaddr_bertha *src,
			     const struct sockaddr_bertha *to, u8 type, u32 id,
			     u16 flags, u64 cookie)
{
	__be64 payload = cpu_to_be64(cookie);
	struct sk_buff *skb;

	skb = bertha_ctrl_alloc(BERTHA_WIRE_COOKIE_LEN, GFP_ATOMIC);
	if (!skb)
		return;
	skb_put_data(skb, &payload, sizeof(payload));
	bertha_port_send(port, src, to, type, id, flags, skb);
}

static int bertha_addr_to_cfg(const struct sockaddr_bertha *sbe,
			      struct udp_port_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->local_udp_port = sbe->sbe_port;
	switch (sbe->sbe_ip_family) {
	case AF_INET:
		cfg->family = AF_INET;
		cfg->local_ip.s_addr = sbe->sbe_addr.v4;
		return 0;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		cfg->family = AF_INET6;
		memcpy(&cfg->local_ip6, sbe->sbe_addr.v6, sizeof(cfg->local_ip6));
		cfg->ipv6_v6only = 1;
		cfg->use_udp6_tx_checksums = 1;
		cfg->use_udp6_rx_checksums = 1;
		if (ipv6_addr_type(&cfg->local_ip6) & IPV6_ADDR_LINKLOCAL)
			cfg->bind_ifindex = sbe->sbe_scope_id;
		return 0;
#endif
	default:
		return -EAFNOSUPPORT;
	}
}

/**
 * bertha_transport_bind() - give a socket its own UDP port
 * @bs: the socket, locked by the caller, not yet bound
 * @sbe: the validated local address
 *
 * Return: 0, or the error of creating the UDP socket (-EADDRINUSE,
 * -EADDRNOTAVAIL, -EAFNOSUPPORT, -ENOMEM, ...).
 */
int bertha_transport_bind(struct bertha_sock *bs,
			  const struct sockaddr_bertha *sbe)
{
	struct udp_tunnel_sock_cfg tunnel = {
		.encap_type	= 1,
		.encap_rcv	= bertha_udp_encap_rcv,
	};
	struct bertha_port *port;
	struct udp_port_cfg cfg;
	int err;

	err = bertha_addr_to_cfg(sbe, &cfg);
	if (err)
		return err;
	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	refcount_set(&port->refcnt, 1);
	xa_init_flags(&port->conns, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	get_random_bytes(&port->id_key, sizeof(port->id_key));
	mutex_init(&port->lock);
	skb_queue_head_init(&port->ctrl);
	INIT_WORK(&port->ctrl_work, bertha_port_ctrl_work);
	INIT_WORK(&port->free_work, bertha_port_free_work);
	INIT_RCU_WORK(&port->free_rwork, bertha_port_free_rcu);

	err = udp_sock_create(sock_net(&bs->sk), &cfg, &port->udp);
	if (err) {
		kfree(port);
		return err;
	}
	port->local = *sbe;
	/* Port 0 asked for any free port: report the one UDP picked. */
	port->local.sbe_port = inet_sk(port->udp->sk)->inet_sport;
	tunnel.sk_user_data = port;
	bertha_icmp_setup(&tunnel);
	setup_udp_tunnel_sock(sock_net(&bs->sk), port->udp, &tunnel);
	bs->port = port;
	return 0;
}

/**
 * bertha_transport_autobind() - bind an unbound socket to any address
 * @bs: the socket, locked
 * @ip_family: AF_INET or AF_INET6, the peer's
 *
 * Return: 0 when @bs is (now) bound in @ip_family; -EAFNOSUPPORT when it
 * is bound in the other; the errors of bertha_transport_bind().
 */
int bertha_transport_autobind(struct bertha_sock *bs, u16 ip_family)
{
	struct sockaddr_bertha any = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = ip_family,
	};

	if (bs->port)
		return bs->port->local.sbe_ip_family == ip_family ?
		       0 : -EAFNOSUPPORT;
	return bertha_transport_bind(bs, &any);
}

/**
 * bertha_transport_init() - the workqueue ports use, and the host identity
 *
 * Return: 0 or -ENOMEM.
 */
int __init bertha_transport_init(void)
{
	bertha_host_id = get_random_u64();
	bertha_wq = alloc_workqueue("bertha", 0, 0);
	return bertha_wq ? 0 : -ENOMEM;
}

/**
 * bertha_transport_exit() - wait for ports being freed, then stop
 */
void bertha_transport_exit(void)
{
	/* Socket destructors run after an RCU grace period and queue port
	 * frees; let them all run before the workqueue goes.
	 */
	rcu_barrier();
	destroy_workqueue(bertha_wq);
}
