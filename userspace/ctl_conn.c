// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: conn show, the sockets and connections of the namespace, like
 * ss, with what their chunnels report
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"

static const char *const state_names[] = {
	[BERTHA_CONN_STATE_CLOSE] = "close",
	[BERTHA_CONN_STATE_SYN_SENT] = "syn-sent",
	[BERTHA_CONN_STATE_ESTABLISHED] = "established",
	[BERTHA_CONN_STATE_LISTEN] = "listen",
};

#define CONN_MAX_NODES	64

struct conn {
	uint32_t sock_type, state, netns_inode, id, peer_id, path;
	uint64_t netns_cookie;
	bool has_path;
	struct conn_addr local, peer;
	unsigned int count;
	struct bertha_binding_node node[CONN_MAX_NODES];
	/* valid while the message is: each node's info nest, or NULL */
	const struct nlattr *info[CONN_MAX_NODES];
	struct nlmsghdr *nlh;	/* for the BERTHA_CONN_A_CHUNNEL_STATS nests */
};

int conn_addr_parse(struct nlattr *nest, struct conn_addr *a)
{
	static struct nla_policy pol[BERTHA_ADDR_A_MAX + 1] = {
		[BERTHA_ADDR_A_FAMILY] = { .type = NLA_U32 },
		[BERTHA_ADDR_A_IPV4] = { .minlen = 4 },
		[BERTHA_ADDR_A_IPV6] = { .minlen = 16 },
		[BERTHA_ADDR_A_PORT] = { .type = NLA_U16 },
		[BERTHA_ADDR_A_SCOPE_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[BERTHA_ADDR_A_MAX + 1];
	char ifname[IF_NAMESIZE];
	size_t n;

	memset(a, 0, sizeof(*a));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, BERTHA_ADDR_A_MAX, nest, pol) < 0)
		return -1;
	a->present = true;
	if (tb[BERTHA_ADDR_A_FAMILY])
		a->family = nla_get_u32(tb[BERTHA_ADDR_A_FAMILY]);
	if (tb[BERTHA_ADDR_A_PORT])
		a->port = nla_get_u16(tb[BERTHA_ADDR_A_PORT]);
	if (tb[BERTHA_ADDR_A_IPV6]) {
		memcpy(a->raw, nla_data(tb[BERTHA_ADDR_A_IPV6]), 16);
		inet_ntop(AF_INET6, a->raw, a->text, sizeof(a->text));
	} else if (tb[BERTHA_ADDR_A_IPV4]) {
		memcpy(a->raw, nla_data(tb[BERTHA_ADDR_A_IPV4]), 4);
		inet_ntop(AF_INET, a->raw, a->text, sizeof(a->text));
	}
	else
		return -1;
	n = strlen(a->text);
	if (tb[BERTHA_ADDR_A_SCOPE_ID]) {
		uint32_t scope = nla_get_u32(tb[BERTHA_ADDR_A_SCOPE_ID]);

		if (if_indextoname(scope, ifname))
			snprintf(a->text + n, sizeof(a->text) - n, "%%%s", ifname);
		else
			snprintf(a->text + n, sizeof(a->text) - n, "%%%" PRIu32, scope);
	}
	return 0;
}

