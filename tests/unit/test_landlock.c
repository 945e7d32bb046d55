/* Landlock: the ruleset derived from bane's fields, as the helper's
 * arguments.  Data-driven: each case is a bane TOML text and the argument
 * list it must give (joined by spaces), or the error it must give. */
#include <stdlib.h>
#include <string.h>

#include "secshim/hosts.h"
#include "secshim/apparmor.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/landlock.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
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

/* ---- the apparmor rule on hosts without AppArmor ---- */

#define HELPER "/usr/lib/secshim/secshim-landlock"

struct rule_case
{
  const char *name;
  const char *rule;    /* the "apparmor" rule's JSON */
  bool apparmor;       /* host has AppArmor */
  int abi;             /* host's Landlock ABI */
  bool helper;         /* helper installed */
  enum doc_kind kind;  /* config or process.json */
  const char *doc;     /* input document */
  bool injected;       /* args prefixed (and, for a config, the helper mounted) */
  bool refused;        /* verdict */
  const char *message; /* some finding's message contains this (NULL: no finding) */
};

#define NGINX "\"source\": \"../tests/apparmor/nginx-sample.toml\""
#define CFG "{\"process\": {\"args\": [\"nginx\", \"-g\", \"daemon off;\"]}, \"mounts\": []}"
#define PROC "{\"args\": [\"sh\", \"-c\", \"id\"], \"cwd\": \"/\"}"

static const struct rule_case rule_cases[] = {
  { "no AppArmor, Landlock: the profile is enforced by the helper", "{\"action\": \"rewrite\", " NGINX "}", false, 7,
    true, DOC_CONFIG, CFG, true, false, "profile `nginx-sample` enforced by Landlock ABI 7 (20 file rules)" },
  { "exec's process.json: args prefixed, nothing mounted", "{\"action\": \"rewrite\", " NGINX "}", false, 7, true,
    DOC_PROCESS, PROC, true, false, "enforced by Landlock" },
  { "AppArmor present: AppArmor, not Landlock", "{\"action\": \"rewrite\", " NGINX "}", true, 7, true, DOC_CONFIG, CFG,
    false, false, "set the AppArmor profile to `nginx-sample`" },
  { "landlock: false turns the fallback off", "{\"action\": \"rewrite\", \"landlock\": false, " NGINX "}", false, 7,
    true, DOC_CONFIG, CFG, false, false, "the policy turned the Landlock fallback off" },
  { "no Landlock in the kernel: recorded", "{\"action\": \"rewrite\", " NGINX "}", false, 0, true, DOC_CONFIG, CFG,
    false, false, "the kernel has no Landlock either" },
  { "helper not installed: recorded", "{\"action\": \"rewrite\", " NGINX "}", false, 7, false, DOC_CONFIG, CFG, false,
    false, "secshim-landlock is not installed" },
  { "required, Landlock there: allowed and enforced", "{\"action\": \"rewrite\", \"mode\": \"required\", " NGINX "}",
    false, 7, true, DOC_CONFIG, CFG, true, false, "enforced by Landlock" },
  { "required, neither AppArmor nor Landlock: refused", "{\"action\": \"rewrite\", \"mode\": \"required\", " NGINX "}",
    false, 0, true, DOC_CONFIG, CFG, false, true,
    "AppArmor is not enabled on this host and the kernel has no Landlock either" },
  { "required, Landlock turned off: refused",
    "{\"action\": \"rewrite\", \"mode\": \"required\", \"landlock\": false, " NGINX "}", false, 7, true, DOC_CONFIG,
    CFG, false, true, "turned the Landlock fallback off" },
  { "action audit: transparent, says what it would do", "{\"action\": \"audit\", " NGINX "}", false, 7, true,
    DOC_CONFIG, CFG, false, false, "would be enforced by Landlock" },
  { "action reject: nothing rewritten, not refused", "{\"action\": \"reject\", " NGINX "}", false, 7, true, DOC_CONFIG,
    CFG, false, false, "would be enforced by Landlock" },
  { "a profile without file rules: nothing to inject",
    "{\"action\": \"rewrite\", \"source\": \"apparmor/default.toml\"}", false, 7, true, DOC_CONFIG, CFG, false, false,
    "has no file or TCP rules for Landlock" },
  { "a profile named only: no fields for Landlock", "{\"action\": \"rewrite\", \"profile\": \"docker-default\"}", false,
    7, true, DOC_CONFIG, CFG, false, false, "names the profile only" },
  { "a named profile runc cannot apply is removed, and Landlock applied", "{\"action\": \"rewrite\", " NGINX "}", false,
    7, true, DOC_CONFIG, "{\"process\": {\"args\": [\"nginx\"], \"apparmorProfile\": \"docker-default\"}}", true, false,
    "removed the profile runc cannot apply" },
  { "TCP rules alone on an ABI 3 kernel: nothing to inject",
    "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"n\", \"Network\": {\"Protocols\": [\"udp\"]}}}", false, 3, true,
    DOC_CONFIG, CFG, false, false, "has no file or TCP rules for Landlock" },
  { "TCP rules on an ABI 4 kernel: enforced",
    "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"n\", \"Network\": {\"Protocols\": [\"udp\"]}}}", false, 4, true,
    DOC_CONFIG, CFG, true, false, "(0 file rules, TCP bind/connect denied)" },
  { "TCP and file rules on an ABI 3 kernel: file rules, TCP said not restricted",
    "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"n\", \"Network\": {\"Protocols\": [\"udp\"]}, "
    "\"Filesystem\": {\"ReadOnlyPaths\": [\"/etc/**\"]}}}",
    false, 3, true, DOC_CONFIG, CFG, true, false, "(1 file rule, TCP not restricted (Landlock ABI < 4))" },
};

