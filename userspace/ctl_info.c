// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: info, the family number, genl version and host id
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>

#include "ctl.h"

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

int cmd_info(struct ctl *c, int argc, char **argv)
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
