// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: the operator's tool for bertha.ko's generic netlink family
 * "bertha" (Documentation/netlink/specs/bertha.yaml): the discovery registry
 * of chunnel implementations, the negotiation policy, the counters and the
 * connections of the caller's network namespace. See Documentation/berthactl.8.
 *
 * Exit status: 0 on success, 1 when the kernel refused a request (its
 * extack message and the errno are printed) or bertha.ko is not loaded,
 * 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/bertha.h>

#include "shard_offload.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK	11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK	10
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED	0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS	0x200
#endif

#define EXIT_USAGE	2
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static bool json;

/* ---- messages ---------------------------------------------------------- */

static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("berthactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("berthactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'berthactl help'.\n", stderr);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fputs(
"Usage: berthactl [-j] COMMAND\n"
"\n"
"Commands (the caller's network namespace):\n"
"  info                              family number, genl version, host id\n"
"  impl list                         the chunnel implementations registered\n"
"  impl add TYPE NAME [OPTIONS] --hold\n"
"                                    register one and hold it until SIGINT or\n"
"                                    SIGTERM (a registration lasts as long as\n"
"                                    the process that made it)\n"
"      OPTIONS: prio N  scope any|application|host|network  endpoints one|both\n"
"               capacity N  dev IFNAME  config HEX\n"
"  impl del TYPE NAME                withdraw one\n"
"  impl disable|enable TYPE NAME     keep negotiation in this namespace from\n"
"                                    using one (kernel modules' too), or undo it\n"
"  policy show                       negotiation policy and local fast path\n"
"  policy set [prefer-client|prefer-server|prefer-priority] [local on|off]\n"
"             [setup-timeout MS]    MS: how long a helper may take to set up\n"
"  local on|off                      shorthand for policy set local on|off\n"
"  stats                             negotiation counters\n"
"  conn show                         the AF_BERTHA sockets and connections, like\n"
"                                    ss: type, state, addresses, netns, ids, path\n"
"                                    and binding (TYPE=IMPL@WHERE |> ...)\n"
"  monitor                           print registry and connection events until\n"
"                                    SIGINT/SIGTERM\n"
"  daemon -c FILE [--answer ok|error|never]\n"
"                                    the discovery helper: register the\n"
"                                    implementations of FILE (lines \"impl TYPE\n"
"                                    NAME [OPTIONS]\"), answer the kernel's setup\n"
"                                    requests for them (ok by default; error and\n"
"                                    never make connections fall back, for\n"
"                                    testing), print setup and teardown requests,\n"
"                                    until SIGINT/SIGTERM\n"
"  offload add shard xdp dev IFACE [dev IFACE]... [prio N]\n"
"                    [mode auto|native|generic]\n"
"                                    load and attach the shard XDP program,\n"
"                                    register shard/xdp (prio 30) and steer the\n"
"                                    listeners the kernel asks it to set up,\n"
"                                    until SIGINT/SIGTERM (also a daemon config\n"
"                                    line: offload shard xdp dev IFACE ...)\n"
"  help                              this text\n"
"\n"
"  -j, --json                        JSON output\n"
"\n"
"Changes need CAP_NET_ADMIN. Exit status: 0 ok, 1 refused by the kernel or\n"
"bertha.ko not loaded, 2 usage error. See berthactl(8).\n", f);
}

/* ---- JSON output ------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/* "key": for the members after the first of an object. */
static void json_key(bool *first, const char *key)
{
	if (!*first)
		putchar(',');
	*first = false;
	json_str(key);
	putchar(':');
}

static void json_kv_str(bool *first, const char *key, const char *val)
{
	json_key(first, key);
	json_str(val);
}

static void json_kv_u64(bool *first, const char *key, uint64_t val)
{
	json_key(first, key);
	printf("%" PRIu64, val);
}

/* ---- enum names -------------------------------------------------------- */

static const char *const scope_names[] = {
	[BERTHA_SCOPE_ANY] = "any",
	[BERTHA_SCOPE_APPLICATION] = "application",
	[BERTHA_SCOPE_HOST] = "host",
	[BERTHA_SCOPE_NETWORK] = "network",
};

static const char *const endpoints_names[] = {
	[BERTHA_ENDPOINTS_ONE] = "one",
	[BERTHA_ENDPOINTS_BOTH] = "both",
};

static const char *const origin_names[] = {
	[BERTHA_ORIGIN_KERNEL] = "kernel",
	[BERTHA_ORIGIN_USERSPACE] = "userspace",
};

static const char *const policy_names[] = {
	[BERTHA_POLICY_PREFER_CLIENT] = "prefer-client",
	[BERTHA_POLICY_PREFER_SERVER] = "prefer-server",
	[BERTHA_POLICY_PREFER_PRIORITY] = "prefer-priority",
};

static int lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], word))
			return (int)i;
	return -1;
}

#define LOOKUP(names, word) lookup(names, ARRAY_SIZE(names), word)

/* The name of enum value @v, or its number (in @buf) if unknown. */
static const char *enum_name(const char *const *names, size_t n, uint32_t v,
			     char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

#define ENUM_NAME(names, v, buf) enum_name(names, ARRAY_SIZE(names), v, buf, sizeof(buf))

/* An enum member of a JSON object: its name, or its number if unknown. */
static void json_kv_enum(bool *first, const char *key, const char *const *names,
			 size_t n, uint32_t v)
{
	if (v < n && names[v])
		json_kv_str(first, key, names[v]);
	else
		json_kv_u64(first, key, v);
}

#define JSON_KV_ENUM(first, key, names, v) \
	json_kv_enum(first, key, names, ARRAY_SIZE(names), v)

/* ---- words ------------------------------------------------------------- */

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* HEX ("0a1b..", optional 0x) into @buf; its length, or -1. */
static int parse_hex(const char *s, unsigned char *buf, size_t max)
{
	size_t n, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)i;
}

/* ---- netlink ----------------------------------------------------------- */

struct ctl {
	struct nl_sock *sk;
	int family;
};

/* What one request collected: done, the kernel's errno and message. */
struct req {
	bool done;
	int error;		/* positive errno from the kernel, or 0 */
	char extack[512];
	int (*handler)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int handler_err;
};

/* The string NLMSGERR_ATTR_MSG of the ack TLVs after @err in @nlh, if any. */
static void ack_extack(struct nlmsghdr *nlh, struct nlmsgerr *err, char *out,
		       size_t outlen)
{
	size_t off = sizeof(*err);
	struct nlattr *tlvs, *a;
	int len, rem;

	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len > NLMSG_HDRLEN ?
		       NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN) : 0;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	tlvs = (struct nlattr *)((char *)err + off);
	nla_for_each_attr(a, tlvs, len, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			const char *s = nla_data(a);
			size_t n = strnlen(s, (size_t)nla_len(a));

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, s, n);
			out[n] = '\0';
			/* The kernel's messages have no trailing newline, but be sure. */
			while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
				out[--n] = '\0';
			return;
		}
	}
}

static int cb_err(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct req *r = arg;

	(void)nla;
	r->error = err->error < 0 ? -err->error : err->error;
	ack_extack(nlh, err, r->extack, sizeof(r->extack));
	r->done = true;
	return NL_STOP;
}

static int cb_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	char warn[512];

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		ack_extack(nlh, nlmsg_data(nlh), warn, sizeof(warn));
		if (warn[0])
			errmsg("warning: %s", warn);
	}
	r->done = true;
	return NL_STOP;
}

static int cb_finish(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	if (r->handler && r->handler(nlmsg_hdr(msg), r->arg) < 0)
		r->handler_err = 1;
	return NL_OK;
}

/* An event (sequence number 0, from the kernel) on a socket that joined
 * the group (the daemon's) is not a reply: skip it before the sequence
 * check would fail the request.
 */
static int cb_skip_events(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	(void)arg;
	return !nlh->nlmsg_seq && !nlh->nlmsg_pid ? NL_SKIP : NL_OK;
}

static struct nl_sock *ctl_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, fd;

	if (!sk) {
		errmsg("out of memory");
		return NULL;
	}
	if (genl_connect(sk) < 0) {
		errmsg("cannot open a generic netlink socket: %s", strerror(errno));
		nl_socket_free(sk);
		return NULL;
	}
	fd = nl_socket_get_fd(sk);
	/* Error messages from the kernel, without the echoed request. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

/* Open a socket and find the family; 0, or the exit status. */
static int ctl_open(struct ctl *c)
{
	c->sk = ctl_socket();
	if (!c->sk)
		return 1;
	c->family = genl_ctrl_resolve(c->sk, BERTHA_GENL_NAME);
	if (c->family < 0) {
		if (c->family == -NLE_OBJ_NOTFOUND)
			errmsg("bertha.ko is not loaded (no generic netlink family '%s')",
			       BERTHA_GENL_NAME);
		else
			errmsg("cannot resolve the generic netlink family '%s': %s",
			       BERTHA_GENL_NAME, nl_geterror(c->family));
		nl_socket_free(c->sk);
		c->sk = NULL;
		return 1;
	}
	return 0;
}