static struct policy *
rule_policy (const char *rule_json, secshim_error_t *err)
{
  const char *top = getenv ("SECSHIM_TOP");
  char *buf = NULL, path[4096];
  struct policy *p = NULL;
  xasprintf (&buf, "{\"version\": 1, \"rules\": {\"apparmor\": %s}}", rule_json);
  snprintf (path, sizeof path, "%s/policy/test.json", top ? top : ".");
  if (policy_load_buffer (buf, strlen (buf), path, &p, err) < 0)
    p = NULL;
  free (buf);
  return p;
}

static void
check_rule_case (const struct rule_case *c)
{
  struct host h;
  struct identity id = { .verb = c->kind == DOC_PROCESS ? "exec" : "create", .container_id = "c1" };
  struct findings f = { 0 };
  struct json_value *doc = NULL, *args, *mounts, *last;
  secshim_error_t err = NULL;
  struct policy *p = rule_policy (c->rule, &err);
  bool refused = false, injected, mounted, found = false, original_kept;
  size_t i, n_orig;
  int ret;

  if (p == NULL)
    {
      TAP_CHECK (0, "%s: policy loads (%s)", c->name, err ? err->msg : "?");
      secshim_error_release (&err);
      return;
    }
  host_fake_init (&h, c->apparmor, true);
  h.landlock_abi = c->abi;
  h.landlock_helper = c->helper ? HELPER : NULL;
  if (json_parse (c->doc, strlen (c->doc), NULL, &doc, &err) < 0)
    abort ();
  n_orig = json_get_path (doc, c->kind == DOC_PROCESS ? "args" : "process.args")->count;
  ret = policy_evaluate (p, doc, c->kind, &h, &id, &f, &refused, &err);
  args = json_get_path (doc, c->kind == DOC_PROCESS ? "args" : "process.args");
  injected = args && args->count > 0 && str_equal (json_string (args->items[0]), LL_CONTAINER_PATH);
  /* The original args follow "--", unchanged. */
  original_kept
      = !injected || (args->count > n_orig && str_equal (json_string (args->items[args->count - n_orig - 1]), "--"));
  mounts = json_get (doc, "mounts");
  last = mounts && mounts->count ? mounts->items[mounts->count - 1] : NULL;
  mounted = last && str_equal (json_string (json_get (last, "destination")), LL_CONTAINER_PATH)
            && str_equal (json_string (json_get (last, "source")), HELPER)
            && str_equal (json_string (json_get (last, "type")), "bind")
            && json_array_has_string (json_get (last, "options"), "ro");
  for (i = 0; i < f.n; i++)
    if (c->message && strstr (f.v[i].message, c->message))
      found = true;
  TAP_CHECK (ret == 0 && refused == c->refused && injected == c->injected && original_kept
                 && mounted == (c->injected && c->kind == DOC_CONFIG) && (c->message ? found : f.n == 0),
             "%s (ret %d, refused %d, injected %d, mounted %d, finding: %s)", c->name, ret, refused, injected, mounted,
             f.n ? f.v[f.n - 1].message : "none");
  findings_free (&f);
  json_free (doc);
  policy_free (p);
  secshim_error_release (&err);
}

static void
test_rule_settings (void)
{
  secshim_error_t err = NULL;
  struct policy *p = rule_policy ("{\"action\": \"rewrite\", \"landlock\": \"yes\", \"profile\": \"x\"}", &err);
  TAP_CHECK (p == NULL && err && strstr (err->msg, "rules.apparmor.landlock"), "landlock must be a boolean (%s)",
             err ? err->msg : "accepted");
  policy_free (p);
  secshim_error_release (&err);
}

