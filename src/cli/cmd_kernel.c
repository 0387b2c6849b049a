// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim kernel FILE... [--json] [--trace] [--why] [--trace-raw]
 * foliosim kernel --restore
 * Runs each scenario on this machine's kernel (as root) and reports it as
 * 'foliosim run' does, with the one result "kernel".  The guard is opened
 * once for all files and closed after the last, so every setting comes
 * back; --restore undoes what a killed run left behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "report/report.h"

struct kernel_opts {
	bool json, trace, why, raw, restore, color;
	const char **files;
	int nr_files;
};

static int parse_opts(int argc, char **argv, struct kernel_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	o->files = calloc((size_t)argc + 1, sizeof(*o->files));
	if (!o->files)
		return cli_error("out of memory");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if (!strcmp(argv[i], "--trace"))
			o->trace = true;
		else if (!strcmp(argv[i], "--why"))
			o->why = true;
		else if (!strcmp(argv[i], "--trace-raw"))
			o->raw = true;
		else if (!strcmp(argv[i], "--restore"))
			o->restore = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_error("unknown option '%s'", argv[i]);
		else
			o->files[o->nr_files++] = argv[i];
	}
	if (o->restore && o->nr_files)
		return cli_error("--restore takes no scenario files");
	if (!o->restore && !o->nr_files)
		return cli_error("kernel needs at least one scenario file");
	o->color &= !o->json;
	return 0;
}

static int restore(void)
{
	char err[256];
	int ret = kx_restore_saved(STDOUT_FILENO, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "foliosim: %s\n", err);
		return geteuid() ? KX_CANNOT_RUN : 1;
	}
	printf("%s\n", ret ? "restored the settings of an interrupted run" :
			     "nothing to restore");
	return 0;
}

static int run_file(struct kx_guard *g, const char *path,
		    const struct kernel_opts *o)
{
	struct exec_kernel_opts ko = { .trace = o->raw ? stderr : NULL,
				       .scans = o->trace || o->why,
				       .why = o->why };
	struct report_opts ro = { .color = o->color };
	struct scn_scenario s;
	struct exec_result r;
	int st;

	if (cli_load(path, &s))
		return EXEC_BAD_INPUT;
	st = (int)exec_kernel(&s, g, &ko, &r);
	if (st == EXEC_BAD_INPUT || st == EXEC_DATA_LOST ||
	    st == EXEC_CANNOT_RUN)
		fprintf(stderr, "%s\n", r.error);
	if (o->json)
		report_json(stdout, &s, &r, 1);
	else
		report_text(stdout, &s, &r, 1, &ro);
	if (o->trace && !o->json)
		report_trace(stdout, &s, &r);
	if (o->why && !o->json && r.why)
		report_why(stdout, &s, &r);
	exec_result_free(&r);
	scn_free(&s);
	return st;
}

int cmd_kernel(int argc, char **argv)
{
	struct kernel_opts o;
	struct kx_guard *g;
	char err[256];
	int i, st, worst = 0;

	st = parse_opts(argc, argv, &o);
	if (st || o.restore) {
		free(o.files);
		return st ? st : restore();
	}
	st = exec_kernel_check(err, sizeof(err));
	if (!st)
		st = kx_guard_open(&g, err, sizeof(err));
	if (st) {
		fprintf(stderr, "foliosim: %s\n", err);
		free(o.files);
		return KX_CANNOT_RUN;
	}
	for (i = 0; i < o.nr_files; i++) {
		st = run_file(g, o.files[i], &o);
		if (st > worst)
			worst = st;
	}
	if (kx_guard_close(g) && worst < KX_CANNOT_RUN)
		worst = KX_CANNOT_RUN;
	free(o.files);
	return worst;
}
