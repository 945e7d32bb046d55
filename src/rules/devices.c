/* Rule "devices": device nodes and device-cgroup rules from an allowlist.
 *
 * linux.devices creates nodes in the container (/dev/sda, /dev/mem,
 * /dev/kmsg, /dev/fuse ...); linux.resources.devices grants access in the
 * device cgroup, and an allow rule without type, major or minor allows every
 * device (the --privileged form).  Both are judged by type, major and minor,
 * never by name: a node called /dev/null can be 8:0.  CIS Docker Benchmark
 * 5.18 (host devices); PSS baseline "Privileged" (devices); security.md R-DEV.
 *
 * Allowlist entries read like cgroup v1 device rules: "c 1:3", "c 136:*". */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

#define ANY (-1)

struct device_rule
{
  char type;  /* 'c', 'b' or 'a' */
  long major; /* ANY for '*' */
  long minor;
};

struct devices_state
{
  struct device_rule *allow;
  size_t n_allow;
};

static void
free_devices (void *p)
{
  struct devices_state *s = p;
  free (s->allow);
  free (s);
}

static int
parse_number_or_any (const char *s, long *out)
{
  uint32_t v;
  if (strcmp (s, "*") == 0)
    {
      *out = ANY;
      return 0;
    }
  if (parse_u32 (s, &v) < 0)
    return -1;
  *out = (long) v;
  return 0;
}

static int
parse_rule (const char *text, struct device_rule *r)
{
  char buf[64];
  char *colon;
  if (strlen (text) >= sizeof buf || strlen (text) < 5 || (text[0] != 'c' && text[0] != 'b') || text[1] != ' ')
    return -1;
  strcpy (buf, text + 2);
  colon = strchr (buf, ':');
  if (colon == NULL)
    return -1;
  *colon = '\0';
  r->type = text[0];
  return parse_number_or_any (buf, &r->major) < 0 || parse_number_or_any (colon + 1, &r->minor) < 0 ? -1 : 0;
}

static int
load_devices (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct devices_state *s = xzalloc (sizeof *s);
  struct strv allow = { 0 };
  size_t i;
  if (take_strv (settings, "rules.devices", "allow", &allow, err) < 0)
    goto fail;
  s->allow = xzalloc ((allow.n + 1) * sizeof *s->allow);
  s->n_allow = allow.n;
  for (i = 0; i < allow.n; i++)
    if (parse_rule (allow.v[i], &s->allow[i]) < 0)
      {
        secshim_make_error (err, SECSHIM_ECONFIG, "rules.devices.allow[%zu]: `%s` is not of the form \"c 1:3\"", i,
                            allow.v[i]);
        goto fail;
      }
  strv_free (&allow);
  *state = s;
  return 0;
fail:
  strv_free (&allow);
  free_devices (s);
  return -1;
}

/* Is (type, major, minor) covered by the allowlist?  type/major/minor of
 * the request may be ANY ('a' or missing numbers): then only an allowlist
 * entry at least as wide covers it. */
static bool
allowed (const struct devices_state *s, char type, long major, long minor)
{
  size_t i;
  for (i = 0; i < s->n_allow; i++)
    {
      const struct device_rule *a = &s->allow[i];
      if (type == 'a' || a->type != type)
        continue;
      if (a->major != ANY && a->major != major)
        continue;
      if (a->minor != ANY && a->minor != minor)
        continue;
      return true;
    }
  return false;
}

static long
number_or_any (const struct json_value *v)
{
  int64_t n;
  if (v == NULL || json_get_i64 (v, &n) < 0 || n < 0)
    return ANY;
  return (long) n;
}

static int
check_nodes (struct eval_ctx *ctx, const struct devices_state *s)
{
  const struct json_value *devs = json_get_path (ctx->doc, "linux.devices");
  size_t i;
  for (i = 0; json_is (devs, JSON_ARRAY) && i < devs->count; i++)
    {
      const struct json_value *d = devs->items[i];
      const char *type = json_string (json_get (d, "type"));
      long major = number_or_any (json_get (d, "major")), minor = number_or_any (json_get (d, "minor"));
      cleanup_free char *path = NULL;
      char t = type && (type[0] == 'c' || type[0] == 'u') && type[1] == '\0' ? 'c'
               : type && type[0] == 'b' && type[1] == '\0'                   ? 'b'
                                                                             : 'a';
      if (t != 'a' && major != ANY && minor != ANY && allowed (s, t, major, minor))
        continue;
      xasprintf (&path, "linux.devices[%zu]", i);
      eval_report (ctx, path, json_get (d, "path"), NULL, "device %s (%s %ld:%ld) is not in the allowlist",
                   json_string (json_get (d, "path")) ?: "?", type ?: "?", major, minor);
    }
  return 0;
}

static int
check_cgroup_rules (struct eval_ctx *ctx, const struct devices_state *s)
{
  const struct json_value *rules = json_get_path (ctx->doc, "linux.resources.devices");
  size_t i;
  for (i = 0; json_is (rules, JSON_ARRAY) && i < rules->count; i++)
    {
      const struct json_value *r = rules->items[i];
      const char *type = json_string (json_get (r, "type"));
      long major = number_or_any (json_get (r, "major")), minor = number_or_any (json_get (r, "minor"));
      cleanup_free char *path = NULL;
      char t = type == NULL || type[0] == 'a' ? 'a' : type[0];
      if (!json_is_true (json_get (r, "allow")))
        continue; /* deny rules only take away */
      if (allowed (s, t, major, minor))
        continue;
      xasprintf (&path, "linux.resources.devices[%zu]", i);
      if (t == 'a' || major == ANY)
        eval_report (ctx, path, r, NULL, "device cgroup rule allows %s devices: an allow-all rule is refused",
                     t == 'a' ? "all" : type);
      else if (minor == ANY)
        eval_report (ctx, path, r, NULL, "device cgroup rule allows %c %ld:*, which is not in the allowlist", t, major);
      else
        eval_report (ctx, path, r, NULL, "device cgroup rule allows %c %ld:%ld, which is not in the allowlist", t,
                     major, minor);
    }
  return 0;
}

static int
check_devices (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct devices_state *s = state;
  check_nodes (ctx, s);
  check_cgroup_rules (ctx, s);
  return 0;
}

static void
pack_devices (struct pack *k, void **state)
{
  struct devices_state *s = pack_state (k, state, sizeof *s);
  size_t i;
  pack_array (k, (void **) &s->allow, &s->n_allow, sizeof *s->allow);
  for (i = 0; i < s->n_allow && !k->bad; i++)
    {
      pack_char (k, &s->allow[i].type);
      pack_long (k, &s->allow[i].major);
      pack_long (k, &s->allow[i].minor);
    }
}

const struct rule_ops rule_devices = {
  .name = "devices",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_devices,
  .free_state = free_devices,
  .pack = pack_devices,
  .check = check_devices,
};
