// SPDX-License-Identifier: GPL-2.0
/*
 * Negotiation (paper §4.3), in band and in one round trip: the client's
 * HELLO carries its DAG (or none), the implementations it has and its host
 * identity; the listener answers ACCEPT with one implementation per chunnel
 * or REJECT with a reason. This file encodes and decodes those messages and
 * makes the choice.
 *
 * The choice, per chunnel node, among the implementations both ends
 * described: a one-endpoint implementation runs where it is registered; a
 * both-endpoint one needs the same name at both ends. The default policy
 * prefers the client's implementations, then higher priority, then name
 * order (so both ends and every retry agree). A select node takes the
 * first alternative, in the order the DAG lists them, that binds whole.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/udp.h>
#include <net/netlink.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "binding.h"
#include "dag.h"
#include "local.h"
#include "negotiate.h"
#include "netns.h"
#include "registry.h"
#include "setup.h"
#include "transport.h"
#include "wire.h"

/* Room for a HELLO or ACCEPT: a full DAG and every implementation. */
#define BERTHA_CTRL_PAYLOAD_MAX	16384

static const struct nla_policy bertha_wire_policy[BERTHA_WIRE_A_MAX + 1] = {
	[BERTHA_WIRE_A_CONN_ID]		= { .type = NLA_U32 },
	[BERTHA_WIRE_A_SOCK_TYPE]	= { .type = NLA_U32 },
	[BERTHA_WIRE_A_HOST_ID]		= { .type = NLA_U64 },
	[BERTHA_WIRE_A_COOKIE]		= { .type = NLA_U64 },
	[BERTHA_WIRE_A_DAG]		= { .type = NLA_BINARY,
					    .len = BERTHA_DAG_MAX_BYTES },
	[BERTHA_WIRE_A_IMPL]		= { .type = NLA_NESTED },
	[BERTHA_WIRE_A_BOUND]		= { .type = NLA_NESTED },
	[BERTHA_WIRE_A_REASON]		= NLA_POLICY_RANGE(NLA_U32, 1,
							   BERTHA_REJECT_MAX),
	[BERTHA_WIRE_A_LOCAL]		= { .type = NLA_FLAG },
	[BERTHA_WIRE_A_VERSION]		= { .type = NLA_U32 },
	[BERTHA_WIRE_A_TOKEN]		= { .type = NLA_U64 },
};

static const struct nla_policy
bertha_wire_chunnel_policy[BERTHA_WIRE_C_MAX + 1] = {
	[BERTHA_WIRE_C_TYPE]		= { .type = NLA_NUL_STRING,
					    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_WIRE_C_NAME]		= { .type = NLA_NUL_STRING,
					    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_WIRE_C_PRIORITY]	= { .type = NLA_U32 },
	[BERTHA_WIRE_C_SCOPE]		= NLA_POLICY_MAX(NLA_U32,
							 BERTHA_SCOPE_MAX),
	[BERTHA_WIRE_C_ENDPOINTS]	= NLA_POLICY_MAX(NLA_U32,
							 BERTHA_ENDPOINTS_MAX),
	[BERTHA_WIRE_C_WHERE]		= NLA_POLICY_RANGE(NLA_U32,
							   BERTHA_WHERE_LOCAL,
							   BERTHA_WHERE_BOTH),
	[BERTHA_WIRE_C_CHOICE]		= NLA_POLICY_MAX(NLA_U32,
							 BERTHA_DAG_MAX_NODES),
	[BERTHA_WIRE_C_OWN]		= { .type = NLA_NESTED },
};

static const void *bertha_ctrl_payload(const struct sk_buff *skb, int *len)
{
	unsigned int off = sizeof(struct udphdr) +
			   sizeof(struct bertha_wire_hdr);

	*len = skb->len - off;
	return skb->data + off;
}

/**
 * bertha_ctrl_parse() - parse the attributes of a control datagram
 * @skb: the datagram as encap_rcv queued it (data at the UDP header)
 * @attrs: BERTHA_WIRE_A_MAX + 1 slots
 *
 * Return: 0, -EINVAL for a malformed payload, -ENOMEM.
 */
