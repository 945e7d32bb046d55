/* evaldump: everything secshim derives from one document, for comparing two
 * builds byte for byte (performance work must not change any of it).
 *
 *   evaldump POLICY FILE...
 *
 * For each FILE prints: the canonical round trip (json_parse -> json_write),
 * the error if any stage fails, then after spec_normalize -> policy_evaluate
 * (fake host, so the result does not depend on this machine;
 * EVALDUMP_HOST=real for host_real ()) the verdict,
 * every finding (rule, path, action, message, before, after, exempted) and
 * the written document.  POLICY "-" checks the round trip only.  A
 * benchmark helper, not part of secshim. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/spec.h"
#include "secshim/util.h"

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

static void
dump_one (const struct policy *p, const struct host *host, const char *path)
{
  cleanup_free char *buf = NULL;
  cleanup_free char *out = NULL;
  cleanup_close int fd = -1;
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  secshim_error_t err = NULL;
  struct identity id = { .verb = "create", .container_id = "dump", .bundle = "/bundle" };
  bool refused = false;
  size_t len = 0, out_len = 0;

  printf ("=== %s\n", path);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read_all_fd (fd, JSON_DEFAULT_MAX_BYTES * 2, &buf, &len) < 0)
    {
      printf ("unreadable\n");
      return;
    }
  if (json_parse (buf, len, NULL, &doc, &err) < 0)
    {
      printf ("parse error: %s\n", err->msg);
      goto out;
    }
  if (json_write (doc, &out, &out_len, &err) < 0)
    printf ("write error: %s\n", err->msg);
  else
    printf ("roundtrip %zu: %s\n", out_len, out);
  free (steal_pointer (&out));
  if (p == NULL)
    goto out;
  enum doc_kind kind = has_suffix (path, ".process.json") ? DOC_PROCESS : DOC_CONFIG;
  if (spec_normalize (doc, kind == DOC_PROCESS ? SPEC_PROCESS : SPEC_CONFIG, &err) < 0)
    {
      printf ("normalize error: %s\n", err->msg);
      goto out;
    }
  if (policy_evaluate (p, doc, kind, host, &id, &f, &refused, &err) < 0)
    {
      printf ("evaluate error: %s\n", err->msg);
      goto out;
    }
  printf ("verdict: %s\n", refused ? "refused" : "allowed");
  for (size_t i = 0; i < f.n; i++)
    printf ("finding: %s | %s | %d | %s | %s | %s | %d\n", f.v[i].rule, f.v[i].path ? f.v[i].path : "(null)",
            (int) f.v[i].action, f.v[i].message, f.v[i].before ? f.v[i].before : "(null)",
            f.v[i].after ? f.v[i].after : "(null)", (int) f.v[i].exempted);
  if (json_write (doc, &out, &out_len, &err) < 0)
    printf ("write error: %s\n", err->msg);
  else
    printf ("output %zu: %s\n", out_len, out);
out:
  if (err)
    secshim_error_release (&err);
  findings_free (&f);
  json_free (doc);
}

int
main (int argc, char **argv)
{
  struct policy *p = NULL;
  secshim_error_t err = NULL;
  static struct host fake;

  if (argc < 2)
    {
      fprintf (stderr, "usage: evaldump POLICY|- FILE...\n");
      return 2;
    }
  host_fake_init (&fake, false, true);
  const struct host *host = str_equal (getenv ("EVALDUMP_HOST"), "real") ? host_real () : &fake;
  if (strcmp (argv[1], "-") != 0 && policy_load_file (argv[1], &p, &err) < 0)
    {
      fprintf (stderr, "evaldump: %s\n", err->msg);
      return 2;
    }
  for (int i = 2; i < argc; i++)
    dump_one (p, host, argv[i]);
  policy_free (p);
  return 0;
}
