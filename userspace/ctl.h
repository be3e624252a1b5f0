/* SPDX-License-Identifier: GPL-2.0 */
/*
 * berthactl's units: one file per object (ctl_info.c, ctl_impl.c,
 * ctl_policy.c, ctl_stats.c, ctl_conn.c, ctl_monitor.c, ctl_daemon.c),
 * what they share (ctl_util.c: messages, JSON, enum names, words;
 * ctl_netlink.c: requests and dumps; ctl_events.c: the events group;
 * ctl_chunnel.c: the counters and info chunnels report by name, with
 * the names of info attributes in ctl_chunnel_names.c), and
 * berthactl.c, whose command table drives the usage text and dispatch.
 */
#ifndef BERTHACTL_CTL_H
#define BERTHACTL_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/bertha.h>

#include "libbertha.h"

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

/* -j: JSON output (berthactl.c) */
extern bool json;

/* ---- ctl_util.c: messages ---------------------------------------------- */

void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "berthactl: ..." and the hint; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ctl_util.c: JSON output ------------------------------------------- */

void json_str(const char *s);
void json_key(bool *first, const char *key);
void json_kv_str(bool *first, const char *key, const char *val);
void json_kv_u64(bool *first, const char *key, uint64_t val);
/* -p: indent what goes to stdout from now on; -1 (said why) on failure */
int json_pretty_stdout(void);

/* ---- ctl_util.c: enum names -------------------------------------------- */

extern const char *const origin_names[BERTHA_ORIGIN_USERSPACE + 1];
extern const char *const policy_names[BERTHA_POLICY_PREFER_PRIORITY + 1];

int lookup(const char *const *names, size_t n, const char *word);
#define LOOKUP(names, word) lookup(names, ARRAY_SIZE(names), word)

const char *enum_name(const char *const *names, size_t n, uint32_t v,
		      char *buf, size_t len);
#define ENUM_NAME(names, v, buf) enum_name(names, ARRAY_SIZE(names), v, buf, sizeof(buf))

void json_kv_enum(bool *first, const char *key, const char *const *names,
		  size_t n, uint32_t v);
#define JSON_KV_ENUM(first, key, names, v) \
	json_kv_enum(first, key, names, ARRAY_SIZE(names), v)

/* the uapi enums libbertha names (where, path, scope, endpoints, reject) */
const char *lib_name(enum bertha_enum e, uint32_t v, char *buf, size_t len);
#define LIB_NAME(e, v, buf) lib_name(e, v, buf, sizeof(buf))
void json_kv_lib(bool *first, const char *key, enum bertha_enum e, uint32_t v);

/* ---- ctl_util.c: words ------------------------------------------------- */

bool parse_u32(const char *s, uint32_t *out);
int parse_hex(const char *s, unsigned char *buf, size_t max);

/* ---- ctl_netlink.c ----------------------------------------------------- */

struct ctl {
	struct nl_sock *sk;
	int family;
};

void ack_extack(struct nlmsghdr *nlh, struct nlmsgerr *err, char *out, size_t outlen);
int ctl_open(struct ctl *c);
void ctl_close(struct ctl *c);
struct nl_msg *ctl_msg(struct ctl *c, uint8_t cmd, int flags);
int ctl_request(struct ctl *c, struct nl_msg *msg, const char *what,
		int (*handler)(struct nlmsghdr *, void *), void *arg);
int parse_genl(struct nlmsghdr *nlh, struct nlattr **tb, int max,
	       struct nla_policy *pol);

/* A dump printed as a table, or as a JSON array. */
struct list_state {
	int count;
	int (*one)(struct nlmsghdr *nlh, struct list_state *st);
};

void list_next(struct list_state *st);
int dump_list(struct ctl *c, uint8_t cmd, const char *what,
	      int (*one)(struct nlmsghdr *, struct list_state *),
	      const char *header);

/* ---- ctl_impl.c -------------------------------------------------------- */

struct impl {
	char type[64];
	char name[64];
	uint32_t prio, scope, endpoints, capacity, ifindex, origin, users;
	bool has_origin, has_users, setup, disabled;
	unsigned char config[BERTHA_IMPL_CONFIG_MAX];
	int config_len;
};

