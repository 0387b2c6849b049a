// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'explore --against kernel' on the live kernel (root and THP; skipped
 * with the reason otherwise): a short search writes a summary whose counts
 * add up, and a difference made certain (the model's zero-page setting set
 * opposite to what this kernel's read faults map, as probed) is found,
 * rerun as real, shrunk to a small reproducer and classified.  Like every
 * kernel test it holds the test lock throughout (the search is told so,
 * and does not take it per diff as a campaign does).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore/explore.h"
#include "kernel/exec_kernel.h"
#include "lib/tap.h"
#include "lib/tk.h"

static void opts(struct explore_opts *o, const char *dir)
{
	explore_opts_init(o);
	o->max_ops = 20;
	o->against_kernel = true;
	o->out_dir = dir;
	o->test_lock_held = true;
}

static char *read_file(const char *dir, const char *name)
{
	char path[512], *buf = NULL;
	size_t len = 0;
	FILE *f, *m;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (m)
		fclose(m);
	fclose(f);
	return buf;
}

/* rm -r of an output directory (it holds files only). */
static void remove_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
			    (int)sizeof(path))
			unlink(path);
	if (d)
		closedir(d);
	rmdir(dir);
}

static bool has_number(const char *json, const char *key, long v)
{
	char want[96];

	snprintf(want, sizeof(want), "\"%s\": %ld,", key, v);
	if (strstr(json, want))
		return true;
	printf("# summary.json lacks %s\n", want);
	return false;
}

/* Counts agree with each other, with the classes and with the files. */
static bool consistent(const struct explore_opts *o,
		       const struct kexp_result *r)
{
	long real = 0, nondet = 0;
	char *json = read_file(o->out_dir, "summary.json");
	char *txt = read_file(o->out_dir, "summary.txt");
	int i;

	CHECK(json && txt);
	CHECK_INT(r->agree + r->real + r->nondet, ==, r->runs);
	for (i = 0; i < r->nr; i++) {
		char *repro = read_file(o->out_dir, r->v[i].file);

		real += r->v[i].real;
		nondet += r->v[i].nondet;
		CHECK(repro);
		CHECK(exp_model_clean(repro, NULL, 0));
		CHECK(strstr(repro, r->v[i].what));
		CHECK(strstr(json, r->v[i].file) && strstr(txt, r->v[i].file));
		free(repro);
	}
	CHECK_INT(real, ==, r->real);
	CHECK_INT(nondet, ==, r->nondet);
	CHECK(has_number(json, "runs", r->runs));
	CHECK(has_number(json, "agree", r->agree));
	CHECK(has_number(json, "real", r->real));
	CHECK(has_number(json, "nondeterministic", r->nondet));
	CHECK(strstr(txt, "agree: "));
	free(json);
	free(txt);
	return true;
}

static bool test_short_search(void)
{
	char dir[] = "/tmp/fsim-t8200-XXXXXX", err[512];
	struct explore_opts o;
	struct kexp_result r;

	CHECK(mkdtemp(dir));
	opts(&o, dir);
	o.runs = 3;
	if (kexplore_run(&o, &r, err, sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	CHECK(!kexplore_write(&o, &r));
	printf("# %ld runs: %ld agree, %ld real, %ld nondeterministic, "
	       "%d classes, %ld kernel runs\n", r.runs, r.agree, r.real,
	       r.nondet, r.nr, r.kernel_runs);
	CHECK_INT(r.runs + r.cannot, ==, 3);
	CHECK_INT(r.runs, >, 0);
	CHECK(consistent(&o, &r));
	kexplore_result_free(&r);
	remove_dir(dir);
	return true;
}

static bool test_certain_difference(const struct kx_zero_page *z)
{
	/* the model maps the zero page exactly where the kernel does not */
	const char *set = z->small ? "model/zero_page=0" : "model/zero_page=1";
	const char *want = z->small ? "page:state:present/zero@read" :
				      "page:state:zero/present@read";
	char dir[] = "/tmp/fsim-t8200-XXXXXX", err[512];
	const struct kexp_class *c = NULL;
	struct explore_opts o;
	struct kexp_result r;
	int i;

	CHECK(mkdtemp(dir));
	opts(&o, dir);
	o.sets = &set;
	o.nr_sets = 1;
	o.runs = 4;
	if (kexplore_run(&o, &r, err, sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	CHECK(!kexplore_write(&o, &r));
	CHECK(consistent(&o, &r));
	for (i = 0; i < r.nr; i++)
		if (!strcmp(r.v[i].what, want))
			c = &r.v[i];
	if (!c)
		printf("# no class %s among %d\n", want, r.nr);
	CHECK(c);
	printf("# %s: real %ld, shrunk from %d to %d statements:\n%s", want,
	       c->real, c->orig_statements, c->statements, c->text);
	CHECK_INT(c->real, >=, 1);
	CHECK(c->is_real);
	CHECK(c->shrunk);
	CHECK_INT(c->confirmed, ==, 2);
	/* spawn, mmap, read: perhaps a setting or a write more */
	CHECK_INT(c->statements, <=, 5);
	CHECK_INT(c->statements, <, c->orig_statements);
	CHECK(strstr(c->text, " read "));
	CHECK(strstr(c->text, "set model/zero_page"));
	CHECK(strstr(c->detail, "zero"));
	kexplore_result_free(&r);
	remove_dir(dir);
	return true;
}

int main(void)
{
	struct kx_zero_page z;
	char why[256];
	bool probed;
	int lock;

	if (!tk_begin(exec_kernel_check, why, sizeof(why), &lock)) {
		tap_skip(why, "a short search writes a consistent summary");
		tap_skip(why, "a certain difference is found, real, shrunk "
			 "and classified");
		return tap_done();
	}
	probed = tk_zero_probe(&z);
	TEST(test_short_search(), "a short search writes a consistent summary");
	if (!probed || z.small < 0)
		tap_skip("the zero-page probe could not tell",
			 "a certain difference is found, real, shrunk and "
			 "classified");
	else
		TEST(test_certain_difference(&z),
		     "a certain difference is found, real, shrunk and "
		     "classified");
	close(lock);
	return tap_done();
}
