/* AppArmor: golden profiles, the loader (with a fake apparmor_parser), and
 * the "apparmor" rule through the policy engine on fake hosts with
 * AppArmor enabled and disabled. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secshim/hosts.h"
#include "secshim/apparmor.h"
#include "secshim/hosts.h"
#include "secshim/policy.h"
#include "secshim/hosts.h"
#include "secshim/sha256.h"
#include "secshim/util.h"
#include "tap.h"

static const char *top;
static char tmpdir[] = "/tmp/secshim-aa-XXXXXX";

static char *
read_file (const char *path, size_t *len)
{
  char *buf = NULL;
  size_t n = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (read_all_fd (fd, 1 << 24, &buf, &n) < 0)
    buf = NULL;
  close (fd);
  if (len)
    *len = n;
  return buf;
}

static void
write_file (const char *path, const char *text, mode_t mode)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || write_all_fd (fd, text, strlen (text)) < 0)
    abort ();
  close (fd);
}

static int
count_lines (const char *path, const char *needle)
{
  char *buf = read_file (path, NULL);
  int n = 0;
  char *p = buf;
  if (buf == NULL)
    return 0;
  while ((p = strstr (p, needle)) != NULL)
    n++, p++;
  free (buf);
  return n;
}

static char *
generate_file (const char *toml, size_t *len, secshim_error_t *err)
{
  struct aa_spec spec = { 0 };
  char *text = NULL;
  if (aa_spec_from_toml_file (toml, &spec, err) < 0 || aa_generate (&spec, &text, len, err) < 0)
    text = NULL;
  aa_spec_free (&spec);
  return text;
}

/* ---- golden profiles ---- */

static void
test_goldens (void)
{
  static const char *const cases[][2] = {
    { "tests/apparmor/nginx-sample.toml", "tests/apparmor/nginx-sample.profile" },
    { "tests/apparmor/empty-sections.toml", "tests/apparmor/empty-sections.profile" },
    { "tests/apparmor/deny-and-allow.toml", "tests/apparmor/deny-and-allow.profile" },
    { "tests/apparmor/ipv6-only.toml", "tests/apparmor/ipv6-only.profile" },
    { "tests/apparmor/special-paths.toml", "tests/apparmor/special-paths.profile" },
    { "policy/apparmor/default.toml", "tests/apparmor/policy-default.profile" },
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char toml[4096], golden[4096];
      secshim_error_t err = NULL;
      size_t len = 0, glen = 0, len2 = 0;
      char *text, *again, *want;

      snprintf (toml, sizeof toml, "%s/%s", top, cases[i][0]);
      snprintf (golden, sizeof golden, "%s/%s", top, cases[i][1]);
      text = generate_file (toml, &len, &err);
      want = read_file (golden, &glen);
      TAP_CHECK (text && want && len == glen && memcmp (text, want, len) == 0, "%s matches %s byte for byte%s%s",
                 cases[i][0], cases[i][1], err ? ": " : "", err ? err->msg : "");
      again = generate_file (toml, &len2, NULL);
      TAP_CHECK (text && again && len == len2 && memcmp (text, again, len) == 0, "%s: output is deterministic",
                 cases[i][0]);
      secshim_error_release (&err);
      free (text);
      free (again);
      free (want);
    }
}

