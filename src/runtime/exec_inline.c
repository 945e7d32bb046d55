/* Inline `runc exec` (no --process): the flags that widen privilege.
 *
 * In inline mode runc builds the exec'd process from the bundle's
 * config.json (already checked at create) and then applies these flags on
 * top (runtime-interface.md 1.3).  Capabilities of an exec'd process are not
 * bounded by the container's init, so --cap alone is an escalation; --cwd is
 * the CVE-2024-21626 vector; --apparmor and --process-label replace the
 * confinement.  These are refused whatever the policy says: they are argv
 * hardening, not a policy choice (containerd, CRI-O and podman always use
 * --process, so only a person typing `runc exec` meets them). */
#include <string.h>

#include "secshim/runtime.h"
#include "secshim/util.h"

static const char *const widening_flags[] = { "cap", "apparmor", "process-label", "cwd" };

/* uid[:gid] as runc's exec --user reads it; 0 in either is root.  Anything we
 * cannot parse strictly is refused too (runc's Atoi + uint32 cast turns
 * 4294967296 into 0). */
static bool
user_is_root_or_bad (const char *spec)
{
  char buf[64];
  char *colon;
  uint32_t uid, gid;
  if (strlen (spec) >= sizeof buf)
    return true;
  strcpy (buf, spec);
  colon = strchr (buf, ':');
  if (colon)
    *colon = '\0';
  if (parse_u32 (buf, &uid) < 0 || uid == 0)
    return true;
  return colon && (parse_u32 (colon + 1, &gid) < 0 || gid == 0);
}

char *
exec_inline_refusal (const struct cli_model *m)
{
  const char *values[256];
  char *msg = NULL;
  size_t i, n;

  for (i = 0; i < sizeof widening_flags / sizeof widening_flags[0]; i++)
    if (cli_flag_value (m, widening_flags[i]))
      {
        xasprintf (&msg, "exec: --%s is refused: it gives the exec'd process more than the container's init has",
                   widening_flags[i]);
        return msg;
      }
  if (str_equal (cli_flag_value (m, "no-new-privs"), "false"))
    return xstrdup ("exec: --no-new-privs=false is refused: noNewPrivileges must stay on");
  if (cli_flag_value (m, "user") && user_is_root_or_bad (cli_flag_value (m, "user")))
    {
      xasprintf (&msg, "exec: --user %s is refused: uid and gid must be non-zero integers", cli_flag_value (m, "user"));
      return msg;
    }
  n = cli_flag_values (m, "additional-gids", values, 256);
  if (n > 256)
    return xstrdup ("exec: too many --additional-gids");
  for (i = 0; i < n; i++)
    if (str_equal (values[i], "0") || values[i][0] == '\0')
      return xstrdup ("exec: --additional-gids 0 is refused: the exec'd process may not join group root");
  n = cli_flag_values (m, "env", values, 256);
  if (n > 256)
    return xstrdup ("exec: too many --env flags");
  for (i = 0; i < n; i++)
    if (strpbrk (values[i], "\n\r"))
      return xstrdup ("exec: --env values may not contain a newline");
  return NULL;
}
