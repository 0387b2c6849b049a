// SPDX-License-Identifier: GPL-2.0-only
/*
 * The name tables of the scenario language.  Each keyword is spelled once,
 * here; the parser looks words up in these tables and the printer prints
 * from them, so adding a keyword is one line.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *const scn_op_names[NR_SCN_OPS] = {
	[SCN_SET] = "set",
	[SCN_SPAWN] = "spawn",
	[SCN_FORK] = "fork",
	[SCN_EXIT] = "exit",
	[SCN_MMAP] = "mmap",
	[SCN_MUNMAP] = "munmap",
	[SCN_MREMAP] = "mremap",
	[SCN_MPROTECT] = "mprotect",
	[SCN_MADVISE] = "madvise",
	[SCN_READ] = "read",
	[SCN_WRITE] = "write",
	[SCN_KHUGEPAGED] = "khugepaged",
	[SCN_KSM] = "ksm",
	[SCN_SHRINK] = "shrink",
	[SCN_SHOW] = "show",
	[SCN_EXPECT] = "expect",
};

const char *const scn_advice_names[NR_SCN_ADVICE] = {
	[SCN_ADV_HUGEPAGE] = "hugepage",
	[SCN_ADV_NOHUGEPAGE] = "nohugepage",
	[SCN_ADV_DONTNEED] = "dontneed",
	[SCN_ADV_COLLAPSE] = "collapse",
	[SCN_ADV_PAGEOUT] = "pageout",
	[SCN_ADV_MERGEABLE] = "mergeable",
	[SCN_ADV_UNMERGEABLE] = "unmergeable",
	[SCN_ADV_DONTFORK] = "dontfork",
	[SCN_ADV_DOFORK] = "dofork",
	[SCN_ADV_COLD] = "cold",
};

const char *const scn_expect_names[NR_SCN_EXPECTS] = {
	[SCN_EXP_THP] = "thp",
	[SCN_EXP_PRESENT] = "present",
	[SCN_EXP_SWAPPED] = "swapped",
	[SCN_EXP_SHARED] = "shared",
	[SCN_EXP_RSS] = "rss",
	[SCN_EXP_VMSTAT] = "vmstat",
	[SCN_EXP_COLLAPSE] = "collapse",
};

const char *const scn_cmp_names[] = {
	[SCN_EQ] = "=",
	[SCN_NE] = "!=",
	[SCN_LT] = "<",
	[SCN_LE] = "<=",
	[SCN_GT] = ">",
	[SCN_GE] = ">=",
	NULL
};

/* Small keyword sets; index = the value stored in the op. */
const char *const scn_prot_names[2] = { "ro", "rw" };
const char *const scn_result_names[2] = { "fail", "ok" };
const char *const scn_write_names[3] = {
	[SCN_WRITE_UNIQUE] = NULL,	/* plain "write RANGE" */
	[SCN_WRITE_ZERO] = "zero",
	[SCN_WRITE_VALUE] = "value",
};
const char scn_at_word[] = "at";

/* Index of the word @t in @table (@n entries), or -1. */
int scn_name_index(const char *const *table, int n, const struct scn_tok *t)
{
	int i;

	for (i = 0; i < n; i++)
		if (table[i] && tok_is(t, table[i]))
			return i;
	return -1;
}

/*
 * Words that start a statement, and the two words that may follow
 * "expect", cannot name a process: "show P R" and "expect vmstat ..."
 * would be ambiguous otherwise.
 */
bool scn_reserved_proc_name(const struct scn_tok *t)
{
	static const enum scn_op_kind leading[] = {
		SCN_SET, SCN_SPAWN, SCN_KHUGEPAGED, SCN_KSM, SCN_SHRINK,
		SCN_SHOW, SCN_EXPECT,
	};
	size_t i;

	for (i = 0; i < sizeof(leading) / sizeof(leading[0]); i++)
		if (tok_is(t, scn_op_names[leading[i]]))
			return true;
	return tok_is(t, scn_expect_names[SCN_EXP_VMSTAT]) ||
	       tok_is(t, scn_expect_names[SCN_EXP_COLLAPSE]);
}

/* "a, b, c" from the non-NULL entries of @table, for messages. */
void scn_names_list(const char *const *table, int n, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		if (!table[i])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? ", " : "", table[i]);
	}
}

bool scn_op_applies(const struct scn_op *op, const char *name)
{
	int i;

	if (!op->profiles)
		return true;
	for (i = 0; i < op->nr_profiles; i++)
		if (!strcmp(op->profiles[i], name))
			return true;
	return false;
}