/* What the issue asks of the nginx profile, line by line. */
static void
test_nginx_contents (void)
{
  static const char *const lines[] = {
    "profile nginx-sample flags=(attach_disconnected,mediate_deleted) {\n",
    "  network inet tcp,\n",
    "  network inet6 tcp,\n",
    "  network inet udp,\n",
    "  network inet6 udp,\n",
    "  deny network raw,\n",
    "  deny network packet,\n",
    "  deny network alg,\n",
    "  deny /etc/** wl,\n",
    "  audit /** w,\n",
    "  /var/run/nginx.pid w,\n",
    "  /{,usr/}sbin/nginx ix,\n",
    "  deny /{,usr/}bin/sh mrwklx,\n",
    "  capability net_bind_service,\n",
    "  signal (receive) peer=unconfined,\n",
    "  signal (receive) peer=runc,\n",
    "  signal (send,receive) peer=nginx-sample,\n",
    "  ptrace (trace,read,tracedby,readby) peer=nginx-sample,\n",
    "  deny /sys/firmware/** rwklx,\n",
    "  deny /sys/devices/virtual/powercap/** rwklx,\n",
    "  deny @{PROC}/sysrq-trigger rwklx,\n",
    "  deny mount,\n",
  };
  char toml[4096];
  char *text;
  size_t i;
  snprintf (toml, sizeof toml, "%s/tests/apparmor/nginx-sample.toml", top);
  text = generate_file (toml, NULL, NULL);
  for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
    TAP_CHECK (text && strstr (text, lines[i]), "nginx profile has: %.*s", (int) strlen (lines[i]) - 1, lines[i]);
  TAP_CHECK (text && strstr (text, "\n  capability,\n") == NULL, "nginx profile: Allow list, no blanket capability");
  free (text);
}

/* ---- loader ---- */

static char parser[4200], parser_fail[4200], profiles[4200], cache[4200], calls[4200];

static void
setup_loader (void)
{
  char script[8192];
  snprintf (parser, sizeof parser, "%s/parser", tmpdir);
  snprintf (parser_fail, sizeof parser_fail, "%s/parser-fail", tmpdir);
  snprintf (profiles, sizeof profiles, "%s/profiles", tmpdir);
  snprintf (cache, sizeof cache, "%s/cache/apparmor", tmpdir);
  snprintf (calls, sizeof calls, "%s/calls", tmpdir);
  /* Records its argv, environment and stdout, takes a while (so that
   * concurrent starters overlap), then "loads": appends the profile's name
   * to the fake kernel list, as the kernel would. */
  snprintf (script, sizeof script,
            "#!/bin/sh\n"
            "d=$(dirname \"$0\")\n"
            "for a; do last=$a; done\n"
            "echo \"call $*\" >> \"$d/calls\"\n"
            "env | grep -c . | sed 's/^/envcount /' >> \"$d/calls\"\n"
            "env | grep -q LEAK && echo leaked-env >> \"$d/calls\"\n"
            "echo \"stdout $(readlink /proc/$$/fd/1)\" >> \"$d/calls\"\n"
            "sleep 0.2\n"
            "name=$(sed -n 's/^profile \\([^ ]*\\) .*/\\1/p' \"$last\")\n"
            "echo \"$name (enforce)\" >> \"$d/profiles\"\n");
  write_file (parser, script, 0755);
  write_file (parser_fail, "#!/bin/sh\necho 'line one' >&2\necho 'AppArmor parser error at line 3: boom' >&2\nexit 1\n",
              0755);
  write_file (profiles, "nginx-sample-old (enforce)\nsecshim-defaultx (complain)\n", 0644);
}