static int conn_node_parse(struct nlattr *nest, struct bertha_binding_node *nd,
			   const struct nlattr **info)
{
	static struct nla_policy pol[BERTHA_BINDING_NODE_A_MAX + 1] = {
		[BERTHA_BINDING_NODE_A_TYPE] = { .type = NLA_STRING },
		[BERTHA_BINDING_NODE_A_IMPL] = { .type = NLA_STRING },
		[BERTHA_BINDING_NODE_A_WHERE] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_PRIORITY] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_SCOPE] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_CHOICE] = { .type = NLA_U32 },
		/* BERTHA_BINDING_NODE_A_INFO: the chunnel's own, checked when printed */
	};
	struct nlattr *tb[BERTHA_BINDING_NODE_A_MAX + 1];

	memset(nd, 0, sizeof(*nd));
	if (nla_parse_nested(tb, BERTHA_BINDING_NODE_A_MAX, nest, pol) < 0 ||
	    !tb[BERTHA_BINDING_NODE_A_TYPE] || !tb[BERTHA_BINDING_NODE_A_IMPL])
		return -1;
	snprintf(nd->type, sizeof(nd->type), "%s", nla_get_string(tb[BERTHA_BINDING_NODE_A_TYPE]));
	snprintf(nd->impl, sizeof(nd->impl), "%s", nla_get_string(tb[BERTHA_BINDING_NODE_A_IMPL]));
	if (tb[BERTHA_BINDING_NODE_A_WHERE])
		nd->where = nla_get_u32(tb[BERTHA_BINDING_NODE_A_WHERE]);
	if (tb[BERTHA_BINDING_NODE_A_PRIORITY])
		nd->priority = nla_get_u32(tb[BERTHA_BINDING_NODE_A_PRIORITY]);
	if (tb[BERTHA_BINDING_NODE_A_SCOPE])
		nd->scope = nla_get_u32(tb[BERTHA_BINDING_NODE_A_SCOPE]);
	if (tb[BERTHA_BINDING_NODE_A_CHOICE])
		nd->choice = nla_get_u32(tb[BERTHA_BINDING_NODE_A_CHOICE]);
	*info = tb[BERTHA_BINDING_NODE_A_INFO];
	return 0;
}

static int conn_parse(struct nlmsghdr *nlh, struct conn *cn)
{
	static struct nla_policy pol[BERTHA_CONN_A_MAX + 1] = {
		[BERTHA_CONN_A_SOCK_TYPE] = { .type = NLA_U32 },
		[BERTHA_CONN_A_STATE] = { .type = NLA_U32 },
		[BERTHA_CONN_A_LOCAL] = { .type = NLA_NESTED },
		[BERTHA_CONN_A_PEER] = { .type = NLA_NESTED },
		[BERTHA_CONN_A_NETNS_INODE] = { .type = NLA_U32 },
		[BERTHA_CONN_A_NETNS_COOKIE] = { .type = NLA_U64 },
		[BERTHA_CONN_A_ID] = { .type = NLA_U32 },
		[BERTHA_CONN_A_PEER_ID] = { .type = NLA_U32 },
		[BERTHA_CONN_A_PATH] = { .type = NLA_U32 },
		[BERTHA_CONN_A_CHUNNEL_STATS] = { .type = NLA_NESTED },
	};
	struct nlattr *tb[BERTHA_CONN_A_MAX + 1], *a;
	int rem;

	memset(cn, 0, sizeof(*cn));
	if (parse_genl(nlh, tb, BERTHA_CONN_A_MAX, pol) < 0 ||
	    !tb[BERTHA_CONN_A_SOCK_TYPE] || !tb[BERTHA_CONN_A_STATE] ||
	    chunnel_stats_check(nlh, BERTHA_CONN_A_CHUNNEL_STATS))
		return -1;
	cn->nlh = nlh;
	cn->sock_type = nla_get_u32(tb[BERTHA_CONN_A_SOCK_TYPE]);
	cn->state = nla_get_u32(tb[BERTHA_CONN_A_STATE]);
	if (tb[BERTHA_CONN_A_NETNS_INODE])
		cn->netns_inode = nla_get_u32(tb[BERTHA_CONN_A_NETNS_INODE]);
	if (tb[BERTHA_CONN_A_NETNS_COOKIE])
		cn->netns_cookie = nla_get_u64(tb[BERTHA_CONN_A_NETNS_COOKIE]);
	if (tb[BERTHA_CONN_A_ID])
		cn->id = nla_get_u32(tb[BERTHA_CONN_A_ID]);
	if (tb[BERTHA_CONN_A_PEER_ID])
		cn->peer_id = nla_get_u32(tb[BERTHA_CONN_A_PEER_ID]);
	if (tb[BERTHA_CONN_A_PATH]) {
		cn->path = nla_get_u32(tb[BERTHA_CONN_A_PATH]);
		cn->has_path = true;
	}
	if (conn_addr_parse(tb[BERTHA_CONN_A_LOCAL], &cn->local) ||
	    conn_addr_parse(tb[BERTHA_CONN_A_PEER], &cn->peer))
		return -1;
	/* The binding nodes repeat at the top level, in DAG order. */
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != BERTHA_CONN_A_BINDING)
			continue;
		if (cn->count == CONN_MAX_NODES ||
		    conn_node_parse(a, &cn->node[cn->count], &cn->info[cn->count]))
			return -1;
		cn->count++;
	}
	return 0;
}

