/* Rule "sysctls": only the namespaced "safe" sysctls, with sane values.
 *
 * The allowlist defaults to the Pod Security Standards baseline set
 * (pod-security-admission check_sysctls.go).  Every key and value is also
 * checked for the characters that smuggled a second sysctl into CRI-O
 * (CVE-2022-0811: "+" and "=" in a value) and for newlines and commas.
 * Values are checked by the shape the kernel expects for each known key.
 * CIS Docker Benchmark has no sysctl item; PSS baseline "Sysctls". */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct sysctls_state
{
  struct strv allow;
};

/* How many unsigned integers, separated by single spaces or tabs, a value
 * of this key holds; 0 for keys we do not know the shape of. */
static const struct
{
  const char *key;
  int numbers;
} shapes[] = {
  { "kernel.shm_rmid_forced", 1 },
  { "net.ipv4.ip_local_port_range", 2 },
  { "net.ipv4.ip_unprivileged_port_start", 1 },
  { "net.ipv4.tcp_syncookies", 1 },
  { "net.ipv4.ping_group_range", 2 },
  { "net.ipv4.tcp_keepalive_time", 1 },
  { "net.ipv4.tcp_fin_timeout", 1 },
  { "net.ipv4.tcp_keepalive_intvl", 1 },
  { "net.ipv4.tcp_keepalive_probes", 1 },
  { "net.ipv4.tcp_rmem", 3 },
  { "net.ipv4.tcp_wmem", 3 },
  { "net.ipv4.tcp_slow_start_after_idle", 1 },
  { "net.ipv4.tcp_notsent_lowat", 1 },
};

static void
free_sysctls (void *p)
{
  struct sysctls_state *s = p;
  strv_free (&s->allow);
  free (s);
}

static int
load_sysctls (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct sysctls_state *s = xzalloc (sizeof *s);
  size_t i;
  if (take_strv (settings, "rules.sysctls", "allow", &s->allow, err) < 0)
    {
      free_sysctls (s);
      return -1;
    }
  if (s->allow.v == NULL)
    {
      /* No "allow": the PSS baseline set, which is the shapes table. */
      size_t n = sizeof shapes / sizeof shapes[0];
      s->allow.v = xzalloc ((n + 1) * sizeof (char *));
      for (i = 0; i < n; i++)
        s->allow.v[i] = xstrdup (shapes[i].key);
      s->allow.n = n;
    }
  *state = s;
  return 0;
}

static bool
has_smuggling (const char *s)
{
  return strpbrk (s, "=+,\n\r") != NULL;
}

static bool
value_has_shape (const char *key, const char *value)
{
  size_t i;
  for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    if (strcmp (shapes[i].key, key) == 0)
      {
        int n = 0;
        const char *p = value;
        while (*p)
          {
            const char *start = p;
            while (*p >= '0' && *p <= '9')
              p++;
            if (p == start || p - start > 10)
              return false;
            n++;
            if (*p == ' ' || *p == '\t')
              p++;
            else if (*p != '\0')
              return false;
          }
        return n == shapes[i].numbers;
      }
  return true;
}

struct sysctl_walk
{
  struct eval_ctx *ctx;
  const struct sysctls_state *s;
  bool remove;
};

/* json_object_retain callback: one pass over the map, so removing many
 * members costs linear time (docs/threat-model.md §2.9). */
static bool
keep_sysctl (struct json_member *m, size_t index, void *data)
{
  struct sysctl_walk *w = data;
  const char *key = m->key;
  const char *value = json_string (m->value);
  cleanup_free char *path = NULL;
  cleanup_free char *why = NULL;
  (void) index;

  if (!strv_contains (&w->s->allow, key))
    xasprintf (&why, "sysctl %s is not in the allowed set", key);
  else if (value == NULL || has_smuggling (key) || has_smuggling (value))
    xasprintf (&why, "sysctl %s has a value with '=', '+', ',' or a newline", key);
  else if (!value_has_shape (key, value))
    xasprintf (&why, "sysctl %s value \"%s\" is not what the kernel expects", key, value);
  if (why == NULL)
    return true;
  xasprintf (&path, "linux.sysctl.%s", key);
  if (w->remove)
    {
      eval_report (w->ctx, path, m->value, NULL, "removed: %s", why);
      return false;
    }
  eval_report (w->ctx, path, m->value, NULL, "%s", why);
  return true;
}

static int
check_sysctls (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  struct sysctl_walk w = { ctx, state, eval_action (ctx) == ACTION_REWRITE };
  json_object_retain (json_get_path (ctx->doc, "linux.sysctl"), keep_sysctl, &w);
  return 0;
}

static void
pack_sysctls (struct pack *k, void **state)
{
  struct sysctls_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->allow);
}

const struct rule_ops rule_sysctls = {
  .name = "sysctls",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_sysctls,
  .free_state = free_sysctls,
  .pack = pack_sysctls,
  .check = check_sysctls,
};
