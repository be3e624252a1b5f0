// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "bertha" (Documentation/netlink/specs/
 * bertha.yaml): the discovery registry seen from userspace, the operator
 * policy and the namespace's counters.
 *
 * Implementations registered from userspace live in the registering
 * socket's namespace and only as long as that socket: when it closes
 * (a helper exits or crashes) they are withdrawn, so nothing stale stays.
 * Connections already bound to one keep it until they close.
 *
 * The ops are hand-written (Linux 6.1 has no split ops); every request is
 * validated strictly against its policy.
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "bertha.h"
#include "conn_table.h"
#include "genl.h"
#include "netns.h"
#include "registry.h"
#include "setup.h"
#include "socket.h"
#include "transport.h"

/**
 * struct bertha_uimpl - an implementation registered from userspace
 * @impl: what the registry holds
 * @node: in bertha_uimpls
 * @portid: the registering netlink socket
 * @ifindex: the device it lives on, or 0
 * @config_len: bytes in @config
 * @setup: the helper answers setup requests
 * @type: storage for @impl.type
 * @name: storage for @impl.name
 * @config: opaque, for the helper
 */
struct bertha_uimpl {
	struct bertha_chunnel_impl impl;
	struct list_head node;
	u32 portid;
	u32 ifindex;
	u32 config_len;
	bool setup;
	char type[BERTHA_NAME_MAX];
	char name[BERTHA_NAME_MAX];
	u8 config[];
};

/* Registrations from userspace, all namespaces; the registry's own lock
 * orders after this one.
 */
static LIST_HEAD(bertha_uimpls);
static DEFINE_MUTEX(bertha_uimpls_lock);

static struct genl_family bertha_genl_family;
/* Events wait for the family: bertha.ko registers its own fallbacks first. */
static bool bertha_genl_up;

enum {
	BERTHA_MCGRP_EVENTS,
};

static const struct genl_multicast_group bertha_mcgrps[] = {
	[BERTHA_MCGRP_EVENTS] = { .name = BERTHA_GENL_MCGRP_EVENTS },
};

static const struct nla_policy bertha_impl_policy[BERTHA_IMPL_A_MAX + 1] = {
	[BERTHA_IMPL_A_TYPE]	  = { .type = NLA_NUL_STRING,
				      .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_IMPL_A_NAME]	  = { .type = NLA_NUL_STRING,
				      .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_IMPL_A_PRIORITY]  = { .type = NLA_U32 },
	[BERTHA_IMPL_A_SCOPE]	  = NLA_POLICY_MAX(NLA_U32, BERTHA_SCOPE_MAX),
	[BERTHA_IMPL_A_ENDPOINTS] = NLA_POLICY_MAX(NLA_U32,
						   BERTHA_ENDPOINTS_MAX),
	[BERTHA_IMPL_A_CAPACITY]  = { .type = NLA_U32 },
	[BERTHA_IMPL_A_IFINDEX]	  = { .type = NLA_U32 },
	[BERTHA_IMPL_A_CONFIG]	  = { .type = NLA_BINARY,
				      .len = BERTHA_IMPL_CONFIG_MAX },
	[BERTHA_IMPL_A_SETUP]	  = { .type = NLA_FLAG },
	[BERTHA_IMPL_A_DISABLED]  = NLA_POLICY_MAX(NLA_U8, 1),
};

/* Beyond the s16 bounds of NLA_POLICY_RANGE on 6.1. */
static struct netlink_range_validation bertha_setup_timeout_range = {
	.min = 1,
	.max = 60000,
};

static const struct nla_policy bertha_policy_policy[BERTHA_POLICY_A_MAX + 1] = {
	[BERTHA_POLICY_A_POLICY]  = NLA_POLICY_MAX(NLA_U32, BERTHA_POLICY_MAX),
	[BERTHA_POLICY_A_LOCAL]	  = NLA_POLICY_MAX(NLA_U8, 1),
	[BERTHA_POLICY_A_SETUP_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &bertha_setup_timeout_range),
};