static const char *sock_type_name(uint32_t t)
{
	return t == SOCK_DGRAM ? "dgram" : t == SOCK_SEQPACKET ? "seqpacket" : "?";
}

/* "addr:port", "[addr]:port", or "*" without an address. */
void conn_addr_text(const struct conn_addr *a, char *out, size_t len)
{
	if (!a->present)
		snprintf(out, len, "*");
	else if (a->family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a->text, a->port);
	else
		snprintf(out, len, "%s:%u", a->text, a->port);
}

/* libbertha's words: "type=impl@where |> select[1] |> ..." */
/* The binding as libbertha writes it (bertha_binding_format()); "-" for
 * none (a listener, a socket not connected).
 */
static void conn_binding_text(const struct conn *cn, char *out, size_t len)
{
	struct bertha_binding *b;

	snprintf(out, len, "-");
	if (!cn->count)
		return;
	b = malloc(sizeof(*b) + cn->count * sizeof(b->node[0]));
	if (!b)
		return;
	b->count = cn->count;
	b->path = cn->path;
	memcpy(b->node, cn->node, cn->count * sizeof(b->node[0]));
	bertha_binding_format(b, out, len);
	free(b);
}

void json_addr(bool *first, const char *key, const struct conn_addr *a)
{
	bool f = true;

	if (!a->present)
		return;
	json_key(first, key);
	putchar('{');
	json_kv_str(&f, "family", a->family == AF_INET6 ? "inet6" : "inet");
	json_kv_str(&f, "addr", a->text);
	json_kv_u64(&f, "port", a->port);
	putchar('}');
}

/*
 * What the chunnels report, after the line of the table: with @details, a
 * line per chunnel type of the socket's counters ("\tcounters TYPE:
 * NAME=VALUE ...") and one per binding node that describes itself
 * ("\tinfo TYPE: NAME=VALUE ..."); in JSON, the members "chunnels" (as
 * stats has it) and "info" (an array of {"node", "type", "impl", "attrs"}).
 */
static void conn_print_chunnels(const struct conn *cn, bool *first, bool details)
{
	bool f = true;

	if (!json && !details)
		return;
	chunnel_stats_print(cn->nlh, BERTHA_CONN_A_CHUNNEL_STATS, first, "\t");
	if (json) {
		json_key(first, "info");
		putchar('[');
	}
	for (unsigned int i = 0; i < cn->count; i++) {
		const struct bertha_binding_node *nd = &cn->node[i];
		bool fn = true;

		if (chunnel_info_empty(cn->info[i]))
			continue;
		if (json) {
			if (!f)
				putchar(',');
			f = false;
			putchar('{');
			json_kv_u64(&fn, "node", i);
			json_kv_str(&fn, "type", nd->type);
			json_kv_str(&fn, "impl", nd->impl);
			json_key(&fn, "attrs");
		}
		chunnel_info_print(nd->type, cn->info[i], "\t");
		if (json)
			putchar('}');
	}
	if (json)
		putchar(']');
}