static void ctl_close(struct ctl *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

/* A request of @cmd; opens the socket on first use (after the words are
 * checked, so that a usage error is one even without bertha.ko).
 */
static struct nl_msg *ctl_msg(struct ctl *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg;

	if (!c->sk && ctl_open(c))
		return NULL;
	msg = nlmsg_alloc();
	if (!msg) {
		errmsg("out of memory");
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, BERTHA_GENL_VERSION)) {
		errmsg("cannot build the request");
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Send @msg (consumed) and receive until its ack, error or dump end, each
 * reply to @handler. 0 on success; else prints "berthactl: WHAT: ..." and
 * returns the positive errno (or -1 for a local failure).
 */
static int ctl_request(struct ctl *c, struct nl_msg *msg, const char *what,
		       int (*handler)(struct nlmsghdr *, void *), void *arg)
{
	struct req r = { .handler = handler, .arg = arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		errmsg("out of memory");
		return -1;
	}
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, cb_skip_events, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_err, &r);

	err = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		errmsg("%s: cannot send the request: %s", what, nl_geterror(err));
		return -1;
	}
	while (!r.done) {
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && !r.error) {
			nl_cb_put(cb);
			errmsg("%s: %s", what, nl_geterror(err));
			return -1;
		}
	}
	nl_cb_put(cb);
	if (r.error) {
		if (r.extack[0])
			errmsg("%s: %s (%s)", what, r.extack, strerror(r.error));
		else
			errmsg("%s: %s", what, strerror(r.error));
		return r.error;
	}
	if (r.handler_err) {
		errmsg("%s: malformed reply from the kernel", what);
		return -1;
	}
	return 0;
}

static int parse_genl(struct nlmsghdr *nlh, struct nlattr **tb, int max,
		      struct nla_policy *pol)
{
	return genlmsg_parse(nlh, 0, tb, max, pol);
}

/* ---- info -------------------------------------------------------------- */

static int info_handler(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy pol[BERTHA_INFO_A_MAX + 1] = {
		[BERTHA_INFO_A_FAMILY] = { .type = NLA_U32 },
		[BERTHA_INFO_A_VERSION] = { .type = NLA_U32 },
		[BERTHA_INFO_A_HOST_ID] = { .type = NLA_U64 },
	};
	struct nlattr *tb[BERTHA_INFO_A_MAX + 1];
	bool first = true;

	(void)arg;
	if (parse_genl(nlh, tb, BERTHA_INFO_A_MAX, pol) < 0)
		return -1;
	if (json) {
		putchar('{');
		if (tb[BERTHA_INFO_A_FAMILY])
			json_kv_u64(&first, "family", nla_get_u32(tb[BERTHA_INFO_A_FAMILY]));
		if (tb[BERTHA_INFO_A_VERSION])
			json_kv_u64(&first, "version", nla_get_u32(tb[BERTHA_INFO_A_VERSION]));
		if (tb[BERTHA_INFO_A_HOST_ID]) {
			char id[32];

			snprintf(id, sizeof(id), "%016" PRIx64,
				 (uint64_t)nla_get_u64(tb[BERTHA_INFO_A_HOST_ID]));
			json_kv_str(&first, "host-id", id);
		}
		puts("}");
		return 0;
	}
	if (tb[BERTHA_INFO_A_FAMILY])
		printf("family %" PRIu32 "\n", nla_get_u32(tb[BERTHA_INFO_A_FAMILY]));
	if (tb[BERTHA_INFO_A_VERSION])
		printf("version %" PRIu32 "\n", nla_get_u32(tb[BERTHA_INFO_A_VERSION]));
	if (tb[BERTHA_INFO_A_HOST_ID])
		printf("host-id %016" PRIx64 "\n",
		       (uint64_t)nla_get_u64(tb[BERTHA_INFO_A_HOST_ID]));
	return 0;
}

static int cmd_info(struct ctl *c, int argc, char **argv)
{
	struct nl_msg *msg;

	(void)argv;
	if (argc)
		return usage_error("info: unexpected argument '%s'", argv[0]);
	msg = ctl_msg(c, BERTHA_CMD_INFO_GET, 0);
	if (!msg)
		return 1;
	return ctl_request(c, msg, "info", info_handler, NULL) ? 1 : 0;
}

/* ---- implementations --------------------------------------------------- */

struct impl {
	char type[64];
	char name[64];
	uint32_t prio, scope, endpoints, capacity, ifindex, origin, users;
	bool has_origin, has_users, setup, disabled;
	unsigned char config[BERTHA_IMPL_CONFIG_MAX];
	int config_len;
};

static void impl_defaults(struct impl *im)
{
	memset(im, 0, sizeof(*im));
	im->scope = BERTHA_SCOPE_ANY;
	im->endpoints = BERTHA_ENDPOINTS_ONE;
}

static int impl_parse(struct nlmsghdr *nlh, struct impl *im)
{
	static struct nla_policy pol[BERTHA_IMPL_A_MAX + 1] = {
		[BERTHA_IMPL_A_TYPE] = { .type = NLA_STRING },
		[BERTHA_IMPL_A_NAME] = { .type = NLA_STRING },
		[BERTHA_IMPL_A_PRIORITY] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_SCOPE] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_ENDPOINTS] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_CAPACITY] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_IFINDEX] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_CONFIG] = { .type = NLA_UNSPEC },
		[BERTHA_IMPL_A_ORIGIN] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_USERS] = { .type = NLA_U32 },
		[BERTHA_IMPL_A_SETUP] = { .type = NLA_FLAG },
		[BERTHA_IMPL_A_DISABLED] = { .type = NLA_U8 },
	};
	struct nlattr *tb[BERTHA_IMPL_A_MAX + 1];

	impl_defaults(im);
	if (parse_genl(nlh, tb, BERTHA_IMPL_A_MAX, pol) < 0)
		return -1;
	if (!tb[BERTHA_IMPL_A_TYPE] || !tb[BERTHA_IMPL_A_NAME])
		return -1;
	snprintf(im->type, sizeof(im->type), "%s", nla_get_string(tb[BERTHA_IMPL_A_TYPE]));
	snprintf(im->name, sizeof(im->name), "%s", nla_get_string(tb[BERTHA_IMPL_A_NAME]));
	if (tb[BERTHA_IMPL_A_PRIORITY])
		im->prio = nla_get_u32(tb[BERTHA_IMPL_A_PRIORITY]);
	if (tb[BERTHA_IMPL_A_SCOPE])
		im->scope = nla_get_u32(tb[BERTHA_IMPL_A_SCOPE]);
	if (tb[BERTHA_IMPL_A_ENDPOINTS])
		im->endpoints = nla_get_u32(tb[BERTHA_IMPL_A_ENDPOINTS]);
	if (tb[BERTHA_IMPL_A_CAPACITY])
		im->capacity = nla_get_u32(tb[BERTHA_IMPL_A_CAPACITY]);
	if (tb[BERTHA_IMPL_A_IFINDEX])
		im->ifindex = nla_get_u32(tb[BERTHA_IMPL_A_IFINDEX]);
	if (tb[BERTHA_IMPL_A_CONFIG]) {
		int n = nla_len(tb[BERTHA_IMPL_A_CONFIG]);

		if (n > (int)sizeof(im->config))
			n = sizeof(im->config);
		memcpy(im->config, nla_data(tb[BERTHA_IMPL_A_CONFIG]), (size_t)n);
		im->config_len = n;
	}
	if (tb[BERTHA_IMPL_A_ORIGIN]) {
		im->origin = nla_get_u32(tb[BERTHA_IMPL_A_ORIGIN]);
		im->has_origin = true;
	}
	im->setup = !!tb[BERTHA_IMPL_A_SETUP];
	im->disabled = tb[BERTHA_IMPL_A_DISABLED] && nla_get_u8(tb[BERTHA_IMPL_A_DISABLED]);
	if (tb[BERTHA_IMPL_A_USERS]) {
		im->users = nla_get_u32(tb[BERTHA_IMPL_A_USERS]);
		im->has_users = true;
	}
	return 0;
}