int bertha_ctrl_parse(struct sk_buff *skb, const struct nlattr **attrs)
{
	const void *payload;
	int len;

	if (skb_linearize(skb))
		return -ENOMEM;
	payload = bertha_ctrl_payload(skb, &len);
	return nla_parse((struct nlattr **)attrs, BERTHA_WIRE_A_MAX, payload,
			 len, bertha_wire_policy, NULL) ? -EINVAL : 0;
}

static int bertha_put_u64(struct sk_buff *skb, int type, u64 value)
{
	/* Peers read it with memcpy(): no alignment padding needed. */
	return nla_put(skb, type, sizeof(value), &value);
}

/* One nested implementation (HELLO) or bound chunnel (ACCEPT). */
struct bertha_wire_chunnel {
	const char *type;
	const char *name;
	u32 priority;
	u32 scope;
	int endpoints;	/* -1: leave out */
	int where;	/* -1: leave out */
	u32 choice;
	const struct net *net;		/* HELLO: the offer's own attributes */
	struct bertha_binding_set *b;	/* ACCEPT: the node's own attributes */
	unsigned int index;
};

static int bertha_put_chunnel(struct sk_buff *skb, int type,
			      const struct bertha_wire_chunnel *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_string(skb, BERTHA_WIRE_C_TYPE, c->type) ||
	    nla_put_string(skb, BERTHA_WIRE_C_NAME, c->name) ||
	    nla_put_u32(skb, BERTHA_WIRE_C_PRIORITY, c->priority) ||
	    nla_put_u32(skb, BERTHA_WIRE_C_SCOPE, c->scope) ||
	    (c->endpoints >= 0 &&
	     nla_put_u32(skb, BERTHA_WIRE_C_ENDPOINTS, c->endpoints)) ||
	    (c->where >= 0 &&
	     (nla_put_u32(skb, BERTHA_WIRE_C_WHERE, c->where) ||
	      nla_put_u32(skb, BERTHA_WIRE_C_CHOICE, c->choice))) ||
	    (c->net && bertha_chunnel_hello_put(c->net, c->type, c->name,
						skb)) ||
	    (c->b && bertha_binding_accept_put(c->b, c->index, skb)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int bertha_parse_chunnel(const struct nlattr *nest,
				struct bertha_impl_info *info, u32 *where,
				u32 *choice, const struct nlattr **own)
{
	struct nlattr *tb[BERTHA_WIRE_C_MAX + 1];

	if (nla_parse_nested(tb, BERTHA_WIRE_C_MAX, nest,
			     bertha_wire_chunnel_policy, NULL) ||
	    !tb[BERTHA_WIRE_C_TYPE] || !tb[BERTHA_WIRE_C_NAME] ||
	    !tb[BERTHA_WIRE_C_PRIORITY] || !tb[BERTHA_WIRE_C_SCOPE] ||
	    (!where && !tb[BERTHA_WIRE_C_ENDPOINTS]) ||
	    (where && !tb[BERTHA_WIRE_C_WHERE]))
		return -EINVAL;
	nla_strscpy(info->type, tb[BERTHA_WIRE_C_TYPE], sizeof(info->type));
	nla_strscpy(info->name, tb[BERTHA_WIRE_C_NAME], sizeof(info->name));
	info->priority = nla_get_u32(tb[BERTHA_WIRE_C_PRIORITY]);
	info->scope = nla_get_u32(tb[BERTHA_WIRE_C_SCOPE]);
	info->usable = true;
	*own = tb[BERTHA_WIRE_C_OWN];
	if (where) {
		*where = nla_get_u32(tb[BERTHA_WIRE_C_WHERE]);
		*choice = tb[BERTHA_WIRE_C_CHOICE] ?
			  nla_get_u32(tb[BERTHA_WIRE_C_CHOICE]) : 0;
	} else {
		info->endpoints = nla_get_u32(tb[BERTHA_WIRE_C_ENDPOINTS]);
	}
	return 0;
}

/**
 * bertha_hello_build() - the HELLO of a connection
 * @bs: the socket, locked
 * @conn: the connection being negotiated
 *
 * Return: the payload, ready for bertha_port_send(), or NULL.
 */
struct sk_buff *bertha_hello_build(struct bertha_sock *bs,
				   const struct bertha_conn *conn)
{
	struct bertha_impl_info *info;
	struct sk_buff *skb;
	unsigned int i, n;

	info = kcalloc(BERTHA_HELLO_MAX_IMPLS, sizeof(*info), GFP_KERNEL);
	skb = bertha_ctrl_alloc(BERTHA_CTRL_PAYLOAD_MAX, GFP_KERNEL);
	if (!info || !skb)
		goto err;

	n = bertha_chunnel_list(sock_net(&bs->sk), NULL, info,
				BERTHA_HELLO_MAX_IMPLS);
	if (nla_put_u32(skb, BERTHA_WIRE_A_CONN_ID, conn->id) ||
	    nla_put_u32(skb, BERTHA_WIRE_A_SOCK_TYPE, bs->sk.sk_type) ||
	    bertha_put_u64(skb, BERTHA_WIRE_A_HOST_ID, bertha_host_id) ||
	    bertha_put_u64(skb, BERTHA_WIRE_A_COOKIE, conn->cookie) ||
	    (conn->retry_token &&
	     bertha_put_u64(skb, BERTHA_WIRE_A_TOKEN, conn->retry_token)) ||
	    (bs->dag && nla_put(skb, BERTHA_WIRE_A_DAG, bs->dag->len,
				bs->dag->blob)))
		goto err;
	for (i = 0; i < n; i++) {
		struct bertha_wire_chunnel c = {
			.type = info[i].type, .name = info[i].name,
			.priority = info[i].priority, .scope = info[i].scope,
			.endpoints = info[i].endpoints, .where = -1,
			.net = sock_net(&bs->sk),
		};

		/* what only a listener may run is not the client's offer */
		if (info[i].side == BERTHA_SIDE_LISTENER)
			continue;
		if (bertha_put_chunnel(skb, BERTHA_WIRE_A_IMPL, &c))
			goto err;
	}
	kfree(info);
	bertha_wire_to_net(skb->data, skb->len);
	return skb;
err:
	kfree(info);
	kfree_skb(skb);
	return NULL;
}

/**
 * bertha_accept_build() - the ACCEPT of a negotiated connection
 * @conn: the listener's side of it, with its binding
 * @dag: the DAG in effect, or NULL
 *
 * Return: the payload, or NULL.
 */
struct sk_buff *bertha_accept_build(const struct bertha_conn *conn,
				    const struct bertha_dag *dag)
{
	struct bertha_binding_set *b = conn->binding;
	struct sk_buff *skb;
	unsigned int i;

	skb = bertha_ctrl_alloc(BERTHA_CTRL_PAYLOAD_MAX, GFP_KERNEL);
	if (!skb)
		return NULL;
	if (nla_put_u32(skb, BERTHA_WIRE_A_CONN_ID, conn->id) ||
	    bertha_put_u64(skb, BERTHA_WIRE_A_HOST_ID, bertha_host_id) ||
	    bertha_put_u64(skb, BERTHA_WIRE_A_COOKIE, conn->cookie) ||
	    (dag && nla_put(skb, BERTHA_WIRE_A_DAG, dag->len, dag->blob)) ||
	    bertha_local_put_accept(skb, conn))
		goto err;
	for (i = 0; i < b->count; i++) {
		const struct bertha_binding_node *n = &b->node[i].info;
		struct bertha_wire_chunnel c = {
			.type = n->type, .name = n->impl,
			.priority = n->priority, .scope = n->scope,
			.endpoints = -1, .choice = n->choice,
			/* elided is this end's business; the peer decides
			 * from the path it agreed to
			 */
			.where = n->where == BERTHA_WHERE_ELIDED ?
				 BERTHA_WHERE_BOTH : n->where,
			.b = b, .index = i,
		};

		if (bertha_put_chunnel(skb, BERTHA_WIRE_A_BOUND, &c))
			goto err;
	}
	bertha_wire_to_net(skb->data, skb->len);
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

/**
 * bertha_reject_build() - a REJECT (the header names the client's connection)
 * @cookie: the HELLO's cookie
 * @reason: &enum bertha_reject_reason
 *
 * Return: the payload, or NULL.
 */
struct sk_buff *bertha_reject_build(u64 cookie, u32 reason)
{
	struct sk_buff *skb = bertha_ctrl_alloc(64, GFP_KERNEL);

	if (!skb)
		return NULL;
	if (bertha_put_u64(skb, BERTHA_WIRE_A_COOKIE, cookie) ||
	    nla_put_u32(skb, BERTHA_WIRE_A_REASON, reason) ||
	    (reason == BERTHA_REJECT_VERSION &&
	     nla_put_u32(skb, BERTHA_WIRE_A_VERSION, BERTHA_WIRE_VERSION))) {
		kfree_skb(skb);
		return NULL;
	}
	bertha_wire_to_net(skb->data, skb->len);
	return skb;
}

/**
 * bertha_retry_build() - a RETRY (the header names the client's connection)
 * @cookie: the HELLO's cookie
 * @token: the token to send the HELLO again with
 * @gfp: GFP_ATOMIC from softirq (retry.c)
 *
 * Return: the payload, or NULL.
 */
struct sk_buff *bertha_retry_build(u64 cookie, u64 token, gfp_t gfp)
{
	struct sk_buff *skb = bertha_ctrl_alloc(64, gfp);

	if (!skb)
		return NULL;
	if (bertha_put_u64(skb, BERTHA_WIRE_A_COOKIE, cookie) ||
	    bertha_put_u64(skb, BERTHA_WIRE_A_TOKEN, token)) {
		kfree_skb(skb);
		return NULL;
	}
	bertha_wire_to_net(skb->data, skb->len);
	return skb;
}

/**
 * bertha_version_refusal() - the answer to a HELLO of another wire version
 * @skb: the HELLO, writable (data at the UDP header)
 * @client_id: set to the client's connection id
 * @version: set to the version to answer in
 *
 * A version 1 client reads a version 1 REJECT (attributes in its own byte
 * order) with a reason it knows, %BERTHA_REJECT_MALFORMED. A later version
 * is required to keep the header and the HELLO's ``CONN_ID`` and ``COOKIE``
 * as version 2 has them: it gets a version 2 REJECT with
 * %BERTHA_REJECT_VERSION and the version this end speaks. A HELLO without
 * both is not answered; nor is one of version 0.
 *
 * Return: the payload, or NULL.
 */
struct sk_buff *bertha_version_refusal(struct sk_buff *skb, u32 *client_id,
				       u8 *version)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	const struct bertha_wire_hdr *hdr;
	struct sk_buff *reply;
	void *payload;
	u64 cookie;
	int len;

	hdr = (const void *)(udp_hdr(skb) + 1);
	*version = hdr->version;
	payload = (void *)bertha_ctrl_payload(skb, &len);
	if (*version > BERTHA_WIRE_VERSION)
		bertha_wire_to_host(payload, len);
	else if (*version != BERTHA_WIRE_VERSION_1)
		return NULL;
	/* not strict: what a later version added is no concern here */
	if (nla_parse_deprecated((struct nlattr **)attrs, BERTHA_WIRE_A_MAX,
				 payload, len, bertha_wire_policy, NULL) ||
	    !attrs[BERTHA_WIRE_A_CONN_ID] || !attrs[BERTHA_WIRE_A_COOKIE] ||
	    !nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID]))
		return NULL;
	*client_id = nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID]);
	memcpy(&cookie, nla_data(attrs[BERTHA_WIRE_A_COOKIE]), sizeof(cookie));
	if (*version > BERTHA_WIRE_VERSION) {
		*version = BERTHA_WIRE_VERSION;
		return bertha_reject_build(cookie, BERTHA_REJECT_VERSION);
	}
	reply = bertha_ctrl_alloc(64, GFP_KERNEL);
	if (reply && (bertha_put_u64(reply, BERTHA_WIRE_A_COOKIE, cookie) ||
		      nla_put_u32(reply, BERTHA_WIRE_A_REASON,
				  BERTHA_REJECT_MALFORMED))) {
		kfree_skb(reply);
		reply = NULL;
	}
	return reply;
}