static const struct nla_policy bertha_setup_policy[BERTHA_SETUP_A_MAX + 1] = {
	[BERTHA_SETUP_A_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[BERTHA_SETUP_A_STATUS]	= NLA_POLICY_MAX(NLA_U32, MAX_ERRNO),
};

static struct bertha_uimpl *bertha_uimpl(const struct bertha_chunnel_impl *impl)
{
	return container_of(impl, struct bertha_uimpl, impl);
}

static void bertha_uimpl_release(struct bertha_chunnel_impl *impl)
{
	kfree(bertha_uimpl(impl));
}

static bool bertha_impl_is_user(const struct bertha_chunnel_impl *impl)
{
	return impl->release == bertha_uimpl_release;
}

/**
 * bertha_impl_helper() - the helper that sets up an implementation, if any
 * @impl: an implementation, held or registered
 * @h: filled in if not NULL
 *
 * Return: true if @impl was registered from userspace by a helper that
 * answers setup requests (%BERTHA_IMPL_A_SETUP).
 */
bool bertha_impl_helper(const struct bertha_chunnel_impl *impl,
			struct bertha_helper *h)
{
	const struct bertha_uimpl *u;

	if (!bertha_impl_is_user(impl) || !bertha_uimpl(impl)->setup)
		return false;
	u = bertha_uimpl(impl);
	if (h) {
		h->portid = u->portid;
		h->ifindex = u->ifindex;
		h->config = u->config;
		h->config_len = u->config_len;
	}
	return true;
}

static int bertha_impl_fill(struct sk_buff *skb,
			    const struct bertha_chunnel_impl *impl)
{
	const struct bertha_uimpl *u = NULL;

	if (bertha_impl_is_user(impl))
		u = bertha_uimpl(impl);
	if (nla_put_string(skb, BERTHA_IMPL_A_TYPE, impl->type) ||
	    nla_put_string(skb, BERTHA_IMPL_A_NAME, impl->name) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_PRIORITY, impl->priority) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_SCOPE, impl->scope) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_ENDPOINTS, impl->endpoints) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_CAPACITY, impl->capacity) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_ORIGIN,
			u ? BERTHA_ORIGIN_USERSPACE : BERTHA_ORIGIN_KERNEL) ||
	    nla_put_u32(skb, BERTHA_IMPL_A_USERS, atomic_read(&impl->users)))
		return -EMSGSIZE;
	if (u && ((u->setup && nla_put_flag(skb, BERTHA_IMPL_A_SETUP)) ||
		  nla_put_u32(skb, BERTHA_IMPL_A_IFINDEX, u->ifindex) ||
		  (u->config_len && nla_put(skb, BERTHA_IMPL_A_CONFIG,
					    u->config_len, u->config))))
		return -EMSGSIZE;
	return 0;
}

/**
 * bertha_genl_impl_event() - tell the "events" group of the namespaces
 *	that see an implementation
 * @impl: a registration, from userspace (one namespace) or from a kernel
 *	module (every namespace)
 * @cmd: %BERTHA_CMD_IMPL_ADD_NTF or %BERTHA_CMD_IMPL_DEL_NTF
 */
void bertha_genl_impl_event(const struct bertha_chunnel_impl *impl, u8 cmd)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(bertha_genl_up))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &bertha_genl_family, 0, cmd);
	if (!hdr || bertha_impl_fill(skb, impl)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	if (impl->net)
		genlmsg_multicast_netns(&bertha_genl_family, impl->net, skb, 0,
					BERTHA_MCGRP_EVENTS, GFP_KERNEL);
	else
		genlmsg_multicast_allns(&bertha_genl_family, skb, 0,
					BERTHA_MCGRP_EVENTS);
}

/**
 * bertha_genl_msg_put() - start a message of the family
 * @skb: the message buffer
 * @portid: the destination, 0 for events
 * @seq: the request's sequence number, 0 for events
 * @flags: netlink flags (%NLM_F_MULTI in a dump)
 * @cmd: &enum bertha_cmd
 *
 * Return: the user header, or NULL without room.
 */
void *bertha_genl_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &bertha_genl_family, flags, cmd);
}

/**
 * bertha_genl_has_events() - does anyone listen to a namespace's events
 * @net: the namespace
 *
 * Return: true if the "events" group has a member in @net.
 */
bool bertha_genl_has_events(struct net *net)
{
	return genl_has_listeners(&bertha_genl_family, net,
				  BERTHA_MCGRP_EVENTS);
}