static void hex_string(const unsigned char *b, int n, char *out)
{
	for (int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/*
 * One implementation: in text, in the words of `impl add` (prefixed by
 * @prefix), then origin and users; in JSON, an object (with "event" if
 * @event is set).
 */
static void impl_print(const struct impl *im, const char *prefix, const char *event)
{
	char hex[2 * BERTHA_IMPL_CONFIG_MAX + 1], dev[IF_NAMESIZE], nb[16];
	bool first = true;
	const char *devname = NULL;

	if (im->ifindex)
		devname = if_indextoname(im->ifindex, dev);
	if (im->config_len)
		hex_string(im->config, im->config_len, hex);

	if (json) {
		putchar('{');
		if (event)
			json_kv_str(&first, "event", event);
		json_kv_str(&first, "type", im->type);
		json_kv_str(&first, "name", im->name);
		json_kv_u64(&first, "priority", im->prio);
		JSON_KV_ENUM(&first, "scope", scope_names, im->scope);
		JSON_KV_ENUM(&first, "endpoints", endpoints_names, im->endpoints);
		json_kv_u64(&first, "capacity", im->capacity);
		json_kv_u64(&first, "ifindex", im->ifindex);
		if (devname)
			json_kv_str(&first, "dev", devname);
		if (im->config_len)
			json_kv_str(&first, "config", hex);
		if (im->has_origin)
			JSON_KV_ENUM(&first, "origin", origin_names, im->origin);
		if (im->has_users)
			json_kv_u64(&first, "users", im->users);
		if (im->setup) {
			json_key(&first, "setup");
			fputs("true", stdout);
		}
		if (im->disabled) {
			json_key(&first, "disabled");
			fputs("true", stdout);
		}
		putchar('}');
		return;
	}
	printf("%s%s %s prio %" PRIu32, prefix, im->type, im->name, im->prio);
	printf(" scope %s", ENUM_NAME(scope_names, im->scope, nb));
	printf(" endpoints %s", ENUM_NAME(endpoints_names, im->endpoints, nb));
	printf(" capacity %" PRIu32, im->capacity);
	if (devname)
		printf(" dev %s", devname);
	else if (im->ifindex)
		printf(" ifindex %" PRIu32, im->ifindex);
	if (im->config_len)
		printf(" config %s", hex);
	if (im->has_origin)
		printf(" origin %s", ENUM_NAME(origin_names, im->origin, nb));
	if (im->has_users)
		printf(" users %" PRIu32, im->users);
	if (im->setup)
		fputs(" setup", stdout);
	if (im->disabled)
		fputs(" disabled", stdout);
	putchar('\n');
}

/* A dump printed as a table, or as a JSON array. */
struct list_state {
	int count;
	int (*one)(struct nlmsghdr *nlh, struct list_state *st);
};

/* Before an entry: the JSON separator. */
static void list_next(struct list_state *st)
{
	if (json && st->count)
		putchar(',');
	st->count++;
}

static int list_handler(struct nlmsghdr *nlh, void *arg)
{
	struct list_state *st = arg;

	return st->one(nlh, st);
}

/* Dump @cmd, each reply to @one; @header (text only) first. */
static int dump_list(struct ctl *c, uint8_t cmd, const char *what,
		     int (*one)(struct nlmsghdr *, struct list_state *),
		     const char *header)
{
	struct list_state st = { .one = one };
	struct nl_msg *msg;
	int err;

	msg = ctl_msg(c, cmd, NLM_F_DUMP);
	if (!msg)
		return 1;
	if (json)
		putchar('[');
	else if (header)
		fputs(header, stdout);
	err = ctl_request(c, msg, what, list_handler, &st);
	if (json)
		puts("]");
	return err ? 1 : 0;
}

static int impl_one(struct nlmsghdr *nlh, struct list_state *st)
{
	static struct impl im;

	if (impl_parse(nlh, &im) < 0)
		return -1;
	list_next(st);
	impl_print(&im, "", NULL);
	return 0;
}

static int cmd_impl_list(struct ctl *c, int argc, char **argv)
{
	if (argc)
		return usage_error("impl list: unexpected argument '%s'", argv[0]);
	return dump_list(c, BERTHA_CMD_IMPL_GET, "impl list", impl_one, NULL);
}

/*
 * The options after TYPE NAME, into @im. @hold (may be NULL) is set by
 * --hold. 0, or an error text in @why.
 */
static int impl_options(struct impl *im, int argc, char **argv, bool *hold,
			char *why, size_t len)
{
	for (int i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int n;

		if (hold && !strcmp(k, "--hold")) {
			*hold = true;
			continue;
		}
		if (strcmp(k, "prio") && strcmp(k, "priority") && strcmp(k, "scope") &&
		    strcmp(k, "endpoints") && strcmp(k, "capacity") && strcmp(k, "dev") &&
		    strcmp(k, "config")) {
			snprintf(why, len, "unknown option '%s'", k);
			return -1;
		}
		if (!v) {
			snprintf(why, len, "'%s' needs a value", k);
			return -1;
		}
		i++;
		if (!strcmp(k, "prio") || !strcmp(k, "priority")) {
			if (!parse_u32(v, &im->prio))
				goto bad;
		} else if (!strcmp(k, "capacity")) {
			if (!parse_u32(v, &im->capacity))
				goto bad;
		} else if (!strcmp(k, "scope")) {
			n = LOOKUP(scope_names, v);
			if (n < 0) {
				snprintf(why, len,
					 "bad scope '%s' (any, application, host or network)", v);
				return -1;
			}
			im->scope = (uint32_t)n;
		} else if (!strcmp(k, "endpoints")) {
			n = LOOKUP(endpoints_names, v);
			if (n < 0) {
				snprintf(why, len, "bad endpoints '%s' (one or both)", v);
				return -1;
			}
			im->endpoints = (uint32_t)n;
		} else if (!strcmp(k, "dev")) {
			im->ifindex = if_nametoindex(v);
			if (!im->ifindex) {
				snprintf(why, len, "cannot find device '%s'", v);
				return -1;
			}
		} else {
			n = parse_hex(v, im->config, sizeof(im->config));
			if (n < 0) {
				snprintf(why, len,
					 "bad config '%s' (an even number of hex digits, at most %d bytes)",
					 v, BERTHA_IMPL_CONFIG_MAX);
				return -1;
			}
			im->config_len = n;
		}
		continue;
bad:
		snprintf(why, len, "bad %s '%s' (a number from 0 to %" PRIu32 ")",
			 k, v, UINT32_MAX);
		return -1;
	}
	return 0;
}

/* Register @im on @c's socket; 0, or 1 (the error is printed). */
static int impl_register(struct ctl *c, const struct impl *im, const char *what)
{
	struct nl_msg *msg = ctl_msg(c, BERTHA_CMD_IMPL_ADD, 0);

	if (!msg)
		return 1;
	if (nla_put_string(msg, BERTHA_IMPL_A_TYPE, im->type) < 0 ||
	    nla_put_string(msg, BERTHA_IMPL_A_NAME, im->name) < 0 ||
	    nla_put_u32(msg, BERTHA_IMPL_A_PRIORITY, im->prio) < 0 ||
	    nla_put_u32(msg, BERTHA_IMPL_A_SCOPE, im->scope) < 0 ||
	    nla_put_u32(msg, BERTHA_IMPL_A_ENDPOINTS, im->endpoints) < 0 ||
	    nla_put_u32(msg, BERTHA_IMPL_A_CAPACITY, im->capacity) < 0 ||
	    (im->ifindex && nla_put_u32(msg, BERTHA_IMPL_A_IFINDEX, im->ifindex) < 0) ||
	    (im->setup && nla_put_flag(msg, BERTHA_IMPL_A_SETUP) < 0) ||
	    (im->config_len &&
	     nla_put(msg, BERTHA_IMPL_A_CONFIG, im->config_len, im->config) < 0)) {
		nlmsg_free(msg);
		errmsg("%s: request too large", what);
		return 1;
	}
	return ctl_request(c, msg, what, NULL, NULL) ? 1 : 0;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* SIGINT and SIGTERM set stop_signal; they stay blocked but in waits. */
static void stop_signals(sigset_t *old)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	sigdelset(old, SIGINT);
	sigdelset(old, SIGTERM);
}

/* Sleep until SIGINT or SIGTERM; the registrations of the socket stay. */
static void hold_until_signal(const sigset_t *waitmask)
{
	while (!stop_signal)
		sigsuspend(waitmask);
}

static int cmd_impl_add(struct ctl *c, int argc, char **argv)
{
	static struct impl im;
	char why[256], what[160];
	bool hold = false;
	sigset_t waitmask;
	int err;

	if (argc < 2)
		return usage_error("impl add: TYPE and NAME are required");
	impl_defaults(&im);
	if (strlen(argv[0]) >= sizeof(im.type) || strlen(argv[1]) >= sizeof(im.name))
		return usage_error("impl add: TYPE or NAME too long");
	strcpy(im.type, argv[0]);
	strcpy(im.name, argv[1]);
	if (impl_options(&im, argc - 2, argv + 2, &hold, why, sizeof(why)))
		return usage_error("impl add: %s", why);
	if (!hold) {
		fputs("berthactl: impl add: a registration lasts as long as the process that made it,\n"
		      "so berthactl would withdraw it again at once when it exits.\n"
		      "Add --hold to keep it registered until berthactl gets SIGINT or SIGTERM,\n"
		      "or list it in a config file for `berthactl daemon -c FILE`.\n", stderr);
		return EXIT_USAGE;
	}
	/* Block the signals before registering: no window to lose one. */
	stop_signals(&waitmask);
	snprintf(what, sizeof(what), "impl add %.63s %.63s", im.type, im.name);
	err = impl_register(c, &im, what);
	if (err)
		return err;
	printf("registered %s %s; holding it until SIGINT or SIGTERM\n", im.type, im.name);
	fflush(stdout);
	hold_until_signal(&waitmask);
	return 0;
}

/* impl del, or impl disable|enable (@disable 1 or 0) TYPE NAME */
static int impl_change(struct ctl *c, int argc, char **argv, const char *verb, int disable)
{
	struct nl_msg *msg;
	char what[160];

	if (argc != 2)
		return usage_error("impl %s: needs exactly TYPE NAME", verb);
	msg = ctl_msg(c, disable < 0 ? BERTHA_CMD_IMPL_DEL : BERTHA_CMD_IMPL_SET, 0);
	if (!msg)
		return 1;
	if (nla_put_string(msg, BERTHA_IMPL_A_TYPE, argv[0]) < 0 ||
	    nla_put_string(msg, BERTHA_IMPL_A_NAME, argv[1]) < 0 ||
	    (disable >= 0 && nla_put_u8(msg, BERTHA_IMPL_A_DISABLED, (uint8_t)disable) < 0)) {
		nlmsg_free(msg);
		return usage_error("impl %s: TYPE or NAME too long", verb);
	}
	snprintf(what, sizeof(what), "impl %s %.60s %.60s", verb, argv[0], argv[1]);
	return ctl_request(c, msg, what, NULL, NULL) ? 1 : 0;
}

static int cmd_impl(struct ctl *c, int argc, char **argv)
{
	if (!argc || !strcmp(argv[0], "list") || !strcmp(argv[0], "show"))
		return cmd_impl_list(c, argc ? argc - 1 : 0, argv + 1);
	if (!strcmp(argv[0], "add"))
		return cmd_impl_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return impl_change(c, argc - 1, argv + 1, "del", -1);
	if (!strcmp(argv[0], "disable"))
		return impl_change(c, argc - 1, argv + 1, "disable", 1);
	if (!strcmp(argv[0], "enable"))
		return impl_change(c, argc - 1, argv + 1, "enable", 0);
	return usage_error("impl: unknown command '%s' (list, add, del, disable or enable)",
			   argv[0]);
}

/* ---- policy ------------------------------------------------------------ */

static int policy_handler(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy pol[BERTHA_POLICY_A_MAX + 1] = {
		[BERTHA_POLICY_A_POLICY] = { .type = NLA_U32 },
		[BERTHA_POLICY_A_LOCAL] = { .type = NLA_U8 },
		[BERTHA_POLICY_A_SETUP_TIMEOUT] = { .type = NLA_U32 },
	};
	struct nlattr *tb[BERTHA_POLICY_A_MAX + 1];
	bool first = true;
	char nb[16];

	(void)arg;
	if (parse_genl(nlh, tb, BERTHA_POLICY_A_MAX, pol) < 0)
		return -1;
	if (json) {
		putchar('{');
		if (tb[BERTHA_POLICY_A_POLICY])
			JSON_KV_ENUM(&first, "policy", policy_names,
				     nla_get_u32(tb[BERTHA_POLICY_A_POLICY]));
		if (tb[BERTHA_POLICY_A_LOCAL]) {
			json_key(&first, "local");
			fputs(nla_get_u8(tb[BERTHA_POLICY_A_LOCAL]) ? "true" : "false", stdout);
		}
		if (tb[BERTHA_POLICY_A_SETUP_TIMEOUT])
			json_kv_u64(&first, "setup-timeout-ms",
				    nla_get_u32(tb[BERTHA_POLICY_A_SETUP_TIMEOUT]));
		puts("}");
		return 0;
	}
	if (tb[BERTHA_POLICY_A_POLICY])
		printf("policy %s\n", ENUM_NAME(policy_names,
						nla_get_u32(tb[BERTHA_POLICY_A_POLICY]), nb));
	if (tb[BERTHA_POLICY_A_LOCAL])
		printf("local %s\n", nla_get_u8(tb[BERTHA_POLICY_A_LOCAL]) ? "on" : "off");
	if (tb[BERTHA_POLICY_A_SETUP_TIMEOUT])
		printf("setup-timeout %" PRIu32 "ms\n",
		       nla_get_u32(tb[BERTHA_POLICY_A_SETUP_TIMEOUT]));
	return 0;
}

static int policy_show(struct ctl *c)
{
	struct nl_msg *msg = ctl_msg(c, BERTHA_CMD_POLICY_GET, 0);

	if (!msg)
		return 1;
	return ctl_request(c, msg, "policy show", policy_handler, NULL) ? 1 : 0;
}

static int policy_set(struct ctl *c, int argc, char **argv, const char *what)
{
	int policy = -1, local = -1;
	long timeout = -1;
	struct nl_msg *msg;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "local")) {
			if (i + 1 >= argc)
				return usage_error("%s: 'local' needs on or off", what);
			i++;
			if (!strcmp(argv[i], "on"))
				local = 1;
			else if (!strcmp(argv[i], "off"))
				local = 0;
			else
				return usage_error("%s: local '%s': on or off", what, argv[i]);
		} else if (!strcmp(argv[i], "setup-timeout")) {
			char *end;

			if (i + 1 >= argc)
				return usage_error("%s: 'setup-timeout' needs milliseconds", what);
			errno = 0;
			timeout = strtol(argv[++i], &end, 10);
			if (errno || *end || timeout < 1 || timeout > 60000)
				return usage_error("%s: setup-timeout '%s': 1 to 60000 (ms)",
						   what, argv[i]);
		} else if (!strcmp(argv[i], "policy") && i + 1 < argc &&
			   LOOKUP(policy_names, argv[i + 1]) >= 0) {
			continue;	/* "policy set policy prefer-server" */
		} else if (LOOKUP(policy_names, argv[i]) >= 0) {
			policy = LOOKUP(policy_names, argv[i]);
		} else {
			return usage_error("%s: unknown word '%s' (prefer-client, prefer-server, prefer-priority, local on|off or setup-timeout MS)",
					   what, argv[i]);
		}
	}
	if (policy < 0 && local < 0 && timeout < 0)
		return usage_error("%s: nothing to set", what);
	msg = ctl_msg(c, BERTHA_CMD_POLICY_SET, 0);
	if (!msg)
		return 1;
	if ((policy >= 0 && nla_put_u32(msg, BERTHA_POLICY_A_POLICY, (uint32_t)policy) < 0) ||
	    (local >= 0 && nla_put_u8(msg, BERTHA_POLICY_A_LOCAL, (uint8_t)local) < 0) ||
	    (timeout > 0 &&
	     nla_put_u32(msg, BERTHA_POLICY_A_SETUP_TIMEOUT, (uint32_t)timeout) < 0)) {
		nlmsg_free(msg);
		errmsg("%s: cannot build the request", what);
		return 1;
	}
	return ctl_request(c, msg, what, NULL, NULL) ? 1 : 0;
}