/**
 * bertha_reject_errno() - what connect(2) reports for a refusal
 * @reason: &enum bertha_reject_reason
 *
 * Return: a negative errno.
 */
int bertha_reject_errno(u32 reason)
{
	switch (reason) {
	case BERTHA_REJECT_MALFORMED:
		return -EPROTO;
	case BERTHA_REJECT_DAG_MISMATCH:
		return -EPROTOTYPE;
	case BERTHA_REJECT_NO_IMPLEMENTATION:
	case BERTHA_REJECT_VERSION:
		return -EPROTONOSUPPORT;
	case BERTHA_REJECT_NOT_LISTENING:
	default:
		return -ECONNREFUSED;
	}
}

/* The state of one negotiation on the listener. */
struct bertha_choice {
	const struct net *net;
	const struct bertha_exclusions *ex;	/* whose setup failed */
	u32 policy;
	struct bertha_impl_info *client;	/* from the HELLO */
	const struct nlattr **client_own;	/* their own attributes */
	unsigned int nclient;
	struct bertha_impl_info *local;		/* scratch for one type */
	struct bertha_bound node[BERTHA_DAG_MAX_NODES];
	unsigned int count;
	unsigned int fallbacks;
};

static bool bertha_scope_ok(u32 want, u32 have)
{
	/* application < host < network: a narrower scope satisfies a wider */
	return want == BERTHA_SCOPE_ANY || have == BERTHA_SCOPE_ANY ||
	       have <= want;
}