/**
 * bertha_genl_event() - send an event to a namespace's "events" group
 * @net: the namespace
 * @skb: the message bertha_genl_msg_put() started; consumed
 *
 * Return: 0 if some member got it, -ESRCH if none listens, or an error.
 */
int bertha_genl_event(struct net *net, struct sk_buff *skb)
{
	return genlmsg_multicast_netns(&bertha_genl_family, net, skb, 0,
				       BERTHA_MCGRP_EVENTS, GFP_KERNEL);
}

static int bertha_genl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bertha_genl_family, 0,
				BERTHA_CMD_INFO_GET);
	if (!hdr ||
	    nla_put_u32(msg, BERTHA_INFO_A_FAMILY, bertha_family()) ||
	    nla_put_u32(msg, BERTHA_INFO_A_VERSION, BERTHA_GENL_VERSION) ||
	    nla_put_u64_64bit(msg, BERTHA_INFO_A_HOST_ID, bertha_host_id,
			      BERTHA_INFO_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct bertha_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int bertha_dump_one(const struct bertha_chunnel_impl *impl, void *arg)
{
	struct bertha_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &bertha_genl_family,
			  NLM_F_MULTI, BERTHA_CMD_IMPL_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (bertha_impl_fill(ctx->skb, impl) ||
	    nla_put_u8(ctx->skb, BERTHA_IMPL_A_DISABLED,
		       bertha_chunnel_disabled(sock_net(ctx->skb->sk), impl))) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	return 0;
}

static int bertha_genl_impl_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct bertha_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned int start = cb->args[0];

	cb->args[0] = bertha_chunnel_walk(sock_net(skb->sk), start,
					  bertha_dump_one, &ctx);
	return skb->len;
}

static int bertha_genl_impl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct bertha_uimpl *u;
	u32 len = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_NAME))
		return -EINVAL;
	if (tb[BERTHA_IMPL_A_CONFIG])
		len = nla_len(tb[BERTHA_IMPL_A_CONFIG]);
	u = kzalloc(struct_size(u, config, len), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	nla_strscpy(u->type, tb[BERTHA_IMPL_A_TYPE], sizeof(u->type));
	nla_strscpy(u->name, tb[BERTHA_IMPL_A_NAME], sizeof(u->name));
	u->impl.type = u->type;
	u->impl.name = u->name;
	if (tb[BERTHA_IMPL_A_PRIORITY])
		u->impl.priority = nla_get_u32(tb[BERTHA_IMPL_A_PRIORITY]);
	if (tb[BERTHA_IMPL_A_SCOPE])
		u->impl.scope = nla_get_u32(tb[BERTHA_IMPL_A_SCOPE]);
	if (tb[BERTHA_IMPL_A_ENDPOINTS])
		u->impl.endpoints = nla_get_u32(tb[BERTHA_IMPL_A_ENDPOINTS]);
	if (tb[BERTHA_IMPL_A_CAPACITY])
		u->impl.capacity = nla_get_u32(tb[BERTHA_IMPL_A_CAPACITY]);
	if (tb[BERTHA_IMPL_A_IFINDEX])
		u->ifindex = nla_get_u32(tb[BERTHA_IMPL_A_IFINDEX]);
	if (len)
		nla_memcpy(u->config, tb[BERTHA_IMPL_A_CONFIG], len);
	u->config_len = len;
	u->setup = nla_get_flag(tb[BERTHA_IMPL_A_SETUP]);
	u->impl.net = genl_info_net(info);
	u->impl.release = bertha_uimpl_release;
	u->portid = info->snd_portid;

	mutex_lock(&bertha_uimpls_lock);
	err = bertha_chunnel_register(&u->impl);
	if (!err)
		list_add_tail(&u->node, &bertha_uimpls);
	mutex_unlock(&bertha_uimpls_lock);
	if (err == -EINVAL)
		NL_SET_ERR_MSG(info->extack,
			       "names are 1 to 31 characters of [a-z0-9_-]");
	else if (err == -EEXIST)
		NL_SET_ERR_MSG(info->extack,
			       "this implementation of the type is already registered");
	if (err) {
		kfree(u);
		return err;
	}
	bertha_genl_impl_event(&u->impl, BERTHA_CMD_IMPL_ADD_NTF);
	return 0;
}