static int cmd_policy(struct ctl *c, int argc, char **argv)
{
	if (!argc || !strcmp(argv[0], "show") || !strcmp(argv[0], "get")) {
		if (argc > 1)
			return usage_error("policy show: unexpected argument '%s'", argv[1]);
		return policy_show(c);
	}
	if (!strcmp(argv[0], "set"))
		return policy_set(c, argc - 1, argv + 1, "policy set");
	return usage_error("policy: unknown command '%s' (show or set)", argv[0]);
}

static int cmd_local(struct ctl *c, int argc, char **argv)
{
	char *args[2] = { "local", NULL };

	if (argc != 1 || (strcmp(argv[0], "on") && strcmp(argv[0], "off")))
		return usage_error("local: on or off");
	args[1] = argv[0];
	return policy_set(c, 2, args, "local");
}

/* ---- stats ------------------------------------------------------------- */

static const char *const stats_names[] = {
	[BERTHA_STATS_A_HELLO_SENT] = "hello-sent",
	[BERTHA_STATS_A_HELLO_RECEIVED] = "hello-received",
	[BERTHA_STATS_A_ACCEPTED] = "accepted",
	[BERTHA_STATS_A_REJECTED] = "rejected",
	[BERTHA_STATS_A_REJECTED_NOT_LISTENING] = "rejected-not-listening",
	[BERTHA_STATS_A_REJECTED_MALFORMED] = "rejected-malformed",
	[BERTHA_STATS_A_REJECTED_DAG_MISMATCH] = "rejected-dag-mismatch",
	[BERTHA_STATS_A_REJECTED_NO_IMPLEMENTATION] = "rejected-no-implementation",
	[BERTHA_STATS_A_FALLBACKS] = "fallbacks",
	[BERTHA_STATS_A_LOCAL_PATH] = "local-path",
	[BERTHA_STATS_A_REL_RETRANSMITS] = "rel-retransmits",
	[BERTHA_STATS_A_REL_DUPLICATES] = "rel-duplicates",
	[BERTHA_STATS_A_REL_OUT_OF_ORDER] = "rel-out-of-order",
	[BERTHA_STATS_A_REL_TIMEOUTS] = "rel-timeouts",
	[BERTHA_STATS_A_SETUP_REQUESTS] = "setup-requests",
	[BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT] = "fallback-setup-timeout",
	[BERTHA_STATS_A_FALLBACK_SETUP_FAILED] = "fallback-setup-failed",
	[BERTHA_STATS_A_SHARD_FORWARDED] = "shard-forwarded",
	[BERTHA_STATS_A_SHARD_PUSHED] = "shard-pushed",
	[BERTHA_STATS_A_SHARD_DROPPED] = "shard-dropped",
};

