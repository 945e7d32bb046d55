/* A policy restored from its compiled entry (src/policy/compiled.c) is the
 * policy a full load gives: for every shipped policy and every policy of
 * tests/policy that loads, the restored one packs to the same bytes as a
 * full load from memory (every field the entry holds), carries the real
 * SHA-256 of the file, and judges a set of documents identically (every
 * finding and the rewritten document), which would also catch a field a
 * rule's pack function forgot. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/policy/compiled.h"
#include "secshim/cleanup.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/sha256.h"
#include "secshim/spec.h"
#include "secshim/util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/secshim-compiled-XXXXXX";
static char cache[128];
static const char *top;

static const char *const docs[] = {
  "tests/fixtures/docker-20.10/default.config.json",
  "tests/fixtures/docker-20.10/privileged.config.json",
  "tests/fixtures/docker-20.10/capadd-all.config.json",
  "tests/fixtures/docker-20.10/hostroot.config.json",
  "tests/fixtures/docker-20.10/exec-default.process.json",
  "tests/fixtures/podman-4.3/podman-exec.process.json",
  /* Something for every setting of every rule of policy/default.json: a
   * bind of each denied and owned path, devices, sysctls, hooks, ... */
  "tests/unit/compiled-kitchen-sink.config.json",
};

static char *
read_path (const char *path, size_t *len)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  char *buf = NULL;
  if (fd < 0 || read_all_fd (fd, 1 << 24, &buf, len) < 0)
    return NULL;
  return buf;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* Everything evaluation of one document under p shows: verdict, findings,
 * host steps, the document written.  Malloc'd. */
static char *
judge (const struct policy *p, const char *doc_path, bool no_seccomp, bool apparmor)
{
  cleanup_free char *buf = NULL, *out = NULL, *text = xstrdup ("");
  struct json_value *doc = NULL;
  struct findings f = { 0 };
  secshim_error_t err = NULL;
  struct identity id = { .verb = "create", .container_id = "c", .bundle = "/bundle" };
  enum doc_kind kind = has_suffix (doc_path, ".process.json") ? DOC_PROCESS : DOC_CONFIG;
  struct host h;
  bool refused = false;
  size_t len = 0, out_len = 0, i;

  host_fake_init (&h, apparmor, true);
  buf = read_path (doc_path, &len);
  if (buf == NULL || json_parse (buf, len, NULL, &doc, &err) < 0
      || spec_normalize (doc, kind == DOC_PROCESS ? SPEC_PROCESS : SPEC_CONFIG, &err) < 0)
    abort ();
  if (no_seccomp)
    json_remove (json_get (doc, "linux"), "seccomp");
  if (policy_evaluate (p, doc, kind, &h, &id, &f, &refused, &err) < 0)
    xasprintf (&out, "error: %s", err->msg);
  else if (json_write (doc, &out, &out_len, &err) < 0)
    abort ();
  for (i = 0; i < f.n; i++)
    {
      char *next = NULL;
      xasprintf (&next, "%s%s|%s|%d|%s|%s|%s|%d\n", text, f.v[i].rule, f.v[i].path ? f.v[i].path : "-",
                 (int) f.v[i].action, f.v[i].message, f.v[i].before ? f.v[i].before : "-",
                 f.v[i].after ? f.v[i].after : "-", (int) f.v[i].exempted);
      free (text);
      text = next;
    }
  for (i = 0; i < f.n_steps; i++)
    {
      char *next = NULL;
      xasprintf (&next, "%sstep %s %s %zu\n", text, f.steps[i].rule, f.steps[i].apparmor_profile, f.steps[i].len);
      free (text);
      text = next;
    }
  {
    char *all = NULL;
    xasprintf (&all, "%s%s\n%s", refused ? "refused" : "allowed", text, out ? out : "");
    secshim_error_release (&err);
    findings_free (&f);
    json_free (doc);
    return all;
  }
}

static char *
packed (struct policy *p, size_t *len)
{
  struct pack k = { .reading = false };
  compiled_pack (&k, p);
  *len = k.bad ? 0 : k.len;
  return k.buf;
}

