/* Minimal TAP for C unit tests (after crun's tests_libcrun_*.c and bwrap's
 * test-utils.c).  Each test binary prints "ok N - name" / "not ok N - name"
 * lines and a "1..N" plan; tests/run-all.sh counts them.
 *
 *   TAP_CHECK (cond, "name %d", i);      one assertion, one line
 *   TAP_SKIP ("reason");                 one explicit skip
 *   return tap_done ();                  plan + exit status */
#ifndef SECSHIM_TAP_H
#define SECSHIM_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline void __attribute__ ((format (printf, 2, 3)))
tap_check (int ok, const char *fmt, ...)
{
  va_list ap;
  tap_n++;
  if (!ok)
    tap_failed++;
  printf ("%sok %d - ", ok ? "" : "not ", tap_n);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

static inline void __attribute__ ((format (printf, 1, 2)))
tap_skip (const char *fmt, ...)
{
  va_list ap;
  tap_n++;
  printf ("ok %d - # SKIP ", tap_n);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

static inline void __attribute__ ((format (printf, 1, 2)))
tap_diag (const char *fmt, ...)
{
  va_list ap;
  printf ("# ");
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
}

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#define TAP_CHECK(cond, ...) tap_check (!!(cond), __VA_ARGS__)
#define TAP_SKIP(...) tap_skip (__VA_ARGS__)

#endif