static int stats_handler(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[BERTHA_STATS_A_MAX + 1];
	struct nla_policy pol[BERTHA_STATS_A_MAX + 1];
	bool first = true;

	(void)arg;
	memset(pol, 0, sizeof(pol));
	for (size_t i = 0; i < ARRAY_SIZE(stats_names); i++)
		if (stats_names[i])
			pol[i].type = NLA_U64;
	if (parse_genl(nlh, tb, BERTHA_STATS_A_MAX, pol) < 0)
		return -1;
	if (json)
		putchar('{');
	for (size_t i = 0; i < ARRAY_SIZE(stats_names); i++) {
		uint64_t v;

		if (!stats_names[i] || !tb[i])
			continue;
		v = nla_get_u64(tb[i]);
		if (json)
			json_kv_u64(&first, stats_names[i], v);
		else
			printf("%s %" PRIu64 "\n", stats_names[i], v);
	}
	if (json)
		puts("}");
	return 0;
}

static int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc)
		return usage_error("stats: unexpected argument '%s'", argv[0]);
	msg = ctl_msg(c, BERTHA_CMD_STATS_GET, 0);
	if (!msg)
		return 1;
	return ctl_request(c, msg, "stats", stats_handler, NULL) ? 1 : 0;
}

/* ---- connections ------------------------------------------------------- */

static const char *const state_names[] = {
	[BERTHA_CONN_STATE_CLOSE] = "close",
	[BERTHA_CONN_STATE_SYN_SENT] = "syn-sent",
	[BERTHA_CONN_STATE_ESTABLISHED] = "established",
	[BERTHA_CONN_STATE_LISTEN] = "listen",
};

static const char *const where_names[] = {
	[BERTHA_WHERE_NONE] = "none",
	[BERTHA_WHERE_LOCAL] = "local",
	[BERTHA_WHERE_PEER] = "peer",
	[BERTHA_WHERE_BOTH] = "both",
};

static const char *const path_names[] = {
	[BERTHA_PATH_NETWORK] = "network",
	[BERTHA_PATH_LOCAL] = "local",
};

#define CONN_MAX_NODES	64

struct conn_addr {
	bool present;
	char text[INET6_ADDRSTRLEN + 16];	/* address, %scope */
	uint32_t family;
	uint16_t port;
	unsigned char raw[16];			/* in_addr or in6_addr */
};

struct conn {
	uint32_t sock_type, state, netns_inode, id, peer_id, path;
	uint64_t netns_cookie;
	bool has_path;
	struct conn_addr local, peer;
	unsigned int count;
	struct bertha_binding_node node[CONN_MAX_NODES];
};

static int conn_addr_parse(struct nlattr *nest, struct conn_addr *a)
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

static int conn_node_parse(struct nlattr *nest, struct bertha_binding_node *nd)
{
	static struct nla_policy pol[BERTHA_BINDING_NODE_A_MAX + 1] = {
		[BERTHA_BINDING_NODE_A_TYPE] = { .type = NLA_STRING },
		[BERTHA_BINDING_NODE_A_IMPL] = { .type = NLA_STRING },
		[BERTHA_BINDING_NODE_A_WHERE] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_PRIORITY] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_SCOPE] = { .type = NLA_U32 },
		[BERTHA_BINDING_NODE_A_CHOICE] = { .type = NLA_U32 },
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
	};
	struct nlattr *tb[BERTHA_CONN_A_MAX + 1], *a;
	int rem;

	memset(cn, 0, sizeof(*cn));
	if (parse_genl(nlh, tb, BERTHA_CONN_A_MAX, pol) < 0 ||
	    !tb[BERTHA_CONN_A_SOCK_TYPE] || !tb[BERTHA_CONN_A_STATE])
		return -1;
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
		    conn_node_parse(a, &cn->node[cn->count]))
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
static void conn_addr_text(const struct conn_addr *a, char *out, size_t len)
{
	if (!a->present)
		snprintf(out, len, "*");
	else if (a->family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a->text, a->port);
	else
		snprintf(out, len, "%s:%u", a->text, a->port);
}

/* libbertha's words: "type=impl@where |> select[1] |> ..." */
static void conn_binding_text(const struct conn *cn, char *out, size_t len)
{
	size_t at = 0;
	char nb[16];

	out[0] = '\0';
	if (!cn->count) {
		snprintf(out, len, "-");
		return;
	}
	for (unsigned int i = 0; i < cn->count && at < len; i++) {
		const struct bertha_binding_node *nd = &cn->node[i];
		const char *sep = i ? " |> " : "";
		int n;

		if (!strcmp(nd->type, "select"))
			n = snprintf(out + at, len - at, "%sselect[%" PRIu32 "]", sep,
				     nd->choice);
		else
			n = snprintf(out + at, len - at, "%s%s=%s@%s", sep, nd->type,
				     nd->impl, ENUM_NAME(where_names, nd->where, nb));
		if (n < 0)
			return;
		at += (size_t)n;
	}
}

static void json_addr(bool *first, const char *key, const struct conn_addr *a)
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

/* One entry: a line of the table (after @prefix), or a JSON object (with
 * "event" if @event is set).
 */
static void conn_print(const struct conn *cn, const char *prefix, const char *event)
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
			JSON_KV_ENUM(&first, "path", path_names, cn->path);
		json_key(&first, "binding");
		putchar('[');
		for (unsigned int i = 0; i < cn->count; i++) {
			const struct bertha_binding_node *nd = &cn->node[i];
			bool f = true;

			printf(i ? ",{" : "{");
			json_kv_str(&f, "type", nd->type);
			json_kv_str(&f, "impl", nd->impl);
			JSON_KV_ENUM(&f, "where", where_names, nd->where);
			json_kv_u64(&f, "priority", nd->priority);
			JSON_KV_ENUM(&f, "scope", scope_names, nd->scope);
			json_kv_u64(&f, "choice", nd->choice);
			putchar('}');
		}
		printf("]}");
		return;
	}
	conn_addr_text(&cn->local, local, sizeof(local));
	conn_addr_text(&cn->peer, peer, sizeof(peer));
	conn_binding_text(cn, binding, sizeof(binding));
	printf("%s%-9s %-11s %-22s %-22s %-10" PRIu32 " %-5" PRIu32 " %-6" PRIu32 " %-7s %s\n",
	       prefix, sock_type_name(cn->sock_type), ENUM_NAME(state_names, cn->state, nb),
	       local, peer, cn->netns_inode, cn->id, cn->peer_id,
	       cn->has_path ? ENUM_NAME(path_names, cn->path, nb) : "-", binding);
}