void impl_defaults(struct impl *im);
int impl_parse(struct nlmsghdr *nlh, struct impl *im);
void impl_print(const struct impl *im, const char *prefix, const char *event);
int impl_options(struct impl *im, int argc, char **argv, bool *hold,
		 char *why, size_t len);
int impl_register(struct ctl *c, const struct impl *im, const char *what);

/* ---- ctl_conn.c -------------------------------------------------------- */

struct conn_addr {
	bool present;
	char text[INET6_ADDRSTRLEN + 16];	/* address, %scope */
	uint32_t family;
	uint16_t port;
	unsigned char raw[16];			/* in_addr or in6_addr */
};

int conn_addr_parse(struct nlattr *nest, struct conn_addr *a);
void conn_addr_text(const struct conn_addr *a, char *out, size_t len);
void json_addr(bool *first, const char *key, const struct conn_addr *a);
/* @details: the chunnels' counters and info lines in text too */
int conn_show(struct nlmsghdr *nlh, const char *prefix, const char *event, bool details);

/* ---- ctl_events.c ------------------------------------------------------ */

extern volatile sig_atomic_t stop_signal;
void stop_signals(sigset_t *old);
void hold_until_signal(const sigset_t *waitmask);

#define SETUP_DAG_MAX	8192

struct setup_req {
	uint32_t id, owner, ifindex;
	char type[BERTHA_NAME_MAX], impl[BERTHA_NAME_MAX];
	struct conn_addr local, peer;
	unsigned char dag[SETUP_DAG_MAX];
	size_t dag_len;
};

int setup_parse(struct nlmsghdr *nlh, struct setup_req *r);
void setup_print(const struct setup_req *r, bool setup);
int events_join(struct ctl *c, const char *what);
int events_loop(struct ctl *c, const char *what, nl_recvmsg_msg_cb_t valid,
		void (*after)(struct ctl *c, void *arg), void *arg,
		const sigset_t *waitmask);

/* ---- ctl_chunnel.c, ctl_chunnel_names.c ------------------------------- */

/* What a chunnel's info attribute holds. */
enum chunnel_info_kind {
	CHUNNEL_INFO_AUTO,	/* guessed from its length */
	CHUNNEL_INFO_UNSIGNED,	/* u8, u16, u32 or u64 */
	CHUNNEL_INFO_SIGNED,	/* s8, s16, s32 or s64 */
	CHUNNEL_INFO_STRING,
	CHUNNEL_INFO_FLAG,
	CHUNNEL_INFO_BINARY,	/* bytes, printed in hex */
	CHUNNEL_INFO_NEST,	/* attributes, printed as {NAME=VALUE ...} */
};

/* The name and kind of attribute @attr of a chunnel type's info nest. */
struct chunnel_info_name {
	const char *type;
	uint16_t attr;
	const char *name;
	enum chunnel_info_kind kind;
};

const struct chunnel_info_name *chunnel_info_name(const char *type, uint16_t attr);

/* -1 if an @attrtype nest of @nlh (enum bertha_chunnel_stats_attrs) is malformed. */
int chunnel_stats_check(struct nlmsghdr *nlh, int attrtype);
void chunnel_stats_print(struct nlmsghdr *nlh, int attrtype, bool *first,
			 const char *line_prefix);
bool chunnel_info_empty(const struct nlattr *info);
void chunnel_info_print(const char *type, const struct nlattr *info,
			const char *line_prefix);

/* ---- the commands (berthactl.c's table) -------------------------------- */

int cmd_info(struct ctl *c, int argc, char **argv);
int cmd_impl(struct ctl *c, int argc, char **argv);
int cmd_policy(struct ctl *c, int argc, char **argv);
int cmd_local(struct ctl *c, int argc, char **argv);
int cmd_stats(struct ctl *c, int argc, char **argv);
int cmd_conn(struct ctl *c, int argc, char **argv);
int cmd_monitor(struct ctl *c, int argc, char **argv);
int cmd_daemon(struct ctl *c, int argc, char **argv);
int cmd_offload(struct ctl *c, int argc, char **argv);

#endif /* BERTHACTL_CTL_H */
