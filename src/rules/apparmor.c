/* Rule "apparmor": every container runs under the policy's AppArmor profile.
 *
 * The profile is generated from bane's fields (a bane TOML file named by
 * "source", or inline "fields"), loaded once (src/apparmor/load.c through
 * host->apparmor_ensure) and attached by setting process.apparmorProfile in
 * config.json, or apparmorProfile in exec's process.json.  Settings:
 *
 *   "apparmor": {"action": "rewrite", "mode": "if-available",
 *                "source": "apparmor/default.toml", "profile": "secshim-default"}
 *
 *   source   bane TOML file, relative to the policy's directory
 *   fields   the same fields inline: {"Name": ..., "Filesystem": {...}, ...}
 *   profile  the profile's name (overrides Name); alone, without source or
 *            fields, attach an already-loaded profile without generating one
 *   mode     "if-available" (default): on a host without AppArmor enforce
 *            the profile's file rules with Landlock where the kernel has
 *            it, else go on without and record it; "required": refuse
 *            every container on a host with neither
 *   landlock true (default): the Landlock fallback on hosts without
 *            AppArmor; false turns it off
 *
 *   refuseUnconfined  true: an explicit `unconfined` is refused, under
 *            rewrite too, on any host (docker exec --privileged writes it
 *            into process.json on an AppArmor host); false (absent): it is
 *            judged like any other profile, so rewrite replaces it
 *
 * Actions: rewrite sets the profile when it is unset or different
 * (`unconfined` included, unless refuseUnconfined); reject refuses such a
 * container; audit and warn record it.
 *
 * Hosts without AppArmor: runc 1.1.5 does NOT ignore apparmorProfile there:
 * it fails at start with "write /proc/self/attr/exec: invalid argument",
 * even for "unconfined" (tried on this Debian 12 kernel).  So the rule never
 * sets a profile on such a host, and with rewrite removes one the document
 * names, so that the container runs instead of failing inside runc.
 *
 * Landlock (landlock.h): there the rule, under rewrite, bind-mounts the
 * static helper read-only at LL_CONTAINER_PATH and prefixes process.args
 * (exec: the process.json's args) with it and the rules derived from the
 * profile's fields; the helper confines the container's process itself.
 *
 * The rule owns the flags that set the same field: inline `runc exec
 * --apparmor X` (any value replaces the container's confinement) and
 * `runc restore --lsm-profile apparmor:X` (CRI-O passes its container's
 * profile back on every restore: a value equal to the checked, rewritten
 * document is fine, any other would undo the check).  Both are findings
 * like the field's, refused under reject and rewrite.
 *
 * The rule only decides: loading the profile into the kernel is queued as
 * a host step (eval_defer_apparmor) that runs after the verdict, so a
 * container refused by any rule loads nothing. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/landlock.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

#include "common.h"
#include "datafile.h"

enum aa_mode
{
  MODE_IF_AVAILABLE,
  MODE_REQUIRED,
};

static const char *const mode_names[] = { "if-available", "required", NULL };

struct apparmor_state
{
  enum aa_mode mode;
  char *profile; /* the name attached */
  char *text;    /* generated profile, NULL when attaching an existing one */
  size_t len;
  bool has_source;
  struct data_file source; /* the bane TOML: its bytes key the compiled policy */
  bool landlock;           /* the Landlock fallback is on */
  bool has_fields;         /* generated from fields: ll is meaningful */
  bool refuse_unconfined;  /* "refuseUnconfined" */
  struct ll_ruleset ll;
};

static void
free_apparmor (void *p)
{
  struct apparmor_state *s = p;
  if (s == NULL)
    return;
  free (s->profile);
  free (s->text);
  ll_ruleset_free (&s->ll);
  if (s->has_source)
    data_file_release (&s->source);
  free (s);
}

/* Make every error from loading the policy's profile a policy error that
 * names the setting (key NULL: the message already does). */
static int
config_error (secshim_error_t *err, const char *key)
{
  if (key)
    secshim_error_wrap (err, "rules.apparmor.%s", key);
  if (err && *err)
    (*err)->status = SECSHIM_ECONFIG;
  return -1;
}

