/* Unit tests for Go's strconv as secshim models it (src/util.c go_*): every
 * row of tests/unit/numbers-cases.tsv, whose expected column the Go oracle
 * checks (tests/adversarial/numbers.sh).  Run from the repository top. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"
#include "tap.h"

/* secshim's answer for kind/input, in the table's words. */
static char *
answer (const char *kind, const char *in)
{
  char *out = NULL;
  int64_t s = 0;
  uint64_t u = 0;
  int ret;
  bool is_signed = true;

  if (strcmp (kind, "atoi") == 0)
    ret = go_atoi (in, &s);
  else if (strcmp (kind, "int64") == 0)
    ret = go_parse_int (in, 64, &s);
  else if (strcmp (kind, "int32") == 0)
    ret = go_parse_int (in, 32, &s);
  else if (strcmp (kind, "uint64") == 0)
    ret = go_parse_uint (in, 64, &u), is_signed = false;
  else if (strcmp (kind, "uint32") == 0)
    ret = go_parse_uint (in, 32, &u), is_signed = false;
  else
    return xstrdup ("unknown kind");
  if (ret < 0)
    return xstrdup (errno == ERANGE ? "range" : errno == EINVAL ? "syntax" : "other errno");
  if (is_signed)
    xasprintf (&out, "%" PRId64, s);
  else
    xasprintf (&out, "%" PRIu64, u);
  return out;
}

int
main (void)
{
  FILE *f = fopen ("tests/unit/numbers-cases.tsv", "re");
  char line[512];
  int rows = 0;

  if (f == NULL)
    {
      tap_check (0, "open tests/unit/numbers-cases.tsv (run from the repository top)");
      return tap_done ();
    }
  while (fgets (line, sizeof line, f))
    {
      char *kind, *in, *want, *save = NULL;
      secshim_error_t err = NULL;
      cleanup_with (json_free) struct json_value *v = NULL;
      cleanup_free char *got = NULL;

      line[strcspn (line, "\n")] = '\0';
      if (line[0] == '#' || line[0] == '\0')
        continue;
      kind = strtok_r (line, "\t", &save);
      in = strtok_r (NULL, "\t", &save);
      want = strtok_r (NULL, "\t", &save);
      if (!kind || !in || !want || json_parse (in, strlen (in), NULL, &v, &err) < 0 || !json_is (v, JSON_STRING))
        {
          tap_check (0, "malformed row: %s", line);
          secshim_error_release (&err);
          continue;
        }
      got = answer (kind, v->str);
      tap_check (strcmp (got, want) == 0, "%s %s: %s (Go: %s)", kind, in, got, want);
      rows++;
    }
  fclose (f);
  tap_check (rows >= 40, "%d rows read", rows);
  return tap_done ();
}
