/* Landlock: the ruleset derived from bane's fields, as the helper's
 * arguments.  Data-driven: each case is a bane TOML text and the argument
 * list it must give (joined by spaces), or the error it must give. */
#include <stdlib.h>
#include <string.h>

#include "secshim/apparmor.h"
#include "secshim/landlock.h"
#include "secshim/util.h"
#include "tap.h"

struct derive_case
{
  const char *name;
  const char *toml;
  const char *args; /* expected, "" for none; NULL: derivation must fail */
  size_t widened;
};

static const struct derive_case cases[] = {
  { "no filesystem rules, no protocols: nothing to enforce", "Name = \"a\"\n", "", 0 },
  { "ReadOnlyPaths glob: the tree loses write", "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"/etc/**\"]\n",
    "-d wt:/etc", 0 },
  { "ReadOnlyPaths exact file: that file", "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"/etc/passwd\"]\n",
    "-d w:/etc/passwd", 0 },
  { "ReadOnlyPaths /**: everything", "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"/**\"]\n", "-d wt:/", 0 },
  { "a glob inside a component widens to its directory",
    "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"/usr/lib*/**\", \"/etc/*.conf\"]\n", "-d wt:/usr -d wt:/etc", 2 },
  { "@{PROC} is /proc", "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"@{PROC}/sys/**\"]\n", "-d wt:/proc/sys", 0 },
  { "paths are normalised lexically", "Name = \"a\"\n[Filesystem]\nReadOnlyPaths = [\"//etc/./ssl/../**\"]\n",
    "-d wt:/etc", 0 },
  { "DenyExec: read, write and execute (deny mrwklx)",
    "Name = \"a\"\n[Filesystem]\nDenyExec = [\"/bin/sh\", \"/usr/bin/top\"]\n", "-d rwx:/bin/sh -d rwx:/usr/bin/top",
    0 },
  { "WritablePaths, AllowExec, LogOnWritePaths grant or log only: no rule",
    "Name = \"a\"\n[Filesystem]\nWritablePaths = [\"/var/run/x.pid\"]\nAllowExec = [\"/usr/sbin/nginx\"]\n"
    "LogOnWritePaths = [\"/**\"]\n",
    "", 0 },
  { "Protocols without tcp: TCP denied", "Name = \"a\"\n[Network]\nProtocols = [\"udp\"]\n", "-n", 0 },
  { "Protocols with tcp6 only: TCP allowed (Landlock has no address family)",
    "Name = \"a\"\n[Network]\nProtocols = [\"tcp6\"]\n", "", 0 },
  { "Raw and Packet are not Landlock's", "Name = \"a\"\n[Network]\nRaw = false\nPacket = false\n", "", 0 },
  { "order: ReadOnlyPaths, then DenyExec, then -n",
    "Name = \"a\"\n[Filesystem]\nDenyExec = [\"/bin/dash\"]\nReadOnlyPaths = [\"/usr/**\"]\n"
    "[Network]\nProtocols = [\"icmp\"]\n",
    "-d wt:/usr -d rwx:/bin/dash -n", 0 },
};

static char *
join (const struct strv *v)
{
  struct strbuf b = { 0 };
  size_t i;
  strbuf_append (&b, "", 0, 64);
  for (i = 0; i < v->n; i++)
    {
      if (i)
        strbuf_append (&b, " ", 1, 64);
      strbuf_append (&b, v->v[i], strlen (v->v[i]), 64);
    }
  return b.buf;
}

static void
check_case (const struct derive_case *c)
{
  struct aa_spec spec;
  struct ll_ruleset r;
  struct strv args;
  secshim_error_t err = NULL;
  char *got = NULL;
  int ret;

  memset (&spec, 0, sizeof spec);
  if (aa_spec_from_toml (c->toml, strlen (c->toml), "t.toml", &spec, &err) < 0)
    {
      TAP_CHECK (0, "%s: TOML parses (%s)", c->name, err->msg);
      secshim_error_release (&err);
      return;
    }
  ret = ll_ruleset_from_spec (&spec, &r, &err);
  if (c->args == NULL)
    TAP_CHECK (ret < 0, "%s: refused (%s)", c->name, err ? err->msg : "accepted");
  else if (ret < 0)
    TAP_CHECK (0, "%s: derivation failed (%s)", c->name, err->msg);
  else
    {
      ll_helper_args (&r, &args);
      got = join (&args);
      TAP_CHECK (strcmp (got, c->args) == 0 && r.n_widened == c->widened
                     && ll_ruleset_empty (&r) == (c->args[0] == '\0'),
                 "%s: `%s` (got `%s`, %zu widened)", c->name, c->args, got, r.n_widened);
      strv_free (&args);
      free (got);
      ll_ruleset_free (&r);
    }
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

static void
test_nginx_sample (void)
{
  const char *top = getenv ("SECSHIM_TOP");
  struct aa_spec spec;
  struct ll_ruleset r;
  struct strv args;
  secshim_error_t err = NULL;
  char path[4096], *got;

  memset (&spec, 0, sizeof spec);
  snprintf (path, sizeof path, "%s/tests/apparmor/nginx-sample.toml", top ? top : ".");
  if (aa_spec_from_toml_file (path, &spec, &err) < 0 || ll_ruleset_from_spec (&spec, &r, &err) < 0)
    {
      TAP_CHECK (0, "nginx-sample: derives (%s)", err->msg);
      secshim_error_release (&err);
      aa_spec_free (&spec);
      return;
    }
  ll_helper_args (&r, &args);
  got = join (&args);
  TAP_CHECK (strcmp (got, "-d wt:/bin -d wt:/boot -d wt:/dev -d wt:/etc -d wt:/home -d wt:/lib -d wt:/lib64 "
                          "-d wt:/media -d wt:/mnt -d wt:/opt -d wt:/proc -d wt:/root -d wt:/sbin -d wt:/srv "
                          "-d wt:/tmp -d wt:/sys -d wt:/usr -d rwx:/bin/dash -d rwx:/bin/sh -d rwx:/usr/bin/top")
                 == 0,
             "nginx-sample: 17 read-only trees, 3 denied programs, TCP allowed (%s)", got);
  free (got);
  strv_free (&args);
  ll_ruleset_free (&r);
  aa_spec_free (&spec);
}

static void
test_limit (void)
{
  struct aa_spec spec;
  struct ll_ruleset r;
  secshim_error_t err = NULL;
  size_t i;
  int ret;

  memset (&spec, 0, sizeof spec);
  spec.name = xstrdup ("a");
  spec.read_only_paths.v = xreallocarray (NULL, LL_MAX_RULES + 2, sizeof (char *));
  for (i = 0; i <= LL_MAX_RULES; i++)
    xasprintf (&spec.read_only_paths.v[i], "/d%zu/**", i);
  spec.read_only_paths.n = LL_MAX_RULES + 1;
  spec.read_only_paths.v[spec.read_only_paths.n] = NULL;
  ret = ll_ruleset_from_spec (&spec, &r, &err);
  TAP_CHECK (ret < 0 && err && strstr (err->msg, "more than 256"), "more rules than the helper takes: refused (%s)",
             err ? err->msg : "accepted");
  secshim_error_release (&err);
  spec.read_only_paths.n = LL_MAX_RULES;
  free (spec.read_only_paths.v[LL_MAX_RULES]);
  spec.read_only_paths.v[LL_MAX_RULES] = NULL;
  TAP_CHECK (ll_ruleset_from_spec (&spec, &r, &err) == 0 && r.n == LL_MAX_RULES, "exactly the limit: accepted");
  ll_ruleset_free (&r);
  secshim_error_release (&err);
  aa_spec_free (&spec);
}

int
main (void)
{
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_case (&cases[i]);
  test_nginx_sample ();
  test_limit ();
  TAP_CHECK (ll_abi_version () >= 0, "ll_abi_version: %d on this kernel", ll_abi_version ());
  return tap_done ();
}