static int
spec_from_source (const char *source, const char *policy_dir, struct apparmor_state *s, struct aa_spec *spec,
                  secshim_error_t *err)
{
  cleanup_free char *path = NULL;
  if (source[0] == '/')
    path = xstrdup (source);
  else
    xasprintf (&path, "%s/%s", policy_dir ? policy_dir : ".", source);
  /* Read here rather than with aa_spec_from_toml_file, so that the file
   * can join the compiled policy's key. */
  s->has_source = true;
  if (data_file_open (path, AA_TOML_MAX_BYTES, &s->source, err) < 0
      || aa_spec_from_toml (s->source.bytes, s->source.len, path, spec, err) < 0)
    return config_error (err, "source");
  return 0;
}

/* Landlock rules name the bane field they came from (a static string). */
static void
pack_ll_field (struct pack *k, const char **field)
{
  static const char *const fields[] = { "ReadOnlyPaths", "DenyExec" };
  int i = 0;
  if (!k->reading)
    {
      while (i < 2 && strcmp (*field, fields[i]) != 0)
        i++;
      if (i == 2)
        {
          pack_fail (k); /* a field this function does not know yet */
          return;
        }
    }
  pack_enum (k, &i, 2);
  if (k->reading && !k->bad)
    *field = fields[i];
}

/* The compiled policy holds the generated profile and the Landlock rules:
 * parsing the TOML and generating the profile is ~75 k instructions. */
static void
pack_apparmor (struct pack *k, void **state)
{
  struct apparmor_state *s = pack_state (k, state, sizeof *s);
  int mode = s->mode;
  size_t i;

  pack_enum (k, &mode, MODE_REQUIRED + 1);
  s->mode = (enum aa_mode) mode;
  pack_str (k, &s->profile);
  pack_bytes (k, &s->text, &s->len);
  pack_bool (k, &s->has_source);
  if (s->has_source)
    data_file_pack (k, &s->source);
  pack_bool (k, &s->landlock);
  pack_bool (k, &s->has_fields);
  pack_bool (k, &s->refuse_unconfined);
  pack_array (k, (void **) &s->ll.v, &s->ll.n, sizeof *s->ll.v);
  for (i = 0; i < s->ll.n && !k->bad; i++)
    {
      struct ll_rule *r = &s->ll.v[i];
      pack_str (k, &r->path);
      pack_fixed (k, &r->classes, sizeof r->classes);
      pack_bool (k, &r->tree);
      pack_bool (k, &r->widened);
      pack_ll_field (k, &r->field);
      if (k->reading && r->path == NULL)
        pack_fail (k);
    }
  pack_bool (k, &s->ll.deny_tcp);
  pack_size (k, &s->ll.n_widened);
}

static int
load_apparmor (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct apparmor_state *s = xzalloc (sizeof *s);
  struct aa_spec spec = { 0 };
  cleanup_free char *source = NULL;
  cleanup_with (json_free) struct json_value *fields = NULL;
  int mode = MODE_IF_AVAILABLE;

  s->landlock = true;
  if (take_enum (settings, "rules.apparmor", "mode", mode_names, &mode, err) < 0
      || take_bool (settings, "rules.apparmor", "landlock", &s->landlock, err) < 0
      || take_bool (settings, "rules.apparmor", "refuseUnconfined", &s->refuse_unconfined, err) < 0
      || take_string (settings, "rules.apparmor", "source", &source, err) < 0
      || take_string (settings, "rules.apparmor", "profile", &s->profile, err) < 0)
    goto fail;
  s->mode = (enum aa_mode) mode;
  fields = take_raw (settings, "fields");
  if (source && fields)
    {
      secshim_make_error (err, SECSHIM_ECONFIG, "rules.apparmor: `source` and `fields` are exclusive");
      goto fail;
    }
  if (!source && !fields && !s->profile)
    {
      secshim_make_error (err, SECSHIM_ECONFIG,
                          "rules.apparmor: name a profile: `source` (bane TOML), `fields` or `profile`");
      goto fail;
    }
  if (s->profile && !aa_profile_name_valid (s->profile))
    {
      secshim_make_error (err, SECSHIM_ECONFIG, "rules.apparmor.profile: `%s` is not a usable profile name",
                          s->profile);
      goto fail;
    }
  if (source && spec_from_source (source, policy_dir, s, &spec, err) < 0)
    goto fail;
  if (fields && aa_spec_from_json (fields, "rules.apparmor.fields", &spec, err) < 0)
    {
      config_error (err, NULL);
      goto fail;
    }
  if (source || fields)
    {
      if (s->profile)
        {
          free (spec.name);
          spec.name = xstrdup (s->profile);
        }
      if (aa_generate (&spec, &s->text, &s->len, err) < 0)
        goto fail;
      if (ll_ruleset_from_spec (&spec, &s->ll, err) < 0)
        {
          secshim_error_wrap (err, "rules.apparmor");
          config_error (err, NULL);
          goto fail;
        }
      s->has_fields = true;
      free (s->profile);
      s->profile = xstrdup (spec.name);
    }
  aa_spec_free (&spec);
  *state = s;
  return 0;
fail:
  aa_spec_free (&spec);
  free_apparmor (s);
  return -1;
}