/* Is candidate @a better than @b under @policy (&enum bertha_policy)? */
static bool bertha_better(u32 policy, bool a_client,
			  const struct bertha_impl_info *a, bool b_client,
			  const struct bertha_impl_info *b)
{
	if (!b)
		return true;
	if (policy == BERTHA_POLICY_PREFER_PRIORITY &&
	    a->priority != b->priority)
		return a->priority > b->priority;
	if (a_client != b_client)
		return policy == BERTHA_POLICY_PREFER_SERVER ? b_client :
							       a_client;
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return strcmp(a->name, b->name) < 0;
}

static int bertha_choose(struct bertha_choice *ch, const char *type, u32 scope)
{
	const struct bertha_impl_info *best = NULL;
	const struct nlattr *best_own = NULL;
	struct bertha_binding_node *out;
	bool best_client = false;
	u32 best_where = 0, top = 0;
	unsigned int i, j, nlocal;

	if (ch->count >= BERTHA_DAG_MAX_NODES)
		return -E2BIG;
	nlocal = bertha_chunnel_list(ch->net, type, ch->local,
				     BERTHA_HELLO_MAX_IMPLS);

	for (i = 0; i < ch->nclient; i++) {
		const struct bertha_impl_info *c = &ch->client[i];

		if (strcmp(c->type, type))
			continue;
		top = max(top, c->priority);
		if (!bertha_scope_ok(scope, c->scope))
			continue;
		if (c->endpoints == BERTHA_ENDPOINTS_ONE) {
			/* the client offers only what it may run */
			if (bertha_better(ch->policy, true, c, best_client,
					  best)) {
				best = c;
				best_own = ch->client_own[i];
				best_client = true;
				best_where = BERTHA_WHERE_PEER;
			}
			continue;
		}
		for (j = 0; j < nlocal; j++) {
			const struct bertha_impl_info *l = &ch->local[j];

			if (l->endpoints != BERTHA_ENDPOINTS_BOTH ||
			    l->side != BERTHA_SIDE_ANY ||
			    strcmp(l->name, c->name) || !l->usable ||
			    !bertha_scope_ok(scope, l->scope) ||
			    bertha_excluded(ch->ex, type, l->name))
				continue;
			if (bertha_better(ch->policy, true, l, best_client,
					  best)) {
				best = l;
				best_own = ch->client_own[i];
				best_client = true;
				best_where = BERTHA_WHERE_BOTH;
			}
		}
	}
	for (j = 0; j < nlocal; j++) {
		const struct bertha_impl_info *l = &ch->local[j];

		top = max(top, l->priority);
		if (l->endpoints != BERTHA_ENDPOINTS_ONE || !l->usable ||
		    l->side == BERTHA_SIDE_CLIENT ||
		    !bertha_scope_ok(scope, l->scope) ||
		    bertha_excluded(ch->ex, type, l->name))
			continue;
		if (bertha_better(ch->policy, false, l, best_client, best)) {
			best = l;
			best_own = NULL;
			best_client = false;
			best_where = BERTHA_WHERE_LOCAL;
		}
	}
	if (!best)
		return -ENOENT;

	ch->node[ch->count].cc.peer_attrs = best_own;
	out = &ch->node[ch->count++].info;
	strscpy(out->type, type, sizeof(out->type));
	strscpy(out->impl, best->name, sizeof(out->impl));
	out->where = best_where;
	out->priority = best->priority;
	out->scope = best->scope;
	out->choice = 0;
	if (best->priority < top)
		ch->fallbacks++;
	return 0;
}