static void
check_policy (const char *path)
{
  cleanup_free char *buf = NULL, *a_bytes = NULL, *b_bytes = NULL;
  struct policy *a = NULL, *b = NULL, *c = NULL;
  secshim_error_t err = NULL;
  size_t len = 0, a_len = 0, b_len = 0, i, n_cases = sizeof docs / sizeof docs[0] * 4;
  char sha[65];
  bool same = true;

  buf = read_path (path, &len);
  if (buf == NULL || policy_load_buffer (buf, len, path, &a, &err) < 0)
    {
      /* The policy cases that are meant to fail: nothing to compare. */
      secshim_error_release (&err);
      return;
    }
  if (policy_load_file (path, &b, &err) < 0 || policy_load_file (path, &c, &err) < 0)
    {
      TAP_CHECK (false, "%s: loads from the file too (%s)", path, err ? err->msg : "");
      secshim_error_release (&err);
      policy_free (a);
      policy_free (b);
      return;
    }
  TAP_CHECK (!b->validation_skipped && c->validation_skipped, "%s: loaded in full, then restored", path);
  sha256_hex (buf, len, sha);
  TAP_CHECK (strcmp (c->sha256, sha) == 0 && strcmp (c->path, a->path) == 0,
             "%s: the restored policy carries the file's SHA-256 and path", path);
  a_bytes = packed (a, &a_len);
  b_bytes = packed (c, &b_len);
  TAP_CHECK (a_len > 0 && a_len == b_len && memcmp (a_bytes, b_bytes, a_len) == 0,
             "%s: restored and full load pack to the same %zu bytes", path, a_len);
  /* Each document as it is and without linux.seccomp (the profile is
   * injected), on a host with AppArmor (the profile is a host step) and
   * without (Landlock). */
  for (i = 0; i < n_cases; i++)
    {
      cleanup_free char *doc = NULL, *x = NULL, *y = NULL;
      bool no_seccomp = i & 1, apparmor = i & 2;
      xasprintf (&doc, "%s/%s", top, docs[i / 4]);
      x = judge (a, doc, no_seccomp, apparmor);
      y = judge (c, doc, no_seccomp, apparmor);
      if (strcmp (x, y) != 0)
        {
          tap_diag ("%s, %s%s%s: full load\n%s\nrestored\n%s", path, docs[i / 4], no_seccomp ? " without seccomp" : "",
                    apparmor ? " (AppArmor host)" : "", x, y);
          same = false;
        }
    }
  TAP_CHECK (same, "%s: restored and full load judge %zu cases alike", path, n_cases);
  policy_free (a);
  policy_free (b);
  policy_free (c);
}

static void
check_dir (const char *dir)
{
  struct dirent **names = NULL;
  int n, i;
  char path[512];

  n = scandir (dir, &names, NULL, alphasort);
  for (i = 0; i < n; i++)
    {
      if (has_suffix (names[i]->d_name, ".json"))
        {
          snprintf (path, sizeof path, "%s/%s", dir, names[i]->d_name);
          check_policy (path);
        }
      free (names[i]);
    }
  free (names);
}

int
main (void)
{
  char dir[512], real_top[4096], cmd[300];

  top = getenv ("SECSHIM_TOP") ? getenv ("SECSHIM_TOP") : ".";
  if (realpath (top, real_top) == NULL || mkdtemp (tmpdir) == NULL)
    abort ();
  top = real_top;
  snprintf (cache, sizeof cache, "%s/compiled", tmpdir);
  policy_cache_set (false, cache);
  snprintf (dir, sizeof dir, "%s/policy", top);
  check_dir (dir);
  snprintf (dir, sizeof dir, "%s/tests/policy", top);
  check_dir (dir);
  snprintf (dir, sizeof dir, "%s/tests/policy/docs", top);
  check_dir (dir);
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    tap_diag ("could not remove %s", tmpdir);
  return tap_done ();
}
