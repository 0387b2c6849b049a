// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim export FILE --kselftest [-o OUT]: the scenario as a standalone
 * kselftest program (src/export/).  The text is built in memory first, so
 * a scenario that cannot be exported writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export/export.h"
#include "scenario/scenario.h"
#include "version.h"

const char export_usage[] =
	"usage: foliosim export FILE --kselftest [-o OUT.c]\n"
	"\n"
	"Write the scenario as a C program in the style of the kernel's\n"
	"tools/testing/selftests/mm (to stdout, or OUT.c).  It needs only\n"
	"libc (cc -std=gnu11 -Wall -Wextra -Werror OUT.c -o test) and, run\n"
	"as root, carries out the scenario on the running kernel as\n"
	"'foliosim kernel' does: one child process per scenario process\n"
	"driven through pipes, settings saved, pushed and restored on every\n"
	"exit, khugepaged woken only by 'khugepaged N' and counted in full\n"
	"scans.  Every expect that applies to the kernel is one TAP check\n"
	"(pagemap, kpageflags, vmstat), plus one that every read saw what\n"
	"was last written.  The program exits 0 (pass), 1 (fail) or 4 (skip:\n"
	"not root, no THP, no swap for MADV_PAGEOUT, a knob missing).\n"
	"\n"
	"Exit status: 0 written, 2 bad input or a statement that cannot be\n"
	"exported (file:line:col).\n";

static int write_out(const char *path, const char *buf, size_t len)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	int bad;

	if (!f)
		return cli_error("cannot create %s", path);
	bad = fwrite(buf, 1, len, f) != len;
	if (path)
		bad |= fclose(f) != 0;
	return bad ? cli_error("cannot write %s", path ? path : "stdout") : 0;
}

int cmd_export(int argc, char **argv)
{
	const char *file = NULL, *out = NULL;
	bool kselftest = false;
	struct scn_scenario s;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int i, st;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kselftest"))
			kselftest = true;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] == '-')
			return cli_error("export: unknown option '%s'",
					 argv[i]);
		else if (file)
			return cli_error("export takes one scenario file");
		else
			file = argv[i];
	}
	if (!file || !kselftest)
		return cli_error("usage: foliosim export FILE --kselftest "
				 "[-o OUT.c]");
	if (cli_load(file, &s))
		return 2;
	mem = open_memstream(&buf, &len);
	if (!mem) {
		scn_free(&s);
		return cli_error("out of memory");
	}
	st = export_kselftest(mem, &s, "foliosim " FOLIOSIM_COMMIT, err,
			      sizeof(err));
	if (fclose(mem) && !st)
		st = -1, snprintf(err, sizeof(err), "out of memory");
	scn_free(&s);
	if (st) {
		fprintf(stderr, "%s\n", err);
		free(buf);
		return 2;
	}
	st = write_out(out, buf, len);
	free(buf);
	return st;
}
