// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: policy show|set and local on|off, the negotiation policy
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

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

int cmd_policy(struct ctl *c, int argc, char **argv)
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

int cmd_local(struct ctl *c, int argc, char **argv)
{
	char *args[2] = { "local", NULL };

	if (argc != 1 || (strcmp(argv[0], "on") && strcmp(argv[0], "off")))
		return usage_error("local: on or off");
	args[1] = argv[0];
	return policy_set(c, 2, args, "local");
}