/* Parse and print one entry; -1 if malformed (nothing printed). */
static int conn_show(struct nlmsghdr *nlh, const char *prefix, const char *event)
{
	static struct conn cn;

	if (conn_parse(nlh, &cn) < 0)
		return -1;
	conn_print(&cn, prefix, event);
	return 0;
}

static int conn_one(struct nlmsghdr *nlh, struct list_state *st)
{
	list_next(st);	/* a malformed entry fails the whole command */
	return conn_show(nlh, "", NULL);
}

static int cmd_conn(struct ctl *c, int argc, char **argv)
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

/* ---- setup requests ---------------------------------------------------- */

#define SETUP_DAG_MAX	8192

struct setup_req {
	uint32_t id, owner, ifindex;
	char type[BERTHA_NAME_MAX], impl[BERTHA_NAME_MAX];
	struct conn_addr local, peer;
	unsigned char dag[SETUP_DAG_MAX];
	size_t dag_len;
};

static int setup_parse(struct nlmsghdr *nlh, struct setup_req *r)
{
	static struct nla_policy pol[BERTHA_SETUP_A_MAX + 1] = {
		[BERTHA_SETUP_A_ID] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_OWNER] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_TYPE] = { .type = NLA_STRING },
		[BERTHA_SETUP_A_IMPL] = { .type = NLA_STRING },
		[BERTHA_SETUP_A_IFINDEX] = { .type = NLA_U32 },
		[BERTHA_SETUP_A_LOCAL] = { .type = NLA_NESTED },
		[BERTHA_SETUP_A_PEER] = { .type = NLA_NESTED },
		[BERTHA_SETUP_A_DAG] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[BERTHA_SETUP_A_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (parse_genl(nlh, tb, BERTHA_SETUP_A_MAX, pol) < 0 || !tb[BERTHA_SETUP_A_ID] ||
	    !tb[BERTHA_SETUP_A_OWNER] || !tb[BERTHA_SETUP_A_TYPE] || !tb[BERTHA_SETUP_A_IMPL])
		return -1;
	r->id = nla_get_u32(tb[BERTHA_SETUP_A_ID]);
	r->owner = nla_get_u32(tb[BERTHA_SETUP_A_OWNER]);
	nla_strlcpy(r->type, tb[BERTHA_SETUP_A_TYPE], sizeof(r->type));
	nla_strlcpy(r->impl, tb[BERTHA_SETUP_A_IMPL], sizeof(r->impl));
	if (tb[BERTHA_SETUP_A_IFINDEX])
		r->ifindex = nla_get_u32(tb[BERTHA_SETUP_A_IFINDEX]);
	if (tb[BERTHA_SETUP_A_DAG]) {
		if ((size_t)nla_len(tb[BERTHA_SETUP_A_DAG]) > sizeof(r->dag))
			return -1;
		r->dag_len = (size_t)nla_len(tb[BERTHA_SETUP_A_DAG]);
		memcpy(r->dag, nla_data(tb[BERTHA_SETUP_A_DAG]), r->dag_len);
	}
	if (conn_addr_parse(tb[BERTHA_SETUP_A_LOCAL], &r->local) ||
	    conn_addr_parse(tb[BERTHA_SETUP_A_PEER], &r->peer))
		return -1;
	return 0;
}

/* "setup-req id 3 owner 1234 shard xdp local A peer B", or JSON. */
static void setup_print(const struct setup_req *r, bool setup)
{
	const char *ev = setup ? "setup-req" : "teardown-req";
	char local[80], peer[80];

	if (json) {
		bool first = true;

		putchar('{');
		json_kv_str(&first, "event", ev);
		json_kv_u64(&first, "id", r->id);
		json_kv_u64(&first, "owner", r->owner);
		json_kv_str(&first, "type", r->type);
		json_kv_str(&first, "impl", r->impl);
		json_kv_u64(&first, "ifindex", r->ifindex);
		json_addr(&first, "local", &r->local);
		json_addr(&first, "peer", &r->peer);
		puts("}");
	} else {
		printf("%s id %" PRIu32 " owner %" PRIu32 " %s %s", ev, r->id, r->owner,
		       r->type, r->impl);
		if (r->local.present && r->peer.present) {
			conn_addr_text(&r->local, local, sizeof(local));
			conn_addr_text(&r->peer, peer, sizeof(peer));
			printf(" local %s peer %s", local, peer);
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* ---- event loop (monitor, daemon) --------------------------------------- */

/* Events carry sequence number 0: no check. */
static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* An error for something the loop sent (the daemon's answers). */
static int events_err(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	const char *what = arg;
	char text[512];

	(void)nla;
	ack_extack(nlh, err, text, sizeof(text));
	errmsg("%s: the kernel refused an answer: %s%s%s%s", what, strerror(-err->error),
	       text[0] ? " (" : "", text, text[0] ? ")" : "");
	return NL_SKIP;
}

/* Join the "events" group on the socket of @c; 0 or the exit status. */
static int events_join(struct ctl *c, const char *what)
{
	int grp, err;

	if (!c->sk && ctl_open(c))
		return 1;
	grp = genl_ctrl_resolve_grp(c->sk, BERTHA_GENL_NAME, BERTHA_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		errmsg("%s: no multicast group '%s' in the family '%s': %s", what,
		       BERTHA_GENL_MCGRP_EVENTS, BERTHA_GENL_NAME, nl_geterror(grp));
		return 1;
	}
	err = nl_socket_add_membership(c->sk, grp);
	if (err < 0) {
		errmsg("%s: cannot join the group '%s': %s", what,
		       BERTHA_GENL_MCGRP_EVENTS, nl_geterror(err));
		return 1;
	}
	/* Do not lose events to a slow reader; the default 32 KiB is small. */
	nl_socket_set_buffer_size(c->sk, 1 << 20, 0);
	return 0;
}

/*
 * Hand every message to @valid until SIGINT/SIGTERM (stop_signals() done,
 * @waitmask from it); @after(@c, @arg) runs after each batch. 0 or 1.
 */
static int events_loop(struct ctl *c, const char *what, nl_recvmsg_msg_cb_t valid,
		       void (*after)(struct ctl *c, void *arg), void *arg,
		       const sigset_t *waitmask)
{
	struct pollfd pfd;
	struct nl_cb *cb;
	int err, rc = 0;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		errmsg("out of memory");
		return 1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_err(cb, NL_CB_CUSTOM, events_err, (void *)what);
	nl_socket_set_nonblocking(c->sk);

	pfd.fd = nl_socket_get_fd(c->sk);
	pfd.events = POLLIN;
	while (!stop_signal) {
		int n = ppoll(&pfd, 1, NULL, waitmask);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			errmsg("%s: poll: %s", what, strerror(errno));
			rc = 1;
			break;
		}
		err = nl_recvmsgs(c->sk, cb);
		if (err < 0 && err != -NLE_AGAIN) {
			if (err == -NLE_NOMEM) {
				/* ENOBUFS: the socket overran; say so and go on. */
				errmsg("%s: events were lost (receive buffer overrun)", what);
				continue;
			}
			errmsg("%s: %s", what, nl_geterror(err));
			rc = 1;
			break;
		}
		if (after)
			after(c, arg);
	}
	nl_cb_put(cb);
	return rc;
}

/* ---- monitor ----------------------------------------------------------- */

static int monitor_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	static struct impl im;
	const char *ev;

	(void)arg;
	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (gh->cmd == BERTHA_CMD_CONN_ESTABLISHED_NTF ||
	    gh->cmd == BERTHA_CMD_CONN_CLOSED_NTF) {
		bool up = gh->cmd == BERTHA_CMD_CONN_ESTABLISHED_NTF;

		if (json ? conn_show(nlh, "", up ? "conn-established" : "conn-closed") :
		    conn_show(nlh, up ? "conn established " : "conn closed ", NULL)) {
			errmsg("monitor: malformed event (command %u)", gh->cmd);
			return NL_SKIP;
		}
		if (json)
			putchar('\n');
		fflush(stdout);
		return NL_OK;
	}
	if (gh->cmd == BERTHA_CMD_SETUP_REQ_NTF ||
	    gh->cmd == BERTHA_CMD_TEARDOWN_REQ_NTF) {
		struct setup_req r;

		if (setup_parse(nlh, &r)) {
			errmsg("monitor: malformed event (command %u)", gh->cmd);
			return NL_SKIP;
		}
		setup_print(&r, gh->cmd == BERTHA_CMD_SETUP_REQ_NTF);
		return NL_OK;
	}
	if (gh->cmd == BERTHA_CMD_IMPL_ADD_NTF)
		ev = "add";
	else if (gh->cmd == BERTHA_CMD_IMPL_DEL_NTF)
		ev = "del";
	else
		return NL_SKIP;
	if (impl_parse(nlh, &im) < 0) {
		errmsg("monitor: malformed event (command %u)", gh->cmd);
		return NL_SKIP;
	}
	if (json) {
		impl_print(&im, "", !strcmp(ev, "add") ? "impl-add" : "impl-del");
		putchar('\n');
	} else {
		impl_print(&im, !strcmp(ev, "add") ? "impl add " : "impl del ", NULL);
	}
	fflush(stdout);
	return NL_OK;
}

static int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	sigset_t waitmask;

	if (argc)
		return usage_error("monitor: unexpected argument '%s'", argv[0]);
	if (events_join(c, "monitor"))
		return 1;
	stop_signals(&waitmask);
	return events_loop(c, "monitor", monitor_valid, NULL, NULL, &waitmask);
}

/* ---- daemon ------------------------------------------------------------ */

#define DAEMON_MAX	256
#define DAEMON_QUEUE	256

enum daemon_answer { ANSWER_OK, ANSWER_ERROR, ANSWER_NEVER };

/* The shard XDP offload the daemon runs (config "offload shard xdp ..."). */
#define OFFLOAD_TYPE	"shard"
#define OFFLOAD_NAME	"xdp"
#define OFFLOAD_PRIO	30

/* The daemon's state: its port id, setup answers to send, the offload. */
struct daemon {
	uint32_t portid;
	enum daemon_answer answer;
	unsigned int nqueue;
	struct {
		uint32_t id;
		uint32_t status;
	} queue[DAEMON_QUEUE];
	struct shard_offload *offload;
};

/* Set up the shard offload for request @r: 0 or a positive errno. */
static uint32_t daemon_offload_setup(struct daemon *d, const struct setup_req *r)
{
	char why[256] = "";
	int err;

	if (!r->local.present || !r->dag_len) {
		errmsg("daemon: setup %" PRIu32 ": no listener address or DAG", r->id);
		return EINVAL;
	}
	err = shard_offload_setup(d->offload, r->id, r->dag, r->dag_len,
				  r->local.family == AF_INET6 ? AF_INET6 : AF_INET,
				  r->local.raw, r->local.port, why, sizeof(why));
	if (err) {
		errmsg("daemon: setup %" PRIu32 ": %s", r->id, why[0] ? why : strerror(-err));
		return (uint32_t)-err;
	}
	return 0;
}

/* Requests for the daemon's registrations: print, and queue the answer. */
static int daemon_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct daemon *d = arg;
	struct setup_req r;
	bool offload;

	if (!genlmsg_valid_hdr(nlh, 0) ||
	    (gh->cmd != BERTHA_CMD_SETUP_REQ_NTF && gh->cmd != BERTHA_CMD_TEARDOWN_REQ_NTF))
		return NL_SKIP;
	if (setup_parse(nlh, &r)) {
		errmsg("daemon: malformed request (command %u)", gh->cmd);
		return NL_SKIP;
	}
	if (r.owner != d->portid)
		return NL_SKIP;
	setup_print(&r, gh->cmd == BERTHA_CMD_SETUP_REQ_NTF);
	offload = d->offload && !strcmp(r.type, OFFLOAD_TYPE) && !strcmp(r.impl, OFFLOAD_NAME);
	if (gh->cmd != BERTHA_CMD_SETUP_REQ_NTF) {
		if (offload)
			shard_offload_teardown(d->offload, r.id);
		return NL_OK;
	}
	if (d->answer == ANSWER_NEVER)
		return NL_OK;
	if (d->nqueue == DAEMON_QUEUE) {
		/* The kernel times the request out and falls back. */
		errmsg("daemon: too many requests at once; not answering id %" PRIu32, r.id);
		return NL_OK;
	}
	d->queue[d->nqueue].id = r.id;
	if (d->answer == ANSWER_ERROR)
		d->queue[d->nqueue].status = EOPNOTSUPP;
	else
		d->queue[d->nqueue].status = offload ? daemon_offload_setup(d, &r) : 0;
	d->nqueue++;
	return NL_OK;
}