/* Withdraw @u; the caller holds bertha_uimpls_lock and unlinked it. */
static void bertha_uimpl_withdraw(struct bertha_uimpl *u)
{
	bertha_genl_impl_event(&u->impl, BERTHA_CMD_IMPL_DEL_NTF);
	bertha_chunnel_retire(&u->impl);
}

struct bertha_impl_match {
	const char *type;
	const char *name;
	bool found;
};

static int bertha_impl_match(const struct bertha_chunnel_impl *impl, void *arg)
{
	struct bertha_impl_match *m = arg;

	m->found = !bertha_impl_is_user(impl) && !strcmp(impl->type, m->type) &&
		   !strcmp(impl->name, m->name);
	return m->found;
}

/* Is TYPE/NAME a kernel module's implementation that @net sees? */
static bool bertha_kernel_impl_exists(const struct net *net, const char *type,
				      const char *name)
{
	struct bertha_impl_match m = { .type = type, .name = name };

	bertha_chunnel_walk(net, 0, bertha_impl_match, &m);
	return m.found;
}

static int bertha_genl_impl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct bertha_uimpl *u, *found = NULL;
	char type[BERTHA_NAME_MAX], name[BERTHA_NAME_MAX];

	if (GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_NAME))
		return -EINVAL;
	nla_strscpy(type, info->attrs[BERTHA_IMPL_A_TYPE], sizeof(type));
	nla_strscpy(name, info->attrs[BERTHA_IMPL_A_NAME], sizeof(name));

	mutex_lock(&bertha_uimpls_lock);
	list_for_each_entry(u, &bertha_uimpls, node) {
		if (net_eq(u->impl.net, net) && !strcmp(u->type, type) &&
		    !strcmp(u->name, name)) {
			found = u;
			list_del(&u->node);
			bertha_uimpl_withdraw(u);
			break;
		}
	}
	mutex_unlock(&bertha_uimpls_lock);
	if (found)
		return 0;
	if (bertha_kernel_impl_exists(net, type, name)) {
		NL_SET_ERR_MSG(info->extack,
			       "registered by a kernel module: unload the module instead");
		return -EOPNOTSUPP;
	}
	NL_SET_ERR_MSG(info->extack,
		       "no such implementation registered from userspace in this namespace");
	return -ENOENT;
}

static int bertha_genl_impl_set(struct sk_buff *skb, struct genl_info *info)
{
	char type[BERTHA_NAME_MAX], name[BERTHA_NAME_MAX];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, BERTHA_IMPL_A_DISABLED))
		return -EINVAL;
	nla_strscpy(type, info->attrs[BERTHA_IMPL_A_TYPE], sizeof(type));
	nla_strscpy(name, info->attrs[BERTHA_IMPL_A_NAME], sizeof(name));
	err = bertha_chunnel_disable(genl_info_net(info), type, name,
				     nla_get_u8(info->attrs[BERTHA_IMPL_A_DISABLED]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack,
			       "this namespace sees no such implementation");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack,
			       "too many implementations disabled in this namespace");
	return err;
}

