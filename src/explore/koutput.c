// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output of a search against the kernel: one reproducer per class of
 * disagreement (a runnable .fsim whose comment header gives the class,
 * seed, run and the diff's report), summary.txt and summary.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "explore.h"
#include "report/report.h"

/* "page:state:zero/present@read" -> "page-state-zero-present@read.fsim" */
static void file_name(struct kexp_class *c)
{
	size_t i, n;

	n = (size_t)snprintf(c->file, sizeof(c->file), "%s", c->what);
	for (i = 0; i < n && i < sizeof(c->file); i++)
		if (c->file[i] == ':' || c->file[i] == '/')
			c->file[i] = '-';
	snprintf(c->file + (n < sizeof(c->file) - 6 ? n :
			    sizeof(c->file) - 6),
		 6, ".fsim");
}

static double percent(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Each line of @text as a comment line with @indent. */
static void comment_lines(FILE *f, const char *text, const char *indent)
{
	const char *c = text;

	while (c && *c) {
		size_t n = strcspn(c, "\n");

		fprintf(f, "#%s%.*s\n", indent, (int)n, c);
		c += n + (c[n] ? 1 : 0);
	}
}

static void write_reproducer(FILE *f, const struct explore_opts *o,
			     const struct kexp_result *r,
			     const struct kexp_class *c)
{
	fprintf(f, "# foliosim explore --against kernel: class %s\n", c->what);
	fprintf(f, "# %s: seen in %ld runs as a real difference, %ld as "
		   "nondeterministic\n", c->is_real ? "real" :
		"nondeterministic", c->real, c->nondet);
	fprintf(f, "# seed %llu, run %ld; model v6.18, kernel %s\n",
		(unsigned long long)o->seed, c->run, r->release);
	if (c->shrunk)
		fprintf(f, "# shrunk from %d to %d statements; shown again "
			   "by %d of 2 reruns\n", c->orig_statements,
			c->statements, c->confirmed);
	else if (c->is_real)
		fputs("# not shrunk (a shrunk form did not show it every "
		      "time)\n", f);
	else
		fputs("# not shrunk (the kernel's result differed between "
		      "runs)\n", f);
	fprintf(f, "# detail: %s\n# the diff:\n", c->detail);
	comment_lines(f, c->report, "   ");
	fputs(c->text, f);
}

static void json_class(FILE *f, const struct kexp_class *c)
{
	fputs("{\"class\": ", f);
	json_string(f, c->what);
	fprintf(f, ", \"real\": %ld, \"nondeterministic\": %ld, "
		   "\"reproducer_real\": %s, \"run\": %ld, \"shrunk\": %s, "
		   "\"statements\": %d, \"orig_statements\": %d, \"file\": ",
		c->real, c->nondet, c->is_real ? "true" : "false", c->run,
		c->shrunk ? "true" : "false", c->statements,
		c->orig_statements);
	json_string(f, c->file);
	fputs(", \"detail\": ", f);
	json_string(f, c->detail);
	fputs(", \"text\": ", f);
	json_string(f, c->text);
	fputc('}', f);
}

void kexplore_print_summary(FILE *f, const struct explore_opts *o,
			    const struct kexp_result *r, bool json)
{
	long dis = r->real + r->nondet;
	int i;

	if (json) {
		fprintf(f, "{\"against\": \"kernel\", \"release\": ");
		json_string(f, r->release);
		fprintf(f, ", \"profile\": \"v6.18\", \"seed\": %llu, "
			   "\"runs\": %ld, \"agree\": %ld, \"disagree\": %ld, "
			   "\"real\": %ld, \"nondeterministic\": %ld, "
			   "\"cannot_run\": %ld, \"kernel_runs\": %ld, "
			   "\"agreement_percent\": %.2f, \"seconds\": %.1f, "
			   "\"classes\": [", (unsigned long long)o->seed,
			r->runs, r->agree, dis, r->real, r->nondet, r->cannot,
			r->kernel_runs, percent(r->agree, r->runs),
			r->seconds);
		for (i = 0; i < r->nr; i++) {
			fputs(i ? ", " : "", f);
			json_class(f, &r->v[i]);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "foliosim explore --against kernel: model v6.18, kernel "
		   "%s, seed %llu\n", r->release, (unsigned long long)o->seed);
	fprintf(f, "runs: %ld in %.1f s (%ld kernel runs with reruns and "
		   "shrinking)\n", r->runs, r->seconds, r->kernel_runs);
	fprintf(f, "agree: %ld (%.2f %%)\n", r->agree,
		percent(r->agree, r->runs));
	fprintf(f, "disagree: %ld (real %ld, nondeterministic %ld)\n", dis,
		r->real, r->nondet);
	if (r->cannot)
		fprintf(f, "the kernel could not run: %ld\n", r->cannot);
	fprintf(f, "classes: %d\n", r->nr);
	for (i = 0; i < r->nr; i++) {
		const struct kexp_class *c = &r->v[i];

		fprintf(f, "  %-36s real %4ld  nondeterministic %4ld  %s "
			   "(%s, %d statements, run %ld)\n", c->what, c->real,
			c->nondet, c->file, c->shrunk ? "shrunk" : "as found",
			c->statements ? c->statements : c->orig_statements,
			c->run);
	}
}

static int write_file(const char *dir, const char *name,
		      const struct explore_opts *o, struct kexp_result *r,
		      const struct kexp_class *c, bool json)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (c)
		write_reproducer(f, o, r, c);
	else
		kexplore_print_summary(f, o, r, json);
	return fclose(f) ? -1 : 0;
}

int kexplore_write(const struct explore_opts *o, struct kexp_result *r)
{
	int i, ret = 0;

	if (mkdir(o->out_dir, 0755) && errno != EEXIST)
		return -1;
	for (i = 0; i < r->nr; i++) {
		struct kexp_class *c = &r->v[i];

		if (!c->statements)
			c->statements = c->orig_statements;
		file_name(c);
		ret |= write_file(o->out_dir, c->file, o, r, c, false);
	}
	ret |= write_file(o->out_dir, "summary.txt", o, r, NULL, false);
	ret |= write_file(o->out_dir, "summary.json", o, r, NULL, true);
	return ret ? -1 : 0;
}