static int bertha_bind_node(struct bertha_choice *ch,
			    const struct nlattr *node);

static int bertha_bind_select(struct bertha_choice *ch,
			      const struct bertha_dag_node *n)
{
	unsigned int slot = ch->count, fallbacks = ch->fallbacks, i;
	struct bertha_binding_node *out;
	const struct nlattr *alt;

	if (ch->count >= BERTHA_DAG_MAX_NODES)
		return -E2BIG;
	for (i = 0; (alt = bertha_dag_entry(n->alternatives, i)); i++) {
		ch->count = slot + 1;
		ch->fallbacks = fallbacks;
		if (bertha_bind_node(ch, alt))
			continue;
		/* Negotiation itself resolves a select, at both ends. */
		ch->node[slot].cc.peer_attrs = NULL;
		out = &ch->node[slot].info;
		memset(out, 0, sizeof(*out));
		strscpy(out->type, BERTHA_SELECT_TYPE, sizeof(out->type));
		strscpy(out->impl, "kernel", sizeof(out->impl));
		out->where = BERTHA_WHERE_BOTH;
		out->scope = BERTHA_SCOPE_APPLICATION;
		out->choice = i;
		return 0;
	}
	ch->count = slot;
	return -ENOENT;
}

static int bertha_bind_node(struct bertha_choice *ch,
			    const struct nlattr *node)
{
	struct bertha_dag_node n;
	int err;

	if (bertha_dag_node_parse(node, &n))
		return -EINVAL;
	if (n.alternatives)
		err = bertha_bind_select(ch, &n);
	else
		err = bertha_choose(ch, n.type, n.scope);
	if (err || !n.next)
		return err;
	return bertha_bind_node(ch, bertha_dag_entry(n.next, 0));
}