static int bertha_genl_policy_get(struct sk_buff *skb, struct genl_info *info)
{
	struct bertha_net *bn = bertha_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bertha_genl_family, 0,
				BERTHA_CMD_POLICY_GET);
	if (!hdr ||
	    nla_put_u32(msg, BERTHA_POLICY_A_POLICY, READ_ONCE(bn->policy)) ||
	    nla_put_u8(msg, BERTHA_POLICY_A_LOCAL, READ_ONCE(bn->local)) ||
	    nla_put_u32(msg, BERTHA_POLICY_A_SETUP_TIMEOUT,
			READ_ONCE(bn->setup_timeout_ms))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int bertha_genl_policy_set(struct sk_buff *skb, struct genl_info *info)
{
	struct bertha_net *bn = bertha_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;

	if (!tb[BERTHA_POLICY_A_POLICY] && !tb[BERTHA_POLICY_A_LOCAL] &&
	    !tb[BERTHA_POLICY_A_SETUP_TIMEOUT]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	if (tb[BERTHA_POLICY_A_POLICY])
		WRITE_ONCE(bn->policy, nla_get_u32(tb[BERTHA_POLICY_A_POLICY]));
	if (tb[BERTHA_POLICY_A_LOCAL])
		WRITE_ONCE(bn->local, nla_get_u8(tb[BERTHA_POLICY_A_LOCAL]));
	if (tb[BERTHA_POLICY_A_SETUP_TIMEOUT])
		WRITE_ONCE(bn->setup_timeout_ms,
			   nla_get_u32(tb[BERTHA_POLICY_A_SETUP_TIMEOUT]));
	return 0;
}

static int bertha_genl_setup_done(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, BERTHA_SETUP_A_ID) ||
	    GENL_REQ_ATTR_CHECK(info, BERTHA_SETUP_A_STATUS))
		return -EINVAL;
	err = bertha_setup_answer(genl_info_net(info), info->snd_portid,
				  nla_get_u32(info->attrs[BERTHA_SETUP_A_ID]),
				  nla_get_u32(info->attrs[BERTHA_SETUP_A_STATUS]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BERTHA_SETUP_A_ID],
				    "no setup request with this id is waiting (answered, or given up after the timeout)");
	else if (err == -EPERM)
		NL_SET_ERR_MSG(info->extack,
			       "only the socket that registered the implementation may answer");
	return err;
}

struct bertha_counters_put {
	struct sk_buff *skb;
	int attr;
	const atomic64_t *cnt;
	struct nlattr *type_nest;
};