/* Answer what daemon_valid() queued; acks and errors come to the loop. */
static void daemon_answer(struct ctl *c, void *arg)
{
	struct daemon *d = arg;
	unsigned int i;

	for (i = 0; i < d->nqueue; i++) {
		struct nl_msg *msg = ctl_msg(c, BERTHA_CMD_SETUP_DONE, 0);
		int err;

		if (!msg)
			break;
		if (nla_put_u32(msg, BERTHA_SETUP_A_ID, d->queue[i].id) < 0 ||
		    nla_put_u32(msg, BERTHA_SETUP_A_STATUS, d->queue[i].status) < 0) {
			errmsg("daemon: cannot build the answer");
			nlmsg_free(msg);
			break;
		}
		err = nl_send_auto(c->sk, msg);
		nlmsg_free(msg);
		if (err < 0)
			errmsg("daemon: cannot answer request %" PRIu32 ": %s", d->queue[i].id,
			       nl_geterror(err));
	}
	d->nqueue = 0;
}

/* The daemon's configuration: implementations, and at most one offload. */
struct daemon_cfg {
	struct impl impls[DAEMON_MAX];
	int n;
	bool offload;
	int ndevs;
	int ifindex[SHARD_XDP_IFACES_MAX];
	char ifname[SHARD_XDP_IFACES_MAX][IF_NAMESIZE];
	enum shard_xdp_mode mode;
	struct impl offload_impl;
};

/*
 * "offload shard xdp dev IFACE [dev IFACE]... [prio N] [mode auto|native|
 * generic]" into @cfg; 0, or an error text in @why. The implementation is
 * registered on the first device.
 */
static int offload_statement(struct daemon_cfg *cfg, int nw, char **words, char *why,
			     size_t whylen)
{
	struct impl *im = &cfg->offload_impl;
	int i;

	if (nw < 2 || strcmp(words[0], OFFLOAD_TYPE) || strcmp(words[1], OFFLOAD_NAME)) {
		snprintf(why, whylen, "offload: only 'shard xdp' exists");
		return -1;
	}
	if (cfg->offload) {
		snprintf(why, whylen, "offload: only one per daemon");
		return -1;
	}
	impl_defaults(im);
	strcpy(im->type, OFFLOAD_TYPE);
	strcpy(im->name, OFFLOAD_NAME);
	im->prio = OFFLOAD_PRIO;
	im->scope = BERTHA_SCOPE_HOST;
	im->setup = true;
	cfg->mode = SHARD_XDP_MODE_AUTO;
	for (i = 2; i < nw; i++) {
		const char *v = i + 1 < nw ? words[i + 1] : NULL;
		char *end;

		if (!v) {
			snprintf(why, whylen, "offload: '%s' needs a value", words[i]);
			return -1;
		}
		if (!strcmp(words[i], "dev")) {
			int ifindex = (int)if_nametoindex(v);

			if (!ifindex) {
				snprintf(why, whylen, "offload: no device '%.32s'", v);
				return -1;
			}
			if (cfg->ndevs == SHARD_XDP_IFACES_MAX) {
				snprintf(why, whylen, "offload: more than %d devices",
					 SHARD_XDP_IFACES_MAX);
				return -1;
			}
			cfg->ifindex[cfg->ndevs] = ifindex;
			snprintf(cfg->ifname[cfg->ndevs], sizeof(cfg->ifname[0]), "%s", v);
			if (!cfg->ndevs++)
				im->ifindex = (uint32_t)ifindex;
		} else if (!strcmp(words[i], "prio")) {
			errno = 0;
			im->prio = (uint32_t)strtoul(v, &end, 10);
			if (errno || *end || !*v) {
				snprintf(why, whylen, "offload: bad prio '%.32s'", v);
				return -1;
			}
		} else if (!strcmp(words[i], "mode")) {
			if (!strcmp(v, "auto"))
				cfg->mode = SHARD_XDP_MODE_AUTO;
			else if (!strcmp(v, "native"))
				cfg->mode = SHARD_XDP_MODE_NATIVE;
			else if (!strcmp(v, "generic"))
				cfg->mode = SHARD_XDP_MODE_GENERIC;
			else {
				snprintf(why, whylen, "offload: mode '%.32s': auto, native or generic", v);
				return -1;
			}
		} else {
			snprintf(why, whylen, "offload: unknown word '%.32s' (dev, prio, mode)", words[i]);
			return -1;
		}
		i++;
	}
	if (!cfg->ndevs) {
		snprintf(why, whylen, "offload: needs dev IFACE");
		return -1;
	}
	cfg->offload = true;
	return 0;
}