static struct bertha_binding_set *bertha_binding_alloc(unsigned int count)
{
	struct bertha_binding_set *b;

	b = kzalloc(struct_size(b, node, count), GFP_KERNEL);
	if (b)
		b->count = count;
	return b;
}

/* Hold what runs at this end (the binding is in this end's view); false
 * if something went away meanwhile.
 */
static bool bertha_binding_hold(struct bertha_binding_set *b,
				const struct net *net)
{
	unsigned int i;

	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (!strcmp(n->info.type, BERTHA_SELECT_TYPE) ||
		    (n->info.where != BERTHA_WHERE_LOCAL &&
		     n->info.where != BERTHA_WHERE_BOTH))
			continue;
		n->impl = bertha_chunnel_hold(net, n->info.type, n->info.impl);
		if (!n->impl)
			return false;
	}
	return true;
}

static int bertha_client_impls(struct bertha_choice *ch, struct sk_buff *skb)
{
	const struct nlattr *attr;
	const void *payload;
	int len, rem;

	payload = bertha_ctrl_payload(skb, &len);
	nla_for_each_attr(attr, payload, len, rem) {
		if (nla_type(attr) != BERTHA_WIRE_A_IMPL)
			continue;
		if (ch->nclient == BERTHA_HELLO_MAX_IMPLS ||
		    bertha_parse_chunnel(attr, &ch->client[ch->nclient], NULL,
					 NULL, &ch->client_own[ch->nclient]))
			return -EINVAL;
		ch->nclient++;
	}
	return 0;
}