/* Report with a fixed action whatever the rule's own: the host's lack of
 * AppArmor is a refusal under "required" and a plain audit record under
 * "if-available", even when the rule's action is rewrite.  An exemption
 * still applies (eval_report records it from ctx->exemption). */
static void __attribute__ ((format (printf, 4, 5)))
report_as (struct eval_ctx *ctx, enum action action, const char *path, const char *fmt, ...)
{
  const struct rule_config *saved = ctx->rule;
  struct rule_config as = *saved;
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  as.action = action;
  ctx->rule = &as;
  eval_report (ctx, path, NULL, NULL, "%s", msg);
  ctx->rule = saved;
}

static const char *
profile_path (const struct eval_ctx *ctx)
{
  return ctx->kind == DOC_PROCESS ? "apparmorProfile" : "process.apparmorProfile";
}

/* runc applies no profile for a missing or empty apparmorProfile. */
static bool
names_a_profile (const struct json_value *v)
{
  return v != NULL && !(json_is (v, JSON_STRING) && v->len == 0) && !json_is (v, JSON_NULL);
}

/* Why Landlock cannot stand in for AppArmor here, or NULL when it can. */
static const char *
landlock_unusable (const struct eval_ctx *ctx, const struct apparmor_state *s)
{
  if (!s->landlock)
    return "the policy turned the Landlock fallback off";
  if (!s->has_fields)
    return "the policy names the profile only, without fields Landlock could enforce";
  if (ctx->host->landlock_abi < 1)
    return "the kernel has no Landlock either";
  if (ctx->host->landlock_helper == NULL)
    return "the Landlock helper " SECSHIM_LIBEXECDIR "/secshim-landlock is not installed";
  return NULL;
}

/* process.args with the helper and its rules in front. */
static struct json_value *
prefixed_args (const struct apparmor_state *s, const struct json_value *args)
{
  struct strv rules = { 0 };
  struct json_value *prefixed = json_new_array ();
  size_t i;

  ll_helper_args (&s->ll, &rules);
  json_array_append (prefixed, json_new_string (LL_CONTAINER_PATH));
  for (i = 0; i < rules.n; i++)
    json_array_append (prefixed, json_new_string (rules.v[i]));
  json_array_append (prefixed, json_new_string ("--"));
  for (i = 0; i < args->count; i++)
    json_array_append (prefixed, json_clone (args->items[i]));
  strv_free (&rules);
  return prefixed;
}

/* args already begin with exactly this rule's prefix. */
static bool
already_prefixed (const struct apparmor_state *s, const struct json_value *args)
{
  cleanup_with (json_free) struct json_value *empty = json_new_array ();
  cleanup_with (json_free) struct json_value *want = prefixed_args (s, empty);
  size_t i;
  if (args->count < want->count)
    return false;
  for (i = 0; i < want->count; i++)
    if (!str_equal (json_string (args->items[i]), json_string (want->items[i])))
      return false;
  return true;
}

/* The last mount at LL_CONTAINER_PATH is secshim's helper mount. */
static bool
helper_mounted (const struct eval_ctx *ctx)
{
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  size_t i;
  if (ctx->kind == DOC_PROCESS)
    return true; /* the container's init has it (config.json) */
  for (i = json_is (mounts, JSON_ARRAY) ? mounts->count : 0; i-- > 0;)
    if (str_equal (json_string (json_get (mounts->items[i], "destination")), LL_CONTAINER_PATH))
      return ll_is_helper_mount (mounts->items[i], ctx->host->landlock_helper);
  return false;
}

/* Bind-mount the helper (config only: an exec'd process finds the
 * container's) and prefix the process's args with it and its rules. */
static void
inject_landlock (struct eval_ctx *ctx, const struct apparmor_state *s, struct json_value *args)
{
  if (ctx->kind == DOC_CONFIG)
    {
      struct json_value *mounts = json_get (ctx->doc, "mounts");
      if (!json_is (mounts, JSON_ARRAY))
        {
          json_set (ctx->doc, "mounts", json_new_array ());
          mounts = json_get (ctx->doc, "mounts");
        }
      /* Last, so that it covers anything the document mounts there. */
      json_array_append (mounts, ll_helper_mount (ctx->host->landlock_helper));
    }
  json_set (ctx->process, "args", prefixed_args (s, args));
}