/* One entry: a line of the table (after @prefix), or a JSON object (with
 * "event" if @event is set); then what its chunnels report (@details: in
 * text too).
 */
static void conn_print(const struct conn *cn, const char *prefix, const char *event,
		       bool details)
{
	char local[INET6_ADDRSTRLEN + 32], peer[INET6_ADDRSTRLEN + 32], nb[16];
	char binding[CONN_MAX_NODES * 80];
	bool first = true;

	if (json) {
		putchar('{');
		if (event)
			json_kv_str(&first, "event", event);
		json_kv_str(&first, "type", sock_type_name(cn->sock_type));
		JSON_KV_ENUM(&first, "state", state_names, cn->state);
		json_addr(&first, "local", &cn->local);
		json_addr(&first, "peer", &cn->peer);
		json_kv_u64(&first, "netns-inode", cn->netns_inode);
		json_kv_u64(&first, "netns-cookie", cn->netns_cookie);
		json_kv_u64(&first, "id", cn->id);
		json_kv_u64(&first, "peer-id", cn->peer_id);
		if (cn->has_path)
			json_kv_lib(&first, "path", BERTHA_ENUM_PATH, cn->path);
		json_key(&first, "binding");
		putchar('[');
		for (unsigned int i = 0; i < cn->count; i++) {
			const struct bertha_binding_node *nd = &cn->node[i];
			bool f = true;

			printf(i ? ",{" : "{");
			json_kv_str(&f, "type", nd->type);
			json_kv_str(&f, "impl", nd->impl);
			json_kv_lib(&f, "where", BERTHA_ENUM_WHERE, nd->where);
			json_kv_u64(&f, "priority", nd->priority);
			json_kv_lib(&f, "scope", BERTHA_ENUM_SCOPE, nd->scope);
			json_kv_u64(&f, "choice", nd->choice);
			putchar('}');
		}
		putchar(']');
		conn_print_chunnels(cn, &first, details);
		putchar('}');
		return;
	}
	conn_addr_text(&cn->local, local, sizeof(local));
	conn_addr_text(&cn->peer, peer, sizeof(peer));
	conn_binding_text(cn, binding, sizeof(binding));
	printf("%s%-9s %-11s %-22s %-22s %-10" PRIu32 " %-5" PRIu32 " %-6" PRIu32 " %-7s %s\n",
	       prefix, sock_type_name(cn->sock_type), ENUM_NAME(state_names, cn->state, nb),
	       local, peer, cn->netns_inode, cn->id, cn->peer_id,
	       cn->has_path ? LIB_NAME(BERTHA_ENUM_PATH, cn->path, nb) : "-", binding);
	conn_print_chunnels(cn, &first, details);
}

/* Parse and print one entry; -1 if malformed (nothing printed). */
int conn_show(struct nlmsghdr *nlh, const char *prefix, const char *event, bool details)
{
	static struct conn cn;

	if (conn_parse(nlh, &cn) < 0)
		return -1;
	conn_print(&cn, prefix, event, details);
	return 0;
}

static int conn_one(struct nlmsghdr *nlh, struct list_state *st)
{
	list_next(st);	/* a malformed entry fails the whole command */
	return conn_show(nlh, "", NULL, true);
}

int cmd_conn(struct ctl *c, int argc, char **argv)
{
	char header[160];

	if (argc && strcmp(argv[0], "show") && strcmp(argv[0], "list"))
		return usage_error("conn: unknown command '%s' (show)", argv[0]);
	if (argc > 1)
		return usage_error("conn show: unexpected argument '%s'", argv[1]);
	snprintf(header, sizeof(header), "%-9s %-11s %-22s %-22s %-10s %-5s %-6s %-7s %s\n",
		 "Type", "State", "Local", "Peer", "Netns", "Id", "PeerId", "Path", "Binding");
	return dump_list(c, BERTHA_CMD_CONN_GET, "conn show", conn_one, header);
}
