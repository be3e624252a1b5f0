// SPDX-License-Identifier: GPL-2.0
/*
 * Chunnel types known to this kernel. For now these are the built-in ones;
 * the registry that other modules and userspace add implementations to
 * grows here.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "bertha.h"

/* "identity" passes messages through unchanged (the tests' no-op chunnel);
 * "select" offers alternatives of which negotiation picks one.
 */
static const char * const bertha_builtin_types[] = {
	"identity",
	BERTHA_SELECT_TYPE,
};

/**
 * bertha_chunnel_type_known() - is @name a chunnel type this kernel has?
 * @name: NUL-terminated type name
 *
 * Return: true if @name is a registered chunnel type.
 */
bool bertha_chunnel_type_known(const char *name)
{
	return match_string(bertha_builtin_types,
			    ARRAY_SIZE(bertha_builtin_types), name) >= 0;
}