/* One line of a config file into @cfg; 0, or an error text in @why. */
static int daemon_statement(struct daemon_cfg *cfg, int nw, char **words, char *why,
			    size_t whylen)
{
	struct impl *im;

	if (!strcmp(words[0], "offload"))
		return offload_statement(cfg, nw - 1, words + 1, why, whylen);
	if (strcmp(words[0], "impl")) {
		snprintf(why, whylen,
			 "unknown statement '%.32s' (impl TYPE NAME [OPTIONS], offload shard xdp dev IFACE ...)",
			 words[0]);
		return -1;
	}
	if (nw < 3) {
		snprintf(why, whylen, "impl needs TYPE and NAME");
		return -1;
	}
	if (cfg->n == DAEMON_MAX) {
		snprintf(why, whylen, "more than %d implementations", DAEMON_MAX);
		return -1;
	}
	im = &cfg->impls[cfg->n];
	impl_defaults(im);
	if (strlen(words[1]) >= sizeof(im->type) || strlen(words[2]) >= sizeof(im->name)) {
		snprintf(why, whylen, "TYPE or NAME too long");
		return -1;
	}
	strcpy(im->type, words[1]);
	strcpy(im->name, words[2]);
	/* the daemon answers setup requests for what it registers */
	im->setup = true;
	if (impl_options(im, nw - 3, words + 3, NULL, why, whylen))
		return -1;
	cfg->n++;
	return 0;
}

static int daemon_read(struct daemon_cfg *cfg, const char *file)
{
	char line[4096], why[256];
	int lineno = 0;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		errmsg("daemon: %s: %s", file, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *words[64], *p, *save = NULL;
		int nw = 0;

		lineno++;
		p = strchr(line, '#');
		if (p)
			*p = '\0';
		for (p = strtok_r(line, " \t\r\n", &save); p;
		     p = strtok_r(NULL, " \t\r\n", &save)) {
			if (nw == (int)ARRAY_SIZE(words)) {
				errmsg("daemon: %s:%d: too many words", file, lineno);
				fclose(f);
				return 1;
			}
			words[nw++] = p;
		}
		if (nw && daemon_statement(cfg, nw, words, why, sizeof(why))) {
			errmsg("daemon: %s:%d: %s", file, lineno, why);
			fclose(f);
			return 1;
		}
	}
	if (ferror(f)) {
		errmsg("daemon: %s: read error", file);
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

/* Load and attach the offload of @cfg into @d; 0 or the exit status. */
static int daemon_offload_start(struct daemon *d, const struct daemon_cfg *cfg)
{
	enum shard_xdp_mode got;
	int err, i;

	d->offload = shard_offload_open();
	if (!d->offload) {
		errmsg("daemon: cannot load the shard XDP program: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < cfg->ndevs; i++) {
		err = shard_offload_attach(d->offload, cfg->ifindex[i], cfg->mode, &got);
		if (err) {
			errmsg("daemon: cannot attach the shard XDP program to %s: %s",
			       cfg->ifname[i], strerror(-err));
			return 1;
		}
		printf("attached shard xdp to %s (%s)\n", cfg->ifname[i],
		       shard_xdp_mode_name(got));
	}
	return 0;
}

static void daemon_offload_stop(struct daemon *d)
{
	static struct shard_xdp_counters cnt;

	if (!d->offload)
		return;
	if (!shard_offload_counters(d->offload, &cnt))
		printf("shard xdp: steered %" PRIu64 " passed-control %" PRIu64
		       " passed-short %" PRIu64 " dropped-malformed %" PRIu64
		       " passed-other %" PRIu64 "\n", cnt.steered, cnt.passed_control,
		       cnt.passed_short, cnt.dropped_malformed, cnt.passed_other);
	shard_offload_close(d->offload);
	d->offload = NULL;
}

/* Register what @cfg lists, then answer requests until a signal. */
static int daemon_run(struct ctl *c, struct daemon_cfg *cfg, struct daemon *d)
{
	char what[160];
	sigset_t waitmask;
	int i, rc;

	stop_signals(&waitmask);
	if (cfg->offload && daemon_offload_start(d, cfg)) {
		daemon_offload_stop(d);
		return 1;
	}
	/* Listen first, so that no request for a registration is missed. */
	if (events_join(c, "daemon")) {
		daemon_offload_stop(d);
		return 1;
	}
	d->portid = nl_socket_get_local_port(c->sk);
	if (cfg->offload)
		cfg->impls[cfg->n++] = cfg->offload_impl;
	/* All on this one socket: they go when the daemon does. */
	for (i = 0; i < cfg->n; i++) {
		snprintf(what, sizeof(what), "daemon: impl %.63s %.63s", cfg->impls[i].type,
			 cfg->impls[i].name);
		if (impl_register(c, &cfg->impls[i], what)) {
			daemon_offload_stop(d);
			return 1;
		}
	}
	printf("registered %d implementation%s\n", cfg->n, cfg->n == 1 ? "" : "s");
	fflush(stdout);
	rc = events_loop(c, "daemon", daemon_valid, daemon_answer, d, &waitmask);
	daemon_offload_stop(d);
	return rc;
}

static int cmd_daemon(struct ctl *c, int argc, char **argv)
{
	static struct daemon_cfg cfg;
	static struct daemon d;
	const char *file = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			file = argv[++i];
		} else if (!strcmp(argv[i], "--answer") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "ok"))
				d.answer = ANSWER_OK;
			else if (!strcmp(argv[i], "error"))
				d.answer = ANSWER_ERROR;
			else if (!strcmp(argv[i], "never"))
				d.answer = ANSWER_NEVER;
			else
				return usage_error("daemon: --answer '%s': ok, error or never",
						   argv[i]);
		} else {
			return usage_error("daemon: unexpected argument '%s' (daemon -c FILE [--answer ok|error|never])",
					   argv[i]);
		}
	}
	if (!file)
		return usage_error("daemon: needs -c FILE");
	if (daemon_read(&cfg, file))
		return 1;
	return daemon_run(c, &cfg, &d);
}

/* "offload add shard xdp dev IFACE ...": a daemon of that one statement. */
static int cmd_offload(struct ctl *c, int argc, char **argv)
{
	static struct daemon_cfg cfg;
	static struct daemon d;
	char why[256];

	if (!argc || strcmp(argv[0], "add"))
		return usage_error("offload: add shard xdp dev IFACE [dev IFACE]... [prio N] [mode auto|native|generic]");
	if (offload_statement(&cfg, argc - 1, argv + 1, why, sizeof(why)))
		return usage_error("%s", why);
	return daemon_run(c, &cfg, &d);
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	const char *cmd;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[i++];
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "info") && strcmp(cmd, "impl") && strcmp(cmd, "policy") &&
	    strcmp(cmd, "local") && strcmp(cmd, "stats") && strcmp(cmd, "monitor") &&
	    strcmp(cmd, "daemon") && strcmp(cmd, "conn") && strcmp(cmd, "offload"))
		return usage_error("unknown command '%s'", cmd);

	if (!strcmp(cmd, "info"))
		rc = cmd_info(&c, argc, argv);
	else if (!strcmp(cmd, "impl"))
		rc = cmd_impl(&c, argc, argv);
	else if (!strcmp(cmd, "policy"))
		rc = cmd_policy(&c, argc, argv);
	else if (!strcmp(cmd, "local"))
		rc = cmd_local(&c, argc, argv);
	else if (!strcmp(cmd, "stats"))
		rc = cmd_stats(&c, argc, argv);
	else if (!strcmp(cmd, "monitor"))
		rc = cmd_monitor(&c, argc, argv);
	else if (!strcmp(cmd, "conn"))
		rc = cmd_conn(&c, argc, argv);
	else if (!strcmp(cmd, "offload"))
		rc = cmd_offload(&c, argc, argv);
	else
		rc = cmd_daemon(&c, argc, argv);
	ctl_close(&c);
	fflush(stdout);
	return rc;
}