/**
 * bertha_negotiate() - the listener's decision on a HELLO
 * @listener: the listening socket, locked
 * @hello: the HELLO datagram (linear, data at the UDP header)
 * @attrs: its parsed attributes
 * @ex: implementations not to choose (their setup failed), or NULL
 * @binding: the binding, from the listener's view, with what runs here held
 * @dag: the DAG in effect (a copy), or NULL when neither end set one
 *
 * Return: 0, or a positive &enum bertha_reject_reason, or -ENOMEM.
 */
int bertha_negotiate(struct bertha_sock *listener, struct sk_buff *hello,
		     const struct nlattr **attrs,
		     const struct bertha_exclusions *ex,
		     struct bertha_binding_set **binding,
		     struct bertha_dag **dag)
{
	const struct nlattr *cdag = attrs[BERTHA_WIRE_A_DAG];
	const struct net *net = sock_net(&listener->sk);
	const struct bertha_dag *use = listener->dag;
	struct bertha_dag *client_dag = NULL;
	struct bertha_binding_set *b = NULL;
	struct bertha_choice *ch;
	int ret = -ENOMEM;

	*binding = NULL;
	*dag = NULL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	ch->net = net;
	ch->ex = ex;
	ch->policy = READ_ONCE(bertha_net(net)->policy);
	ch->client = kcalloc(BERTHA_HELLO_MAX_IMPLS, sizeof(*ch->client),
			     GFP_KERNEL);
	ch->local = kcalloc(BERTHA_HELLO_MAX_IMPLS, sizeof(*ch->local),
			    GFP_KERNEL);
	ch->client_own = kcalloc(BERTHA_HELLO_MAX_IMPLS,
				 sizeof(*ch->client_own), GFP_KERNEL);
	if (!ch->client || !ch->local || !ch->client_own)
		goto out;

	if (bertha_client_impls(ch, hello)) {
		ret = BERTHA_REJECT_MALFORMED;
		goto out;
	}
	if (cdag) {
		client_dag = bertha_dag_dup(nla_data(cdag), nla_len(cdag),
					    GFP_KERNEL);
		if (!client_dag)
			goto out;
		ret = bertha_dag_check(net, client_dag);
		if (ret) {
			ret = ret == -EPROTONOSUPPORT ?
			      BERTHA_REJECT_NO_IMPLEMENTATION :
			      BERTHA_REJECT_MALFORMED;
			goto out;
		}
		/* The listener's DAG dictates; a client may only repeat it. */
		if (use && (use->len != client_dag->len ||
			    memcmp(use->blob, client_dag->blob, use->len))) {
			ret = BERTHA_REJECT_DAG_MISMATCH;
			goto out;
		}
		if (!use)
			use = client_dag;
	}