static int bertha_counter_put(const char *type,
			      const struct bertha_chunnel_counter *c,
			      unsigned int slot, bool first, void *arg)
{
	struct bertha_counters_put *p = arg;
	struct sk_buff *skb = p->skb;
	struct nlattr *nest;

	if (first) {
		if (p->type_nest)
			nla_nest_end(skb, p->type_nest);
		p->type_nest = nla_nest_start(skb, p->attr);
		if (!p->type_nest ||
		    nla_put_string(skb, BERTHA_CHUNNEL_STATS_A_TYPE, type))
			return -EMSGSIZE;
	}
	nest = nla_nest_start(skb, BERTHA_CHUNNEL_STATS_A_COUNTER);
	if (!nest || nla_put_string(skb, BERTHA_COUNTER_A_NAME, c->name) ||
	    nla_put_u64_64bit(skb, BERTHA_COUNTER_A_VALUE,
			      atomic64_read(&p->cnt[slot]),
			      BERTHA_COUNTER_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * bertha_genl_chunnel_counters_put() - every chunnel type's counters, by
 *	name, one nest per type
 * @skb: the message
 * @attr: the nest's attribute (%BERTHA_STATS_A_CHUNNEL,
 *	%BERTHA_CONN_A_CHUNNEL_STATS)
 * @cnt: the counters, a namespace's or a socket's
 *
 * Return: 0 or -EMSGSIZE (the message is then incomplete).
 */
int bertha_genl_chunnel_counters_put(struct sk_buff *skb, int attr,
				     const atomic64_t *cnt)
{
	struct bertha_counters_put p = { .skb = skb, .attr = attr,
					 .cnt = cnt };
	int err;

	err = bertha_chunnel_counters_walk(bertha_counter_put, &p);
	if (!err && p.type_nest)
		nla_nest_end(skb, p.type_nest);
	return err;
}

static int bertha_genl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct bertha_net *bn = bertha_net(genl_info_net(info));
	u64 val[BERTHA_STATS_A_MAX + 1];
	struct sk_buff *msg;
	void *hdr;
	int i;

	for (i = 0; i <= BERTHA_STATS_A_MAX; i++)
		val[i] = atomic64_read(&bn->stats[i]);
	bertha_chunnel_legacy_net(bn, val);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bertha_genl_family, 0,
				BERTHA_CMD_STATS_GET);
	if (!hdr)
		goto err;
	for (i = BERTHA_STATS_A_HELLO_SENT; i <= BERTHA_STATS_A_MAX; i++)
		if (i != BERTHA_STATS_A_PAD && i != BERTHA_STATS_A_CHUNNEL &&
		    nla_put_u64_64bit(msg, i, val[i], BERTHA_STATS_A_PAD))
			goto err;
	if (bertha_genl_chunnel_counters_put(msg, BERTHA_STATS_A_CHUNNEL,
					     bn->chunnel_cnt))
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops bertha_genl_ops[] = {
	{
		.cmd	= BERTHA_CMD_INFO_GET,
		.doit	= bertha_genl_info_get,
	},
	{
		.cmd	= BERTHA_CMD_IMPL_GET,
		.dumpit	= bertha_genl_impl_dump,
	},
	{
		.cmd	= BERTHA_CMD_IMPL_ADD,
		.doit	= bertha_genl_impl_add,
		.policy	= bertha_impl_policy,
		.maxattr = BERTHA_IMPL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= BERTHA_CMD_IMPL_DEL,
		.doit	= bertha_genl_impl_del,
		.policy	= bertha_impl_policy,
		.maxattr = BERTHA_IMPL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= BERTHA_CMD_POLICY_GET,
		.doit	= bertha_genl_policy_get,
	},
	{
		.cmd	= BERTHA_CMD_POLICY_SET,
		.doit	= bertha_genl_policy_set,
		.policy	= bertha_policy_policy,
		.maxattr = BERTHA_POLICY_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= BERTHA_CMD_STATS_GET,
		.doit	= bertha_genl_stats_get,
	},
	{
		.cmd	= BERTHA_CMD_CONN_GET,
		.dumpit	= bertha_genl_conn_dump,
	},
	{
		.cmd	= BERTHA_CMD_IMPL_SET,
		.doit	= bertha_genl_impl_set,
		.policy	= bertha_impl_policy,
		.maxattr = BERTHA_IMPL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= BERTHA_CMD_SETUP_DONE,
		.doit	= bertha_genl_setup_done,
		.policy	= bertha_setup_policy,
		.maxattr = BERTHA_SETUP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family bertha_genl_family __ro_after_init = {
	.name		= BERTHA_GENL_NAME,
	.version	= BERTHA_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= bertha_genl_ops,
	.n_ops		= ARRAY_SIZE(bertha_genl_ops),
	/* Every command validates strictly, the first ones too: one without
	 * a policy refuses any attribute, and the header's reserved byte
	 * must be 0 (EINVAL, with an extack message).
	 */
	.resv_start_op	= 0,
	.mcgrps		= bertha_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(bertha_mcgrps),
};

/* Withdraw what @match selects; the events go out as for IMPL_DEL. */
static void bertha_uimpls_withdraw(const struct net *net, u32 portid,
				   bool any_portid)
{
	struct bertha_uimpl *u, *tmp;

	mutex_lock(&bertha_uimpls_lock);
	list_for_each_entry_safe(u, tmp, &bertha_uimpls, node) {
		if (!net_eq(u->impl.net, net) ||
		    (!any_portid && u->portid != portid))
			continue;
		list_del(&u->node);
		bertha_uimpl_withdraw(u);
	}
	mutex_unlock(&bertha_uimpls_lock);
}

static int bertha_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	/* A helper's socket closed: its registrations go with it. */
	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid) {
		bertha_uimpls_withdraw(n->net, n->portid, false);
		bertha_setup_owner_gone(n->net, n->portid);
	}
	return NOTIFY_DONE;
}

static struct notifier_block bertha_netlink_notifier = {
	.notifier_call = bertha_netlink_event,
};

/**
 * bertha_genl_net_exit() - a namespace goes: withdraw its registrations
 * @net: the namespace
 */
void bertha_genl_net_exit(struct net *net)
{
	bertha_uimpls_withdraw(net, 0, true);
}

/**
 * bertha_genl_init() - register the family and watch netlink sockets
 *
 * Return: 0 or the error of registering.
 */
int __init bertha_genl_init(void)
{
	int err;

	err = netlink_register_notifier(&bertha_netlink_notifier);
	if (err)
		return err;
	err = genl_register_family(&bertha_genl_family);
	if (err)
		netlink_unregister_notifier(&bertha_netlink_notifier);
	else
		WRITE_ONCE(bertha_genl_up, true);
	return err;
}

/**
 * bertha_genl_exit() - unregister the family
 */
void bertha_genl_exit(void)
{
	WRITE_ONCE(bertha_genl_up, false);
	genl_unregister_family(&bertha_genl_family);
	netlink_unregister_notifier(&bertha_netlink_notifier);
}