static void
test_loader (void)
{
  struct aa_loader l = { .parser = parser, .cache_dir = cache, .profiles_file = profiles };
  secshim_error_t err = NULL;
  const char *text = "profile t1 flags=(attach_disconnected) {\n}\n";
  const char *text2 = "profile t1 flags=(attach_disconnected) {\n  file,\n}\n";
  char path[9000], hex[65], *stamp;
  bool ran = false, loaded = true;
  int ret;

  setenv ("SECSHIM_TEST_LEAK", "1", 1);
  ret = aa_profile_is_loaded (&l, "nginx-sample", &loaded, &err);
  TAP_CHECK (ret == 0 && !loaded, "is_loaded: a longer name sharing the prefix does not count");
  ret = aa_profile_is_loaded (&l, "secshim-default", &loaded, &err);
  TAP_CHECK (ret == 0 && !loaded, "is_loaded: secshim-defaultx is not secshim-default");

  ret = aa_ensure_loaded (&l, "t1", text, strlen (text), &ran, &err);
  TAP_CHECK (ret == 0 && ran, "first start runs the parser (%s)", err ? err->msg : "ok");
  TAP_CHECK (count_lines (calls, "call --replace --write-cache --cache-loc ") == 1, "parser argv: replace mode, cache");
  snprintf (path, sizeof path, "call --replace --write-cache --cache-loc %s/binary --abort-on-error %s/t1\n", cache,
            cache);
  TAP_CHECK (count_lines (calls, path) == 1, "parser reads the profile written in the cache directory");
  TAP_CHECK (count_lines (calls, "leaked-env") == 0 && count_lines (calls, "envcount 3\n") == 1,
             "parser runs with a clean environment (PATH, LC_ALL; sh adds PWD)");
  TAP_CHECK (count_lines (calls, "stdout /dev/null") == 1, "parser's stdout is /dev/null, never secshim's");
  snprintf (path, sizeof path, "%s/t1.sha256", cache);
  stamp = read_file (path, NULL);
  sha256_hex (text, strlen (text), hex);
  TAP_CHECK (stamp && strncmp (stamp, hex, 64) == 0 && stamp[64] == '\n', "stamp holds the text's sha256");
  free (stamp);

  ret = aa_ensure_loaded (&l, "t1", text, strlen (text), &ran, &err);
  TAP_CHECK (ret == 0 && !ran && count_lines (calls, "call ") == 1, "second start: already loaded, no parser");

  ret = aa_ensure_loaded (&l, "t1", text2, strlen (text2), &ran, &err);
  TAP_CHECK (ret == 0 && ran && count_lines (calls, "call ") == 2, "changed text is loaded again (replace)");

  write_file (profiles, "other (enforce)\n", 0644); /* a reboot: the kernel forgot */
  ret = aa_ensure_loaded (&l, "t1", text2, strlen (text2), &ran, &err);
  TAP_CHECK (ret == 0 && ran && count_lines (calls, "call ") == 3, "profile missing from the kernel is reloaded");

  l.parser = parser_fail;
  ret = aa_ensure_loaded (&l, "t2", text, strlen (text), &ran, &err);
  TAP_CHECK (ret < 0 && err && strstr (err->msg, "loading AppArmor profile `t2`")
                 && strstr (err->msg, "(exit status 1): AppArmor parser error at line 3: boom"),
             "parser failure is an error with its last stderr line (%s)", err ? err->msg : "ok");
  secshim_error_release (&err);
  snprintf (path, sizeof path, "%s/t2.sha256", cache);
  TAP_CHECK (access (path, F_OK) < 0, "no stamp after a failed load");

  l.parser = "/nonexistent/apparmor_parser";
  ret = aa_ensure_loaded (&l, "t2", text, strlen (text), &ran, &err);
  TAP_CHECK (ret < 0 && err && strstr (err->msg, "cannot run"), "missing parser is an error (%s)",
             err ? err->msg : "ok");
  secshim_error_release (&err);

  l.parser = parser;
  snprintf (path, sizeof path, "%s/no-apparmor", tmpdir);
  l.profiles_file = path; /* a kernel without AppArmor: no profiles file */
  ret = aa_ensure_loaded (&l, "t3", text, strlen (text), &ran, &err);
  TAP_CHECK (ret < 0 && !ran && err && strstr (err->msg, "the kernel has no AppArmor enabled")
                 && strstr (err->msg, "profile `t3`"),
             "no AppArmor in the kernel: a clear error, no parser run (%s)", err ? err->msg : "ok");
  secshim_error_release (&err);
  snprintf (path, sizeof path, "%s/t3", cache);
  TAP_CHECK (access (path, F_OK) < 0, "... and nothing written to the cache");
  l.profiles_file = profiles;

  ret = aa_ensure_loaded (&l, "../evil", text, strlen (text), &ran, &err);
  TAP_CHECK (ret < 0 && !ran, "a name that is not a profile name is refused before any file is touched");
  secshim_error_release (&err);
  unsetenv ("SECSHIM_TEST_LEAK");
}

/* Eight starters at once load the profile once: the lock and the re-check
 * under it. */