static int
check_landlock (struct eval_ctx *ctx, const struct apparmor_state *s)
{
  struct json_value *args = json_get (ctx->process, "args");
  cleanup_with (json_free) struct json_value *before = NULL;
  const char *path = ctx->kind == DOC_PROCESS ? "args" : "process.args";
  cleanup_free char *what = NULL;

  xasprintf (&what, "%zu file rule%s%s%s", s->ll.n, s->ll.n == 1 ? "" : "s",
             !s->ll.deny_tcp                ? ""
             : ctx->host->landlock_abi >= 4 ? ", TCP bind/connect denied"
                                            : ", TCP not restricted (Landlock ABI < 4)",
             s->ll.n_widened ? ", globs widened to their directory" : "");
  /* TCP rules alone need ABI 4: on older kernels there is nothing to do. */
  if (s->ll.n == 0 && (!s->ll.deny_tcp || ctx->host->landlock_abi < 4))
    {
      report_as (ctx, ACTION_AUDIT, profile_path (ctx),
                 "AppArmor is not enabled on this host: no AppArmor profile applied (policy profile `%s` has no file "
                 "or TCP rules for Landlock)",
                 s->profile);
      return 0;
    }
  if (!json_is (args, JSON_ARRAY) || args->count == 0)
    {
      /* runc refuses a process without args; nothing to prefix. */
      report_as (ctx, ACTION_AUDIT, path, "no process args to confine with Landlock (profile `%s`)", s->profile);
      return 0;
    }
  if (already_prefixed (s, args) && helper_mounted (ctx))
    {
      /* A config.json secshim rewrote before (the same bundle run again). */
      report_as (ctx, ACTION_AUDIT, path,
                 "AppArmor is not enabled on this host: profile `%s` enforced by Landlock ABI %d (%s; already in "
                 "the document)",
                 s->profile, ctx->host->landlock_abi, what);
      return 0;
    }
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      report_as (ctx, eval_action (ctx) == ACTION_WARN ? ACTION_WARN : ACTION_AUDIT, path,
                 "AppArmor is not enabled on this host: profile `%s` would be enforced by Landlock (%s) under "
                 "action rewrite; not applied",
                 s->profile, what);
      return 0;
    }
  before = json_clone (args);
  inject_landlock (ctx, s, args);
  eval_report (ctx, path, before, json_get (ctx->process, "args"),
               "AppArmor is not enabled on this host: profile `%s` enforced by Landlock ABI %d (%s)", s->profile,
               ctx->host->landlock_abi, what);
  return 0;
}

static int
check_without_apparmor (struct eval_ctx *ctx, const struct apparmor_state *s)
{
  struct json_value *cur = json_get (ctx->process, "apparmorProfile");
  cleanup_with (json_free) struct json_value *before = NULL;
  const char *no_landlock = landlock_unusable (ctx, s);

  if (s->mode == MODE_REQUIRED && no_landlock)
    {
      report_as (ctx, ACTION_REJECT, profile_path (ctx),
                 "AppArmor is not enabled on this host and %s; the policy requires profile `%s`", no_landlock,
                 s->profile);
      return 0;
    }
  if (names_a_profile (cur))
    {
      /* The document names a profile runc cannot apply: runc would fail the
       * container with "write /proc/self/attr/exec: invalid argument". */
      if (eval_action (ctx) != ACTION_REWRITE)
        eval_report (ctx, profile_path (ctx), cur, NULL,
                     "AppArmor is not enabled on this host, so runc cannot apply the requested profile");
      else
        {
          before = json_clone (cur);
          json_remove (ctx->process, "apparmorProfile");
          eval_report (ctx, profile_path (ctx), before, NULL,
                       "AppArmor is not enabled on this host: removed the profile runc cannot apply%s",
                       no_landlock ? "; no AppArmor profile applied" : "");
        }
    }
  else if (no_landlock)
    report_as (ctx, ACTION_AUDIT, profile_path (ctx),
               "AppArmor is not enabled on this host: no AppArmor profile applied (policy profile `%s`, "
               "mode if-available; Landlock: %s)",
               s->profile, no_landlock);
  if (no_landlock)
    return 0;
  return check_landlock (ctx, s);
}

