/* Cost of the already-loaded path and of generation (not a test: no timing
 * is asserted anywhere).  Build and run:
 *   make build/libsecshim.a
 *   cc -Iinclude -D_GNU_SOURCE -O2 -o build/bench_apparmor tests/apparmor/bench_loaded.c \
 *      build/libsecshim.a -lyajl -lseccomp -lcap-ng -lapparmor
 *   build/bench_apparmor [N_PROFILES_IN_KERNEL_LIST]
 * The kernel's profiles list is simulated by a file in /tmp with N entries
 * (Ubuntu 24.04 ships ~120 profiles); the real securityfs file is generated
 * by the kernel on each read and will cost somewhat more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secshim/apparmor.h"

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  char dir[] = "/tmp/secshim-aa-bench-XXXXXX", path[1024], parser[256], cache[256];
  int n_profiles = argc > 1 ? atoi (argv[1]) : 120, i, iters = 20000;
  struct aa_spec spec = { 0 };
  char *text = NULL;
  size_t len = 0;
  bool ran;
  FILE *f;
  double t0, t1;

  if (mkdtemp (dir) == NULL || aa_spec_from_toml_file ("policy/apparmor/default.toml", &spec, NULL) < 0
      || aa_generate (&spec, &text, &len, NULL) < 0)
    return 1;
  snprintf (path, sizeof path, "%s/profiles", dir);
  snprintf (parser, sizeof parser, "%s/parser", dir);
  snprintf (cache, sizeof cache, "%s/cache", dir);
  f = fopen (path, "w");
  for (i = 0; i < n_profiles; i++)
    fprintf (f, "/usr/lib/some/program-%d (enforce)\n", i);
  fprintf (f, "%s (enforce)\n", spec.name);
  fclose (f);
  f = fopen (parser, "w");
  fputs ("#!/bin/sh\nexit 0\n", f);
  fclose (f);
  chmod (parser, 0755);
  struct aa_loader l = { .parser = parser, .cache_dir = cache, .profiles_file = path };
  if (aa_ensure_loaded (&l, spec.name, text, len, &ran, NULL) < 0 || !ran)
    return 1;

  t0 = now ();
  for (i = 0; i < iters; i++)
    if (aa_ensure_loaded (&l, spec.name, text, len, &ran, NULL) < 0 || ran)
      return 1;
  t1 = now ();
  printf ("already-loaded check (stamp + sha256 of %zu bytes + list of %d): %.2f us/op\n", len, n_profiles + 1,
          (t1 - t0) / iters * 1e6);

  t0 = now ();
  for (i = 0; i < iters; i++)
    {
      struct aa_spec s = { 0 };
      char *t = NULL;
      if (aa_spec_from_toml_file ("policy/apparmor/default.toml", &s, NULL) < 0 || aa_generate (&s, &t, NULL, NULL) < 0)
        return 1;
      aa_spec_free (&s);
      free (t);
    }
  t1 = now ();
  printf ("policy load part (read + parse default.toml + generate): %.2f us/op\n", (t1 - t0) / iters * 1e6);

  t0 = now ();
  for (i = 0; i < 20; i++)
    {
      snprintf (path, sizeof path, "%s/%s.sha256", cache, spec.name);
      unlink (path);
      if (aa_ensure_loaded (&l, spec.name, text, len, &ran, NULL) < 0 || !ran)
        return 1;
    }
  t1 = now ();
  printf ("load path with a no-op fake parser (lock, write, fork+exec, stamp): %.0f us/op\n", (t1 - t0) / 20 * 1e6);
  aa_spec_free (&spec);
  free (text);
  return 0;
}