static void
test_loader_concurrent (void)
{
  struct aa_loader l = { .parser = parser, .cache_dir = cache, .profiles_file = profiles };
  const char *text = "profile busy {\n}\n";
  pid_t pids[8];
  int i, failures = 0, before = count_lines (calls, "call ");

  for (i = 0; i < 8; i++)
    {
      pids[i] = fork ();
      if (pids[i] == 0)
        _exit (aa_ensure_loaded (&l, "busy", text, strlen (text), NULL, NULL) == 0 ? 0 : 1);
    }
  for (i = 0; i < 8; i++)
    {
      int status;
      if (waitpid (pids[i], &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
        failures++;
    }
  TAP_CHECK (failures == 0, "8 concurrent starters succeed");
  TAP_CHECK (count_lines (calls, "call ") - before == 1, "8 concurrent starters run the parser once (ran %d)",
             count_lines (calls, "call ") - before);
}

/* ---- the rule through the engine ---- */

static int ensure_calls;
static char *ensure_name, *ensure_text;
static int ensure_result;

static int
fake_ensure (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err)
{
  ensure_calls++;
  free (ensure_name);
  free (ensure_text);
  ensure_name = xstrdup (name);
  ensure_text = text ? xstrndup (text, len) : NULL;
  if (ensure_result < 0)
    return secshim_make_error (err, EIO, "fake load of `%s` failed", name);
  return 0;
}

static struct policy *
load_policy (const char *rule_json, secshim_error_t *err)
{
  char *buf = NULL, path[4096];
  struct policy *p = NULL;
  xasprintf (&buf, "{\"version\": 1, \"rules\": {\"apparmor\": %s}}", rule_json);
  snprintf (path, sizeof path, "%s/policy/test.json", top);
  if (policy_load_buffer (buf, strlen (buf), path, &p, err) < 0)
    p = NULL;
  free (buf);
  return p;
}

struct outcome
{
  int ret;      /* evaluation, then (when allowed) the apply step, as in runtime mode */
  int eval_ret; /* evaluation alone */
  bool refused;
  struct findings f;
  struct json_value *doc;
};

static void
evaluate (const struct policy *p, const char *doc_json, enum doc_kind kind, bool enabled, bool with_ensure,
          struct outcome *o)
{
  struct host h;
  struct identity id
      = { .verb = kind == DOC_PROCESS ? "exec" : "create", .container_id = "c1", .bundle = "/tmp/bundle" };
  secshim_error_t err = NULL;
  int calls0;

  host_fake_init (&h, enabled, true);
  if (with_ensure)
    h.apparmor_ensure = fake_ensure;
  memset (o, 0, sizeof *o);
  if (json_parse (doc_json, strlen (doc_json), NULL, &o->doc, &err) < 0)
    abort ();
  calls0 = ensure_calls;
  o->ret = o->eval_ret = policy_evaluate (p, o->doc, kind, &h, &id, &o->f, &o->refused, &err);
  /* Evaluation only decides; the host is touched by the apply step. */
  TAP_CHECK (ensure_calls == calls0, "evaluation alone loads nothing");
  if (o->ret == 0 && !o->refused)
    o->ret = policy_apply (&o->f, &h, &err);
  secshim_error_release (&err);
}

static void
outcome_free (struct outcome *o)
{
  findings_free (&o->f);
  json_free (o->doc);
}

static const char *
profile_of (const struct outcome *o, enum doc_kind kind)
{
  return json_string (json_get_path (o->doc, kind == DOC_PROCESS ? "apparmorProfile" : "process.apparmorProfile"));
}

static void
test_rule (void)
{
  secshim_error_t err = NULL;
  struct policy *rewrite, *reject, *required, *inline_p, *attach;
  struct outcome o;
  char golden[4096];
  char *want;

  rewrite = load_policy ("{\"action\": \"rewrite\", \"source\": \"apparmor/default.toml\"}", &err);
  TAP_CHECK (rewrite != NULL, "policy with source loads (%s)", err ? err->msg : "ok");
  secshim_error_release (&err);
  reject = load_policy ("{\"action\": \"reject\", \"source\": \"apparmor/default.toml\"}", NULL);
  required
      = load_policy ("{\"action\": \"rewrite\", \"mode\": \"required\", \"source\": \"apparmor/default.toml\"}", NULL);
  inline_p = load_policy ("{\"action\": \"rewrite\", \"profile\": \"web\", \"fields\": {\"Name\": \"ignored\","
                          " \"Network\": {\"Raw\": false, \"Protocols\": [\"tcp\"]},"
                          " \"Capabilities\": {\"Deny\": [\"CAP_SYS_ADMIN\"]}}}",
                          &err);
  TAP_CHECK (inline_p != NULL, "policy with inline fields loads (%s)", err ? err->msg : "ok");
  secshim_error_release (&err);
  attach = load_policy ("{\"action\": \"rewrite\", \"profile\": \"docker-default\"}", NULL);
  if (!rewrite || !reject || !required || !inline_p || !attach)
    {
      TAP_CHECK (0, "policies load");
      return;
    }

  /* AppArmor enabled, rewrite, unset: set and loaded with the generated text. */
  ensure_calls = 0;
  evaluate (rewrite, "{\"process\": {\"args\": [\"sh\"]}}", DOC_CONFIG, true, true, &o);
  snprintf (golden, sizeof golden, "%s/tests/apparmor/policy-default.profile", top);
  want = read_file (golden, NULL);
  TAP_CHECK (o.ret == 0 && !o.refused && str_equal (profile_of (&o, DOC_CONFIG), "secshim-default"),
             "enabled, unset: process.apparmorProfile set to secshim-default");
  TAP_CHECK (ensure_calls == 1 && str_equal (ensure_name, "secshim-default") && str_equal (ensure_text, want),
             "enabled: the generated profile is handed to the host to load before attaching");
  TAP_CHECK (o.f.n == 1 && o.f.v[0].action == ACTION_REWRITE && o.f.v[0].before == NULL
                 && str_equal (o.f.v[0].after, "\"secshim-default\"")
                 && str_equal (o.f.v[0].path, "process.apparmorProfile"),
             "enabled, unset: one rewrite finding with after");
  free (want);
  outcome_free (&o);

  evaluate (rewrite, "{\"process\": {\"apparmorProfile\": \"unconfined\"}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && !o.refused && str_equal (profile_of (&o, DOC_CONFIG), "secshim-default") && o.f.n == 1
                 && str_equal (o.f.v[0].before, "\"unconfined\""),
             "enabled, unconfined, rewrite: replaced, before recorded");
  outcome_free (&o);

  ensure_calls = 0;
  evaluate (rewrite, "{\"process\": {\"apparmorProfile\": \"secshim-default\"}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && o.f.n == 0 && ensure_calls == 1,
             "enabled, already the policy profile: no finding, still ensured loaded");
  outcome_free (&o);

  evaluate (reject, "{\"process\": {\"apparmorProfile\": \"unconfined\"}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && o.refused && o.f.n == 1 && strstr (o.f.v[0].message, "unconfined")
                 && str_equal (profile_of (&o, DOC_CONFIG), "unconfined"),
             "enabled, unconfined, reject: refused, document untouched (%s)", o.f.n ? o.f.v[0].message : "");
  outcome_free (&o);

  evaluate (reject, "{\"process\": {}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && o.refused && o.f.n == 1 && strstr (o.f.v[0].message, "no AppArmor profile set"),
             "enabled, unset, reject: refused");
  outcome_free (&o);

  evaluate (rewrite, "{\"process\": {}}", DOC_CONFIG, true, false, &o);
  TAP_CHECK (o.eval_ret == 0 && !o.refused && o.ret < 0,
             "enabled, host cannot load profiles: the apply step fails closed (runtime refuses, runc never runs)");
  outcome_free (&o);

  ensure_result = -1;
  evaluate (rewrite, "{\"process\": {}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.eval_ret == 0 && o.ret < 0, "enabled, loading fails: the apply step fails (runtime refuses)");
  ensure_result = 0;
  outcome_free (&o);

  /* A container another rule refuses loads no profile. */
  {
    struct policy *two = NULL;
    char *buf = NULL, path[4096];
    xasprintf (&buf, "{\"version\": 1, \"rules\": {\"privileged\": {\"action\": \"reject\"}, "
                     "\"apparmor\": {\"action\": \"rewrite\", \"source\": \"apparmor/default.toml\"}}}");
    snprintf (path, sizeof path, "%s/policy/test.json", top);
    if (policy_load_buffer (buf, strlen (buf), path, &two, &err) < 0)
      two = NULL;
    secshim_error_release (&err);
    free (buf);
    ensure_calls = 0;
    if (two)
      evaluate (two,
                "{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\"]}}, \"linux\": "
                "{\"maskedPaths\": []}}",
                DOC_CONFIG, true, true, &o);
    TAP_CHECK (two && o.refused && ensure_calls == 0 && o.f.n_steps == 1,
               "refused by another rule: the profile load was only queued, never done");
    if (two)
      outcome_free (&o);
    policy_free (two);
  }

  evaluate (rewrite, "{\"apparmorProfile\": \"docker-default\", \"args\": [\"sh\"]}", DOC_PROCESS, true, true, &o);
  TAP_CHECK (o.ret == 0 && str_equal (profile_of (&o, DOC_PROCESS), "secshim-default") && o.f.n == 1
                 && str_equal (o.f.v[0].path, "apparmorProfile"),
             "exec process.json: apparmorProfile rewritten at top level");
  outcome_free (&o);

  ensure_calls = 0;
  evaluate (inline_p, "{\"process\": {}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && str_equal (profile_of (&o, DOC_CONFIG), "web") && ensure_text
                 && strstr (ensure_text, "profile web flags=") && strstr (ensure_text, "  network inet6 tcp,\n")
                 && strstr (ensure_text, "  deny capability sys_admin,\n"),
             "inline fields: `profile` names it, fields generate it");
  outcome_free (&o);

  ensure_calls = 0;
  evaluate (attach, "{\"process\": {}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && str_equal (profile_of (&o, DOC_CONFIG), "docker-default") && ensure_calls == 1
                 && ensure_text == NULL,
             "profile alone: attach an existing profile, host only checks it is loaded");
  outcome_free (&o);

  /* AppArmor disabled. */
  ensure_calls = 0;
  evaluate (rewrite, "{\"process\": {\"args\": [\"sh\"]}}", DOC_CONFIG, false, true, &o);
  TAP_CHECK (o.ret == 0 && !o.refused && profile_of (&o, DOC_CONFIG) == NULL && ensure_calls == 0,
             "disabled, if-available: container goes on, no profile set, nothing loaded");
  TAP_CHECK (o.f.n == 1 && o.f.v[0].action == ACTION_AUDIT && strstr (o.f.v[0].message, "no AppArmor profile applied"),
             "disabled, if-available: audit finding says no profile was applied (%s)", o.f.n ? o.f.v[0].message : "");
  outcome_free (&o);

  evaluate (rewrite, "{\"process\": {\"apparmorProfile\": \"docker-default\"}}", DOC_CONFIG, false, true, &o);
  TAP_CHECK (o.ret == 0 && !o.refused && json_get_path (o.doc, "process.apparmorProfile") == NULL && o.f.n == 1
                 && str_equal (o.f.v[0].before, "\"docker-default\"")
                 && strstr (o.f.v[0].message, "no AppArmor profile applied"),
             "disabled, rewrite, a profile named: removed (runc 1.1 would fail on it)");
  outcome_free (&o);

  evaluate (rewrite, "{\"process\": {\"apparmorProfile\": \"\"}}", DOC_CONFIG, false, true, &o);
  TAP_CHECK (o.ret == 0 && str_equal (profile_of (&o, DOC_CONFIG), "") && o.f.n == 1 && o.f.v[0].action == ACTION_AUDIT,
             "disabled, empty profile (runc applies none): left alone, audited");
  outcome_free (&o);

  evaluate (reject, "{\"process\": {\"apparmorProfile\": \"unconfined\"}}", DOC_CONFIG, false, true, &o);
  TAP_CHECK (o.ret == 0 && o.refused && strstr (o.f.v[0].message, "runc cannot apply"),
             "disabled, reject, a profile named: refused with the reason instead of runc's EINVAL");
  outcome_free (&o);

  evaluate (required, "{\"process\": {}}", DOC_CONFIG, false, true, &o);
  TAP_CHECK (o.ret == 0 && o.refused && o.f.n == 1 && o.f.v[0].action == ACTION_REJECT
                 && strstr (o.f.v[0].message, "requires profile `secshim-default`"),
             "disabled, required: refused even though the action is rewrite");
  outcome_free (&o);

  evaluate (required, "{\"process\": {}}", DOC_CONFIG, true, true, &o);
  TAP_CHECK (o.ret == 0 && !o.refused && str_equal (profile_of (&o, DOC_CONFIG), "secshim-default"),
             "enabled, required: attached like if-available");
  outcome_free (&o);

  policy_free (rewrite);
  policy_free (reject);
  policy_free (required);
  policy_free (inline_p);
  policy_free (attach);
}

static void
test_rule_settings_refused (void)
{
  static const struct
  {
    const char *json, *needle;
  } cases[] = {
    { "{\"action\": \"rewrite\"}", "rules.apparmor: name a profile" },
    { "{\"action\": \"rewrite\", \"source\": \"a.toml\", \"fields\": {}}", "exclusive" },
    { "{\"action\": \"rewrite\", \"mode\": \"sometimes\", \"profile\": \"x\"}", "rules.apparmor.mode: unknown value" },
    { "{\"action\": \"rewrite\", \"profile\": \"unconfined\"}", "rules.apparmor.profile: `unconfined`" },
    { "{\"action\": \"rewrite\", \"profile\": \"x\", \"Name\": \"y\"}", "unknown key `Name`" },
    { "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"x\", \"Network\": {\"Rwa\": true}}}",
      "rules.apparmor.fields.Network: unknown key `Rwa`" },
    { "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"x\", \"Network\": {\"Raw\": \"no\"}}}",
      "rules.apparmor.fields.Network.Raw: expected true or false" },
    { "{\"action\": \"rewrite\", \"fields\": {\"Name\": \"x\", \"Capabilities\": {\"Deny\": [\"fly\"]}}}",
      "rules.apparmor.fields.Capabilities.Deny[0]: unknown capability `fly`" },
    { "{\"action\": \"rewrite\", \"source\": \"apparmor/missing.toml\"}", "rules.apparmor.source: open" },
    { "{\"action\": \"rewrite\", \"source\": \"../tests/apparmor/bad.toml\"}", "bad.toml:2:1: unknown key `Nmae`" },
  };
  size_t i;
  char bad[4096];
  snprintf (bad, sizeof bad, "%s/tests/apparmor/bad.toml", top);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      secshim_error_t err = NULL;
      struct policy *p = load_policy (cases[i].json, &err);
      TAP_CHECK (p == NULL && err && strstr (err->msg, cases[i].needle) && err->status == SECSHIM_ECONFIG,
                 "policy refused: %s (%s)", cases[i].needle, err ? err->msg : "accepted");
      secshim_error_release (&err);
      policy_free (p);
    }
}

int
main (void)
{
  top = getenv ("SECSHIM_TOP");
  if (top == NULL)
    top = ".";
  if (mkdtemp (tmpdir) == NULL)
    abort ();
  test_goldens ();
  test_nginx_contents ();
  setup_loader ();
  test_loader ();
  test_loader_concurrent ();
  test_rule ();
  test_rule_settings_refused ();
  {
    char *cmd = NULL;
    xasprintf (&cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      tap_diag ("could not remove %s", tmpdir);
    free (cmd);
  }
  return tap_done ();
}
