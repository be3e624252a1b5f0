// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: impl list|add|del|disable|enable, the registry of chunnel
 * implementations
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

void impl_defaults(struct impl *im)
{
	memset(im, 0, sizeof(*im));
	im->scope = BERTHA_SCOPE_ANY;
	im->endpoints = BERTHA_ENDPOINTS_ONE;
}

int impl_parse(struct nlmsghdr *nlh, struct impl *im)
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
void impl_print(const struct impl *im, const char *prefix, const char *event)
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
		json_kv_lib(&first, "scope", BERTHA_ENUM_SCOPE, im->scope);
		json_kv_lib(&first, "endpoints", BERTHA_ENUM_ENDPOINTS, im->endpoints);
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
	printf(" scope %s", LIB_NAME(BERTHA_ENUM_SCOPE, im->scope, nb));
	printf(" endpoints %s", LIB_NAME(BERTHA_ENUM_ENDPOINTS, im->endpoints, nb));
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
int impl_options(struct impl *im, int argc, char **argv, bool *hold,
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
			n = bertha_enum_value(BERTHA_ENUM_SCOPE, v);
			if (n < 0) {
				snprintf(why, len,
					 "bad scope '%s' (any, application, host or network)", v);
				return -1;
			}
			im->scope = (uint32_t)n;
		} else if (!strcmp(k, "endpoints")) {
			n = bertha_enum_value(BERTHA_ENUM_ENDPOINTS, v);
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
int impl_register(struct ctl *c, const struct impl *im, const char *what)
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

int cmd_impl(struct ctl *c, int argc, char **argv)
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