static void
ensure_loaded (struct eval_ctx *ctx, const struct apparmor_state *s)
{
  eval_defer_apparmor (ctx, s->profile, s->text, s->len);
}

static int
judge_profile (struct eval_ctx *ctx, const struct apparmor_state *s)
{
  struct json_value *process = ctx->process;
  struct json_value *cur;
  cleanup_with (json_free) struct json_value *before = NULL;
  const char *cur_name;

  if (process == NULL)
    return 0; /* runc refuses a config without process; nothing to attach to */
  if (!ctx->host->apparmor_enabled)
    return check_without_apparmor (ctx, s);

  cur = json_get (process, "apparmorProfile");
  cur_name = json_string (cur);
  if (cur_name && strcmp (cur_name, s->profile) == 0)
    {
      ensure_loaded (ctx, s);
      return 0;
    }

  if (eval_action (ctx) != ACTION_REWRITE)
    {
      if (!names_a_profile (cur))
        eval_report (ctx, profile_path (ctx), cur, NULL, "no AppArmor profile set (policy profile `%s`)", s->profile);
      else if (cur_name && strcmp (cur_name, "unconfined") == 0)
        eval_report (ctx, profile_path (ctx), cur, NULL,
                     "the container would run unconfined by AppArmor (policy profile `%s`)", s->profile);
      else
        eval_report (ctx, profile_path (ctx), cur, NULL, "AppArmor profile is not the policy profile `%s`", s->profile);
      return 0;
    }
  /* Loaded by the apply step, before runc runs: a profile the kernel does
   * not hold makes runc fail with a bare ENOENT (runc#5441). */
  ensure_loaded (ctx, s);
  before = cur ? json_clone (cur) : NULL;
  json_set (process, "apparmorProfile", json_new_string (s->profile));
  eval_report (ctx, profile_path (ctx), before, json_get (process, "apparmorProfile"),
               "set the AppArmor profile to `%s`", s->profile);
  return 0;
}

/* restore --lsm-profile: "apparmor:NAME" (or anything that is not an
 * SELinux label, which rule selinux owns) against the checked document. */
static void
check_restore_flag (struct eval_ctx *ctx, const struct cli_model *m)
{
  const char *profile = cli_flag_value (m, "lsm-profile");
  const char *want = json_string (json_get (ctx->process, "apparmorProfile"));

  if (profile == NULL || profile[0] == '\0' || str_has_prefix (profile, "selinux:"))
    return;
  if (!str_has_prefix (profile, "apparmor:") || want == NULL || strcmp (profile + strlen ("apparmor:"), want) != 0)
    eval_report_flag (ctx, "lsm-profile", profile,
                      "restore: --lsm-profile=%.128s is refused: it differs from the checked config.json "
                      "(apparmorProfile %.128s); pass apparmor:%.128s or drop the flag",
                      profile, want ? want : "unset", want ? want : "PROFILE");
}

static int
check_apparmor (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct apparmor_state *s = state;
  const struct cli_model *m;
  int ret;
  (void) err;

  if (ctx->kind == DOC_ARGV)
    {
      m = eval_cli (ctx, VERB_EXEC);
      if (m && cli_flag_value (m, "apparmor") && cli_flag_value (m, "apparmor")[0] != '\0')
        eval_report_flag (ctx, "apparmor", cli_flag_value (m, "apparmor"),
                          "exec: --apparmor is refused: it replaces the container's AppArmor confinement for the "
                          "exec'd process; drop the flag");
      return 0;
    }
  if (s->refuse_unconfined && str_equal (json_string (json_get (ctx->process, "apparmorProfile")), "unconfined"))
    {
      /* An explicit opt-out: refused, not replaced, whatever the host. */
      eval_report_unfixable (ctx, profile_path (ctx), json_get (ctx->process, "apparmorProfile"),
                             "AppArmor profile \"unconfined\" turns AppArmor off");
      return 0;
    }
  ret = judge_profile (ctx, state);
  /* Compared after the rewrite: the profile runc restores with must be
   * the one the document now names. */
  if (ret == 0 && (m = eval_cli (ctx, VERB_RESTORE)) != NULL)
    check_restore_flag (ctx, m);
  return ret;
}

const struct rule_ops rule_apparmor = {
  .name = "apparmor",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .load = load_apparmor,
  .free_state = free_apparmor,
  .check = check_apparmor,
  .pack = pack_apparmor,
};