	if (use && bertha_bind_node(ch, (const struct nlattr *)use->blob)) {
		ret = BERTHA_REJECT_NO_IMPLEMENTATION;
		goto out;
	}
	ret = -ENOMEM;
	b = bertha_binding_alloc(ch->count);
	if (!b)
		goto out;
	memcpy(b->node, ch->node, ch->count * sizeof(ch->node[0]));
	b->fallbacks = ch->fallbacks;
	if (use) {
		*dag = use == client_dag ? client_dag :
		       bertha_dag_dup(use->blob, use->len, GFP_KERNEL);
		if (use == client_dag)
			client_dag = NULL;
		if (!*dag)
			goto out;
	}
	if (!bertha_binding_hold(b, net)) {
		ret = BERTHA_REJECT_NO_IMPLEMENTATION;
		goto out;
	}
	*binding = b;
	b = NULL;
	ret = 0;
out:
	if (ret) {
		kfree(*dag);
		*dag = NULL;
	}
	if (b)
		bertha_binding_free(b);
	kfree(client_dag);
	kfree(ch->client);
	kfree(ch->client_own);
	kfree(ch->local);
	kfree(ch);
	return ret;
}

/**
 * bertha_accept_parse() - the client's reading of an ACCEPT
 * @bs: the connecting socket, locked
 * @skb: the ACCEPT (linear, data at the UDP header)
 * @binding: the binding from the client's view, with what runs here held
 * @dag: the DAG in effect (a copy), or NULL
 * @peer_id: the listener's connection id
 *
 * Return: 0, -EPROTO for a malformed ACCEPT, -EPROTONOSUPPORT when an
 * implementation the listener chose for this end is gone, -ENOMEM.
 */
int bertha_accept_parse(struct bertha_sock *bs, struct sk_buff *skb,
			struct bertha_binding_set **binding,
			struct bertha_dag **dag, u32 *peer_id)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	static const u8 mirror[] = {
		[BERTHA_WHERE_LOCAL]	= BERTHA_WHERE_PEER,
		[BERTHA_WHERE_PEER]	= BERTHA_WHERE_LOCAL,
		[BERTHA_WHERE_BOTH]	= BERTHA_WHERE_BOTH,
	};
	struct bertha_binding_set *b;
	const struct nlattr *attr;
	unsigned int count = 0;
	const void *payload;
	int len, rem, err;

	*binding = NULL;
	*dag = NULL;
	err = bertha_ctrl_parse(skb, attrs);
	if (err)
		return err == -ENOMEM ? err : -EPROTO;
	if (!attrs[BERTHA_WIRE_A_CONN_ID] ||
	    !nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID]))
		return -EPROTO;
	*peer_id = nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID]);

	payload = bertha_ctrl_payload(skb, &len);
	nla_for_each_attr(attr, payload, len, rem)
		count += nla_type(attr) == BERTHA_WIRE_A_BOUND;
	if (count > BERTHA_DAG_MAX_NODES)
		return -EPROTO;
	b = bertha_binding_alloc(count);
	if (!b)
		return -ENOMEM;
	count = 0;
	nla_for_each_attr(attr, payload, len, rem) {
		struct bertha_binding_node *n = &b->node[count].info;
		struct bertha_impl_info info;
		const struct nlattr *own;
		u32 where, choice;

		if (nla_type(attr) != BERTHA_WIRE_A_BOUND)
			continue;
		err = bertha_parse_chunnel(attr, &info, &where, &choice, &own);
		if (err)
			goto err_proto;
		strscpy(n->type, info.type, sizeof(n->type));
		strscpy(n->impl, info.name, sizeof(n->impl));
		n->priority = info.priority;
		n->scope = info.scope;
		n->where = mirror[where];
		n->choice = choice;
		/* read by the node's init, while the ACCEPT is */
		b->node[count].cc.peer_attrs = own;
		count++;
	}
	if (attrs[BERTHA_WIRE_A_DAG]) {
		*dag = bertha_dag_dup(nla_data(attrs[BERTHA_WIRE_A_DAG]),
				      nla_len(attrs[BERTHA_WIRE_A_DAG]),
				      GFP_KERNEL);
		if (!*dag) {
			bertha_binding_free(b);
			return -ENOMEM;
		}
	}
	if (!bertha_binding_hold(b, sock_net(&bs->sk))) {
		err = -EPROTONOSUPPORT;
		goto err_free;
	}
	*binding = b;
	return 0;

err_proto:
	err = -EPROTO;
err_free:
	bertha_binding_free(b);
	kfree(*dag);
	*dag = NULL;
	return err;
}
