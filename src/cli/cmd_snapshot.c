// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim snapshot PID... [-o FILE] [--no-contents]
 * Writes the snapshot of the processes' anonymous memory to FILE (or
 * stdout).  Exit 2 on bad input, 4 when this machine cannot (not root).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kernel/snapshot.h"

#define MAX_PIDS 64

/* On a terminal: how far the reading of a large process has come. */
static void show_progress(int proc, int nr_procs, uint64_t pages)
{
	if (pages % 65536 < 512)	/* every 256 MiB or so */
		fprintf(stderr, "\rsnapshot: process %d of %d, %llu MiB read   ",
			proc + 1, nr_procs,
			(unsigned long long)(pages >> 8));
}

int cmd_snapshot(int argc, char **argv)
{
	pid_t pids[MAX_PIDS];
	const char *out = NULL;
	bool contents = true;
	struct snapshot s;
	char err[512];
	int i, n = 0, ret;
	FILE *f;

	for (i = 1; i < argc; i++) {
		char *end;
		long v;

		if (!strcmp(argv[i], "-o")) {
			if (!argv[++i])
				return cli_error("-o needs a file name");
			out = argv[i];
			continue;
		}
		if (!strcmp(argv[i], "--no-contents")) {
			contents = false;
			continue;
		}
		errno = 0;
		v = strtol(argv[i], &end, 10);
		if (argv[i][0] == '-' || *end || errno || v <= 0 ||
		    v > 0x7fffffffL)
			return cli_error("expected a process id, got '%s'",
					 argv[i]);
		if (n == MAX_PIDS)
			return cli_error("at most %d processes", MAX_PIDS);
		pids[n++] = (pid_t)v;
	}
	if (!n)
		return cli_error("snapshot needs at least one process id "
				 "(see foliosim help snapshot)");
	ret = kx_snapshot(pids, n, contents,
			  isatty(STDERR_FILENO) ? show_progress : NULL, &s, err,
			  sizeof(err));
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	if (ret) {
		fprintf(stderr, "foliosim: %s\n", err);
		return ret == -2 ? 4 : 2;
	}
	f = out ? fopen(out, "w") : stdout;
	if (!f) {
		snap_free(&s);
		return cli_error("cannot write %s: %s", out, strerror(errno));
	}
	ret = snap_write(f, &s);
	if (out && fclose(f))
		ret = -1;
	snap_free(&s);
	if (ret)
		return cli_error("cannot write %s", out ? out : "output");
	return 0;
}

const char snapshot_usage[] =
	"usage: foliosim snapshot PID... [-o FILE] [--no-contents]\n"
	"\n"
	"Record the anonymous private memory of running processes (root):\n"
	"their VMAs, every page's folio (head frame, order, page index),\n"
	"PMD mappings, the exclusive bit, swap entries, zero pages, KSM and\n"
	"zero-filled pages, and the THP settings, in the text format of\n"
	"docs/snapshot.md.  Pages are read from /proc/PID/mem to find the\n"
	"zero-filled ones (--no-contents skips that).  Pages shared between\n"
	"the given processes have the same frame.  Feed the file to\n"
	"foliosim whatif.\n"
	"\n"
	"Exit status: 0 written, 2 bad input (no such process), 4 cannot run\n"
	"here (not root).\n";