/* The helper's arguments, exactly, for a small profile. */
static void
test_rule_args (void)
{
  struct host h;
  struct identity id = { .verb = "create", .container_id = "c1" };
  struct findings f = { 0 };
  struct json_value *doc = NULL;
  secshim_error_t err = NULL;
  char *out = NULL;
  size_t len;
  bool refused;
  struct policy *p = rule_policy ("{\"action\": \"rewrite\", \"fields\": {\"Name\": \"n\", \"Filesystem\": "
                                  "{\"ReadOnlyPaths\": [\"/etc/**\"], \"DenyExec\": [\"/bin/sh\"]}}}",
                                  &err);
  host_fake_init (&h, false, true);
  h.landlock_abi = 7;
  h.landlock_helper = HELPER;
  static const char input[] = "{\"process\": {\"args\": [\"a b\", \"--\"]}}";
  if (p == NULL || json_parse (input, strlen (input), NULL, &doc, &err) < 0)
    {
      TAP_CHECK (0, "args policy loads (%s)", err ? err->msg : "?");
      secshim_error_release (&err);
      policy_free (p);
      return;
    }
  policy_evaluate (p, doc, DOC_CONFIG, &h, &id, &f, &refused, &err);
  json_write (json_get_path (doc, "process.args"), &out, &len, &err);
  TAP_CHECK (out
                 && strcmp (out, "[\"" LL_CONTAINER_PATH "\",\"-d\",\"wt:/etc\",\"-d\",\"rwx:/bin/sh\",\"--\","
                                 "\"a b\",\"--\"]")
                        == 0,
             "process.args: helper, its rules, --, the original args as they were (%s)", out ? out : "?");
  free (out);
  findings_free (&f);
  json_free (doc);
  policy_free (p);
  secshim_error_release (&err);
}

static bool
rewrote (const struct findings *f)
{
  size_t i;
  for (i = 0; i < f->n; i++)
    if (f->v[i].action == ACTION_REWRITE)
      return true;
  return false;
}

/* A config.json secshim rewrote evaluates the same again (the mounts rule
 * lets the helper's own mount through, the args are not prefixed twice),
 * and a look-alike mount of another file is still judged. */
static void
test_idempotent (void)
{
  static const char rules[] = "{\"version\": 1, \"rules\": {\"mounts\": {\"action\": \"reject\", \"deny\": "
                              "[\"/usr\"]}, \"apparmor\": {\"action\": \"rewrite\", " NGINX "}}}";
  const char *top = getenv ("SECSHIM_TOP");
  struct host h;
  struct identity id = { .verb = "create", .container_id = "c1" };
  struct findings f1 = { 0 }, f2 = { 0 }, f3 = { 0 };
  struct json_value *doc = NULL, *doc2 = NULL, *doc3 = NULL;
  secshim_error_t err = NULL;
  struct policy *p = NULL;
  char path[4096], *out1 = NULL, *out2 = NULL, *fake = NULL;
  size_t len1 = 0, len2 = 0;
  bool r1 = false, r2 = false, r3 = false;

  snprintf (path, sizeof path, "%s/policy/test.json", top ? top : ".");
  if (policy_load_buffer (rules, strlen (rules), path, &p, &err) < 0
      || json_parse (CFG, strlen (CFG), NULL, &doc, &err) < 0)
    {
      TAP_CHECK (0, "idempotence: policy loads (%s)", err ? err->msg : "?");
      secshim_error_release (&err);
      policy_free (p);
      return;
    }
  host_fake_init (&h, false, true);
  h.landlock_abi = 7;
  h.landlock_helper = HELPER;
  policy_evaluate (p, doc, DOC_CONFIG, &h, &id, &f1, &r1, &err);
  json_write (doc, &out1, &len1, &err);
  json_parse (out1, len1, NULL, &doc2, &err);
  policy_evaluate (p, doc2, DOC_CONFIG, &h, &id, &f2, &r2, &err);
  json_write (doc2, &out2, &len2, &err);
  TAP_CHECK (!r1 && rewrote (&f1) && !r2 && !rewrote (&f2) && len1 == len2 && memcmp (out1, out2, len1) == 0,
             "a rewritten config evaluates the same again: helper mount (under a denied /usr) let through, args not "
             "prefixed twice (%s)",
             f2.n ? f2.v[f2.n - 1].message : "no finding");
  /* The same mount shape naming another file under /usr is still a bind of /usr. */
  xasprintf (&fake, "{\"process\": {\"args\": [\"sh\"]}, \"mounts\": [{\"destination\": \"" LL_CONTAINER_PATH
                    "\", \"type\": \"bind\", \"source\": \"/usr/bin/env\", \"options\": [\"bind\", \"ro\", "
                    "\"nosuid\", \"nodev\"]}]}");
  json_parse (fake, strlen (fake), NULL, &doc3, &err);
  policy_evaluate (p, doc3, DOC_CONFIG, &h, &id, &f3, &r3, &err);
  TAP_CHECK (r3, "a look-alike mount of another host file is still judged by the mounts rule (refused)");
  free (out1);
  free (out2);
  free (fake);
  findings_free (&f1);
  findings_free (&f2);
  findings_free (&f3);
  json_free (doc);
  json_free (doc2);
  json_free (doc3);
  policy_free (p);
  secshim_error_release (&err);
}

int
main (void)
{
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_case (&cases[i]);
  test_nginx_sample ();
  test_limit ();
  for (i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++)
    check_rule_case (&rule_cases[i]);
  test_rule_settings ();
  test_rule_args ();
  test_idempotent ();
  TAP_CHECK (ll_abi_version () >= 0, "ll_abi_version: %d on this kernel", ll_abi_version ());
  return tap_done ();
}
